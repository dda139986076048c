"""Reports of people trained: bookings marked as attended, counted by sector,
organisation, course and month of the session, and a headline sentence.

Plain functions over the database (no requests): the staff pages, the CSV
downloads and anything else that needs the figures call them. Dates are the
partnership's local dates (Europe/London), so a session at 00:30 on 1 April
BST (23:30 UTC on 31 March) counts in April.
"""

import csv
import datetime
from typing import IO, NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Lower, Trim, TruncMonth

from hub.accounts.models import Sector
from hub.core.exports import csv_cell
from hub.training.models import Booking, BusinessType, Course, Session

LOCAL_TZ = ZoneInfo("Europe/London")
NOT_GIVEN = "Not given"


class Row(NamedTuple):
    label: str
    value: int


class Period(NamedTuple):
    """From `start` to `end`, both local dates and both included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The instants the period runs between: local midnight at the start,
        local midnight after the last day (excluded)."""
        after = self.end + datetime.timedelta(days=1)
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=LOCAL_TZ),
            datetime.datetime.combine(after, datetime.time.min, tzinfo=LOCAL_TZ),
        )


def attended_bookings(period: Period, *, course: Course | None = None) -> QuerySet[Booking]:
    """Bookings of people who were there: marked attended, on a session that went ahead
    and started within the period (not no-shows, not cancelled bookings)."""
    start, end = period.bounds()
    bookings = Booking.objects.filter(
        attendance=Booking.Attendance.ATTENDED,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).exclude(Q(status=Booking.Status.CANCELLED) | Q(session__status=Session.Status.CANCELLED))
    if course is not None:
        bookings = bookings.filter(session__course=course)
    return bookings


def _by_count(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.value, row.label.casefold()))


def trained_by_sector(period: Period, *, course: Course | None = None) -> list[Row]:
    labels = dict(Sector.choices)
    counts = attended_bookings(period, course=course).values("sector").annotate(n=Count("pk")).order_by()
    return _by_count([Row(labels.get(item["sector"], item["sector"] or NOT_GIVEN), item["n"]) for item in counts])


def trained_by_organisation(period: Period, *, course: Course | None = None) -> list[Row]:
    """Organisations as people typed them, with differences of case and spacing ignored
    ("Seaside Taxis" and "seaside taxis " are one organisation)."""
    counts = (
        attended_bookings(period, course=course)
        .annotate(key=Lower(Trim("organisation_name")))
        .values("key")
        .annotate(n=Count("pk"), name=Min(Trim("organisation_name")))
        .order_by()
    )
    return _by_count([Row(item["name"] or NOT_GIVEN, item["n"]) for item in counts])


def trained_by_course(period: Period, *, course: Course | None = None) -> list[Row]:
    counts = (
        attended_bookings(period, course=course)
        .values("session__course_id", "session__course__title")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _by_count([Row(item["session__course__title"], item["n"]) for item in counts])


def month_starts(period: Period) -> list[datetime.date]:
    """The first day of every month the period touches, in order."""
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def trained_by_month(period: Period, *, course: Course | None = None) -> list[Row]:
    """Every month of the period in order, months with nobody trained shown as 0."""
    counts = (
        attended_bookings(period, course=course)
        .annotate(month=TruncMonth("session__starts_at", tzinfo=LOCAL_TZ))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month = {item["month"].astimezone(LOCAL_TZ).date(): item["n"] for item in counts}
    return [Row(f"{month:%B %Y}", by_month.get(month, 0)) for month in month_starts(period)]


REPORTS = {
    "sector": ("Sector", trained_by_sector),
    "organisation": ("Organisation", trained_by_organisation),
    "course": ("Course", trained_by_course),
    "month": ("Month", trained_by_month),
}


# --- The headline -----------------------------------------------------------------

# How each business type reads after "including 37 from ..." (one, many).
BUSINESS_PHRASES: dict[str, tuple[str, str]] = {
    BusinessType.HOTEL: ("a hotel, B&B or guest house", "hotels, B&Bs or guest houses"),
    BusinessType.TAXI: ("a taxi or private hire firm", "taxi or private hire firms"),
    BusinessType.FAST_FOOD: ("a fast-food or takeaway outlet", "fast-food or takeaway outlets"),
    BusinessType.COFFEE_SHOP: ("a coffee shop or cafe", "coffee shops or cafes"),
    BusinessType.LEISURE_CENTRE: ("a leisure centre", "leisure centres"),
    BusinessType.BOWLING: ("a bowling alley", "bowling alleys"),
    BusinessType.ARCADE: ("an amusement arcade", "amusement arcades"),
    BusinessType.CINEMA: ("a cinema", "cinemas"),
    BusinessType.PARKS: ("parks and the foreshore", "parks and the foreshore"),
    BusinessType.PUB_BAR: ("a pub, bar or club", "pubs, bars or clubs"),
    BusinessType.SHOP: ("a shop or shopping centre", "shops or shopping centres"),
    BusinessType.TRANSPORT: ("a bus, train or other transport operator", "bus, train or other transport operators"),
    BusinessType.SECURITY: ("a security firm", "security firms"),
}


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n:,} people"


def _from_business(business_type: str, n: int) -> str:
    one, many = BUSINESS_PHRASES[business_type]
    return f"{n:,} from {one if n == 1 else many}"


def headline(period: Period, *, lead: str, course: Course | None = None) -> str:
    """'<lead> the partnership trained 412 people, including 37 from taxi or private
    hire firms and 12 from hotels, B&Bs or guest houses' from the two business types
    most people trained came from ("Other" says nothing, so it is left out)."""
    bookings = attended_bookings(period, course=course)
    total = bookings.count()
    on_course = f" on {course.title}" if course is not None else ""
    if total == 0:
        return f"{lead} nobody was trained by the partnership{on_course}."
    counts = (
        bookings.filter(business_type__in=list(BUSINESS_PHRASES))
        .values("business_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(BusinessType.choices)
    top = sorted(counts, key=lambda item: (-item["n"], labels[item["business_type"]]))[:2]
    sentence = f"{lead} the partnership trained {_people(total)}{on_course}"
    if top:
        sentence += ", including " + " and ".join(_from_business(item["business_type"], item["n"]) for item in top)
    return sentence + "."


def training_headline(year: int, *, course: Course | None = None) -> str:
    return headline(Period.year(year), lead=f"In {year}", course=course)


# --- CSV --------------------------------------------------------------------------


def write_csv(out: IO[str], *, heading: str, rows: list[Row]) -> None:
    """Write a report as CSV: a header row, then one row per label."""
    writer = csv.writer(out)
    writer.writerow([heading, "People trained"])
    for row in rows:
        writer.writerow([csv_cell(row.label), row.value])
