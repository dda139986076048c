"""Community training requests: the public suggests who else should be trained;
trainers work through the suggestions."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.core.outbox import email_enqueue
from hub.training.models import TrainingRequest

REQUEST_FIELDS = ("business_type", "business_name", "area", "contact_name", "contact_email", "contact_phone", "reason")


def training_request_create(*, data: dict, request=None) -> TrainingRequest:
    with transaction.atomic():
        training_request = TrainingRequest.objects.create(**{name: data.get(name, "") for name in REQUEST_FIELDS})
        training_request.contact_email = training_request.contact_email.lower()
        training_request.save(update_fields=["contact_email"])
        audit_record(action="training.request_received", request=request, obj=training_request)
        context = {"training_request": training_request, "site_url": settings.SITE_URL}
        # Tell the training team; the person who asked gets a receipt.
        email_enqueue(
            to=[settings.TRAINING_TEAM_EMAIL],
            subject=f"New training request: {training_request.get_business_type_display()}, {training_request.area}",
            body=render_to_string("training/email/request_received_team.txt", context),
            dedupe_key=f"training-request-{training_request.pk}-team",
        )
        email_enqueue(
            to=[training_request.contact_email],
            subject="We have your suggestion for free CSE awareness training",
            body=render_to_string("training/email/request_received.txt", context),
            dedupe_key=f"training-request-{training_request.pk}-receipt",
        )
    return training_request


def training_request_triage(*, training_request: TrainingRequest, status: str, note: str, actor, request=None):
    if status not in TrainingRequest.Status.values:
        raise ApplicationError("Select what has happened with this request", field="status")
    with transaction.atomic():
        previous = training_request.status
        training_request.status = status
        training_request.triage_note = note
        training_request.save(update_fields=["status", "triage_note", "updated_at"])
        audit_record(
            action="training.request_triaged",
            actor=actor,
            request=request,
            obj=training_request,
            detail={"from": previous, "to": status},
        )
    return training_request
