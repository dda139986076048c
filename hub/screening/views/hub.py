"""The hub's screening pages: the triage queue, recording a decision, answering
a request to lower a category, and a child's chronology. Thin views: the rules
are in hub.screening.services, the reading and who may read in selectors.

Lists show no child's name or date of birth (need to know): the screening's
own page shows them and audits the read. Pages that do show identifying
details or free text audit each screening shown."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from hub.accounts.decorators import staff_required
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data
from hub.screening import selectors, services
from hub.screening.definition import CATEGORIES
from hub.screening.forms import HubDecisionForm, LoweringDecisionForm
from hub.screening.models import CategoryChange, Screening
from hub.screening.selectors import (
    PERM_APPROVE_LOWERING,
    PERM_CHRONOLOGY,
    PERM_TRIAGE,
    CategoryPoint,
    screening_get_visible,
    screening_viewed,
    screenings_listed,
    tool_definition,
)


@never_cache
@staff_required(PERM_TRIAGE)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    rows = selectors.triage_queue(request.user, now=now)
    return render(
        request,
        "screening/hub/queue.html",
        {
            "rows": rows,
            "overdue_count": sum(1 for row in rows if row.overdue),
            "lowerings": list(selectors.lowering_requests_waiting(request.user)),
            "reviews_due": list(selectors.reviews_due(request.user, today=today)),
            "reviews_awaited": list(selectors.reviews_awaited(request.user, today=today)),
        },
    )


def _category_label(screening: Screening) -> str:
    return selectors.category_label(tool_definition(screening.tool_version), screening.category)


@never_cache
@staff_required(PERM_TRIAGE)
def decision(request: HttpRequest, public_id) -> HttpResponse:
    screening = screening_get_visible(request.user, public_id)
    form = HubDecisionForm(*form_data(request), current_review=screening.review_due)
    if request.method == "POST" and form.is_valid():
        try:
            services.hub_decision_record(
                screening=screening,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                outcome=form.cleaned_data["outcome"],
                review_due=form.cleaned_data["review_due"],
                close=form.cleaned_data["close"],
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
            screening.refresh_from_db()
        else:
            closed = " The screening is now closed." if form.cleaned_data["close"] else ""
            messages.success(request, f"The hub's decision has been recorded.{closed}")
            return redirect("screening:detail", public_id=screening.public_id)
    # The form names the child, so the officer records the decision on the right one.
    screening_viewed(screening, request=request, what="decision_form")
    return render(
        request,
        "screening/hub/decision.html",
        {
            "screening": screening,
            "category_label": _category_label(screening),
            "form": form,
            "decisions": screening.decisions.select_related("decided_by").defer("outcome"),
            "closed": screening.status == Screening.Status.CLOSED,
        },
    )


def _lowering_answered(request: HttpRequest, screening: Screening) -> HttpResponse:
    """Said instead of the form when nothing is waiting: a request answered by
    someone else (perhaps while this officer was reading it), or none made."""
    answer = (
        screening.category_changes.filter(
            kind__in=[CategoryChange.Kind.LOWER_APPROVED, CategoryChange.Kind.LOWER_REFUSED]
        )
        .select_related("actor")
        .defer("rationale")
        .last()
    )
    return render(
        request,
        "screening/hub/lowering_answered.html",
        {
            "screening": screening,
            "answer": answer,
            "newer_waiting": services.lowering_pending(screening) is not None,
        },
    )


@never_cache
@staff_required(PERM_APPROVE_LOWERING)
def lowering_decide(request: HttpRequest, public_id) -> HttpResponse:
    screening = screening_get_visible(request.user, public_id)
    pending = services.lowering_pending(screening)
    if pending is None:
        return _lowering_answered(request, screening)
    form = LoweringDecisionForm(*form_data(request), pending=pending)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["change"] is None:
            form.add_error(None, "This page is out of date. Open the request again from the screening's page.")
        elif form.cleaned_data["change"] != pending.pk:
            # The request on the page was answered and a new one made since.
            return _lowering_answered(request, screening)
        else:
            return _lowering_answer(request, screening, pending, form)
    return _lowering_form(request, screening, pending, form)


def _lowering_answer(
    request: HttpRequest, screening: Screening, pending: CategoryChange, form: LoweringDecisionForm
) -> HttpResponse:
    try:
        services.category_lower_decide(
            change=pending,
            actor=request.user,
            approve=form.approve,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ApplicationError as error:
        if error.code == "conflict":
            return _lowering_answered(request, screening)
        form_add_application_error(form, error)
        return _lowering_form(request, screening, pending, form)
    if form.approve:
        text = f"Lowering approved: the category is now {pending.category_to}."
    else:
        text = f"Lowering refused: the category stays at {pending.category_from}."
    messages.success(request, text)
    return redirect("screening:detail", public_id=screening.public_id)


def _lowering_form(
    request: HttpRequest, screening: Screening, pending: CategoryChange, form: LoweringDecisionForm
) -> HttpResponse:
    # The page shows the practitioner's reasons: free text about the child.
    screening_viewed(screening, request=request, what="lowering_form")
    definition = tool_definition(screening.tool_version)
    return render(
        request,
        "screening/hub/lowering.html",
        {
            "screening": screening,
            "pending": pending,
            "label_from": selectors.category_label(definition, pending.category_from),
            "label_to": selectors.category_label(definition, pending.category_to),
            "own_request": pending.actor_id == request.user.pk,
            "form": form,
        },
    )


@never_cache
@staff_required(PERM_CHRONOLOGY)
def chronology(request: HttpRequest, child_id: int) -> HttpResponse:
    found = selectors.child_chronology(request.user, child_id)
    screenings_listed(found.screenings, request=request, what="chronology")
    return render(
        request,
        "screening/hub/chronology.html",
        {"chronology": found, "chart": category_chart(found.points, now=timezone.now())},
    )


# --- The category-over-time chart: inline SVG drawn here, no script, no style attribute ---

CHART_WIDTH = 640
CHART_LEFT = 100
CHART_RIGHT = 20
CHART_TOP = 20
CHART_ROW = 40
CHART_BOTTOM = 40


def _number(value: float) -> str:
    return f"{value:.1f}"


def category_chart(points: list[CategoryPoint], *, now: datetime.datetime) -> dict:
    """Coordinates of a step chart of the child's category: time across, category up.

    The line steps at each screening and each change that set a category, and
    runs on to now. The table beside it on the page is the accessible form."""
    height = CHART_TOP + CHART_ROW * (len(CATEGORIES) - 1) + CHART_BOTTOM
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    start = points[0].at
    end = max(now, points[-1].at)
    span = max((end - start).total_seconds(), 1.0)

    def x(at: datetime.datetime) -> float:
        return CHART_LEFT + plot_width * (at - start).total_seconds() / span

    def y(category: int) -> float:
        return CHART_TOP + CHART_ROW * (max(CATEGORIES) - category)

    line = [(x(start), y(points[0].category))]
    for previous, point in zip(points, points[1:], strict=False):
        line += [(x(point.at), y(previous.category)), (x(point.at), y(point.category))]
    line.append((x(end), y(points[-1].category)))
    return {
        "width": CHART_WIDTH,
        "height": height,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "line": " ".join(f"{_number(px)},{_number(py)}" for px, py in line),
        "levels": [
            {"category": category, "y": _number(y(category)), "label_y": _number(y(category) + 5)}
            for category in sorted(CATEGORIES, reverse=True)
        ],
        "dots": [{"x": _number(x(point.at)), "y": _number(y(point.category)), "point": point} for point in points],
        "axis_y": _number(y(min(CATEGORIES)) + 30),
        "start": start,
        "end": end,
    }
