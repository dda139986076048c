"""The partnership dashboard: awareness work and what followed it, month by month.

For a period (and optionally one campaign) it counts, per month:

- supporters who signed up to a campaign's moment, and the moments' estimated
  reach as it stood at the end of the month (hub.social.moments.moment_progress:
  each (network, handle) once, at the largest follower count given);
- pledges approved, in the month they were made;
- bulletin emails delivered (deliveries sent);
- people who unsubscribed, each once, in the month they first did in the period;
- people trained (hub.training.reports: attended bookings), and by sector;
- screenings submitted, and by category.

With a campaign chosen, the awareness measures (supporters, reach, pledges,
bulletins, unsubscribes by people its bulletins went to) are that campaign's;
people trained and screenings are the whole partnership's, since they are what
the awareness work hopes to change. Months are the partnership's local months
(Europe/London): a screening at 23:30 UTC on 31 March in summer time counts in
April.

Screening counts are shown exactly only to those who may see every screening
(the hub); anyone else gets them through statistical disclosure control
(hub.reports.disclosure): counts from 1 to 4 as "<5", and enough others hidden
that none of those can be worked out from the totals.

Plain functions over the database (no requests): the page and the CSV share them.
"""

import csv
import datetime
from dataclasses import dataclass
from typing import IO

from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hub.broadcasts.models import Delivery, Suppression
from hub.campaigns.models import Campaign
from hub.core.exports import csv_cell
from hub.reports import disclosure
from hub.screening.models import Screening
from hub.screening.selectors import category_label, tool_definition, tool_version_current
from hub.social.models import Moment, Pledge, Supporter
from hub.social.moments import moment_progress
from hub.training.reports import LOCAL_TZ, Period, Row, month_starts, trained_by_month, trained_by_sector

# Who may see exact screening counts: the hub, which sees every screening anyway.
PERM_EXACT_SCREENINGS = "screening.view_all_screenings"

# The measures, in the order the page, the charts and the CSV show them.
SUPPORTERS = "supporters"
REACH = "reach"
PLEDGES = "pledges"
DELIVERIES = "deliveries"
UNSUBSCRIBES = "unsubscribes"
TRAINED = "trained"
SCREENINGS = "screenings"

MEASURES: dict[str, str] = {
    SUPPORTERS: "Supporters signed up",
    REACH: "Estimated reach at the end of the month",
    PLEDGES: "Pledges approved",
    DELIVERIES: "Bulletins delivered",
    UNSUBSCRIBES: "Unsubscribes",
    TRAINED: "People trained",
    SCREENINGS: "Screenings submitted",
}
# The measures a campaign's awareness work is made of; the rest are what may follow it.
AWARENESS = (SUPPORTERS, REACH, PLEDGES, DELIVERIES, UNSUBSCRIBES)
OUTCOMES = (TRAINED, SCREENINGS)


# --- The period -------------------------------------------------------------------


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=LOCAL_TZ)


def month_ends(period: Period) -> list[datetime.datetime]:
    """For each month, the instant it ends within the period: local midnight
    after its last day, or after the period's last day if that comes first."""
    _, period_end = period.bounds()
    ends = []
    for month in month_starts(period):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        ends.append(min(_local_midnight(following), period_end))
    return ends


def campaign_period(campaign: Campaign) -> Period:
    return Period(campaign.starts_on, campaign.ends_on)


def default_period(today: datetime.date | None = None) -> Period:
    """The last twelve months: from the first of the month eleven months ago to today."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return Period(datetime.date(year, month + 1, 1), today)


# --- Counting by month ------------------------------------------------------------


def _by_month(queryset: QuerySet, field: str, count: Count) -> dict[datetime.date, int]:
    """{first day of the local month: count}, one grouped query."""
    rows = (
        queryset.annotate(month=TruncMonth(field, tzinfo=LOCAL_TZ))
        .values("month")
        .annotate(n=count)
        .order_by()
        .values_list("month", "n")
    )
    return {month.astimezone(LOCAL_TZ).date(): n for month, n in rows}


def _series(counts: dict[datetime.date, int], months: list[datetime.date]) -> list[int]:
    return [counts.get(month, 0) for month in months]


def supporters_signed_up(period: Period, campaign: Campaign | None = None) -> QuerySet[Supporter]:
    start, end = period.bounds()
    supporters = Supporter.objects.filter(created_at__gte=start, created_at__lt=end)
    return supporters.filter(moment__campaign=campaign) if campaign is not None else supporters


def pledges_approved(period: Period, campaign: Campaign | None = None) -> QuerySet[Pledge]:
    """Approved pledges made in the period (counted in the month they were made)."""
    start, end = period.bounds()
    pledges = Pledge.objects.filter(status=Pledge.Status.APPROVED, created_at__gte=start, created_at__lt=end)
    return pledges.filter(campaign=campaign) if campaign is not None else pledges


def deliveries_sent(period: Period, campaign: Campaign | None = None) -> QuerySet[Delivery]:
    """Bulletin emails that went out in the period."""
    start, end = period.bounds()
    deliveries = Delivery.objects.filter(status=Delivery.Status.SENT, sent_at__gte=start, sent_at__lt=end)
    return deliveries.filter(bulletin__series__campaign=campaign) if campaign is not None else deliveries


def unsubscribes_first(period: Period, campaign: Campaign | None = None) -> QuerySet[Suppression]:
    """Each address's first unsubscribe in the period (one from each audience, or from
    everything, are all one person's). With a campaign: people its bulletins went to."""
    start, end = period.bounds()
    unsubscribed = Suppression.objects.filter(
        reason=Suppression.Reason.UNSUBSCRIBED, created_at__gte=start, created_at__lt=end
    )
    if campaign is not None:
        unsubscribed = unsubscribed.filter(
            email__in=Delivery.objects.filter(bulletin__series__campaign=campaign).values("email")
        )
    earlier = Suppression.objects.filter(
        email=OuterRef("email"),
        reason=Suppression.Reason.UNSUBSCRIBED,
        created_at__gte=start,
        created_at__lt=OuterRef("created_at"),
    )
    return unsubscribed.exclude(Exists(earlier))


def screenings_submitted(period: Period) -> QuerySet[Screening]:
    start, end = period.bounds()
    return Screening.objects.filter(submitted_at__isnull=False, submitted_at__gte=start, submitted_at__lt=end)


# --- Reach --------------------------------------------------------------------------


def moments_in_scope(campaign: Campaign | None = None) -> QuerySet[Moment]:
    moments = Moment.objects.all()
    return moments.filter(campaign=campaign) if campaign is not None else moments


def reach_at_month_ends(period: Period, campaign: Campaign | None = None) -> list[int]:
    """The moments' estimated reach as it stood at the end of each month (summed over
    moments when no campaign is chosen: each campaign's reach counted on its own).

    moment_progress is asked only where the figure can have changed: not before a
    moment's first sign-up, and once after its last sign-up or withdrawal."""
    ends = month_ends(period)
    totals = [0] * len(ends)
    moments = (
        moments_in_scope(campaign)
        .annotate(
            first_joined=Min("supporters__created_at"),
            last_joined=Max("supporters__created_at"),
            last_left=Max("supporters__withdrawn_at"),
        )
        .filter(first_joined__lt=ends[-1])
    )
    for moment in moments:
        last_change = max(when for when in (moment.last_joined, moment.last_left) if when is not None)
        settled: int | None = None
        for index, end in enumerate(ends):
            at = end - datetime.timedelta(microseconds=1)  # the last instant of the month
            if at < moment.first_joined:
                continue
            if at >= last_change:
                if settled is None:
                    settled = moment_progress(moment, at=at).estimated_reach
                totals[index] += settled
            else:
                totals[index] += moment_progress(moment, at=at).estimated_reach
    return totals


# --- Awareness days -------------------------------------------------------------------


@dataclass(frozen=True)
class AwarenessDay:
    day: datetime.date
    campaign: str

    def __str__(self) -> str:
        return f"{self.day:%-d %B}: {self.campaign}"


def awareness_days(period: Period, campaign: Campaign | None = None) -> dict[datetime.date, list[AwarenessDay]]:
    """{first day of the month: awareness days in it}: the chosen campaign's, or every published campaign's."""
    campaigns = Campaign.objects.filter(awareness_day__gte=period.start, awareness_day__lte=period.end)
    campaigns = (
        campaigns.filter(pk=campaign.pk) if campaign is not None else campaigns.filter(status=Campaign.Status.PUBLISHED)
    )
    days: dict[datetime.date, list[AwarenessDay]] = {}
    for day, name in campaigns.order_by("awareness_day", "name").values_list("awareness_day", "name"):
        days.setdefault(day.replace(day=1), []).append(AwarenessDay(day, name))
    return days


# --- Screenings by category -------------------------------------------------------------


def screening_categories() -> list[tuple[int, str]]:
    """(category, label) of the current screening tool, 0 first."""
    tool_version = tool_version_current()
    if tool_version is None:
        return []
    definition = tool_definition(tool_version)
    return [(rule.category, category_label(definition, rule.category)) for rule in definition.rules.categories]


def screenings_by_month_and_category(
    period: Period, months: list[datetime.date]
) -> tuple[list[tuple[int, str]], list[list[int]]]:
    """The categories (columns) and a months x categories table of screenings submitted."""
    rows = (
        screenings_submitted(period)
        .annotate(month=TruncMonth("submitted_at", tzinfo=LOCAL_TZ))
        .values("month", "category")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "category", "n")
    )
    counts = {(month.astimezone(LOCAL_TZ).date(), category): n for month, category, n in rows}
    categories = screening_categories()
    known = {category for category, _ in categories}
    # A category the current tool does not have (an older version's) still counts.
    for category in sorted({category for _, category in counts} - known, key=lambda c: (c is None, c)):
        categories.append((category, "Not given" if category is None else f"Category {category}"))
    if not categories:
        categories = [(0, "Category 0")]
    table = [[counts.get((month, category), 0) for category, _ in categories] for month in months]
    return categories, table


# --- Everything together ----------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The dashboard's figures, exact. `series` holds one count per month for each
    measure; `totals` the whole period's (reach: at the end of the period)."""

    period: Period
    campaign: Campaign | None
    months: list[datetime.date]
    series: dict[str, list[int]]
    totals: dict[str, int]
    awareness_days: dict[datetime.date, list[AwarenessDay]]
    trained_by_sector: list[Row]
    categories: list[tuple[int, str]]
    screenings_table: list[list[int]]  # months x categories
    has_moment: bool

    @property
    def screenings_by_category(self) -> list[int]:
        return [sum(column) for column in zip(*self.screenings_table, strict=True)]

    @property
    def empty(self) -> bool:
        return not any(any(values) for values in self.series.values())


def dashboard_figures(period: Period, campaign: Campaign | None = None) -> Figures:
    months = month_starts(period)
    series = {
        SUPPORTERS: _series(_by_month(supporters_signed_up(period, campaign), "created_at", Count("pk")), months),
        REACH: reach_at_month_ends(period, campaign),
        PLEDGES: _series(_by_month(pledges_approved(period, campaign), "created_at", Count("pk")), months),
        DELIVERIES: _series(_by_month(deliveries_sent(period, campaign), "sent_at", Count("pk")), months),
        UNSUBSCRIBES: _series(
            _by_month(unsubscribes_first(period, campaign), "created_at", Count("email", distinct=True)), months
        ),
        # Every month of the period in order, as month_starts gives them.
        TRAINED: [row.value for row in trained_by_month(period)],
    }
    categories, screenings_table = screenings_by_month_and_category(period, months)
    series[SCREENINGS] = [sum(row) for row in screenings_table]
    totals = {key: sum(values) for key, values in series.items()}
    totals[REACH] = series[REACH][-1]
    return Figures(
        period=period,
        campaign=campaign,
        months=months,
        series=series,
        totals=totals,
        awareness_days=awareness_days(period, campaign),
        trained_by_sector=trained_by_sector(period),
        categories=categories,
        screenings_table=screenings_table,
        has_moment=moments_in_scope(campaign).exists(),
    )


# --- Screening counts as a reader may see them -----------------------------------------


@dataclass(frozen=True)
class ScreeningCounts:
    """Screening counts as text ("12", "<5", "[c]") and as numbers where shown (None where hidden)."""

    exact: bool
    by_month: list[str]
    by_month_values: list[int | None]
    by_category: list[str]
    by_category_values: list[int | None]
    total: str
    threshold: int | None = None

    @property
    def any_hidden(self) -> bool:
        return None in self.by_month_values or None in self.by_category_values or not self.total.isdigit()


def screening_counts(figures: Figures, *, exact: bool) -> ScreeningCounts:
    """Exact counts for the hub; for anyone else the months x categories table goes
    through disclosure control linked to its category totals, and only its month
    totals, the category totals and the grand total are shown."""
    by_category = figures.screenings_by_category
    if exact:
        by_month = figures.series[SCREENINGS]
        return ScreeningCounts(
            exact=True,
            by_month=[str(n) for n in by_month],
            by_month_values=list(by_month),
            by_category=[str(n) for n in by_category],
            by_category_values=list(by_category),
            total=str(sum(by_category)),
        )
    margins, (table,) = disclosure.suppress_linked(by_category, [figures.screenings_table])
    if len(figures.categories) > 1:
        month_positions = [disclosure.row_total(i) for i in range(len(figures.months))]
    else:  # one column: the month counts are the cells
        month_positions = [disclosure.cell(i, 0) for i in range(len(figures.months))]
    category_positions = [disclosure.cell(0, j) for j in range(len(figures.categories))]
    return ScreeningCounts(
        exact=False,
        by_month=[table.shown(position) for position in month_positions],
        by_month_values=[table.value(position) for position in month_positions],
        by_category=[margins.shown(position) for position in category_positions],
        by_category_values=[margins.value(position) for position in category_positions],
        total=margins.shown(disclosure.GRAND),
        threshold=margins.threshold,
    )


def exact_screenings_for(user) -> bool:
    return user.has_perm(PERM_EXACT_SCREENINGS)


# --- The month table ------------------------------------------------------------------


def month_label(month: datetime.date) -> str:
    return f"{month:%B %Y}"


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date
    label: str
    awareness_days: list[AwarenessDay]
    values: list[int | str]  # one per measure, in MEASURES order; screenings as text


def month_table(figures: Figures, screenings: ScreeningCounts) -> tuple[list[MonthRow], list[int | str]]:
    """One row per month with every measure side by side, and the whole period's row."""
    keys = [key for key in MEASURES if key != SCREENINGS]
    rows = [
        MonthRow(
            month=month,
            label=month_label(month),
            awareness_days=figures.awareness_days.get(month, []),
            values=[*(figures.series[key][index] for key in keys), screenings.by_month[index]],
        )
        for index, month in enumerate(figures.months)
    ]
    totals = [*(figures.totals[key] for key in keys), screenings.total]
    return rows, totals


CSV_HEADER = ["Month", "Awareness days", *MEASURES.values()]
WHOLE_PERIOD = "Whole period"


def write_csv(out: IO[str], figures: Figures, screenings: ScreeningCounts) -> None:
    """The month table as CSV, the whole period last (reach: at the end of the period)."""
    rows, totals = month_table(figures, screenings)
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        days = "; ".join(str(day) for day in row.awareness_days)
        writer.writerow([row.label, csv_cell(days), *(csv_cell(value) for value in row.values)])
    writer.writerow([WHOLE_PERIOD, "", *(csv_cell(value) for value in totals)])
