"""The screening tool's definition (public) and screenings from other systems
(personal API token of a practitioner). Same services as the pages: the same
checks, the same scoring, the same audit, the same email to the hub.

A request that is well formed but not an acceptable screening (unknown tool
version, unknown indicator ids, a date of birth that is not a child's, missing
answers on submit) gets 422 with the reason; nothing of it is saved.
"""

import datetime
import uuid
from typing import Literal

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from hub.api.auth import StaffToken, require_perms
from hub.api.schemas import InputSchema, MessageOut, ValidationErrorOut, absolute_url
from hub.core.errors import ApplicationError
from hub.screening.deadlines import steps_due
from hub.screening.models import Ethnicity, Gender, Screening, SettingType, ToolVersion
from hub.screening.selectors import (
    PERM_SCREEN,
    PERM_VIEW_ALL,
    PERM_VIEW_OWN,
    screening_get_visible,
    screening_result,
    screening_viewed,
    tool_definition,
    tool_version_current,
)
from hub.screening.services import screening_create, screening_submit, submit_problems

# /api/v1/screening/tool... and /api/v1/screenings...
tool_router = Router(tags=["screening"])
screenings_router = Router(tags=["screening"], auth=StaffToken())

Answer = Literal["yes_current", "yes_past", "no", "not_known"]


class ChildIn(InputSchema):
    name: str = Field(..., max_length=200)
    date_of_birth: datetime.date
    gender: Literal[tuple(Gender.values)]  # type: ignore[valid-type]
    ethnicity: Literal[tuple(Ethnicity.values)]  # type: ignore[valid-type]
    postcode_district: str = Field(..., max_length=8, description="The first part of the postcode, e.g. BN11.")
    setting_type: Literal[tuple(SettingType.values)]  # type: ignore[valid-type]
    setting_name: str = Field("", max_length=200, description="School or setting (encrypted at rest).")
    looked_after: bool
    learning_disability: bool


class ScreeningIn(InputSchema):
    tool_version: str = Field(..., max_length=32, description="The version the answers were given for.")
    child: ChildIn
    answers: dict[str, str] = Field(
        ..., description="Indicator id -> yes_current, yes_past, no or not_known; every indicator to submit."
    )
    concerns: str = Field("", max_length=5000, description="Concerns that are not evidence, kept apart.")
    submit: bool = Field(True, description="false keeps it as a draft for the practitioner to finish on the site.")


class StepContactOut(Schema):
    name: str
    phone: str
    email: str
    quote: str


class StepOut(Schema):
    action: str
    due: str = Field(..., description="In words, e.g. 'the same working day'.")
    due_at: datetime.datetime | None = Field(..., description="The deadline from the time of submission.")
    contacts: list[StepContactOut]


class ReasonOut(Schema):
    rule: str
    text: str
    category: int
    decisive: bool


class ScreeningOut(Schema):
    id: str
    status: str
    tool_version: str
    url: str = Field(..., description="The screening's page on the site (sign-in needed).")
    category: int | None = Field(None, description="The category that stands (after professional judgement).")
    computed_category: int | None = None
    category_label: str = ""
    points: int | None = None
    reasons: list[ReasonOut] = []
    gaps: list[str] = Field([], description="Indicator ids answered 'not known': to follow up.")
    next_steps_summary: str = ""
    next_steps: list[StepOut] = []
    notice: str = ""


class MessageWithErrorsOut(MessageOut):
    errors: dict[str, str] = {}


class _Refused(Exception):
    def __init__(self, message: str, errors: dict[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


def _out(screening: Screening) -> dict:
    body = {
        "id": str(screening.public_id),
        "status": screening.status,
        "tool_version": screening.tool_version.version,
        "url": absolute_url(reverse("screening:detail", args=[screening.public_id])),
    }
    result = screening_result(screening)
    if result is None:
        return body
    # The next steps follow the category that stands, which judgement may have changed.
    definition = tool_definition(screening.tool_version)
    entry = definition.flow_chart_for(screening.category)
    body.update(
        category=screening.category,
        computed_category=screening.computed_category,
        category_label=definition.category_rule(screening.category).label,
        points=result.points,
        reasons=[reason.__dict__ for reason in result.reasons],
        gaps=[indicator.id for indicator in result.gaps],
        next_steps_summary=entry.summary,
        next_steps=[
            {
                "action": item.step.action,
                "due": item.step.due.text,
                "due_at": item.due_at,
                "contacts": [contact.__dict__ for contact in item.step.contacts],
            }
            for item in steps_due(entry, screening.submitted_at)
        ],
        notice=result.notice,
    )
    return body


@tool_router.get("", response={200: dict, 404: MessageOut}, summary="The screening tool in use")
def tool_current(request: HttpRequest, response: HttpResponse):
    """The current version of the CSE Screening and Risk Assessment Tool: indicator groups and indicators
    (id, wording, help, level), the scoring rules and the local flow chart. Public."""
    tool_version = tool_version_current()
    if tool_version is None:
        raise Http404
    response["Cache-Control"] = "public, max-age=300"
    return tool_version.definition


@tool_router.get("/{version}", response={200: dict, 404: MessageOut}, summary="One version of the screening tool")
def tool_version_detail(request: HttpRequest, response: HttpResponse, version: str):
    tool_version = ToolVersion.objects.filter(version=version).first()
    if tool_version is None:
        raise Http404
    response["Cache-Control"] = "public, max-age=3600"  # a loaded version never changes
    return tool_version.definition


@screenings_router.post(
    "",
    response={201: ScreeningOut, 400: ValidationErrorOut, 401: MessageOut, 403: MessageOut, 422: MessageWithErrorsOut},
    summary="Submit a screening from another system",
)
def screening_post(request: HttpRequest, payload: ScreeningIn):
    """Needs a practitioner's personal API token (`Authorization: Bearer sph_...`). With `submit` (the default)
    the screening is scored and the hub told, all or nothing; the answer gives the category, its reasons and
    what to do next. With `submit: false` it is kept as a draft for the practitioner to finish on the site."""
    require_perms(request, PERM_SCREEN, to="submit a screening")
    tool_version = ToolVersion.objects.filter(version=payload.tool_version).first()
    if tool_version is None:
        known = ", ".join(ToolVersion.objects.order_by("loaded_at").values_list("version", flat=True)) or "none"
        raise HttpError(422, f"Tool version {payload.tool_version!r} does not exist. Loaded versions: {known}.")
    child = payload.child
    details = {
        "child_name": child.name,
        "date_of_birth": child.date_of_birth,
        "gender": child.gender,
        "ethnicity": child.ethnicity,
        "postcode_district": child.postcode_district,
        "setting_type": child.setting_type,
        "setting_name": child.setting_name,
        "looked_after": child.looked_after,
        "learning_disability": child.learning_disability,
    }
    try:
        # All or nothing: a refused submission leaves no draft behind.
        with transaction.atomic():
            screening = screening_create(
                actor=request.auth,
                details=details,
                answers=payload.answers,
                concerns=payload.concerns,
                tool_version=tool_version,
                request=request,
            )
            if payload.submit:
                problems = submit_problems(screening)
                if problems:
                    raise _Refused(next(iter(problems.values())), problems)
                screening = screening_submit(
                    screening=screening, actor=request.auth, lock_version=screening.lock_version, request=request
                )
    except _Refused as refused:
        return Status(422, {"message": refused.message, "errors": refused.errors})
    except ApplicationError as error:
        field = f"child.{error.field}" if error.field in details else (error.field or "")
        return Status(422, {"message": error.message, "errors": {field: error.message} if field else {}})
    return Status(201, _out(screening))


@screenings_router.get(
    "/{screening_id}",
    response={200: ScreeningOut, 400: ValidationErrorOut, 401: MessageOut, 403: MessageOut, 404: MessageOut},
    summary="A screening's category and next steps",
)
def screening_get(request: HttpRequest, response: HttpResponse, screening_id: uuid.UUID):
    """A screening the token's account may see (its own or its organisation's; the hub's: all submitted).
    Identifying details are not part of the answer. Each read is audited."""
    response["Cache-Control"] = "private, no-store"
    if not request.auth.has_perm(PERM_VIEW_ALL):
        require_perms(request, PERM_VIEW_OWN, to="read screenings")
    screening = screening_get_visible(request.auth, screening_id)
    screening_viewed(screening, request=request, what="api")
    return _out(screening)
