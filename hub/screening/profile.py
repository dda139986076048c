"""The profile of children at risk: counts of children screened, for the hub and analysts.

Children, not screenings: a child screened three times in the period counts
once, at the standing category of their latest screening in the period, with
that screening's age, gender, ethnicity, area, setting and looked-after status.
Area filters apply to that latest screening. New screenings by month count
screenings; category changes by month count changes (raised by a
practitioner, or lowered with the hub's approval).

Every figure is counted by the database (GROUP BY and conditional COUNTs, a
fixed number of queries whatever the number of screenings), all in one
consistent snapshot, so the tables add up to one another. Nothing here reads
an identifying field.

Hub officers see exact counts; everyone else (analysts) sees them through
hub.reports.disclosure: the tables of children are protected together, as they
share the category totals and the number of children.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Substr
from django.utils import timezone

from hub.reports import disclosure
from hub.reports.disclosure import GRAND, Published, cell, col_total, row_total
from hub.screening.definition import CATEGORIES, Definition
from hub.screening.models import CategoryChange, Ethnicity, Gender, Screening, SettingType, ToolVersion
from hub.screening.selectors import PERM_VIEW_ALL, tool_definition, tool_version_current

PERM_VIEW_PROFILE = "screening.view_profile"
LOCAL_TZ = ZoneInfo("Europe/London")
EARLIEST = datetime.date(2000, 1, 1)
LONGEST_YEARS = 10
NOT_RECORDED = "Not recorded"
YES = ("yes_current", "yes_past")
YES_BITS = 63  # bits of Screening.yes_bits (a signed 64-bit integer)

# A postcode district (BN11, RH10, EC1A) or the letters of an area (BN: every BN district).
AREA_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
AREA_LETTERS = re.compile(r"^[A-Z]{1,2}$")


def area_normalise(text: str) -> str:
    return "".join((text or "").split()).upper()


def area_valid(area: str) -> bool:
    return not area or bool(AREA_DISTRICT.match(area) or AREA_LETTERS.match(area))


def profile_exact_allowed(user) -> bool:
    """Only the hub sees exact counts; an analyst's are always suppressed."""
    return user.has_perm(PERM_VIEW_ALL)


@dataclass(frozen=True)
class ProfileFilters:
    """From `start` to `end` (local dates, both included), optionally one area."""

    start: datetime.date
    end: datetime.date
    area: str = ""

    @classmethod
    def default(cls, today: datetime.date | None = None) -> ProfileFilters:
        """The last twelve months: from the first of the month eleven months ago to today."""
        today = today or timezone.localdate()
        month = today.month - 11
        year = today.year + (month - 1) // 12
        return cls(datetime.date(year, (month - 1) % 12 + 1, 1), today)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Local midnight at the start, and local midnight after the last day (excluded)."""
        after = self.end + datetime.timedelta(days=1)
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=LOCAL_TZ),
            datetime.datetime.combine(after, datetime.time.min, tzinfo=LOCAL_TZ),
        )

    def months(self) -> list[datetime.date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    def as_detail(self) -> dict:
        """For the audit log and file names: dates and the area, nothing personal."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "area": self.area}

    def describe(self) -> str:
        text = f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        if self.area:
            text += f", {'area' if AREA_LETTERS.match(self.area) else 'postcode district'} {self.area}"
        return text


def filters_problems(start, end, area: str, *, today: datetime.date | None = None) -> dict[str, str]:
    """What is wrong with a choice of filters, by field ("from", "to", "area")."""
    today = today or timezone.localdate()
    problems = {}
    if start is not None:
        if start > today:
            problems["from"] = "The start date must be today or in the past"
        elif start < EARLIEST:
            problems["from"] = f"The start date must be {EARLIEST:%-d %B %Y} or later"
    if end is not None and end < EARLIEST:
        problems["to"] = f"The end date must be {EARLIEST:%-d %B %Y} or later"
    if start is not None and end is not None and "from" not in problems and "to" not in problems:
        if end < start:
            problems["to"] = "The end date must be the same as or after the start date"
        elif (end - start).days > 366 * LONGEST_YEARS:
            problems["to"] = f"The period must be {LONGEST_YEARS} years or shorter"
    if not area_valid(area):
        problems["area"] = "Enter a postcode district, like BN11, or the letters of an area, like BN"
    return problems


def filters_make(start, end, area: str = "", *, today: datetime.date | None = None) -> ProfileFilters:
    """Filters from choices already checked with filters_problems (a missing date takes its default)."""
    today = today or timezone.localdate()
    if end is None:
        end = max(today, start) if start else today
    if start is None:
        start = ProfileFilters.default(end).start
    return ProfileFilters(start, end, area_normalise(area))


# --- Counting -----------------------------------------------------------------------


@contextmanager
def _snapshot() -> Iterator[None]:
    """Every query sees the same data, so the tables add up to one another (a
    screening submitted halfway through must not appear in one table and not the
    next: the difference would single the child out)."""
    if connection.in_atomic_block:
        yield  # the caller's transaction decides (tests run inside one)
        return
    if connection.vendor == "sqlite":
        # A plain BEGIN: in WAL mode a read transaction keeps one snapshot from its first
        # query and takes no lock, where atomic() here begins IMMEDIATE (the write lock,
        # settings.DATABASES) and would hold every writer back while the profile counts.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")  # nothing was written: this only ends the snapshot
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _in_area(screenings: QuerySet[Screening], area: str, prefix: str = "") -> QuerySet[Screening]:
    if not area:
        return screenings
    field_name = f"{prefix}postcode_district"
    if AREA_LETTERS.match(area):
        # "BN" is BN1 to BN99 but not B1 or BNX: the letters, then a digit.
        return screenings.alias(_after=Substr(field_name, len(area) + 1, 1)).filter(
            **{f"{field_name}__startswith": area, "_after__in": list("0123456789")}
        )
    return screenings.filter(**{field_name: area})


def answers_yes_bits(definition: Definition, answers: dict) -> int:
    """Bit i set when indicator i of `definition` was answered yes (now or in the past)."""
    bits = 0
    for position, indicator in enumerate(definition.indicators[:YES_BITS]):
        if answers.get(indicator.id) in YES:
            bits |= 1 << position
    return bits


def _submitted_in(filters: ProfileFilters) -> QuerySet[Screening]:
    """Screenings submitted in the period. (`is_latest` IN (true, false) looks
    redundant: it lets SQLite seek the profile index, which starts with it.)"""
    start, end = filters.bounds()
    return Screening.objects.filter(
        is_latest__in=[True, False], submitted_at__gte=start, submitted_at__lt=end
    ).order_by()


def children_screened(filters: ProfileFilters, *, now: datetime.datetime | None = None) -> QuerySet[Screening]:
    """Each child's latest submitted (or closed) screening in the period, in the area.

    When the period runs to now, that is the child's latest screening of all
    (is_latest, read from the profile index); for a period in the past, a
    screening counts unless the child has a later one within the period."""
    now = now or timezone.now()
    start, end = filters.bounds()
    if end > now:
        # IN (true) rather than = true: SQLite then seeks the index instead of scanning.
        screenings = Screening.objects.filter(is_latest__in=[True], submitted_at__gte=start)
        # No upper bound: nothing is submitted after now. With one, SQLite takes the range of
        # the profile index and sorts every child to group them (half the time of the page at
        # 100,000 children); without, it reads the two tables of children already in group
        # order from screening_profile_who_idx and screening_profile_where_idx.
        if end <= timezone.now():  # a `now` in the past, given
            screenings = screenings.filter(submitted_at__lt=end)
    else:
        later = Screening.objects.filter(child_id=OuterRef("child_id"), submitted_at__lt=end).filter(
            Q(submitted_at__gt=OuterRef("submitted_at"))
            | Q(submitted_at=OuterRef("submitted_at"), pk__gt=OuterRef("pk"))
        )
        screenings = _submitted_in(filters).filter(~Exists(later))
    return _in_area(screenings.order_by(), filters.area)


AGE_BANDS = (("under_10", "Under 10"), ("10_12", "10 to 12"), ("13_15", "13 to 15"), ("16_17", "16 to 17"))


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    if age < 10:
        return "under_10"
    if age <= 12:
        return "10_12"
    if age <= 15:
        return "13_15"
    return "16_17" if age <= 17 else "18_over"


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    heading: str
    field: str
    # (value, label) in the order shown; every one is shown, with zeros. Values met
    # that are not listed (blank: not recorded) get rows of their own after them.
    choices: tuple[tuple[object, str], ...]


DIMENSIONS = (
    Dimension("age", "Children by age band and category", "Age at screening", "age_at_screening", AGE_BANDS),
    Dimension("gender", "Children by gender and category", "Gender", "gender", tuple(Gender.choices)),
    Dimension("ethnicity", "Children by ethnicity and category", "Ethnicity", "ethnicity", tuple(Ethnicity.choices)),
    # Areas: only the postcode districts that have children.
    Dimension("area", "Children by area and category", "Postcode district", "postcode_district", ()),
    Dimension(
        "setting",
        "Children by type of setting and category",
        "School or setting",
        "setting_type",
        tuple(SettingType.choices),
    ),
    Dimension(
        "looked_after",
        "Children by looked-after status and category",
        "Looked after",
        "looked_after",
        ((True, "Looked after"), (False, "Not looked after")),
    ),
)
EXTRA_LABELS = {"18_over": "18 or over"}
# Dimensions counted together, one query each: the groups (bounded by the numbers of
# values, however many children) are then added up per dimension here.
QUERIES = (("gender", "ethnicity", "age"), ("setting", "looked_after", "area"))


@dataclass
class Counts:
    """The exact counts of one profile, straight from the database. Never shown to an analyst as such."""

    categories: list[int]
    crosstabs: dict[str, tuple[list[str], list[list[int]]]]
    indicators: tuple[list[str], list[str], list[int]]  # ids, wording, children with each
    screenings_by_month: tuple[list[str], list[int]]
    changes_by_month: tuple[list[str], list[list[int]]]  # per month: raised, lowered


# yes_bits summed up to three bits at a time: with a stride of s bits, (yes_bits >> k) & mask
# holds bits k, k + s and k + 2s in fields of s bits, so one SUM counts up to three
# indicators (a third of the aggregates a row, which are most of the query's time). A field
# cannot carry into the next while fewer than 2**s rows are summed, and three fields of at
# most 21 bits cannot overflow a signed 64-bit integer: (2**s - 1) * mask = 2**(3s) - 1.
PACK_FIELDS = 3
PACK_MAX_STRIDE = 21


def _bit_sums(by_version: dict[int, list[str]], *, rows: int) -> tuple[int, int, dict]:
    """The aggregates counting each bit of yes_bits over at most `rows` rows:
    (bits counted, stride, {name: Sum}); a stride of 0: one bit a Sum. Read with _bit_counts."""
    width = min(max((len(ids) for ids in by_version.values()), default=0), YES_BITS)
    # Room for twice `rows`, should rows be added between the queries (outside a snapshot).
    stride = max(rows.bit_length() + 1, -(-width // PACK_FIELDS))
    sums = {}
    if stride <= PACK_MAX_STRIDE:
        for shift in range(min(width, stride)):
            mask = sum(1 << field * stride for field in range(PACK_FIELDS) if shift + field * stride < width)
            sums[f"p{shift}"] = Sum(F("yes_bits").bitrightshift(shift).bitand(mask))
        return width, stride, sums
    for bit in range(width):
        # Summing the bit's value is one operation a row; past bit 40 a sum could overflow, so shift.
        term = F("yes_bits").bitand(1 << bit) if bit < 40 else F("yes_bits").bitrightshift(bit).bitand(1)
        sums[f"b{bit}"] = Sum(term)
    return width, 0, sums


def _bit_counts(group: dict, width: int, stride: int) -> list[int]:
    """The number of rows with each bit of yes_bits set, from the sums of _bit_sums."""
    if stride:
        field = (1 << stride) - 1
        return [int(group[f"p{bit % stride}"] or 0) >> (bit // stride * stride) & field for bit in range(width)]
    return [int(group[f"b{bit}"] or 0) >> bit if bit < 40 else int(group[f"b{bit}"] or 0) for bit in range(width)]


def _children_counts(
    children: QuerySet[Screening],
    indicators: list[tuple[str, str]],
    by_version: dict[int, list[str]],
    *,
    end: datetime.datetime,
) -> tuple[dict[str, tuple[list[str], list[list[int]]]], list[int]]:
    """The tables of children by each dimension and category, and the children with
    each indicator (at their latest screening: yes now or in the past): three grouped
    queries. `end`: the end of the period (children_screened may leave it out)."""
    by_key = {dimension.key: dimension for dimension in DIMENSIONS}
    found: dict[str, dict[object, list[int]]] = {key: {} for key in by_key}
    counted = 0  # children (every group of one query, whatever its category)
    for number, keys in enumerate(QUERIES):
        fields = [by_key[key].field for key in keys]
        # COUNT(*), not COUNT(id): PostgreSQL can then answer from the profile index alone.
        for group in children.values("category", *fields).annotate(n=Count("*")).order_by():
            counted += group["n"] if number == 0 else 0
            if group["category"] not in CATEGORIES:
                continue
            column = CATEGORIES.index(group["category"])
            for key, field_name in zip(keys, fields, strict=True):
                value = age_band(group[field_name]) if key == "age" else group[field_name]
                found[key].setdefault(value, [0] * len(CATEGORIES))[column] += group["n"]
    # The indicators: a third query, summing the bits of yes_bits per tool version, up to three
    # a SUM (_bit_sums). (Adding the sums to the first query saves a pass but costs more in
    # Python over its groups: measured.)
    width, stride, sums = _bit_sums(by_version, rows=counted)
    prevalence: dict[str, int] = dict.fromkeys((indicator_id for indicator_id, _ in indicators), 0)
    if sums:
        # Bounded by the end of the period even when it runs to now: without, SQLite would read
        # the rows in the order of the tool version's index (no sort to group them), one by one.
        bounded = children.filter(submitted_at__lt=end)
        for group in bounded.values("tool_version_id").annotate(**sums).order_by():
            ids = by_version.get(group["tool_version_id"], [])[:width]
            for indicator_id, count in zip(ids, _bit_counts(group, width, stride), strict=False):
                prevalence[indicator_id] += count
    _prevalence_beyond_bits(children, by_version, prevalence)
    crosstabs = {}
    for dimension in DIMENSIONS:
        rows_found = found[dimension.key]
        labels, rows = [], []
        for value, label in dimension.choices:
            labels.append(label)
            rows.append(rows_found.pop(value, [0] * len(CATEGORIES)))
        for value in sorted(rows_found, key=lambda v: (v in ("", None), str(v))):
            labels.append(NOT_RECORDED if value in ("", None) else EXTRA_LABELS.get(value, str(value)))
            rows.append(rows_found[value])
        crosstabs[dimension.key] = (labels, rows)
    return crosstabs, [prevalence[indicator_id] for indicator_id, _ in indicators]


def indicators_known() -> tuple[list[tuple[str, str]], dict[int, list[str]]]:
    """(id, wording) of every indicator, the current tool's in its order, then any
    only in older versions (their screenings still count); and each version's
    indicator ids in order (bit i of yes_bits is the i-th)."""
    seen: dict[str, str] = {}
    by_version: dict[int, list[str]] = {}
    for version in ToolVersion.objects.order_by("-is_current", "-loaded_at", "-pk"):
        definition = tool_definition(version)
        by_version[version.pk] = [indicator.id for indicator in definition.indicators]
        for indicator in definition.indicators:
            seen.setdefault(indicator.id, indicator.wording)
    return list(seen.items()), by_version


def _prevalence_beyond_bits(
    children: QuerySet[Screening], by_version: dict[int, list[str]], prevalence: dict[str, int]
) -> None:
    """Versions with more indicators than yes_bits holds (none so far): the rest straight from the answers."""
    for version_pk, ids in by_version.items():
        if len(ids) > YES_BITS:
            extra = ids[YES_BITS:]
            found = children.filter(tool_version_id=version_pk).aggregate(
                **{f"x{n}": Count("pk", filter=Q(**{f"answers__{i}__in": YES})) for n, i in enumerate(extra)}
            )
            for n, indicator_id in enumerate(extra):
                prevalence[indicator_id] += found[f"x{n}"] or 0


def _month_bounds(filters: ProfileFilters) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Each month of the period, from local midnight at its start (the period's start
    for the first) to local midnight at its end (the period's end for the last): the
    database compares instants and needs no time-zone functions."""
    start, end = filters.bounds()
    starts = [start] + [datetime.datetime.combine(m, datetime.time.min, tzinfo=LOCAL_TZ) for m in filters.months()[1:]]
    return list(zip(starts, [*starts[1:], end], strict=True))


def _by_month(
    queryset: QuerySet, field_name: str, bounds: list[tuple[datetime.datetime, datetime.datetime]], *group: str
) -> dict:
    """{(group values..., month number): count}, in one query: each month counted over
    its own range of `field_name` (read from an index), the months joined with UNION ALL.
    `queryset` must not limit `field_name` itself: the database would then range over
    the whole period for every month. (A CASE giving every row its month, then
    grouping, compared each row with the month edges and sorted them all: on SQLite
    several times as long, and longer the longer the period.)"""
    parts = []
    for number, (low, high) in enumerate(bounds):
        in_month = queryset.filter(**{f"{field_name}__gte": low, f"{field_name}__lt": high})
        # Without `group` there is no GROUP BY: one row a month, zero or not.
        parts.append(
            in_month.values(*group).annotate(_month=Value(number), n=Count("*")).order_by()
            if group
            else in_month.annotate(_month=Value(number)).values("_month").annotate(n=Count("*")).order_by()
        )
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {(*(row[g] for g in group), row["_month"]): row["n"] for row in rows}


def profile_counts(filters: ProfileFilters, *, now: datetime.datetime | None = None) -> Counts:
    """Every count of the profile, exact, in one snapshot: three grouped queries of
    children, one of screenings and one of category changes, whatever the number of rows."""
    indicators, by_version = indicators_known()
    bounds = _month_bounds(filters)
    months = len(bounds)
    with _snapshot():
        children = children_screened(filters, now=now)
        crosstabs, prevalence = _children_counts(children, indicators, by_version, end=bounds[-1][1])
        # Submitted screenings (`is_latest` IN (true, false): see _submitted_in), by month.
        submitted = Screening.objects.filter(is_latest__in=[True, False]).order_by()
        screenings = _by_month(_in_area(submitted, filters.area), "submitted_at", bounds)
        changes = _by_month(
            _in_area(
                CategoryChange.objects.filter(
                    kind__in=[CategoryChange.Kind.RAISED, CategoryChange.Kind.LOWER_APPROVED]
                ).order_by(),
                filters.area,
                prefix="screening__",
            ),
            "created_at",
            bounds,
            "kind",
        )
    # The category totals are the column totals of any table of children (all agree: one snapshot).
    categories = [sum(column) for column in zip(*crosstabs["gender"][1], strict=True)]
    month_labels = [f"{month:%B %Y}" for month in filters.months()]
    return Counts(
        categories=categories,
        crosstabs=crosstabs,
        indicators=([i for i, _ in indicators], [w for _, w in indicators], prevalence),
        screenings_by_month=(month_labels, [screenings.get((m,), 0) for m in range(months)]),
        changes_by_month=(
            month_labels,
            [
                [
                    changes.get((CategoryChange.Kind.RAISED, m), 0),
                    changes.get((CategoryChange.Kind.LOWER_APPROVED, m), 0),
                ]
                for m in range(months)
            ],
        ),
    )


# --- Tables as shown ---------------------------------------------------------------------


class ChartValue:
    """A bar of the bar chart include: its length (float) and the figure written
    beside it (str): a hidden count is a bar of nothing labelled "<5" or "[c]"."""

    def __init__(self, length: int, text: str) -> None:
        self.length = length
        self.text = text

    def __float__(self) -> float:
        return float(self.length)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Row:
    label: str
    figures: list[str]
    total: str | None


@dataclass(frozen=True)
class ProfileTable:
    key: str
    title: str
    heading: str  # what the rows are
    columns: list[str]  # what the columns count
    labels: list[str]
    figures: Published
    unit: str  # "children", "screenings", "changes"
    note: str = ""
    empty_text: str = ""

    @property
    def has_row_totals(self) -> bool:
        return self.figures.row_totals is not None

    @property
    def has_totals(self) -> bool:
        return self.figures.has_grand_total

    @property
    def is_empty(self) -> bool:
        """Nothing counted (exact zero: even an analyst may know a table is empty)."""
        return not self.labels or (
            self.figures.grand_total == 0
            if self.has_totals
            else all(value == 0 for row in self.figures.cells for value in row)
        )

    def rows(self) -> list[Row]:
        figures = self.figures
        return [
            Row(
                label=label,
                figures=[figures.shown(cell(i, j)) for j in range(len(self.columns))],
                total=figures.shown(row_total(i)) if self.has_row_totals else None,
            )
            for i, label in enumerate(self.labels)
        ]

    def total_row(self) -> Row | None:
        """The totals: per column and overall (a one-column table: its total)."""
        figures = self.figures
        if not figures.has_grand_total:
            return None
        if figures.col_totals is not None:
            return Row("Total", [figures.shown(col_total(j)) for j in range(len(self.columns))], figures.shown(GRAND))
        return Row("Total", [figures.shown(GRAND)], None)

    def chart_rows(self) -> list[tuple[str, ChartValue]]:
        """(label, bar) per row: the row's total (or its one count)."""
        figures = self.figures
        chart = []
        for i, label in enumerate(self.labels):
            position = row_total(i) if self.has_row_totals else cell(i, 0)
            chart.append((label, ChartValue(figures.value(position) or 0, figures.shown(position))))
        return chart

    @property
    def chart_max(self) -> int:
        return max((float(bar) for _, bar in self.chart_rows()), default=0) or 1

    def csv_rows(self) -> list[list[str]]:
        header = [self.heading, *self.columns] + (["Total"] if self.has_row_totals else [])
        lines = [header]
        for row in self.rows():
            lines.append([row.label, *row.figures] + ([row.total] if row.total is not None else []))
        total = self.total_row()
        if total is not None:
            lines.append([total.label, *total.figures] + ([total.total] if total.total is not None else []))
        return lines


@dataclass(frozen=True)
class Profile:
    filters: ProfileFilters
    exact: bool
    threshold: int | None
    category_labels: list[str]
    tables: list[ProfileTable] = field(default_factory=list)

    def table(self, key: str) -> ProfileTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    @property
    def children(self) -> str:
        """The number of children, as shown ("[c]" in the rare tables that hide it)."""
        return self.table("category").figures.shown(GRAND)

    @property
    def is_empty(self) -> bool:
        return self.table("category").is_empty

    @property
    def suppressed(self) -> bool:
        return any(table.figures.marks for table in self.tables)


TABLE_KEYS = (
    "category",
    *(dimension.key for dimension in DIMENSIONS),
    "indicators",
    "screenings_by_month",
    "changes_by_month",
)


def category_labels() -> list[str]:
    version = tool_version_current()
    if version is None:
        return [f"Category {category}" for category in CATEGORIES]
    definition = tool_definition(version)
    return [f"Category {category}: {definition.category_rule(category).label}" for category in CATEGORIES]


def _no_rows(width: int) -> Published:
    return Published(
        cells=(), row_totals=(), col_totals=(0,) * width, grand_total=0, has_grand_total=True, threshold=None
    )


def profile_build(filters: ProfileFilters, *, exact: bool, threshold: int | None = None) -> Profile:
    """The profile's tables: exact for the hub, suppressed otherwise."""
    counts = profile_counts(filters)
    threshold = None if exact else (threshold or disclosure.threshold_default())
    labels = category_labels()
    short = [f"Category {category}" for category in CATEGORIES]
    dimension_rows = [counts.crosstabs[dimension.key] for dimension in DIMENSIONS]
    if exact:
        margins = disclosure.exact([counts.categories])
        linked = [disclosure.exact(rows) if rows else None for _, rows in dimension_rows]
    else:
        present = [rows for _, rows in dimension_rows if rows]
        margins, protected = disclosure.suppress_linked(counts.categories, present, threshold=threshold)
        protected_iter = iter(protected)
        linked = [next(protected_iter) if rows else None for _, rows in dimension_rows]
    empty_children = "No children were screened in this period and area."
    tables = [
        ProfileTable(
            "category",
            "Children by category",
            "Category",
            ["Children"],
            labels,
            disclosure.transposed(margins),
            "children",
            note="Each child once, at the standing category of their latest screening in the period.",
            empty_text=empty_children,
        )
    ]
    for dimension, (row_labels, _), figures in zip(DIMENSIONS, dimension_rows, linked, strict=True):
        if figures is None:  # no rows at all: areas when nobody was screened
            figures = _no_rows(len(CATEGORIES))
        tables.append(
            ProfileTable(
                dimension.key,
                dimension.title,
                dimension.heading,
                short,
                row_labels,
                figures,
                "children",
                empty_text=empty_children,
            )
        )
    ids, wording, prevalence = counts.indicators
    indicator_rows = [[count] for count in prevalence]
    if not indicator_rows:  # no tool loaded yet
        indicator_figures = Published(
            cells=(), row_totals=None, col_totals=None, grand_total=None, has_grand_total=False
        )
    elif exact:
        indicator_figures = disclosure.exact(indicator_rows, totals=False)
    else:
        indicator_figures = disclosure.suppress(indicator_rows, threshold=threshold, totals=False)
    tables.append(
        ProfileTable(
            "indicators",
            "Children with each indicator",
            "Indicator",
            ["Children"],
            wording,
            indicator_figures,
            "children",
            note="Children whose latest screening in the period answered yes (now or in the past) to the "
            "indicator. A child with several indicators counts in each, so the rows do not add up to the "
            "number of children.",
            empty_text=empty_children,
        )
    )
    month_labels, by_month = counts.screenings_by_month
    month_rows = [[count] for count in by_month]
    tables.append(
        ProfileTable(
            "screenings_by_month",
            "New screenings by month",
            "Month",
            ["Screenings"],
            month_labels,
            disclosure.exact(month_rows) if exact else disclosure.suppress(month_rows, threshold=threshold),
            "screenings",
            note="Screenings submitted each month, in the area: a child screened twice counts twice.",
            empty_text="No screenings were submitted in this period and area.",
        )
    )
    change_labels, change_rows = counts.changes_by_month
    tables.append(
        ProfileTable(
            "changes_by_month",
            "Category changes by month",
            "Month",
            ["Raised by a practitioner", "Lowered with the hub's approval"],
            change_labels,
            disclosure.exact(change_rows) if exact else disclosure.suppress(change_rows, threshold=threshold),
            "changes",
            note="Changes to the category of screenings in the area, by the month of the change.",
            empty_text="No categories were raised or lowered in this period and area.",
        )
    )
    return Profile(filters=filters, exact=exact, threshold=threshold, category_labels=labels, tables=tables)


def profile_json(profile: Profile) -> dict:
    """The profile for the API: each figure as a number (None when hidden) and as shown."""

    def figure(table: ProfileTable, position) -> dict:
        return {"value": table.figures.value(position), "shown": table.figures.shown(position)}

    tables = []
    for table in profile.tables:
        rows = []
        for i, label in enumerate(table.labels):
            rows.append(
                {
                    "label": label,
                    "counts": [figure(table, cell(i, j)) for j in range(len(table.columns))],
                    "total": figure(table, row_total(i)) if table.has_row_totals else None,
                }
            )
        figures = table.figures
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "row_heading": table.heading,
                "columns": table.columns,
                "unit": table.unit,
                "note": table.note,
                "withheld": figures.withheld,
                "rows": rows,
                "column_totals": [figure(table, col_total(j)) for j in range(len(table.columns))]
                if figures.col_totals is not None
                else None,
                "total": figure(table, GRAND) if figures.has_grand_total else None,
            }
        )
    threshold = profile.threshold
    return {
        "from": profile.filters.start,
        "to": profile.filters.end,
        "area": profile.filters.area,
        "exact": profile.exact,
        "threshold": threshold,
        "symbols": {}
        if profile.exact
        else {
            f"<{threshold}": f"A count from 1 to {threshold - 1}, hidden.",
            disclosure.SECONDARY_SYMBOL: "A count hidden so that a hidden small count cannot be worked out "
            f"from the totals ({threshold} or more).",
        },
        "tables": tables,
    }
