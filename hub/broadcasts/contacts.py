"""Partner contacts, audiences and the suppression list."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify

from hub.audit.services import audit_record
from hub.broadcasts.models import Audience, Bulletin, Contact, LawfulBasis, Suppression
from hub.core.errors import ApplicationError

CONTACT_FIELDS = ("name", "email", "organisation", "sector", "role", "lawful_basis")


def email_normalise(text: str) -> str:
    """The address as stored: trimmed and lower-case; ApplicationError if not an address."""
    email = (text or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from error
    return email


def contact_save(*, contact: Contact | None, data: dict, audiences: list[Audience], actor, request=None) -> Contact:
    email = email_normalise(data["email"])
    if data.get("lawful_basis") not in LawfulBasis.values:
        raise ApplicationError("Select the lawful basis for contacting them", field="lawful_basis")
    try:
        with transaction.atomic():
            contact = contact or Contact()
            for name in CONTACT_FIELDS:
                setattr(contact, name, data.get(name, ""))
            contact.email = email
            created = contact.pk is None
            contact.save()
            contact.audiences.set(audiences)
            audit_record(
                action="broadcasts.contact_created" if created else "broadcasts.contact_updated",
                actor=actor,
                request=request,
                obj=contact,
                detail={"audiences": sorted(audience.pk for audience in audiences)},
            )
    except IntegrityError as error:
        raise ApplicationError("A contact with this email address already exists", field="email") from error
    return contact


def suppress(*, email: str, reason: str, audience: Audience | None = None, actor=None, request=None) -> Suppression:
    """Add an address to the suppression list (idempotent)."""
    email = email.strip().lower()
    with transaction.atomic():
        existing = Suppression.objects.filter(email=email, audience=audience).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                suppression = Suppression.objects.create(email=email, audience=audience, reason=reason)
        except IntegrityError:
            return Suppression.objects.get(email=email, audience=audience)
        audit_record(
            action="broadcasts.address_suppressed",
            actor=actor,
            request=request,
            obj=suppression,
            detail={"reason": reason, "audience": audience.pk if audience else None},
        )
    return suppression


def still_reachable(memberships: set[int], suppressed: set[int | None]) -> bool:
    """The suppression rule, for one address: not suppressed from everything (None), and
    in at least one of the bulletin's audiences it has not left."""
    return None not in suppressed and bool(memberships - suppressed)


def recipients_for(bulletin: Bulletin) -> QuerySet[Contact]:
    """Contacts in any of the bulletin's audiences, each once, leaving out anyone
    suppressed from everything or from each of those audiences they are in."""
    audience_ids = list(bulletin.audiences.values_list("pk", flat=True))
    everything = Suppression.objects.filter(audience__isnull=True).values("email")
    return (
        Contact.objects.filter(pk__in=_not_fully_suppressed(audience_ids)).exclude(email__in=everything).order_by("pk")
    )


def _not_fully_suppressed(audience_ids: list[int]) -> list[int]:
    """Contacts with at least one of the audiences they share with the bulletin not suppressed."""
    suppressed = {}
    for email, audience_id in Suppression.objects.filter(audience_id__in=audience_ids).values_list(
        "email", "audience_id"
    ):
        suppressed.setdefault(email, set()).add(audience_id)
    keep = []
    memberships = Contact.audiences.through.objects.filter(audience_id__in=audience_ids).values_list(
        "contact_id", "contact__email", "audience_id"
    )
    by_contact: dict[int, tuple[str, set]] = {}
    for contact_id, email, audience_id in memberships:
        by_contact.setdefault(contact_id, (email, set()))[1].add(audience_id)
    for contact_id, (email, audiences) in by_contact.items():
        if still_reachable(audiences, suppressed.get(email, set())):
            keep.append(contact_id)
    return keep


def audience_create(*, name: str, description: str, actor, request=None) -> Audience:
    slug = slugify(name)
    if Audience.objects.filter(Q(name__iexact=name) | Q(slug=slug)).exists():
        raise ApplicationError("An audience with this name already exists", field="name")
    try:
        with transaction.atomic():
            audience = Audience.objects.create(name=name, slug=slug, description=description)
            audit_record(action="broadcasts.audience_created", actor=actor, request=request, obj=audience)
    except IntegrityError as error:
        raise ApplicationError("An audience with this name already exists", field="name") from error
    return audience
