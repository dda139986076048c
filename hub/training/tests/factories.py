import datetime

import factory
from django.utils import timezone

from hub.accounts.models import Sector
from hub.training.models import Booking, Course, Session


def in_days(days: float, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Spotting the signs {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "An introduction to child sexual exploitation."
    topics = factory.LazyFunction(lambda: ["Understanding vulnerability and risk"])
    duration_minutes = 120
    target_audiences = factory.LazyFunction(lambda: ["Foster carers", "Taxi drivers"])


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: in_days(7))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=2))
    booking_deadline = factory.LazyAttribute(lambda s: s.starts_at - datetime.timedelta(days=1))
    capacity = 30
    venue_name = "Partnership Training Centre"
    venue_address = "1 Example Road\nSeaside Town"


def started_session(**fields) -> Session:
    """A session that began ten minutes ago: its register is open."""
    starts = timezone.now() - datetime.timedelta(minutes=10)
    return SessionFactory(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), booking_deadline=starts, **fields
    )


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    name = factory.Sequence(lambda n: f"Delegate {n}")
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    sector = Sector.BUSINESS
    job_role = "Taxi driver"
    status = Booking.Status.CONFIRMED


def booking_data(**overrides) -> dict:
    data = {
        "name": "Sam Taylor",
        "email": "Sam.Taylor@Example.org",
        "organisation_name": "Seaside Taxis",
        "sector": Sector.BUSINESS,
        "job_role": "Taxi driver",
        "access_needs": "",
    }
    return {**data, **overrides}
