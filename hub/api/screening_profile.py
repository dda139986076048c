"""The profile of children at risk as JSON (personal API token; permission
screening.view_profile): the same tables as the page.

Always with disclosure control (counts from 1 to 4 hidden, and enough others
that none can be worked out) unless `exact=true` is asked by a hub officer; an
analyst asking for exact counts is refused (403). Each answer is audited with
its filters, as the page is."""

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from hub.api.auth import StaffToken, require_perms
from hub.api.schemas import MessageOut, ValidationErrorOut
from hub.audit.services import audit_record
from hub.screening.profile import (
    PERM_VIEW_PROFILE,
    area_normalise,
    filters_make,
    filters_problems,
    profile_build,
    profile_exact_allowed,
    profile_json,
)

# /api/v1/screening/profile
router = Router(tags=["screening"], auth=StaffToken())


class ProfileQuery(Schema):
    date_from: datetime.date | None = Field(
        None, alias="from", description="First day (YYYY-MM-DD). Default: the first of the month 11 months ago."
    )
    date_to: datetime.date | None = Field(None, alias="to", description="Last day (YYYY-MM-DD). Default: today.")
    area: str = Field("", max_length=8, description="A postcode district (BN11) or an area's letters (BN).")
    exact: bool = Field(False, description="Exact counts, without disclosure control: hub officers only.")


class FigureOut(Schema):
    value: int | None = Field(..., description="The count, or null when hidden.")
    shown: str = Field(..., description='As shown: "12", "<5", "[c]" ("" in a withheld table).')


class RowOut(Schema):
    label: str
    counts: list[FigureOut]
    total: FigureOut | None = None


class TableOut(Schema):
    key: str
    title: str
    row_heading: str
    columns: list[str]
    unit: str = Field(..., description="What is counted: children, screenings or changes.")
    note: str
    withheld: bool = Field(..., description="True when nothing of the table can be shown safely.")
    rows: list[RowOut]
    column_totals: list[FigureOut] | None = None
    total: FigureOut | None = None


class ProfileOut(Schema):
    date_from: datetime.date = Field(..., alias="from")
    date_to: datetime.date = Field(..., alias="to")
    area: str
    exact: bool
    threshold: int | None = Field(..., description="Counts below it are hidden; null for exact counts.")
    symbols: dict[str, str]
    tables: list[TableOut]


@router.get(
    "",
    response={200: ProfileOut, 400: ValidationErrorOut, 401: MessageOut, 403: MessageOut, 422: MessageOut},
    summary="The profile of children at risk",
    by_alias=True,
)
def profile_get(request: HttpRequest, response: HttpResponse, filters: Query[ProfileQuery]):
    """Children screened in the period (each once, at the category of their latest screening in it) by
    category, age band, gender, ethnicity, area, setting and looked-after status; children with each
    indicator; screenings and category changes by month. Needs the permission to see the profile."""
    response["Cache-Control"] = "private, no-store"
    require_perms(request, PERM_VIEW_PROFILE, to="see the profile of children at risk")
    if filters.exact and not profile_exact_allowed(request.auth):
        raise HttpError(
            403,
            "Exact counts are for the hub only. Ask without exact=true for the table with small counts hidden.",
        )
    area = area_normalise(filters.area)
    problems = filters_problems(filters.date_from, filters.date_to, area)
    if problems:
        raise HttpError(422, "; ".join(f"{field}: {message}" for field, message in problems.items()))
    chosen = filters_make(filters.date_from, filters.date_to, area)
    built = profile_build(chosen, exact=filters.exact)
    audit_record(
        action="screening.profile_viewed",
        request=request,
        object_type="screening.profile",
        detail={**chosen.as_detail(), "exact": filters.exact, "via": "api"},
    )
    return profile_json(built)
