"""The profile's counts: children once at their latest category in the period,
period and area filters, age bands, prevalence of indicators, months, and the
suppressed tables an analyst gets."""

import datetime
import importlib
import threading
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.reports.disclosure import GRAND, PRIMARY, cell, col_total
from hub.reports.tests.oracle import problem_of, published_counts_safe, value_range
from hub.screening import profile as P
from hub.screening.models import Child, Screening
from hub.screening.selectors import tool_definition
from hub.screening.services import category_lower_decide, category_lower_request, category_raise
from hub.screening.tests.factories import submitted_make

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CATEGORY_1 = {"missing_episodes": "yes_current", "older_partner": "yes_current"}
CATEGORY_2 = {"sexual_health": "yes_current"}
CATEGORY_3 = {"disclosure": "yes_current"}


@pytest.fixture
def practitioner():
    return UserFactory(roles=[Role.PRACTITIONER])


def born(age: int) -> datetime.date:
    """A date of birth making the child `age` today (and for a while yet)."""
    return datetime.date(timezone.localdate().year - age, 1, 1)


def screen(actor, *, name="Jamie Example", age=14, answers=None, at=None, **details) -> Screening:
    screening = submitted_make(actor, answers=answers, child_name=name, date_of_birth=born(age), **details)
    if at is not None:
        Screening.objects.filter(pk=screening.pk).update(submitted_at=at)
        screening.refresh_from_db()
    return screening


def today_filters(**kwargs) -> P.ProfileFilters:
    today = timezone.localdate()
    return P.ProfileFilters(kwargs.pop("start", today - datetime.timedelta(days=30)), today, **kwargs)


def category_counts(filters) -> list[int]:
    return P.profile_counts(filters).categories


def row(counts: P.Counts, key: str, label: str) -> list[int]:
    labels, rows = counts.crosstabs[key]
    return rows[labels.index(label)]


# --- Children, once each ---------------------------------------------------------


def test_linked_screenings_count_once_at_their_latest_category(practitioner):
    now = timezone.now()
    first = screen(practitioner, name="Alex One", answers=CATEGORY_1, at=now - datetime.timedelta(days=10))
    latest = screen(practitioner, name="Alex One", answers=CATEGORY_3, at=now - datetime.timedelta(days=2))
    screen(practitioner, name="Sam Two", answers={})
    assert latest.child_id == first.child_id
    assert category_counts(today_filters()) == [1, 0, 0, 1]


def test_the_standing_category_counts_after_professional_judgement(practitioner, make_staff_client):
    raised = screen(practitioner, name="Raised Child", answers={})
    category_raise(screening=raised, actor=practitioner, category=2, rationale="Worrying disclosure to a friend.")
    lowered = screen(practitioner, name="Lowered Child", answers=CATEGORY_3)
    request = category_lower_request(screening=lowered, actor=practitioner, category=1, rationale="Retracted.")
    _, officer = make_staff_client(Role.HUB_OFFICER)
    category_lower_decide(change=request, actor=officer, approve=True, reason="Agreed at strategy meeting.")
    assert category_counts(today_filters()) == [0, 1, 1, 0]


def test_a_past_period_counts_the_latest_screening_within_it(practitioner):
    today = timezone.localdate()
    in_march = datetime.datetime(today.year - 1, 3, 10, 12, tzinfo=LONDON)
    in_may = datetime.datetime(today.year - 1, 5, 10, 12, tzinfo=LONDON)
    screen(practitioner, name="Kim Three", answers=CATEGORY_2, at=in_march)
    screen(practitioner, name="Kim Three", answers=CATEGORY_3, at=in_may)
    screen(practitioner, name="Kim Three", answers={})  # today: after both periods below
    spring = P.ProfileFilters(datetime.date(today.year - 1, 3, 1), datetime.date(today.year - 1, 4, 30))
    assert category_counts(spring) == [0, 0, 1, 0]  # March only: category 2
    year = P.ProfileFilters(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    assert category_counts(year) == [0, 0, 0, 1]  # the May one is the latest in that year
    assert category_counts(today_filters()) == [1, 0, 0, 0]  # and today's overall


def test_period_bounds_are_local_days(practitioner):
    today = timezone.localdate()
    day = datetime.date(today.year - 1, 6, 15)
    # 23:30 on 14 June in London: outside a period starting on the 15th; 00:10 on the 15th (23:10 UTC
    # on the 14th) inside.
    screen(practitioner, name="Before", at=datetime.datetime(day.year, 6, 14, 23, 30, tzinfo=LONDON))
    screen(practitioner, name="Inside", at=datetime.datetime.combine(day, datetime.time(0, 10), tzinfo=LONDON))
    assert category_counts(P.ProfileFilters(day, day)) == [1, 0, 0, 0]


def test_drafts_do_not_count(practitioner):
    from hub.screening.tests.factories import draft_make

    draft_make(practitioner, answers={})
    assert category_counts(today_filters()) == [0, 0, 0, 0]


# --- Filters ----------------------------------------------------------------------


def test_area_filters_by_district_or_by_its_letters(practitioner):
    screen(practitioner, name="A", postcode_district="BN1")
    screen(practitioner, name="B", postcode_district="BN11")
    screen(practitioner, name="C", postcode_district="B1")
    screen(practitioner, name="D", postcode_district="RH10", answers=CATEGORY_3)
    assert sum(category_counts(today_filters(area="BN"))) == 2
    assert sum(category_counts(today_filters(area="BN11"))) == 1
    assert sum(category_counts(today_filters(area="B"))) == 1
    assert category_counts(today_filters(area="RH")) == [0, 0, 0, 1]
    assert sum(category_counts(today_filters(area="SW"))) == 0
    labels, rows = P.profile_counts(today_filters()).crosstabs["area"]
    assert labels == ["B1", "BN1", "BN11", "RH10"] and rows[3] == [0, 0, 0, 1]


def test_the_area_of_a_child_is_that_of_their_latest_screening(practitioner):
    now = timezone.now()
    screen(practitioner, name="Moved", postcode_district="BN1", at=now - datetime.timedelta(days=5))
    screen(practitioner, name="Moved", postcode_district="BN2")
    assert sum(category_counts(today_filters(area="BN1"))) == 0
    assert sum(category_counts(today_filters(area="BN2"))) == 1


def test_filters_problems():
    today = timezone.localdate()
    assert P.filters_problems(today, today, "") == {}
    assert "to" in P.filters_problems(today, today - datetime.timedelta(days=1), "")
    assert "from" in P.filters_problems(today + datetime.timedelta(days=1), None, "")
    assert "from" in P.filters_problems(datetime.date(1999, 12, 31), today, "")
    assert "to" in P.filters_problems(datetime.date(2000, 1, 1), datetime.date(2020, 1, 1), "")  # over 10 years
    for good in ("BN", "BN11", "EC1A", "W1", "b n 1"):
        assert P.filters_problems(None, None, P.area_normalise(good)) == {}, good
    for bad in ("BN1 1AA", "123", "B%", "BNX1"):
        assert "area" in P.filters_problems(None, None, P.area_normalise(bad)), bad


def test_filters_defaults():
    today = datetime.date(2026, 3, 18)
    assert P.ProfileFilters.default(today) == P.ProfileFilters(datetime.date(2025, 4, 1), today)
    assert P.filters_make(None, None, today=today) == P.ProfileFilters(datetime.date(2025, 4, 1), today)
    assert P.filters_make(datetime.date(2026, 1, 5), None, " bn1 ", today=today) == P.ProfileFilters(
        datetime.date(2026, 1, 5), today, "BN1"
    )
    assert len(P.ProfileFilters.default(today).months()) == 12


# --- What is counted ------------------------------------------------------------------


def test_age_bands(practitioner):
    for number, age in enumerate((6, 9, 10, 12, 13, 15, 16, 17)):
        screen(practitioner, name=f"Child {number}", age=age)
    counts = P.profile_counts(today_filters())
    assert [sum(row(counts, "age", label)) for label in ("Under 10", "10 to 12", "13 to 15", "16 to 17")] == [
        2,
        2,
        2,
        2,
    ]


def test_gender_ethnicity_setting_and_looked_after(practitioner):
    screen(practitioner, name="One", gender="boy", ethnicity="black", setting_type="college", looked_after=True)
    screen(practitioner, name="Two", gender="girl", ethnicity="white", setting_type="college", answers=CATEGORY_3)
    counts = P.profile_counts(today_filters())
    assert row(counts, "gender", "Boy") == [1, 0, 0, 0]
    assert row(counts, "gender", "Girl") == [0, 0, 0, 1]
    assert row(counts, "gender", "Non-binary or other") == [0, 0, 0, 0]
    assert row(counts, "ethnicity", "Black, Black British, Caribbean or African") == [1, 0, 0, 0]
    assert row(counts, "setting", "College or sixth form") == [1, 0, 0, 1]
    assert row(counts, "looked_after", "Looked after") == [1, 0, 0, 0]
    assert row(counts, "looked_after", "Not looked after") == [0, 0, 0, 1]
    # Every table of children adds up to the same category totals.
    for _, rows in counts.crosstabs.values():
        assert [sum(column) for column in zip(*rows, strict=True)] == counts.categories == [1, 0, 0, 1]


def test_prevalence_of_indicators_at_the_latest_screening(practitioner):
    now = timezone.now()
    screen(practitioner, name="Pat", answers={"disclosure": "yes_past"}, at=now - datetime.timedelta(days=3))
    screen(practitioner, name="Pat", answers={"missing_episodes": "yes_current"})  # the latest: no disclosure
    screen(practitioner, name="Lee", answers={"missing_episodes": "yes_past", "older_partner": "not_known"})
    ids, wording, prevalence = P.profile_counts(today_filters()).indicators
    found = dict(zip(ids, prevalence, strict=True))
    assert found["missing_episodes"] == 2
    assert found["disclosure"] == 0
    assert found["older_partner"] == 0
    assert sum(prevalence) == 2
    assert len(ids) == len(wording) == 37 and wording[0].startswith("Has gone missing")


def test_prevalence_is_the_same_counted_three_bits_a_sum_or_one(practitioner, monkeypatch):
    """Up to three indicators are counted by one SUM (fields of yes_bits as wide as twice
    the number of children needs); past 2**20 children, one SUM an indicator."""
    for number, answers in enumerate(
        [CATEGORY_1, CATEGORY_2, CATEGORY_3, {"disclosure": "yes_past", "missing_episodes": "yes_past"}, {}]
    ):
        screen(practitioner, name=f"Bits {number}", answers=answers)
    packed = P.profile_counts(today_filters()).indicators
    _, by_version = P.indicators_known()
    width, stride, sums = P._bit_sums(by_version, rows=5)
    assert stride == 13 and len(sums) == 13 and width == 37  # 37 indicators: three fields of 13 bits
    assert P._bit_sums(by_version, rows=100_000)[1] == 18  # 200,000 children need fields of 18 bits
    one_bit = P._bit_sums
    monkeypatch.setattr(P, "_bit_sums", lambda by_version, rows: one_bit(by_version, rows=1 << 20))
    assert P._bit_sums(by_version, rows=5)[1] == 0
    assert P.profile_counts(today_filters()).indicators == packed
    found = dict(zip(packed[0], packed[2], strict=True))
    assert (found["missing_episodes"], found["disclosure"], found["sexual_health"]) == (2, 2, 1)


def test_yes_bits_are_set_on_submission_and_filled_in_by_the_migration(practitioner):
    screening = screen(practitioner, answers={"missing_episodes": "yes_past", "older_partner": "yes_current"})
    ids = [indicator.id for indicator in tool_definition(screening.tool_version).indicators]
    expected = (1 << ids.index("missing_episodes")) | (1 << ids.index("older_partner"))
    assert screening.yes_bits == expected == 0b1001  # the 1st and 4th indicators of the tool
    Screening.objects.update(yes_bits=0)
    migration = importlib.import_module("hub.screening.migrations.0006_profile_counts")
    migration.yes_bits_fill(apps, None)
    screening.refresh_from_db()
    assert screening.yes_bits == expected


def test_screenings_and_category_changes_by_month(practitioner, make_staff_client):
    today = timezone.localdate()
    year = today.year - 1
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): April.
    screen(practitioner, name="Late", at=datetime.datetime(year, 3, 31, 23, 30, tzinfo=datetime.UTC))
    screen(practitioner, name="Early", at=datetime.datetime(year, 3, 2, 9, tzinfo=LONDON))
    screen(practitioner, name="Early", answers=CATEGORY_3, at=datetime.datetime(year, 3, 20, 9, tzinfo=LONDON))
    filters = P.ProfileFilters(datetime.date(year, 3, 1), datetime.date(year, 4, 30))
    counts = P.profile_counts(filters)
    assert counts.screenings_by_month == ([f"March {year}", f"April {year}"], [2, 1])
    # Changes made today fall outside; made in the period, they count by their month.
    low = screen(practitioner, name="Changes", answers=CATEGORY_2)
    category_raise(screening=low, actor=practitioner, category=3, rationale="Judgement.")
    request = category_lower_request(screening=low, actor=practitioner, category=1, rationale="Retracted.")
    _, officer = make_staff_client(Role.HUB_OFFICER)
    category_lower_decide(change=request, actor=officer, approve=True, reason="Agreed.")
    request = category_lower_request(screening=low, actor=practitioner, category=0, rationale="Again.")
    category_lower_decide(change=request, actor=officer, approve=False, reason="No.")
    month = today.replace(day=1)
    counts = P.profile_counts(P.ProfileFilters(month, today))
    assert counts.changes_by_month == ([f"{month:%B %Y}"], [[1, 1]])  # refused and requested do not count


def test_months_of_an_empty_period_are_zeros():
    filters = P.ProfileFilters(datetime.date(2024, 11, 5), datetime.date(2025, 2, 3))
    counts = P.profile_counts(filters)
    assert counts.screenings_by_month == (["November 2024", "December 2024", "January 2025", "February 2025"], [0] * 4)
    assert counts.categories == [0, 0, 0, 0]


def test_a_fixed_number_of_queries_whatever_the_data(practitioner):
    for number in range(6):
        screen(practitioner, name=f"Many {number}", answers=CATEGORY_1 if number % 2 else {})
    with CaptureQueriesContext(connection) as captured:
        P.profile_counts(today_filters())
    few = len(captured)
    for number in range(6, 12):
        screen(practitioner, name=f"Many {number}", postcode_district=f"BN{number}")
    with CaptureQueriesContext(connection) as captured:
        P.profile_counts(today_filters())
    assert len(captured) == few <= 7


# --- As an analyst sees it ----------------------------------------------------------------


def test_analyst_tables_hide_small_counts_and_nothing_can_be_worked_out(practitioner):
    for number in range(23):
        screen(
            practitioner,
            name=f"Child {number}",
            age=(8, 11, 14, 16)[number % 4],
            gender="boy" if number % 3 == 0 else "girl",
            postcode_district=("BN1", "BN2", "RH10")[number % 3],
            answers=(CATEGORY_3 if number < 2 else CATEGORY_1 if number < 9 else {}),
        )
    exact = P.profile_build(today_filters(), exact=True)
    assert exact.table("category").figures.value(cell(3, 0)) == 2 and not exact.suppressed
    profile = P.profile_build(today_filters(), exact=False, threshold=5)
    category = profile.table("category")
    assert category.figures.shown(cell(3, 0)) == "<5"
    assert category.figures.mark(cell(3, 0)) == PRIMARY
    assert profile.children == "23"
    linked = [
        profile.table(key).figures
        for key in ("category", "age", "gender", "ethnicity", "area", "setting", "looked_after")
    ]
    for figures in linked:
        assert not published_counts_safe(figures, 5)
    # The category table is shown as a column; the checker reads it as the one-row margins.
    from hub.reports.disclosure import transposed

    tables = [transposed(linked[0]), *linked[1:]]
    same = {}
    for number in range(1, len(tables)):
        for j in range(4):
            same[(number, col_total(j))] = (0, cell(0, j))
        same[(number, GRAND)] = (0, GRAND)
    problem = problem_of(tables, threshold=5, cap=60, same=same)
    for var in problem.domains:
        smallest, largest = value_range(problem, var)
        if tables[var[0]].withheld and smallest == largest == 0:
            continue
        assert smallest < largest, var
    for key in ("indicators", "screenings_by_month", "changes_by_month"):
        assert not published_counts_safe(profile.table(key).figures, 5)


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_holds_its_counts_without_holding_writers_back():
    """Counted in one snapshot (a screening submitted meanwhile is in no table), and a
    writer on another connection is not made to wait for the profile."""
    Child.objects.create(blind_index="before")
    written = threading.Event()

    def write_on_another_connection() -> None:
        try:
            Child.objects.create(blind_index="during")
            written.set()
        finally:
            connection.close()

    with P._snapshot():
        assert Child.objects.count() == 1
        writer = threading.Thread(target=write_on_another_connection)
        writer.start()
        writer.join(timeout=10)
        assert written.is_set(), "the writer waited for the profile's snapshot"
        assert Child.objects.count() == 1  # still the snapshot's data
    assert Child.objects.count() == 2
