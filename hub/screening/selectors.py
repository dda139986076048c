"""Reading screening data, and who may read what.

Practitioners see the screenings they made and those of their organisation;
the hub sees every submitted screening; nobody else sees any (analysts get
aggregates only, administrators nothing unless also hub officers). Every read
of a screening's details is audited by the caller through `screening_viewed`.
"""

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from hub.audit.services import audit_record
from hub.screening.deadlines import hub_due_at
from hub.screening.definition import Definition, definition_parse
from hub.screening.models import CategoryChange, Child, HubDecision, Screening, ToolVersion
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


# --- The hub: triage queue, lowering requests, reviews, a child's chronology ---------------

PERM_CHRONOLOGY = "screening.view_chronology"
HUB_OPEN_STATUSES = (Screening.Status.SUBMITTED, Screening.Status.CLOSED)
# Identifying fields a list never shows: not read, so never decrypted for it.
_IDENTIFYING = ("child_name", "date_of_birth", "setting_name", "concerns")


class _Definitions:
    """Each tool version's typed definition, parsed once per call."""

    def __init__(self) -> None:
        self._by_version: dict[int, Definition] = {}

    def __call__(self, screening: Screening) -> Definition:
        if screening.tool_version_id not in self._by_version:
            self._by_version[screening.tool_version_id] = tool_definition(screening.tool_version)
        return self._by_version[screening.tool_version_id]


def category_label(definition: Definition, category: int | None) -> str:
    if category is None:
        return ""
    return definition.category_rule(category).label


@dataclass(frozen=True)
class QueueRow:
    screening: Screening
    category: int
    category_label: str
    waited: datetime.timedelta
    due_at: datetime.datetime | None  # None: the flow chart keeps this category with the practitioner
    overdue: bool

    @property
    def waiting(self) -> str:
        return duration_text(self.waited)


def duration_text(duration: datetime.timedelta) -> str:
    """How long, as people say it: "5 minutes", "3 hours", "2 days"."""
    minutes = max(int(duration.total_seconds() // 60), 0)
    if minutes < 60:
        value, unit = minutes, "minute"
    elif minutes < 48 * 60:
        value, unit = minutes // 60, "hour"
    else:
        value, unit = minutes // (24 * 60), "day"
    return f"{value} {unit}{'' if value == 1 else 's'}"


def triage_queue(user, *, now: datetime.datetime | None = None) -> list[QueueRow]:
    """Submitted screenings the hub has not decided on yet: highest category
    first, then the longest waiting; each with when the hub should have acted
    (the flow chart of its standing category, from submission) and whether that has passed."""
    now = now or timezone.now()
    definitions = _Definitions()
    screenings = (
        screenings_visible(user)
        .filter(status=Screening.Status.SUBMITTED, triaged_at__isnull=True)
        .defer(*_IDENTIFYING)
        .order_by("-category", "submitted_at", "pk")
    )
    rows = []
    for screening in screenings:
        definition = definitions(screening)
        due = hub_due_at(definition.flow_chart_for(screening.category), screening.submitted_at)
        rows.append(
            QueueRow(
                screening=screening,
                category=screening.category,
                category_label=category_label(definition, screening.category),
                waited=now - screening.submitted_at,
                due_at=due,
                overdue=due is not None and now > due,
            )
        )
    return rows


def lowering_requests_waiting(user) -> QuerySet[CategoryChange]:
    """Requests to lower a category that no hub officer has answered yet, oldest first."""
    return (
        CategoryChange.objects.filter(
            kind=CategoryChange.Kind.LOWER_REQUESTED,
            resolved_at__isnull=True,
            screening__in=screenings_visible(user).exclude(status=Screening.Status.DRAFT),
        )
        .select_related("screening", "screening__organisation", "actor", "actor__organisation")
        .defer("rationale", *(f"screening__{field}" for field in _IDENTIFYING))
        .order_by("created_at", "pk")
    )


def reviews_due(user, *, today: datetime.date) -> QuerySet[Screening]:
    """Open screenings whose review date has come."""
    return (
        screenings_visible(user)
        .filter(status=Screening.Status.SUBMITTED, review_due__lte=today)
        .defer(*_IDENTIFYING)
        .order_by("review_due", "submitted_at", "pk")
    )


def reviews_awaited(user, *, today: datetime.date) -> QuerySet[Screening]:
    """Open screenings the hub has decided on, whose review date has not come (or is not set)."""
    return (
        screenings_visible(user)
        .filter(status=Screening.Status.SUBMITTED, triaged_at__isnull=False)
        .filter(Q(review_due__gt=today) | Q(review_due__isnull=True))
        .defer(*_IDENTIFYING)
        .order_by(F("review_due").asc(nulls_last=True), "submitted_at", "pk")
    )


@dataclass(frozen=True)
class ChronologyEvent:
    at: datetime.datetime
    screening: Screening
    number: int  # the screening's place in the child's chronology, 1 first
    kind: str  # "submitted", "category" or "decision"
    title: str
    category: int | None  # the category this event gave or asked for
    category_label: str
    detail: str
    actor: Any
    review_due: datetime.date | None = None
    closed: bool = False


@dataclass(frozen=True)
class CategoryPoint:
    """The child's category from `at` on: set by a screening or a change to its category."""

    at: datetime.datetime
    category: int
    category_label: str
    reason: str
    number: int


@dataclass(frozen=True)
class Chronology:
    child: Child
    screenings: list[Screening]
    latest: Screening
    events: list[ChronologyEvent]
    points: list[CategoryPoint]


# Changes that set the category that stands (a request or a refusal changes nothing).
_SETS_CATEGORY = (
    CategoryChange.Kind.RAISED,
    CategoryChange.Kind.LOWER_APPROVED,
    CategoryChange.Kind.HUB_SET,
)


def child_chronology(user, child_id: int) -> Chronology:
    """Every submitted or closed screening of one child that `user` may see,
    oldest first, with their category changes and the hub's decisions in time
    order. 404 for an unknown child or one with nothing to show."""
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise Http404
    screenings = list(
        screenings_visible(user)
        .filter(child=child, status__in=HUB_OPEN_STATUSES)
        .select_related("submitted_by", "organisation")
        .prefetch_related(
            Prefetch("category_changes", queryset=CategoryChange.objects.select_related("actor")),
            Prefetch("decisions", queryset=HubDecision.objects.select_related("decided_by")),
        )
        .order_by("submitted_at", "pk")
    )
    if not screenings:
        raise Http404
    definitions = _Definitions()
    events: list[tuple[tuple, ChronologyEvent]] = []
    # Every setting of a screening's category: on submission, and each change that sets one.
    moves: list[tuple[tuple, tuple[bool, CategoryPoint]]] = []
    for number, screening in enumerate(screenings, start=1):
        definition = definitions(screening)
        label = partial(category_label, definition)
        events.append(
            (
                (screening.submitted_at, 0, screening.pk),
                ChronologyEvent(
                    at=screening.submitted_at,
                    screening=screening,
                    number=number,
                    kind="submitted",
                    title="Screening submitted",
                    category=screening.computed_category,
                    category_label=label(screening.computed_category),
                    detail=f"{screening.computed_points} points",
                    actor=screening.submitted_by,
                ),
            )
        )
        moves.append(
            (
                (screening.submitted_at, 0, screening.pk),
                (
                    True,
                    CategoryPoint(
                        at=screening.submitted_at,
                        category=screening.computed_category,
                        category_label=label(screening.computed_category),
                        reason=f"Screening {number} submitted",
                        number=number,
                    ),
                ),
            )
        )
        for change in screening.category_changes.all():
            if change.kind == CategoryChange.Kind.COMPUTED:
                continue  # the submission above
            title = change.get_kind_display()
            if change.category_from is not None and change.category_from != change.category_to:
                title += f": category {change.category_from} to {change.category_to}"
            events.append(
                (
                    (change.created_at, 1, change.pk),
                    ChronologyEvent(
                        at=change.created_at,
                        screening=screening,
                        number=number,
                        kind="category",
                        title=title,
                        category=change.category_to,
                        category_label=label(change.category_to),
                        detail=change.rationale,
                        actor=change.actor,
                    ),
                )
            )
            if change.kind in _SETS_CATEGORY:
                moves.append(
                    (
                        (change.created_at, 1, change.pk),
                        (
                            False,
                            CategoryPoint(
                                at=change.created_at,
                                category=change.category_to,
                                category_label=label(change.category_to),
                                reason=f"{change.get_kind_display()} (screening {number})",
                                number=number,
                            ),
                        ),
                    )
                )
        for decision in screening.decisions.all():
            events.append(
                (
                    (decision.decided_at, 2, decision.pk),
                    ChronologyEvent(
                        at=decision.decided_at,
                        screening=screening,
                        number=number,
                        kind="decision",
                        title=f"Hub decision: {decision.get_decision_display()}",
                        category=None,
                        category_label="",
                        detail=decision.outcome,
                        actor=decision.decided_by,
                        review_due=decision.review_due,
                        closed=decision.closes_screening,
                    ),
                )
            )
    return Chronology(
        child=child,
        screenings=screenings,
        latest=screenings[-1],
        events=[event for _, event in sorted(events, key=lambda pair: pair[0])],
        points=_child_category_points([move for _, move in sorted(moves, key=lambda pair: pair[0])]),
    )


def _child_category_points(moves: list[tuple[bool, CategoryPoint]]) -> list[CategoryPoint]:
    """The child's category over time: at each moment, the standing category of
    their latest screening. Each new screening makes a point, and so does each
    change to the latest one; a change to an older screening after a newer one
    was made is history (listed with the events), not the child's category."""
    latest = 0
    points: list[CategoryPoint] = []
    for submission, move in moves:
        if submission:
            latest = move.number
        if move.number == latest:
            points.append(move)
    return points
