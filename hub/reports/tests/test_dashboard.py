"""The dashboard's figures, against data made through each app's factories and services."""

import datetime
import io

import pytest

from hub.accounts.models import Sector
from hub.broadcasts.models import Delivery
from hub.broadcasts.tests.factories import AudienceFactory
from hub.campaigns.models import Campaign
from hub.campaigns.tests.factories import CampaignFactory
from hub.reports import dashboard
from hub.reports.dashboard import (
    DELIVERIES,
    PLEDGES,
    REACH,
    SCREENINGS,
    SUPPORTERS,
    TRAINED,
    UNSUBSCRIBES,
    dashboard_figures,
    screening_counts,
)
from hub.reports.forms import DashboardFilterForm
from hub.reports.tests.dashboard_makers import (
    bulletin_for,
    delivered_at,
    local,
    pledge_at,
    practitioner,
    screening_at,
    supporter_at,
    trained_at,
    unsubscribed_at,
    utc,
)
from hub.social.models import Pledge
from hub.training.reports import Period, Row

pytestmark = pytest.mark.django_db

FIRST_QUARTER = Period(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))


@pytest.fixture
def quarter():
    """A campaign in March 2025 with its awareness work, another campaign's, and what followed."""
    campaign = CampaignFactory(
        name="CSE Awareness Day",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 3, 31),
        awareness_day=datetime.date(2025, 3, 18),
        published=True,
    )
    other = CampaignFactory(
        name="Night-time economy", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 2, 28)
    )
    # Supporters: two in January (one withdrew in February), one in March; a shared handle counts once.
    supporter_at(campaign, local(2025, 1, 10, 12), handles={"x:@ann": 100})
    supporter_at(campaign, local(2025, 1, 20, 12), handles={"x:@bob": 50}, withdrawn=local(2025, 2, 5, 9))
    supporter_at(campaign, local(2025, 3, 2, 12), handles={"bluesky:cat.bsky.social": 30, "x:@ann": 10})
    supporter_at(other, local(2025, 2, 1, 12), handles={"x:@dan": 7000})
    # Pledges: counted when approved, in the month they were made.
    pledge_at(campaign, local(2025, 3, 18, 10))
    pledge_at(campaign, local(2025, 3, 19, 10))
    pledge_at(campaign, local(2025, 3, 20, 10), status=Pledge.Status.PENDING)
    pledge_at(campaign, local(2025, 2, 20, 10), status=Pledge.Status.REJECTED)
    pledge_at(other, local(2025, 2, 1, 10))
    # Bulletins: three delivered in March, one failed; one of the other campaign's in February.
    schools = AudienceFactory(name="Schools")
    bulletin = bulletin_for(campaign, schools)
    first = delivered_at(bulletin, local(2025, 3, 17, 8))
    second = delivered_at(bulletin, local(2025, 3, 18, 8))
    delivered_at(bulletin, local(2025, 3, 18, 8))
    delivered_at(bulletin, None, status=Delivery.Status.FAILED)
    other_delivery = delivered_at(bulletin_for(other, AudienceFactory(name="Taxis")), local(2025, 2, 2, 8))
    unsubscribed_at(first, local(2025, 3, 18, 9))
    unsubscribed_at(second, local(2025, 3, 19, 9), everything=True)
    unsubscribed_at(other_delivery, local(2025, 2, 3, 9))
    # People trained: two in February, three in March (a no-show does not count).
    trained_at(local(2025, 2, 10, 10), Sector.SCHOOL)
    trained_at(local(2025, 2, 11, 10), Sector.POLICE)
    for sector in (Sector.SCHOOL, Sector.SCHOOL, Sector.BUSINESS):
        trained_at(local(2025, 3, 25, 10), sector)
    trained_at(local(2025, 3, 26, 10), Sector.HEALTH, attended=False)
    # Screenings: one in January, six in March (two of them category 2).
    author = practitioner()
    screening_at(author, local(2025, 1, 15, 10), 1)
    for category in (0, 0, 1, 1, 2, 2):
        screening_at(author, local(2025, 3, 28, 10), category)
    return campaign, other


def test_every_measure_by_month_for_every_campaign(quarter):
    figures = dashboard_figures(FIRST_QUARTER)
    assert figures.months == [datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)]
    assert figures.series == {
        SUPPORTERS: [2, 1, 1],
        # Each moment's reach as it stood at the end of the month, added up: 150, then Bob
        # withdrew and Dan (the other campaign) joined, then Cat; @ann counts once at 100.
        REACH: [150, 100 + 7000, 130 + 7000],
        PLEDGES: [0, 1, 2],
        DELIVERIES: [0, 1, 3],
        UNSUBSCRIBES: [0, 1, 2],
        TRAINED: [0, 2, 3],
        SCREENINGS: [1, 0, 6],
    }
    assert figures.totals == {
        SUPPORTERS: 4,
        REACH: 7130,
        PLEDGES: 3,
        DELIVERIES: 4,
        UNSUBSCRIBES: 3,
        TRAINED: 5,
        SCREENINGS: 7,
    }
    assert figures.trained_by_sector == [Row("School or college", 3), Row("Business", 1), Row("Police", 1)]
    assert [label for _, label in figures.categories][:3] == [label for _, label in dashboard.screening_categories()][
        :3
    ]
    assert figures.screenings_by_category[:3] == [2, 3, 2]
    assert not figures.empty


def test_a_campaign_limits_its_awareness_work_but_not_what_followed(quarter):
    campaign, _ = quarter
    figures = dashboard_figures(FIRST_QUARTER, campaign)
    assert figures.series[SUPPORTERS] == [2, 0, 1]
    assert figures.series[REACH] == [150, 100, 130]
    assert figures.series[PLEDGES] == [0, 0, 2]
    assert figures.series[DELIVERIES] == [0, 0, 3]
    assert figures.series[UNSUBSCRIBES] == [0, 0, 2]
    # What followed is the whole partnership's.
    assert figures.series[TRAINED] == [0, 2, 3]
    assert figures.series[SCREENINGS] == [1, 0, 6]
    assert figures.has_moment


def test_trained_and_sector_figures_are_the_training_reports(quarter):
    from hub.training import reports

    figures = dashboard_figures(FIRST_QUARTER)
    assert figures.trained_by_sector == reports.trained_by_sector(FIRST_QUARTER)
    assert figures.series[TRAINED] == [row.value for row in reports.trained_by_month(FIRST_QUARTER)]


def test_a_person_unsubscribing_twice_counts_once_in_the_month_they_first_did():
    campaign = CampaignFactory()
    schools, taxis = AudienceFactory(name="Schools"), AudienceFactory(name="Taxis")
    january = delivered_at(bulletin_for(campaign, schools), local(2025, 1, 5, 8), email="sam@example.org")
    unsubscribed_at(january, local(2025, 1, 6, 9))
    february = delivered_at(bulletin_for(campaign, taxis), local(2025, 2, 5, 8), email="sam@example.org")
    unsubscribed_at(february, local(2025, 2, 6, 9), everything=True)
    figures = dashboard_figures(FIRST_QUARTER)
    assert figures.series[UNSUBSCRIBES] == [1, 0, 0]
    # From February on, February is the first time in the period.
    assert dashboard_figures(Period(datetime.date(2025, 2, 1), datetime.date(2025, 3, 31))).series[UNSUBSCRIBES] == [
        1,
        0,
    ]


def test_months_are_london_months_around_midnight_in_summer_time():
    campaign = CampaignFactory()
    author = practitioner()
    # 23:30 UTC on 31 March 2025 is 00:30 on 1 April BST; 22:59 UTC is 23:59 on 31 March.
    screening_at(author, utc(2025, 3, 31, 23, 30))
    screening_at(author, utc(2025, 3, 31, 22, 59))
    supporter_at(campaign, utc(2025, 3, 31, 23, 0), handles={"x:@early": 10})  # 00:00 BST, 1 April
    pledge_at(campaign, utc(2025, 3, 31, 22, 59, 59))
    delivered_at(bulletin_for(campaign), utc(2025, 4, 30, 23, 15))  # 00:15 BST, 1 May
    trained_at(utc(2025, 3, 31, 23, 30), Sector.SCHOOL)
    spring = Period(datetime.date(2025, 3, 1), datetime.date(2025, 5, 31))
    figures = dashboard_figures(spring)
    assert figures.series[SCREENINGS] == [1, 1, 0]
    assert figures.series[SUPPORTERS] == [0, 1, 0]
    assert figures.series[REACH] == [0, 10, 10]
    assert figures.series[PLEDGES] == [1, 0, 0]
    assert figures.series[DELIVERIES] == [0, 0, 1]
    assert figures.series[TRAINED] == [0, 1, 0]
    # A period ending on 31 March ends at midnight BST, not midnight UTC.
    march = dashboard_figures(Period(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)))
    assert march.series[SCREENINGS] == [1]
    assert march.series[SUPPORTERS] == [0]
    assert march.series[REACH] == [0]


def test_months_are_london_months_when_summer_time_ends():
    author = practitioner()
    # Summer time ended on 26 October 2025: 23:30 UTC on 31 October is 23:30 local, still October.
    screening_at(author, utc(2025, 10, 31, 23, 30))
    # 23:30 UTC on 30 September is 00:30 BST on 1 October.
    screening_at(author, utc(2025, 9, 30, 23, 30))
    autumn = Period(datetime.date(2025, 9, 1), datetime.date(2025, 11, 30))
    assert dashboard_figures(autumn).series[SCREENINGS] == [0, 2, 0]


def test_a_period_that_cuts_a_month_counts_only_its_own_days(quarter):
    campaign, _ = quarter
    part = Period(datetime.date(2025, 1, 15), datetime.date(2025, 3, 18))
    figures = dashboard_figures(part, campaign)
    assert figures.series[SUPPORTERS] == [1, 0, 1]
    # Reach as it stood at the end of the period's last day, 18 March.
    assert figures.series[REACH] == [150, 100, 130]
    assert figures.series[DELIVERIES] == [0, 0, 3]
    assert figures.series[PLEDGES] == [0, 0, 1]
    assert figures.series[SCREENINGS] == [1, 0, 0]


def test_awareness_days_are_marked_in_their_month(quarter):
    campaign, _ = quarter
    CampaignFactory(name="Draft", awareness_day=datetime.date(2025, 3, 20))  # not published
    figures = dashboard_figures(FIRST_QUARTER)
    assert list(figures.awareness_days) == [datetime.date(2025, 3, 1)]
    assert [str(day) for day in figures.awareness_days[datetime.date(2025, 3, 1)]] == ["18 March: CSE Awareness Day"]
    draft = Campaign.objects.get(name="Draft")
    assert [str(day) for day in dashboard_figures(FIRST_QUARTER, draft).awareness_days[datetime.date(2025, 3, 1)]] == [
        "20 March: Draft"
    ]


def test_an_empty_period_is_all_zeros_not_an_error():
    figures = dashboard_figures(Period(datetime.date(2024, 6, 1), datetime.date(2024, 7, 31)))
    assert figures.empty
    assert all(values == [0, 0] for values in figures.series.values())
    assert figures.trained_by_sector == []
    counts = screening_counts(figures, exact=False)
    assert counts.by_month == ["0", "0"] and counts.total == "0"


def test_the_hub_sees_exact_screening_counts_and_others_see_them_protected():
    author = practitioner()
    for _ in range(3):
        screening_at(author, local(2025, 3, 10, 10), 1)
    for _ in range(9):
        screening_at(author, local(2025, 2, 10, 10), 0)
    figures = dashboard_figures(FIRST_QUARTER)
    exact = screening_counts(figures, exact=True)
    assert exact.by_month == ["0", "9", "3"]
    assert exact.total == "12"
    assert exact.by_category[:2] == ["9", "3"]
    protected = screening_counts(figures, exact=False)
    assert protected.by_month[2] == "<5"
    assert protected.by_category[1] == "<5"
    assert "3" not in protected.by_month + protected.by_category + [protected.total]
    assert protected.by_month_values[2] is None
    # February's 9 would give March's 3 away from the total of 12: one of them is hidden too.
    assert protected.by_month[1] == "[c]" or protected.total == "[c]"
    assert protected.by_category[0] == "[c]" or protected.total == "[c]"
    assert protected.any_hidden and not protected.exact


def test_csv_of_the_month_table(quarter):
    campaign, _ = quarter
    Campaign.objects.filter(pk=campaign.pk).update(name="=cmd|calc")
    figures = dashboard_figures(FIRST_QUARTER)
    out = io.StringIO()
    dashboard.write_csv(out, figures, screening_counts(figures, exact=True))
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "Month,Awareness days,Supporters signed up,Estimated reach at the end of the month,Pledges approved,"
        "Bulletins delivered,Unsubscribes,People trained,Screenings submitted"
    )
    assert lines[1] == "January 2025,,2,150,0,0,0,0,1"
    assert lines[3] == "March 2025,18 March: =cmd|calc,1,7130,2,3,2,3,6"
    assert lines[4] == "Whole period,,4,7130,3,4,3,5,7"


def test_form_uses_the_campaign_dates_unless_dates_are_given(quarter):
    campaign, _ = quarter
    form = DashboardFilterForm({"campaign": campaign.pk})
    assert form.is_valid()
    assert form.chosen() == (Period(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)), campaign)
    form = DashboardFilterForm(
        {
            "campaign": campaign.pk,
            "date_from_day": 1,
            "date_from_month": 2,
            "date_from_year": 2025,
            "date_to_day": 30,
            "date_to_month": 4,
            "date_to_year": 2025,
        }
    )
    assert form.is_valid()
    assert form.chosen() == (Period(datetime.date(2025, 2, 1), datetime.date(2025, 4, 30)), campaign)
    period, chosen = DashboardFilterForm().chosen()
    assert chosen is None and (period.end - period.start).days in range(334, 366)
