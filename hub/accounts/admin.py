from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from hub.accounts.models import Organisation, User
from hub.audit.admin_mixins import AuditedAdminMixin


def _admin_has_permission(request: HttpRequest) -> bool:
    """Administrators reach the admin only after password and second factor."""
    user = request.user
    return user.is_active and user.is_staff and user.is_verified()


def _admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's login URL hands over to our two-step sign-in.

    Redirecting to sign-in with this URL as `next` looped for ever once signed
    in (sign-in sends a verified person to `next`, which came straight back),
    so go to the admin page that was asked for, and refuse a verified person
    who is not admin staff rather than ask them to sign in again."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index", current_app=admin.site.name)
    user = request.user
    if user.is_authenticated and user.is_verified():
        if _admin_has_permission(request):
            return redirect(next_url)
        raise PermissionDenied
    return redirect_to_login(next_url)


admin.site.has_permission = _admin_has_permission
admin.site.login = _admin_login
admin.site.site_header = "Safeguarding Partnership Hub administration"


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sector"]
    list_filter = ["sector"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "organisation__sector"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "organisation")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "organisation", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
