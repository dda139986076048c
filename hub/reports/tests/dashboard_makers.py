"""Data for the dashboard's tests, made through each app's factories and services,
then moved to the time the test needs (the services stamp "now")."""

import datetime
from zoneinfo import ZoneInfo

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.broadcasts.models import Bulletin, Contact, Delivery, Series, Suppression
from hub.broadcasts.tests.factories import AudienceFactory, ContactFactory
from hub.broadcasts.unsubscribe import unsubscribe
from hub.campaigns.models import Campaign
from hub.screening.models import Screening
from hub.screening.tests.factories import submitted_make
from hub.social.models import Moment, Pledge, Supporter
from hub.social.tests.factories import MomentFactory, SupporterFactory, SupporterHandleFactory
from hub.training.models import Booking
from hub.training.tests.factories import BookingFactory, SessionFactory

LONDON = ZoneInfo("Europe/London")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def moment_for(campaign: Campaign) -> Moment:
    return Moment.objects.filter(campaign=campaign).first() or MomentFactory(campaign=campaign)


def supporter_at(
    campaign: Campaign,
    when: datetime.datetime,
    *,
    handles: dict[str, int] | None = None,
    withdrawn: datetime.datetime | None = None,
) -> Supporter:
    """A supporter of the campaign's moment, signed up at `when`, with {"network:handle": followers}."""
    supporter = SupporterFactory(moment=moment_for(campaign))
    for key, followers in (handles or {}).items():
        network, handle = key.split(":", 1)
        SupporterHandleFactory(supporter=supporter, network=network, handle=handle, followers=followers)
    Supporter.objects.filter(pk=supporter.pk).update(created_at=when, withdrawn_at=withdrawn)
    return supporter


def pledge_at(campaign: Campaign, when: datetime.datetime, status: str = Pledge.Status.APPROVED) -> Pledge:
    pledge = Pledge.objects.create(
        campaign=campaign,
        image="pledges/x.jpg",
        width=1,
        height=1,
        consent_to_publish=True,
        confirmed_no_child=True,
        status=status,
    )
    Pledge.objects.filter(pk=pledge.pk).update(created_at=when)
    return pledge


def bulletin_for(campaign: Campaign | None, audience=None) -> Bulletin:
    number = Series.objects.count() + 1
    series = Series.objects.create(name=f"Awareness week {number}", slug=f"week-{number}", campaign=campaign)
    bulletin = Bulletin.objects.create(
        series=series,
        day=datetime.date(2025, 3, 18),
        topic="Spotting the signs",
        subject="Spotting the signs",
        body_markdown="Today: spotting the signs.",
        status=Bulletin.Status.SENT,
    )
    bulletin.audiences.add(audience or AudienceFactory(name="Schools"))
    return bulletin


def delivered_at(bulletin: Bulletin, when: datetime.datetime, *, email: str | None = None, status=None) -> Delivery:
    audience = bulletin.audiences.first()
    contact = Contact.objects.filter(email=email).first() if email else None
    if contact is None:
        contact = ContactFactory(audiences=[audience], **({"email": email} if email else {}))
    contact.audiences.add(audience)
    return Delivery.objects.create(
        bulletin=bulletin,
        contact=contact,
        email=contact.email,
        name=contact.name,
        status=status or Delivery.Status.SENT,
        sent_at=when,
    )


def unsubscribed_at(delivery: Delivery, when: datetime.datetime, *, everything: bool = False) -> None:
    """Unsubscribe through the link's service, then move the new suppressions to `when`."""
    before = set(Suppression.objects.values_list("pk", flat=True))
    unsubscribe(delivery=delivery, everything=everything)
    Suppression.objects.exclude(pk__in=before).update(created_at=when)


def trained_at(when: datetime.datetime, sector: str, *, attended: bool = True) -> Booking:
    session = SessionFactory(starts_at=when)
    attendance = Booking.Attendance.ATTENDED if attended else Booking.Attendance.NO_SHOW
    return BookingFactory(session=session, sector=sector, attendance=attendance)


def practitioner():
    return UserFactory(roles=[Role.PRACTITIONER])


def screening_at(author, when: datetime.datetime, category: int = 0, **details) -> Screening:
    """A screening submitted through the service, then moved to `when` and given `category`."""
    screening = submitted_make(author, **details)
    Screening.objects.filter(pk=screening.pk).update(submitted_at=when, category=category)
    return screening
