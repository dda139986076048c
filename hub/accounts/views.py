"""Sign-in in two steps (password, then a code), enrolment, recovery codes,
password reset, personal API tokens. Rules live in hub.accounts.services and
hub.accounts.tokens; these views only route."""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from hub.accounts import services, tokens
from hub.accounts.decorators import staff_required
from hub.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    EnrolForm,
    HubPasswordResetForm,
    HubSetPasswordForm,
    SignInForm,
)
from hub.accounts.models import User
from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data

# The password step is remembered for this long while the person finds their code.
PENDING_SECONDS = 5 * 60
_PENDING_USER = "pending_2fa_user_id"
_PENDING_BACKEND = "pending_2fa_backend"
_PENDING_AT = "pending_2fa_at"
_PENDING_NEXT = "pending_2fa_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(_PENDING_USER)
    started = request.session.get(_PENDING_AT, 0)
    if not user_id or time.time() - started > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _finish_sign_in(request: HttpRequest, user: User, device) -> HttpResponse:
    next_url = _safe_next(request, request.session.get(_PENDING_NEXT))
    backend = request.session.get(_PENDING_BACKEND)
    for key in (_PENDING_USER, _PENDING_BACKEND, _PENDING_AT, _PENDING_NEXT):
        request.session.pop(key, None)
    login(request, user, backend=backend)  # new session key: no fixation
    django_otp.login(request, device)
    return redirect(next_url)


@sensitive_post_parameters("password")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(_safe_next(request, request.GET.get("next")))
    form = SignInForm(*form_data(request))
    # The form posts to the bare URL and carries `next` in a hidden field.
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        user = services.password_check(
            request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            # On the field, so it shows beside it as well as in the error summary.
            form.add_error("email", "Enter a correct email address and password")
        else:
            request.session.cycle_key()
            request.session[_PENDING_USER] = user.pk
            request.session[_PENDING_BACKEND] = user.backend
            request.session[_PENDING_AT] = time.time()
            request.session[_PENDING_NEXT] = next_url
            if services.totp_device_confirmed(user) is None:
                return redirect("accounts:two_factor_setup")
            return redirect("accounts:sign_in_code")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Your sign-in timed out. Enter your email address and password again.")
        return redirect("accounts:sign_in")
    form = CodeForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            return _finish_sign_in(request, user, device)
    return render(request, "accounts/sign_in_code.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan the QR code, confirm a code, keep the recovery codes."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Your sign-in timed out. Enter your email address and password again.")
        return redirect("accounts:sign_in")
    if services.totp_device_confirmed(user) is not None:
        return redirect("accounts:sign_in_code")
    device = services.totp_enrolment_start(user=user)
    form = EnrolForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(
                request=request, user=user, device=device, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            _finish_sign_in(request, user, device)
            # After sign-in (which makes a new session), so the codes survive it.
            request.session["recovery_codes_to_show"] = codes
            return redirect("accounts:recovery_codes_new")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": services.totp_qr_svg(device),
            "secret": services.totp_secret_base32(device),
        },
    )


@never_cache
@staff_required()
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Shown once, straight after they are made."""
    codes = request.session.pop("recovery_codes_to_show", None)
    if not codes:
        return redirect("accounts:recovery_codes")
    return render(request, "accounts/recovery_codes_new.html", {"codes": codes})


@never_cache
@staff_required()
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.session["recovery_codes_to_show"] = services.recovery_codes_regenerate(
            request=request, user=request.user
        )
        return redirect("accounts:recovery_codes_new")
    return render(
        request, "accounts/recovery_codes.html", {"remaining": services.recovery_codes_remaining(user=request.user)}
    )


@sensitive_variables("secret")
@never_cache
@staff_required()
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Your own API tokens, and a form to make one. A new token's secret is shown
    in the answer to the form, once: never in a URL, the session or a later page."""
    form = ApiTokenForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.api_token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"], request=request
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            return render(request, "accounts/api_token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens.api_tokens_of(request.user)},
    )


@require_POST
@staff_required()
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(tokens.api_tokens_of(request.user), pk=pk)
    if token.revoked_at is None:
        tokens.api_token_revoke(token=token, actor=request.user, request=request)
        messages.success(request, f"Token '{token.name}' revoked. It no longer works.")
    return redirect("accounts:api_tokens")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = HubPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict:  # type: ignore[override]
        # Links use the configured address, never the Host header of the request.
        # Read per request (a class attribute would freeze the settings at import).
        return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}

    def form_valid(self, form):
        # The same answer whether or not the address has an account.
        audit_record(action="auth.password_reset_requested", request=self.request)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = HubSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="auth.password_reset_done", actor=form.user, request=self.request, obj=form.user)
        return response
