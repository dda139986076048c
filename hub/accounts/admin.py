from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest

from hub.accounts.models import Organisation, User


def _admin_has_permission(request: HttpRequest) -> bool:
    """Administrators reach the admin only after password and second factor."""
    user = request.user
    return user.is_active and user.is_staff and user.is_verified()


def _admin_login(request: HttpRequest, extra_context=None):
    return redirect_to_login(request.get_full_path())


admin.site.has_permission = _admin_has_permission
admin.site.login = _admin_login
admin.site.site_header = "Safeguarding Partnership Hub administration"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector"]
    list_filter = ["sector"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
