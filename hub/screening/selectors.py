"""Reading screening data, and who may read what.

Practitioners see the screenings they made and those of their organisation;
the hub sees every submitted screening; nobody else sees any (analysts get
aggregates only, administrators nothing unless also hub officers). Every read
of a screening's details is audited by the caller through `screening_viewed`.
"""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from hub.audit.services import audit_record
from hub.screening.definition import Definition, definition_parse
from hub.screening.models import Screening, ToolVersion
from hub.screening.scoring import Result, score

PERM_SCREEN = "screening.add_screening"
PERM_VIEW_OWN = "screening.view_screening"
PERM_VIEW_ALL = "screening.view_all_screenings"
PERM_TRIAGE = "screening.triage_screening"
PERM_APPROVE_LOWERING = "screening.approve_lowering"


def tool_version_current() -> ToolVersion | None:
    return ToolVersion.objects.filter(is_current=True).first()


def tool_definition(tool_version: ToolVersion) -> Definition:
    """The typed definition of a stored version (checked again: the database is not trusted blindly)."""
    return definition_parse(tool_version.definition)


def screenings_visible(user) -> QuerySet[Screening]:
    """Every screening `user` may see; none for a role without a need."""
    screenings = Screening.objects.select_related("tool_version", "created_by", "organisation")
    if not user.is_authenticated or not user.is_active:
        return screenings.none()
    own = Q(pk__in=[])
    if user.has_perm(PERM_VIEW_OWN):
        own = Q(created_by=user)
        if user.organisation_id:
            own |= Q(organisation_id=user.organisation_id)
    if user.has_perm(PERM_VIEW_ALL):
        # The hub sees what has been submitted; a draft is still its author's (and their organisation's).
        return screenings.filter(own | ~Q(status=Screening.Status.DRAFT))
    return screenings.filter(own)


def screening_get_visible(user, public_id) -> Screening:
    """The screening if `user` may see it, else 404 (never 403: no hint that it exists)."""
    screening = screenings_visible(user).filter(public_id=public_id).first()
    if screening is None:
        raise Http404
    return screening


def screening_viewed(screening: Screening, *, request: HttpRequest, what: str = "detail") -> None:
    """Audit a read of one screening's details (page, export, API answer)."""
    audit_record(action="screening.viewed", request=request, obj=screening, detail={"what": what})


def screenings_listed(screenings: list[Screening], *, request: HttpRequest, what: str) -> None:
    """Audit a list that showed screenings' identifying details, naming each one shown."""
    if screenings:
        audit_record(
            action="screening.listed",
            request=request,
            object_type="screening.screening",
            detail={"what": what, "screenings": [str(screening.public_id) for screening in screenings]},
        )


def screening_editable_by(user, screening: Screening) -> bool:
    """A draft may be edited by practitioners who can see it (its author and their organisation)."""
    if screening.status != Screening.Status.DRAFT or not user.has_perm(PERM_SCREEN):
        return False
    return screening.created_by_id == user.pk or (
        user.organisation_id is not None and screening.organisation_id == user.organisation_id
    )


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day` (a child born on 29 February has a birthday on 1 March in other years)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def screening_result(screening: Screening) -> Result | None:
    """The scored result of a submitted screening, under the version it was made with.

    Scoring is a pure function of the stored answers and that version, so the
    result shown today is the result given on submission."""
    if screening.computed_category is None or screening.age_at_screening is None:
        return None
    return score(
        tool_definition(screening.tool_version),
        screening.answers,
        age_years=screening.age_at_screening,
        learning_disability=bool(screening.learning_disability),
    )
