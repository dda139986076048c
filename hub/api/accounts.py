"""GET /api/v1/me: the account a personal API token acts as, so a partner can
check their token works and what it may do."""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from hub.api.auth import StaffToken
from hub.api.schemas import MessageOut

router = Router(tags=["accounts"], auth=StaffToken())


class MeOut(Schema):
    email: str
    full_name: str
    organisation: str | None = Field(..., description="The partner organisation's name, if any.")
    roles: list[str] = Field(..., description="The account's roles, which decide what the token may do.")


@router.get("", response={200: MeOut, 401: MessageOut}, summary="The account of your API token")
def me(request: HttpRequest, response: HttpResponse):
    """Needs a personal API token: `Authorization: Bearer sph_...`. Make one at /account/api-tokens/."""
    response["Cache-Control"] = "private, no-store"
    user = request.auth
    return {
        "email": user.email,
        "full_name": user.full_name,
        "organisation": user.organisation.name if user.organisation else None,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }
