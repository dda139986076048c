"""Subject access: everything held about one child, for a hub officer to give
to the child (or whoever asks on their behalf, once the request is verified).

`subject_access_data` builds one dictionary, and both renderings are made from
it: JSON (`subject_access_json`) and PDF (`subject_access_pdf`, through the HTML
of `subject_access_html`), so they can never disagree. It holds:

* every screening linked to the child, each field decrypted, each answer with
  the tool's own wording of the indicator and of the answer, the category
  history with its reasons and the hub's decisions with their outcomes and
  review dates; and any draft not linked yet (drafts are linked on submission)
  whose name and date of birth give the child's blind index;
* the audit of who viewed or changed them: every audit event about one of those
  screenings or about the child, and every list that showed one of them (with
  only this child's screenings named: other children's are left out).

The export itself is audited by the caller (`subject_access_exported`).
"""

from __future__ import annotations

import datetime
import json
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from hub.audit.models import AuditEvent
from hub.audit.services import audit_record
from hub.screening.crypto import blind_index
from hub.screening.definition import Definition
from hub.screening.forms import answer_choices
from hub.screening.models import CategoryChange, Child, HubDecision, Screening
from hub.screening.selectors import category_label, tool_definition

FORMAT = "hub.screening.subject_access/1"
ACTION_EXPORTED = "screening.subject_access_exported"
SCREENING_TYPE = "screening.screening"
CHILD_TYPE = "screening.child"

# What each audited action means, in words (an unknown action is shown as its code).
ACTION_TEXT = {
    "screening.created": "Screening started",
    "screening.draft_saved": "Draft saved",
    "screening.submitted": "Screening submitted",
    "screening.viewed": "Viewed",
    "screening.listed": "Shown in a list",
    "screening.category_raised": "Category raised",
    "screening.lowering_requested": "Lowering the category requested",
    "screening.lowering_approved": "Lowering the category approved",
    "screening.lowering_refused": "Lowering the category refused",
    "screening.decision_recorded": "Hub decision recorded",
    "screening.review_reminded": "Review reminder sent",
    "screening.anonymised": "Anonymised under the retention rule",
    ACTION_EXPORTED: "Everything held exported (subject access)",
}
WHAT_TEXT = {
    "detail": "the screening's page",
    "edit": "the draft form",
    "raise": "the form to raise the category",
    "lower": "the form to ask to lower the category",
    "decision_form": "the hub's decision form",
    "lowering_form": "the form to approve or refuse lowering",
    "chronology": "the child's chronology",
    "list": "the list of screenings",
    "api": "the API",
}


def _who(user) -> dict[str, str] | None:
    if user is None:
        return None
    return {"name": user.full_name, "email": user.email}


def _definitions():
    cache: dict[int, Definition] = {}

    def definition_of(screening: Screening) -> Definition:
        if screening.tool_version_id not in cache:
            cache[screening.tool_version_id] = tool_definition(screening.tool_version)
        return cache[screening.tool_version_id]

    return definition_of


def _draft_pks(child: Child) -> list[int]:
    """Drafts not linked to any child whose name and date of birth give this child's blind index."""
    if not child.blind_index:
        return []
    found = []
    drafts = Screening.objects.filter(status=Screening.Status.DRAFT, child__isnull=True).only(
        "pk", "child_name", "date_of_birth"
    )
    for draft in drafts.iterator():
        if draft.child_name and draft.date_of_birth:
            born = datetime.date.fromisoformat(draft.date_of_birth)
            if blind_index(name=draft.child_name, date_of_birth=born) == child.blind_index:
                found.append(draft.pk)
    return found


def _answers(definition: Definition, answers: dict[str, str]) -> list[dict[str, Any]]:
    labels = dict(answer_choices(definition))
    return [
        {
            "group": group.title,
            "indicator": indicator.id,
            "wording": indicator.wording,
            "level": indicator.level,
            "answer": answers.get(indicator.id),
            "answer_text": labels.get(answers.get(indicator.id), "Not answered"),
        }
        for group in definition.groups
        for indicator in group.indicators
    ]


def _screening(number: int, screening: Screening, definition: Definition) -> dict[str, Any]:
    label = partial(category_label, definition)
    return {
        "number": number,
        "public_id": str(screening.public_id),
        "linked": screening.child_id is not None,
        "status": screening.status,
        "status_text": screening.get_status_display(),
        "tool": {"title": definition.title, "version": definition.version},
        "child": {
            "name": screening.child_name,
            "date_of_birth": screening.date_of_birth_value,
            "age_at_screening": screening.age_at_screening,
            "gender": screening.gender,
            "gender_text": screening.get_gender_display(),
            "ethnicity": screening.ethnicity,
            "ethnicity_text": screening.get_ethnicity_display(),
            "postcode_district": screening.postcode_district,
            "setting_type": screening.setting_type,
            "setting_type_text": screening.get_setting_type_display(),
            "setting_name": screening.setting_name,
            "looked_after": screening.looked_after,
            "learning_disability": screening.learning_disability,
        },
        "answers": _answers(definition, screening.answers),
        "concerns": screening.concerns,
        "computed_points": screening.computed_points,
        "computed_category": screening.computed_category,
        "computed_category_text": label(screening.computed_category),
        "category": screening.category,
        "category_text": label(screening.category),
        "organisation": screening.organisation.name if screening.organisation else "",
        "created_at": screening.created_at,
        "created_by": _who(screening.created_by),
        "submitted_at": screening.submitted_at,
        "submitted_by": _who(screening.submitted_by),
        "triaged_at": screening.triaged_at,
        "review_due": screening.review_due,
        "review_reminded_at": screening.review_reminded_at,
        "closed_at": screening.closed_at,
        "anonymised_at": screening.anonymised_at,
        "category_history": [
            {
                "at": change.created_at,
                "kind": change.kind,
                "kind_text": change.get_kind_display(),
                "category_from": change.category_from,
                "category_to": change.category_to,
                "rationale": change.rationale,
                "by": _who(change.actor),
                "resolved_at": change.resolved_at,
            }
            for change in screening.category_changes.all()
        ],
        "hub_decisions": [
            {
                "at": decision.decided_at,
                "decision": decision.decision,
                "decision_text": decision.get_decision_display(),
                "outcome": decision.outcome,
                "review_due": decision.review_due,
                "closes_screening": decision.closes_screening,
                "by": _who(decision.decided_by),
            }
            for decision in screening.decisions.all()
        ],
    }


def _audit(child: Child, screenings: list[Screening]) -> list[dict[str, Any]]:
    by_pk = {str(screening.pk): str(screening.public_id) for screening in screenings}
    public_ids = set(by_pk.values())
    about = Q(object_type=CHILD_TYPE, object_id=str(child.pk))
    if by_pk:
        about |= Q(object_type=SCREENING_TYPE, object_id__in=list(by_pk))
        # Lists name the screenings they showed in their detail, not as their object.
        shown = Q()
        for public_id in public_ids:
            shown |= Q(detail__screenings__icontains=public_id)
        about |= Q(action="screening.listed") & shown
    rows = []
    for event in AuditEvent.objects.filter(about).select_related("actor").order_by("sequence"):
        detail = dict(event.detail)
        if "screenings" in detail and isinstance(detail["screenings"], list):
            # Only this child's screenings: the others shown in the same list are other children's.
            detail["screenings"] = [value for value in detail["screenings"] if value in public_ids]
            if event.action == "screening.listed" and not detail["screenings"]:
                continue
        screening_id = by_pk.get(event.object_id) if event.object_type == SCREENING_TYPE else None
        rows.append(
            {
                "sequence": event.sequence,
                "at": event.created_at,
                "who": event.actor.email if event.actor else None,
                "who_name": event.actor.full_name if event.actor else "The system",
                "action": event.action,
                "action_text": ACTION_TEXT.get(event.action, event.action),
                "outcome": event.outcome,
                "screening": screening_id,
                "screenings": detail.get("screenings", [screening_id] if screening_id else []),
                "what": WHAT_TEXT.get(detail.get("what", ""), detail.get("what", "")),
                "detail": detail,
            }
        )
    return rows


def subject_access_data(child: Child, *, user, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything held about `child`, as one dictionary (see the module's docstring)."""
    now = now or timezone.now()
    screenings = list(
        Screening.objects.filter(Q(child=child) | Q(pk__in=_draft_pks(child)))
        .select_related("tool_version", "created_by", "submitted_by", "organisation")
        .prefetch_related(
            Prefetch("category_changes", queryset=CategoryChange.objects.select_related("actor")),
            Prefetch("decisions", queryset=HubDecision.objects.select_related("decided_by")),
        )
        # Linked screenings in the order they were submitted, then unlinked drafts.
        .order_by(F("submitted_at").asc(nulls_last=True), "created_at", "pk")
    )
    definition_of = _definitions()
    entries = [
        _screening(number, screening, definition_of(screening)) for number, screening in enumerate(screenings, 1)
    ]
    latest = next((entry for entry in reversed(entries) if entry["linked"]), entries[-1] if entries else None)
    return {
        "format": FORMAT,
        "generated_at": now,
        "generated_by": _who(user),
        "child": {
            "id": child.pk,
            "first_known": child.created_at,
            # The name and date of birth of the latest linked screening: the same on all of them.
            "name": latest["child"]["name"] if latest else "",
            "date_of_birth": latest["child"]["date_of_birth"] if latest else None,
            "linked_by_name_and_date_of_birth": child.blind_index is not None,
            "anonymised": bool(entries) and all(entry["anonymised_at"] for entry in entries),
        },
        "screenings": entries,
        "audit": _audit(child, screenings),
    }


def subject_access_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def subject_access_html(data: dict[str, Any]) -> str:
    return render_to_string("screening/records/subject_access.html", {"data": data})


def subject_access_pdf(data: dict[str, Any]) -> bytes:
    """The PDF, tagged for screen readers. WeasyPrint is imported here so the
    service runs (without PDFs) on a machine that lacks Pango."""
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's "load truncated images" for the whole process: turn it off again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=subject_access_html(data)).write_pdf(pdf_tags=True)


def subject_access_filename(child: Child, *, now: datetime.datetime, extension: str) -> str:
    """The child's id and the date: never the name, which would show in download lists."""
    return f"subject-access-child-{child.pk}-{timezone.localdate(now).isoformat()}.{extension}"


def subject_access_exported(child: Child, *, request, export_format: str) -> None:
    audit_record(action=ACTION_EXPORTED, request=request, obj=child, detail={"format": export_format})
