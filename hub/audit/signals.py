"""Sign-in events from Django and django-axes into the audit chain."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hub.accounts.models import normalise_email
from hub.audit.models import AuditEvent
from hub.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(action="auth.sign_in", actor=user, request=request, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action="auth.sign_out", actor=user, request=request, obj=user)


def _user_for(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(email=normalise_email(username)).first()


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The typed address is personal data: record the account if one matches, never the text.
    user = _user_for(credentials.get("username"))
    audit_record(
        action="auth.sign_in_failed",
        actor=user,
        request=request,
        obj=user,
        outcome=AuditEvent.Outcome.FAILURE,
        detail={"reason": "wrong password" if user else "unknown account"},
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    user = _user_for(username)
    audit_record(
        action="auth.locked_out",
        actor=user,
        request=request,
        obj=user,
        outcome=AuditEvent.Outcome.DENIED,
    )
