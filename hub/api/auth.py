"""Staff-only API endpoints: a personal API token in the Authorization header
("Authorization: Bearer sph_..."), made at /account/api-tokens/. The endpoint
then acts as the token's user, with that user's permissions.

    router = Router(auth=StaffToken())

    @router.post("/screenings")
    def screening_submit(request, ...):
        require_perms(request, "screening.add_screening", to="submit a screening")
        ...
"""

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from hub.accounts.models import User
from hub.accounts.tokens import api_token_authenticate


def _not_verified() -> bool:
    return False


class StaffToken(HttpBearer):
    """A personal API token; the request then acts as its user (request.user and request.auth)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is None:
            return None
        # A token is not a verified two-factor sign-in: anything that asks gets "no"
        # (the attributes django_otp's middleware gives a signed-in user).
        user.otp_device = None
        user.is_verified = _not_verified
        request.user = user
        return user


def require_perms(request: HttpRequest, *perms: str, to: str = "do this") -> None:
    """Refuse (403) unless the token's user holds every permission; `to` says what
    was refused, as in "Your token's account does not have permission to submit a screening".

    Only a token counts, never a browser's session cookie: API endpoints do not
    check CSRF, so a signed-in browser must not be able to act through them."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    if not user.has_perms(perms):
        raise HttpError(
            403,
            f"Your token's account does not have permission to {to}. "
            "Ask an administrator of the hub for a role that allows it.",
        )
