"""Changes to screening data; each change and its audit event commit together."""

import datetime
import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.core.outbox import email_enqueue
from hub.screening.crypto import blind_index
from hub.screening.deadlines import review_date
from hub.screening.definition import definition_parse
from hub.screening.models import (
    CategoryChange,
    Child,
    Ethnicity,
    Gender,
    HubDecision,
    Screening,
    SettingType,
    ToolVersion,
)
from hub.screening.profile import answers_yes_bits
from hub.screening.scoring import MAX_AGE_YEARS, answers_check, missing_answers, score
from hub.screening.selectors import age_on, tool_definition, tool_version_current


def definition_hash(data: Any) -> str:
    """SHA-256 of the definition as canonical JSON, so layout and key order do not count as a change."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def tool_version_load(*, data: Any, actor=None) -> tuple[ToolVersion, bool]:
    """Check a definition and store it as a new current version.

    Loading a version already stored with the same content changes nothing and
    returns (version, False). Different content under a stored version number
    is refused: a new version needs a new number. Raises DefinitionError
    (a ValueError) for an invalid definition, ApplicationError for a conflict.
    """
    definition = definition_parse(data)
    content_hash = definition_hash(data)
    existing = ToolVersion.objects.select_for_update().filter(version=definition.version).first()
    if existing is not None:
        if existing.content_hash != content_hash:
            raise ApplicationError(
                f"Tool version {definition.version} is already loaded with different content. "
                "A loaded version never changes; give the new content a new version number."
            )
        return existing, False
    ToolVersion.objects.filter(is_current=True).update(is_current=False)
    tool_version = ToolVersion.objects.create(
        version=definition.version,
        title=definition.title,
        definition=data,
        content_hash=content_hash,
        loaded_at=timezone.now(),
        is_current=True,
    )
    audit_record(
        action="screening.tool_version_loaded",
        actor=actor,
        obj=tool_version,
        detail={"version": tool_version.version, "content_hash": content_hash},
    )
    return tool_version, True


# --- Screenings ---------------------------------------------------------------

# The details a draft may hold; all but setting_name are needed to submit.
DETAIL_FIELDS = (
    "child_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "postcode_district",
    "setting_type",
    "setting_name",
    "looked_after",
    "learning_disability",
)
REQUIRED_TO_SUBMIT = {
    "child_name": "Enter the child's full name",
    "date_of_birth": "Enter the child's date of birth",
    "gender": "Select the child's gender",
    "ethnicity": "Select the child's ethnicity",
    "postcode_district": "Enter the first part of the child's postcode",
    "setting_type": "Select the type of school or setting",
    "looked_after": "Select whether the child is looked after",
    "learning_disability": "Select whether the child has a learning disability",
}
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
MAX_TEXT = 5000


def child_details_problems(details: dict[str, Any], *, on: datetime.date) -> dict[str, str]:
    """What is wrong with a child's details, by field, for a screening made on `on`.
    Blank values are not problems here (drafts may be partial); see submit."""
    problems: dict[str, str] = {}
    name = details.get("child_name") or ""
    if len(name) > 200:
        problems["child_name"] = "The child's name must be 200 characters or fewer"
    born = details.get("date_of_birth")
    if born is not None:
        if born > on:
            problems["date_of_birth"] = "Date of birth must be today or in the past"
        elif age_on(born, on) > MAX_AGE_YEARS:
            problems["date_of_birth"] = (
                f"The child is {age_on(born, on)} on the date of screening. The tool is for children under 18: "
                "for a young adult, follow your adult safeguarding procedures"
            )
    district = details.get("postcode_district") or ""
    if district and not POSTCODE_DISTRICT.match(district):
        problems["postcode_district"] = (
            "Enter only the first part of the postcode, like BN11 or RH10 (not the full postcode)"
        )
    for field, choices in (("gender", Gender), ("ethnicity", Ethnicity), ("setting_type", SettingType)):
        value = details.get(field) or ""
        if value and value not in choices.values:
            problems[field] = f"Select one of the listed options for {field.replace('_', ' ')}"
    if len(details.get("setting_name") or "") > 200:
        problems["setting_name"] = "The school or setting must be 200 characters or fewer"
    return problems


def _details_apply(screening: Screening, details: dict[str, Any], *, on: datetime.date) -> None:
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise ApplicationError(f"Unknown detail(s): {', '.join(unknown)}")
    details = dict(details)
    details["child_name"] = " ".join((details.get("child_name") or "").split())
    details["postcode_district"] = (details.get("postcode_district") or "").strip().upper()
    details["setting_name"] = (details.get("setting_name") or "").strip()
    problems = child_details_problems(details, on=on)
    if problems:
        field, message = next(iter(problems.items()))
        raise ApplicationError(message, field=field)
    for field in DETAIL_FIELDS:
        if field not in details:
            continue
        value = details[field]
        if field == "date_of_birth":
            value = value.isoformat() if value else ""
        elif field in ("looked_after", "learning_disability"):
            value = value if value is None else bool(value)
        else:
            value = value or ""
        setattr(screening, field, value)


def _answers_apply(screening: Screening, answers: dict[str, str]) -> None:
    definition = tool_definition(screening.tool_version)
    try:
        answers_check(definition, answers)
    except ValueError as error:
        raise ApplicationError(str(error), field="answers", code="unprocessable") from error
    screening.answers = {
        indicator.id: answers[indicator.id] for indicator in definition.indicators if indicator.id in answers
    }


def _text(value: str, label: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ApplicationError(f"{label} must be {MAX_TEXT} characters or fewer", field=field)
    return value


@transaction.atomic
def screening_create(
    *,
    actor,
    details: dict[str, Any] | None = None,
    answers: dict[str, str] | None = None,
    concerns: str = "",
    tool_version: ToolVersion | None = None,
    request=None,
) -> Screening:
    """Start a draft screening with the current tool version (or the one given)."""
    tool_version = tool_version or tool_version_current()
    if tool_version is None:
        raise ApplicationError("No screening tool is loaded yet. Ask an administrator to load it.")
    now = timezone.now()
    screening = Screening(
        tool_version=tool_version,
        created_by=actor,
        organisation_id=actor.organisation_id,
        created_at=now,
        updated_at=now,
    )
    _details_apply(screening, details or {}, on=timezone.localdate(now))
    _answers_apply(screening, answers or {})
    screening.concerns = _text(concerns, "Other concerns", "concerns")
    screening.save()
    audit_record(action="screening.created", actor=actor, request=request, obj=screening)
    return screening


@transaction.atomic
def screening_draft_save(
    *,
    screening: Screening,
    actor,
    lock_version: int,
    details: dict[str, Any],
    answers: dict[str, str],
    concerns: str,
    request=None,
) -> Screening:
    """Save a draft, if nobody else saved it since `lock_version` was read.

    Two people editing one draft never silently overwrite each other: the
    second save is refused (code "conflict") and the caller keeps their input."""
    if screening.status != Screening.Status.DRAFT:
        raise ApplicationError("This screening has been submitted and can no longer be changed.", code="conflict")
    _details_apply(screening, details, on=timezone.localdate())
    _answers_apply(screening, answers)
    screening.concerns = _text(concerns, "Other concerns", "concerns")
    screening.updated_at = timezone.now()
    values = {field: getattr(screening, field) for field in DETAIL_FIELDS}
    # update() encrypts through each field's get_prep_value, like save().
    changed = Screening.objects.filter(
        pk=screening.pk, status=Screening.Status.DRAFT, lock_version=lock_version
    ).update(
        **values,
        answers=screening.answers,
        concerns=screening.concerns,
        updated_at=screening.updated_at,
        lock_version=F("lock_version") + 1,
    )
    if not changed:
        raise ApplicationError(
            "Someone else saved this draft after you opened it. Your changes have not been saved yet: "
            "they are still in the form below. Open the draft again in a new tab to see the other changes, "
            "then make yours again.",
            code="conflict",
        )
    screening.lock_version = lock_version + 1
    audit_record(action="screening.draft_saved", actor=actor, request=request, obj=screening)
    return screening


def submit_problems(screening: Screening) -> dict[str, str]:
    """What still stops a draft being submitted, by field ("answers" for the indicators)."""
    problems = {
        field: message for field, message in REQUIRED_TO_SUBMIT.items() if getattr(screening, field) in ("", None)
    }
    missing = missing_answers(tool_definition(screening.tool_version), screening.answers)
    if missing:
        problems["answers"] = (
            f"Answer every question: {len(missing)} not answered yet ("
            + "; ".join(indicator.wording for indicator in missing[:5])
            + ("; and more)" if len(missing) > 5 else ")")
        )
    return problems


def _child_link(blind: str) -> Child:
    """The child with this blind index, made once even when two submit at the same moment."""
    child = Child.objects.filter(blind_index=blind).first()
    if child is not None:
        return child
    try:
        with transaction.atomic():
            return Child.objects.create(blind_index=blind)
    except IntegrityError:
        return Child.objects.get(blind_index=blind)


def _hub_link(screening: Screening) -> str:
    return f"{settings.SITE_URL}{reverse('screening:detail', args=[screening.public_id])}"


@transaction.atomic
def screening_submit(*, screening: Screening, actor, lock_version: int, request=None) -> Screening:
    """Submit a complete draft: score it, link it to the child's other screenings
    and tell the hub (a link and the category only, never who the child is)."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.status != Screening.Status.DRAFT:
        raise ApplicationError("This screening has already been submitted.", code="conflict")
    if locked.lock_version != lock_version:
        raise ApplicationError(
            "Someone else saved this draft after you opened it. Check their changes before submitting.",
            code="conflict",
        )
    problems = submit_problems(locked)
    if problems:
        field, message = next(iter(problems.items()))
        raise ApplicationError(message, field=field)
    now = timezone.now()
    today = timezone.localdate(now)
    born = locked.date_of_birth_value
    problems = child_details_problems({"date_of_birth": born}, on=today)
    if problems:
        raise ApplicationError(problems["date_of_birth"], field="date_of_birth")
    definition = tool_definition(locked.tool_version)
    locked.age_at_screening = age_on(born, today)
    result = score(
        definition,
        locked.answers,
        age_years=locked.age_at_screening,
        learning_disability=bool(locked.learning_disability),
    )
    locked.computed_points = result.points
    locked.computed_category = result.category
    locked.category = result.category
    locked.yes_bits = answers_yes_bits(definition, locked.answers)
    locked.status = Screening.Status.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = actor
    locked.review_due = review_date(result.next_steps, now)
    blind = blind_index(name=locked.child_name, date_of_birth=born)
    # The child's row lock serialises submissions of one child, and a submission with the
    # child's anonymisation (retention.py), which removes the blind index under that lock.
    child = Child.objects.select_for_update().get(pk=_child_link(blind).pk)
    if child.blind_index != blind:
        # Anonymised while this submission waited for the lock: the screening starts a new
        # child, as any screening after anonymisation does.
        child = Child.objects.select_for_update().get(pk=_child_link(blind).pk)
    locked.child = child
    # This is now the child's latest screening.
    Screening.objects.filter(child=locked.child, is_latest=True).update(is_latest=False)
    locked.is_latest = True
    locked.updated_at = now
    locked.lock_version += 1
    locked.save()
    CategoryChange.objects.create(
        screening=locked,
        kind=CategoryChange.Kind.COMPUTED,
        category_to=result.category,
        actor=actor,
        created_at=now,
        resolved_at=now,
    )
    audit_record(
        action="screening.submitted",
        actor=actor,
        request=request,
        obj=locked,
        detail={"category": result.category, "version": definition.version},
    )
    email_enqueue(
        to=[settings.SCREENING_HUB_EMAIL],
        subject=f"Screening submitted: category {result.category} ({result.category_label})",
        body=(
            f"A CSE screening has been submitted.\n\nCategory: {result.category} ({result.category_label})\n"
            f"Tool version: {definition.version}\n\nSign in to see it and record the hub's decision:\n"
            f"{_hub_link(locked)}\n\n"
            "This email does not say who the child is, on purpose. Do not forward identifying details by email.\n"
        ),
        dedupe_key=f"screening-submitted-{locked.public_id}",
    )
    return locked


def _not_anonymised(screening: Screening) -> None:
    if screening.anonymised_at is not None:
        raise ApplicationError(
            "This screening was anonymised under the retention rule and can no longer be changed.", code="conflict"
        )


def _category_check(definition, category: int) -> None:
    if category not in {rule.category for rule in definition.rules.categories}:
        raise ApplicationError("Select a category", field="category")


@transaction.atomic
def category_raise(*, screening: Screening, actor, category: int, rationale: str, request=None) -> CategoryChange:
    """Professional judgement: raise the category, with a written rationale. Takes effect at once."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.status == Screening.Status.DRAFT:
        raise ApplicationError("Submit the screening before changing its category.", code="conflict")
    _not_anonymised(locked)
    _category_check(tool_definition(locked.tool_version), category)
    if category <= locked.category:
        raise ApplicationError(
            f"Select a category higher than the current one ({locked.category}) to raise it", field="category"
        )
    rationale = _text(rationale, "Your reasons", "rationale")
    if not rationale:
        raise ApplicationError("Explain why you are raising the category", field="rationale")
    change = CategoryChange.objects.create(
        screening=locked,
        kind=CategoryChange.Kind.RAISED,
        category_from=locked.category,
        category_to=category,
        rationale=rationale,
        actor=actor,
        resolved_at=timezone.now(),
    )
    locked.category = category
    locked.updated_at = timezone.now()
    locked.save(update_fields=["category", "updated_at"])
    audit_record(
        action="screening.category_raised",
        actor=actor,
        request=request,
        obj=locked,
        detail={"from": change.category_from, "to": category},
    )
    return change


def lowering_pending(screening: Screening) -> CategoryChange | None:
    return screening.category_changes.filter(kind=CategoryChange.Kind.LOWER_REQUESTED, resolved_at__isnull=True).first()


@transaction.atomic
def category_lower_request(
    *, screening: Screening, actor, category: int, rationale: str, request=None
) -> CategoryChange:
    """Ask the hub to lower the category. Until a hub officer approves, the current category stands."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.status == Screening.Status.DRAFT:
        raise ApplicationError("Submit the screening before changing its category.", code="conflict")
    _not_anonymised(locked)
    _category_check(tool_definition(locked.tool_version), category)
    if category >= locked.category:
        raise ApplicationError(
            f"Select a category lower than the current one ({locked.category}) to ask for it to be lowered",
            field="category",
        )
    if lowering_pending(locked) is not None:
        raise ApplicationError("A request to lower this category is already waiting for the hub.", code="conflict")
    rationale = _text(rationale, "Your reasons", "rationale")
    if not rationale:
        raise ApplicationError("Explain why the category should be lower", field="rationale")
    change = CategoryChange.objects.create(
        screening=locked,
        kind=CategoryChange.Kind.LOWER_REQUESTED,
        category_from=locked.category,
        category_to=category,
        rationale=rationale,
        actor=actor,
    )
    audit_record(
        action="screening.lowering_requested",
        actor=actor,
        request=request,
        obj=locked,
        detail={"from": locked.category, "to": category},
    )
    email_enqueue(
        to=[settings.SCREENING_HUB_EMAIL],
        subject=f"Approval needed: lower a screening from category {locked.category} to {category}",
        body=(
            f"A practitioner asks to lower a screening from category {locked.category} to {category}. "
            "Until a hub officer approves, the current category stands.\n\n"
            f"Sign in to approve or refuse:\n{_hub_link(locked)}\n"
        ),
        dedupe_key=f"screening-lowering-{change.pk}",
    )
    return change


@transaction.atomic
def category_lower_decide(*, change: CategoryChange, actor, approve: bool, reason: str, request=None) -> CategoryChange:
    """A hub officer approves or refuses a request to lower a category, with a reason.
    The officer who asked cannot approve their own request."""
    locked = Screening.objects.select_for_update().get(pk=change.screening_id)
    _not_anonymised(locked)
    pending = lowering_pending(locked)
    if pending is None or pending.pk != change.pk:
        raise ApplicationError("This request has already been answered.", code="conflict")
    if pending.actor_id == actor.pk:
        raise ApplicationError("Someone other than the person who asked must approve or refuse this request.")
    reason = _text(reason, "Your reason", "reason")
    if not reason:
        raise ApplicationError("Give the reason for your decision", field="reason")
    now = timezone.now()
    pending.resolved_at = now
    pending.save(update_fields=["resolved_at"])
    decision = CategoryChange.objects.create(
        screening=locked,
        kind=CategoryChange.Kind.LOWER_APPROVED if approve else CategoryChange.Kind.LOWER_REFUSED,
        category_from=locked.category,
        category_to=pending.category_to if approve else locked.category,
        rationale=reason,
        actor=actor,
        created_at=now,
        resolved_at=now,
    )
    if approve:
        locked.category = pending.category_to
        locked.updated_at = now
        locked.save(update_fields=["category", "updated_at"])
    audit_record(
        action="screening.lowering_approved" if approve else "screening.lowering_refused",
        actor=actor,
        request=request,
        obj=locked,
        detail={"from": decision.category_from, "to": decision.category_to},
    )
    return decision


@transaction.atomic
def hub_decision_record(
    *,
    screening: Screening,
    actor,
    decision: str,
    outcome: str,
    review_due: datetime.date | None = None,
    close: bool = False,
    request=None,
) -> HubDecision:
    """The hub's decision on a submitted screening; the first one takes it out of the triage queue."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.status == Screening.Status.DRAFT:
        raise ApplicationError("A draft cannot be triaged.", code="conflict")
    if locked.status == Screening.Status.CLOSED:
        raise ApplicationError(
            "This screening is closed. Screen the child again to reopen their case.", code="conflict"
        )
    if decision not in HubDecision.Decision.values:
        raise ApplicationError("Select the decision", field="decision")
    if review_due is not None and review_due <= timezone.localdate():
        raise ApplicationError("The review date must be in the future", field="review_due")
    now = timezone.now()
    record = HubDecision.objects.create(
        screening=locked,
        decision=decision,
        outcome=_text(outcome, "Outcome", "outcome"),
        review_due=review_due,
        closes_screening=close,
        decided_by=actor,
        decided_at=now,
    )
    fields = ["updated_at"]
    locked.updated_at = now
    if locked.triaged_at is None:
        locked.triaged_at = now
        fields.append("triaged_at")
    if review_due is not None:
        locked.review_due = review_due
        locked.review_reminded_at = None
        fields += ["review_due", "review_reminded_at"]
    if close:
        locked.status = Screening.Status.CLOSED
        locked.closed_at = now
        fields += ["status", "closed_at"]
    locked.save(update_fields=fields)
    audit_record(
        action="screening.decision_recorded",
        actor=actor,
        request=request,
        obj=locked,
        detail={"decision": decision, "closed": close},
    )
    return record


def reviews_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind the practitioner who submitted each screening whose review date has come (once each)."""
    now = now or timezone.now()
    sent = 0
    due = Screening.objects.filter(
        status=Screening.Status.SUBMITTED,
        review_due__lte=timezone.localdate(now),
        review_reminded_at__isnull=True,
    ).select_related("submitted_by")
    for screening in due.iterator():
        with transaction.atomic():
            claimed = Screening.objects.filter(pk=screening.pk, review_reminded_at__isnull=True).update(
                review_reminded_at=now
            )
            if not claimed:
                continue
            recipient = screening.submitted_by or screening.created_by
            email_enqueue(
                to=[recipient.email],
                subject="A child you screened is due to be screened again",
                body=(
                    f"A CSE screening you submitted on {timezone.localdate(screening.submitted_at):%-d %B %Y} "
                    f"is due for review on {screening.review_due:%-d %B %Y}.\n\n"
                    f"Sign in to see it and screen the child again:\n{_hub_link(screening)}\n"
                ),
                dedupe_key=f"screening-review-{screening.public_id}-{screening.review_due.isoformat()}",
            )
            audit_record(action="screening.review_reminded", obj=screening)
            sent += 1
    return sent
