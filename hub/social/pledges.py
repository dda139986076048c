"""#HelpingHands pledges: photos from the public, re-encoded without metadata,
published only after moderation, hidden as soon as anyone reports one."""

import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hub.audit.services import audit_record
from hub.campaigns.models import Campaign
from hub.campaigns.prerender import campaign_prerender_schedule
from hub.core.errors import ApplicationError
from hub.social.images import pledge_image_process
from hub.social.models import Pledge, PledgeReport


def pledge_submit(
    *,
    campaign: Campaign,
    upload,
    first_name: str,
    message: str,
    consent_to_publish: bool,
    confirmed_no_child: bool,
    request=None,
) -> Pledge:
    if not consent_to_publish:
        raise ApplicationError("Confirm that we may publish your photo", field="consent_to_publish")
    if not confirmed_no_child:
        raise ApplicationError(
            "Confirm that the photo shows no child's face and no school uniform", field="confirmed_no_child"
        )
    processed = pledge_image_process(upload)  # raises ImageRejected (field "photo") before anything is stored
    pledge = Pledge(
        campaign=campaign,
        width=processed.width,
        height=processed.height,
        first_name=first_name,
        message=message,
        consent_to_publish=True,
        confirmed_no_child=True,
    )
    pledge.image.save(f"{secrets.token_hex(16)}.{processed.extension}", ContentFile(processed.content), save=False)
    try:
        with transaction.atomic():
            pledge.save()
            audit_record(
                action="social.pledge_submitted", request=request, obj=pledge, detail={"campaign": campaign.pk}
            )
    except Exception:
        pledge.image.storage.delete(pledge.image.name)  # nothing half-saved
        raise
    return pledge


def pledge_moderate(*, pledge: Pledge, approve: bool, reason: str, actor, request=None) -> Pledge:
    """Approve (also clears a report: the coordinator has looked) or reject with a reason."""
    if not approve and not reason.strip():
        raise ApplicationError("Enter why the pledge is rejected", field="reason")
    with transaction.atomic():
        now = timezone.now()
        pledge.status = Pledge.Status.APPROVED if approve else Pledge.Status.REJECTED
        pledge.rejection_reason = "" if approve else reason.strip()
        pledge.moderated_by = actor
        pledge.moderated_at = now
        pledge.hidden_by_report = False
        pledge.save()
        pledge.reports.filter(resolved_at__isnull=True).update(resolved_at=now)
        audit_record(
            action="social.pledge_approved" if approve else "social.pledge_rejected",
            actor=actor,
            request=request,
            obj=pledge,
        )
        campaign_prerender_schedule(pledge.campaign)
    return pledge


def pledge_report(*, pledge: Pledge, reason: str, request=None) -> PledgeReport:
    """Anyone may report a pledge on the wall; it is hidden until a coordinator reviews it."""
    if not reason.strip():
        raise ApplicationError("Enter what is wrong with this pledge", field="reason")
    with transaction.atomic():
        report = PledgeReport.objects.create(pledge=pledge, reason=reason.strip())
        newly_hidden = Pledge.objects.filter(pk=pledge.pk, hidden_by_report=False).update(hidden_by_report=True)
        audit_record(action="social.pledge_reported", request=request, obj=report, detail={"pledge": pledge.pk})
        if newly_hidden:
            # Off the pre-rendered wall as soon as this commits, as it is off Django's.
            campaign_prerender_schedule(pledge.campaign)
    return report


def pledge_wall(campaign: Campaign):
    return campaign.pledges.filter(status=Pledge.Status.APPROVED, hidden_by_report=False, consent_to_publish=True)


def pledge_is_public(pledge: Pledge) -> bool:
    return pledge.status == Pledge.Status.APPROVED and not pledge.hidden_by_report and pledge.consent_to_publish
