"""Personal API tokens: a system calls staff-only API endpoints as the member of
staff who made the token. The secret is shown once; only its SHA-256 hash is
kept, so a copy of the database gives nobody a working token."""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from hub.accounts.models import ApiToken, User
from hub.audit.services import audit_record
from hub.core.errors import ApplicationError

SECRET_PREFIX = "sph_"  # noqa: S105 (marks a hub token, e.g. for secret scanners; not a secret)
DEFAULT_DAYS = 90
MAX_DAYS = 365
# last_used_at is written at most this often, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# "sph_" + 43 characters of token_urlsafe(32); anything much longer is not ours.
_MAX_SECRET_LENGTH = 100


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first."""
    return ApiToken.objects.filter(user=user)


def api_token_create(
    *, user: User, name: str, days: int = DEFAULT_DAYS, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Make a token that expires in `days` (1 to 365). Returns the token and its
    secret: the only time the secret exists outside the caller's system."""
    name = name.strip()
    if not name:
        raise ApplicationError("Enter what the token is for", field="name")
    if not 1 <= days <= MAX_DAYS:
        raise ApplicationError(f"The token must expire in 1 to {MAX_DAYS} days", field="days")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:8],
            token_hash=_hash(secret),
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        audit_record(
            action="accounts.api_token_created",
            actor=user,
            request=request,
            obj=token,
            detail={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> None:
    """Stop the token working at once. Revoking a revoked token changes nothing.
    Who may revoke which token is the caller's decision (staff: their own)."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
        if revoked:
            audit_record(
                action="accounts.api_token_revoked",
                actor=actor,
                request=request,
                obj=token,
                detail={"name": token.name, "prefix": token.prefix, "owner_id": token.user_id},
            )


def api_token_authenticate(secret: str) -> User | None:
    """The active user whose unexpired, unrevoked token this is, or None.

    The secret is looked up by its hash, so the database never compares the
    secret itself and the time taken says nothing about how close a guess was."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX) or len(secret) > _MAX_SECRET_LENGTH:
        return None
    digest = _hash(secret)
    try:
        token = ApiToken.objects.select_related("user").get(token_hash=digest)
    except ApiToken.DoesNotExist:
        return None
    if not hmac.compare_digest(token.token_hash, digest):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so simultaneous requests write once between them.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
