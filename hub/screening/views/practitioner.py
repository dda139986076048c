"""Practitioners' screening pages: their list, a new screening, the draft form,
the result with what to do next, and professional judgement on the category.

Thin views over hub.screening.services and selectors. Every page that shows who
a child is writes an audit event; none of them may be cached."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from hub.accounts.decorators import staff_required
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data
from hub.screening import services
from hub.screening.deadlines import bank_holidays_region_name, steps_due
from hub.screening.forms import ACTION_SUBMIT, CategoryChangeForm, ScreeningForm, answer_choices
from hub.screening.models import Screening
from hub.screening.selectors import (
    PERM_SCREEN,
    PERM_VIEW_OWN,
    screening_editable_by,
    screening_get_visible,
    screening_result,
    screening_viewed,
    screenings_listed,
    screenings_visible,
    tool_definition,
    tool_version_current,
)

PAGE_SIZE = 50
PERM_CHANGE = "screening.change_screening"


@never_cache
@staff_required(PERM_VIEW_OWN)
def screening_list(request: HttpRequest) -> HttpResponse:
    """The practitioner's own screenings and their organisation's, newest first."""
    page = Paginator(screenings_visible(request.user).select_related("submitted_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    screenings_listed(list(page.object_list), request=request, what="list")
    return render(request, "screening/practitioner/list.html", {"page": page})


@never_cache
@staff_required(PERM_SCREEN)
def screening_new(request: HttpRequest) -> HttpResponse:
    tool_version = tool_version_current()
    if tool_version is None:
        return render(request, "screening/staff/tool_missing.html", status=404)
    definition = tool_definition(tool_version)
    form = ScreeningForm(*form_data(request), definition=definition)
    submit_refused = False
    if request.method == "POST" and form.is_valid():
        submitting = request.POST.get("action") == ACTION_SUBMIT
        if submitting:
            # Check before creating anything, so pressing submit again never makes a second draft.
            unsaved = Screening(tool_version=tool_version, answers=form.answers(), **form.details())
            problems = services.submit_problems(unsaved)
            form.add_submit_problems(problems)
            submit_refused = bool(problems)
        if form.is_valid():
            try:
                with transaction.atomic():
                    screening = services.screening_create(
                        actor=request.user,
                        details=form.details(),
                        answers=form.answers(),
                        concerns=form.cleaned_data["concerns"],
                        tool_version=tool_version,
                        request=request,
                    )
                    if submitting:
                        screening = services.screening_submit(
                            screening=screening,
                            actor=request.user,
                            lock_version=screening.lock_version,
                            request=request,
                        )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                if submitting:
                    return _submitted(request, screening)
                messages.success(request, "Draft saved. Only you and your organisation's practitioners can see it.")
                return redirect("screening:edit", public_id=screening.public_id)
    return render(
        request,
        "screening/practitioner/form.html",
        {
            "form": form,
            "definition": definition,
            "tool_version": tool_version,
            "screening": None,
            "submit_refused": submit_refused,
        },
    )


@never_cache
@staff_required(PERM_SCREEN, PERM_CHANGE)
def screening_edit(request: HttpRequest, public_id) -> HttpResponse:
    screening = screening_get_visible(request.user, public_id)
    if screening.status != Screening.Status.DRAFT:
        messages.info(request, "This screening has been submitted, so it can no longer be changed.")
        return redirect("screening:detail", public_id=screening.public_id)
    if not screening_editable_by(request.user, screening):
        raise PermissionDenied
    definition = tool_definition(screening.tool_version)
    form = ScreeningForm(*form_data(request), definition=definition, screening=screening)
    # The version the page's next save names: the one the user started from, until a save succeeds.
    lock_version = screening.lock_version
    saved = False
    if request.method != "POST":
        screening_viewed(screening, request=request, what="edit")
    elif form.is_valid():
        lock_version = form.cleaned_data["lock_version"]
        try:
            screening = services.screening_draft_save(
                screening=screening,
                actor=request.user,
                lock_version=lock_version,
                details=form.details(),
                answers=form.answers(),
                concerns=form.cleaned_data["concerns"],
                request=request,
            )
        except ApplicationError as error:
            # Nothing was saved; the form is shown again with everything the user typed.
            form_add_application_error(form, error)
        else:
            saved = True
            lock_version = screening.lock_version
            if request.POST.get("action") != ACTION_SUBMIT:
                messages.success(request, "Draft saved.")
                return redirect("screening:edit", public_id=screening.public_id)
            form.add_submit_problems(services.submit_problems(screening))
            if form.is_valid():
                try:
                    screening = services.screening_submit(
                        screening=screening, actor=request.user, lock_version=lock_version, request=request
                    )
                except ApplicationError as error:
                    form_add_application_error(form, error)
                else:
                    return _submitted(request, screening)
    elif form.cleaned_data.get("lock_version") is not None:
        lock_version = form.cleaned_data["lock_version"]
    return render(
        request,
        "screening/practitioner/form.html",
        {
            "form": form,
            "definition": definition,
            "tool_version": screening.tool_version,
            "screening": screening,
            "lock_version": lock_version,
            "saved": saved,
        },
    )


def _submitted(request: HttpRequest, screening: Screening) -> HttpResponse:
    messages.success(
        request,
        "Screening submitted. The CSE hub has been told, with a link and the category only: never who the child is.",
    )
    return redirect("screening:detail", public_id=screening.public_id)


@never_cache
@staff_required()
def screening_detail(request: HttpRequest, public_id) -> HttpResponse:
    # No permission check of its own: a role that may see no screening gets 404
    # from screening_get_visible, like a screening it may not see (no hint that it exists).
    user = request.user
    screening = screening_get_visible(user, public_id)
    if screening.status == Screening.Status.DRAFT and screening_editable_by(user, screening):
        return redirect("screening:edit", public_id=screening.public_id)
    screening_viewed(screening, request=request, what="detail")
    definition = tool_definition(screening.tool_version)
    labels = dict(answer_choices(definition))
    context = {
        "screening": screening,
        "definition": definition,
        "answers": [
            (
                group,
                [
                    (indicator, labels.get(screening.answers.get(indicator.id), "Not answered"))
                    for indicator in group.indicators
                ],
            )
            for group in definition.groups
        ],
        "changes": screening.category_changes.select_related("actor"),
        "decisions": screening.decisions.select_related("decided_by"),
        "pending_lowering": services.lowering_pending(screening),
        "can_judge": user.has_perm(PERM_SCREEN),
    }
    if screening.status != Screening.Status.DRAFT:
        entry = definition.flow_chart_for(screening.category)
        steps = steps_due(entry, screening.submitted_at)
        context.update(
            result=screening_result(screening),
            category_rule=definition.category_rule(screening.category),
            computed_rule=definition.category_rule(screening.computed_category),
            entry=entry,
            steps=steps,
            bank_holidays_in=bank_holidays_region_name(),
            emergency_steps=[item for item in steps if any(contact.phone == "999" for contact in item.step.contacts)],
            highest=max(rule.category for rule in definition.rules.categories),
            lowest=min(rule.category for rule in definition.rules.categories),
        )
    return render(request, "screening/practitioner/detail.html", context)


@never_cache
@staff_required(PERM_SCREEN)
def category_raise(request: HttpRequest, public_id) -> HttpResponse:
    return _category_change(request, public_id, raising=True)


@never_cache
@staff_required(PERM_SCREEN)
def category_lower(request: HttpRequest, public_id) -> HttpResponse:
    return _category_change(request, public_id, raising=False)


def _category_change(request: HttpRequest, public_id, *, raising: bool) -> HttpResponse:
    """Raise the category (at once) or ask the hub to lower it (when a hub officer approves)."""
    screening = screening_get_visible(request.user, public_id)
    if screening.status == Screening.Status.DRAFT:
        messages.info(request, "Submit the screening before changing its category.")
        return redirect("screening:detail", public_id=screening.public_id)
    definition = tool_definition(screening.tool_version)
    categories = [
        rule
        for rule in definition.rules.categories
        if (rule.category > screening.category if raising else rule.category < screening.category)
    ]
    pending = None if raising else services.lowering_pending(screening)
    form = CategoryChangeForm(*form_data(request), categories=categories, raising=raising)
    can_change = bool(categories) and pending is None
    if request.method != "POST":
        screening_viewed(screening, request=request, what="raise" if raising else "lower")
    elif can_change and form.is_valid():
        change_category = services.category_raise if raising else services.category_lower_request
        try:
            change = change_category(
                screening=screening,
                actor=request.user,
                category=form.cleaned_data["category"],
                rationale=form.cleaned_data["rationale"],
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            to_rule = definition.category_rule(change.category_to)
            if raising:
                messages.success(
                    request,
                    f"Category raised to {to_rule.category} ({to_rule.label}). "
                    "What to do next now follows this category.",
                )
            else:
                messages.success(
                    request,
                    f"Your request to lower the category to {to_rule.category} ({to_rule.label}) has been sent "
                    f"to the CSE hub. Until a hub officer approves it, category {screening.category} stands.",
                )
            return redirect("screening:detail", public_id=screening.public_id)
    return render(
        request,
        "screening/practitioner/category_change.html",
        {
            "screening": screening,
            "form": form,
            "raising": raising,
            "can_change": can_change,
            "pending_lowering": pending,
            "category_rule": definition.category_rule(screening.category),
        },
    )
