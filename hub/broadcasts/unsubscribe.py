"""Unsubscribing by the link in a bulletin: no sign-in, the token names one
delivery (so one person and one bulletin's audiences) and nothing else."""

from django.db import transaction

from hub.audit.services import audit_record
from hub.broadcasts.contacts import suppress
from hub.broadcasts.models import Delivery, Suppression


def delivery_by_token(token: str) -> Delivery | None:
    if not token or len(token) > 64:
        return None
    return Delivery.objects.select_related("bulletin__series", "contact").filter(token=token).first()


def unsubscribe(*, delivery: Delivery, everything: bool, request=None) -> list[str]:
    """Suppress the address from the bulletin's audiences the person is in, or from
    everything. Returns the names of the audiences left; empty when it was everything."""
    with transaction.atomic():
        if everything:
            suppress(email=delivery.email, reason=Suppression.Reason.UNSUBSCRIBED, request=request)
            names = []
        else:
            audiences = delivery.bulletin.audiences.all()
            if delivery.contact is not None:
                audiences = audiences.filter(contacts=delivery.contact)
            names = []
            for audience in audiences:
                suppress(
                    email=delivery.email, reason=Suppression.Reason.UNSUBSCRIBED, audience=audience, request=request
                )
                names.append(audience.name)
            if not names:  # no longer in any of them: nothing narrower to leave, so leave everything
                suppress(email=delivery.email, reason=Suppression.Reason.UNSUBSCRIBED, request=request)
        audit_record(
            action="broadcasts.unsubscribed",
            request=request,
            obj=delivery,
            detail={"everything": everything, "bulletin": delivery.bulletin_id},
        )
    return names
