"""The partnership dashboard page and its CSV: who may see them, what they show, and
that screening counts reach anyone but the hub only through disclosure control."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from hub.accounts.models import Sector
from hub.accounts.roles import Role
from hub.audit.models import AuditEvent
from hub.campaigns.tests.factories import CampaignFactory
from hub.reports.tests.dashboard_makers import local, practitioner, screening_at, supporter_at, trained_at

pytestmark = pytest.mark.django_db

PAGE = "/staff/reports/dashboard/"
CSV = "/staff/reports/dashboard.csv"
SPRING_2025 = {
    "date_from_day": 1,
    "date_from_month": 1,
    "date_from_year": 2025,
    "date_to_day": 30,
    "date_to_month": 4,
    "date_to_year": 2025,
}


@pytest.fixture
def three_screenings_in_march():
    """Three screenings in March 2025 (a count that names children), some training, a campaign."""
    author = practitioner()
    for _ in range(3):
        screening_at(author, local(2025, 3, 12, 10), 1)
    trained_at(local(2025, 3, 20, 10), Sector.SCHOOL)
    campaign = CampaignFactory(
        name="CSE Awareness Day",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 3, 31),
        awareness_day=datetime.date(2025, 3, 18),
        published=True,
    )
    supporter_at(campaign, local(2025, 3, 2, 12), handles={"x:@ann": 1234})
    return campaign


def _between(body: str, start: str, end: str) -> str:
    return body[body.index(start) : body.index(end, body.index(start))]


def _screening_cells(body: str) -> list[str]:
    """The screenings column of the month table (its last cell in each row)."""
    table = _between(body, 'id="month-table"', "</table>")
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, flags=re.S)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[-1]) for row in rows[1:]]


def _screening_parts(body: str) -> str:
    """Everything on the page that shows screening counts: the headline, the charts and their tables."""
    return "".join(
        [
            _between(body, 'id="headline"', 'id="months"'),
            _between(body, 'id="screenings"', 'id="sector"'),
            _between(body, 'id="category"', "</main>"),
        ]
    )


def test_the_dashboard_is_closed_to_anyone_not_signed_in(client):
    for url in (PAGE, CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.TRAINER, Role.ADMINISTRATOR])
def test_roles_without_the_permission_are_refused(make_staff_client, role):
    staff, _ = make_staff_client(role)
    assert staff.get(PAGE).status_code == 403
    assert staff.get(CSV).status_code == 403


@pytest.mark.parametrize("role", [Role.CAMPAIGN_COORDINATOR, Role.PARTNERSHIP_ANALYST, Role.HUB_OFFICER])
def test_coordinators_analysts_and_the_hub_see_it_and_the_link_to_it(make_staff_client, role):
    staff, _ = make_staff_client(role)
    assert staff.get(PAGE).status_code == 200
    assert PAGE in staff.get(reverse("core:staff_home")).content.decode()


def test_page_shows_headline_month_table_charts_and_tables(make_staff_client, three_screenings_in_march):
    hub, _ = make_staff_client(Role.HUB_OFFICER)
    response = hub.get(PAGE, SPRING_2025)
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 January 2025 to 30 April 2025" in body
    assert [re.sub(r"\s+", " ", cell) for cell in _screening_cells(body)] == ["0", "0", "3", "0", "3"]
    month_table = _between(body, 'id="month-table"', "</table>")
    for month in ("January 2025", "February 2025", "March 2025", "April 2025", "Whole period"):
        assert month in month_table
    assert "18 March: CSE Awareness Day" in month_table
    assert "1,234" in month_table  # reach at the end of March
    # A chart for each measure by month, by sector and by category, each with its table beside
    # it; no pledges, bulletins or unsubscribes here, so those say so instead of drawing nothing.
    assert body.count('role="img"') == 6
    assert body.count('class="govuk-table"') == 6
    assert body.count("None in this period.") == 3
    assert 'id="disclosure-note"' not in body
    assert "Nothing was recorded" not in body
    assert reverse("reports:dashboard_csv") + "?" in body


def test_analyst_sees_a_small_screening_count_as_less_than_five_never_exactly(
    make_staff_client, three_screenings_in_march
):
    analyst, _ = make_staff_client(Role.PARTNERSHIP_ANALYST)
    body = analyst.get(PAGE, SPRING_2025).content.decode()
    cells = _screening_cells(body)
    assert cells[2] == "&lt;5"
    assert "3" not in cells
    shown = _screening_parts(body)
    assert "&lt;5" in shown
    assert ">3<" not in shown and "> 3<" not in shown
    assert 'id="disclosure-note"' in body
    # People trained are not screening counts: shown exactly.
    assert "People trained" in body


def test_coordinator_gets_protected_screening_counts_too(make_staff_client, three_screenings_in_march):
    coordinator, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    body = coordinator.get(PAGE, SPRING_2025).content.decode()
    assert _screening_cells(body)[2] == "&lt;5"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_for_an_analyst_is_protected_and_audited(make_staff_client, three_screenings_in_march):
    analyst, user = make_staff_client(Role.PARTNERSHIP_ANALYST)
    response = analyst.get(CSV, SPRING_2025)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="partnership-dashboard-2025-01-01-to-2025-04-30.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][-1] == "Screenings submitted"
    screenings = [row[-1] for row in rows[1:]]
    assert screenings[2] == "<5"
    assert "3" not in screenings
    event = AuditEvent.objects.get(action="reports.dashboard_exported")
    assert event.actor == user
    assert event.detail == {"campaign": None, "from": "2025-01-01", "to": "2025-04-30", "exact_screenings": False}


def test_csv_for_the_hub_is_exact(make_staff_client, three_screenings_in_march):
    hub, _ = make_staff_client(Role.HUB_OFFICER)
    rows = _csv(hub.get(CSV, SPRING_2025))
    assert [row[-1] for row in rows[1:]] == ["0", "0", "3", "0", "3"]
    assert rows[3][:3] == ["March 2025", "18 March: CSE Awareness Day", "1"]
    assert rows[-1][0] == "Whole period"
    assert AuditEvent.objects.get(action="reports.dashboard_exported").detail["exact_screenings"] is True


def test_viewing_the_page_is_not_audited(make_staff_client, three_screenings_in_march):
    hub, _ = make_staff_client(Role.HUB_OFFICER)
    before = AuditEvent.objects.count()
    hub.get(PAGE, SPRING_2025)
    assert AuditEvent.objects.count() == before


def test_a_campaign_on_its_own_uses_its_dates(make_staff_client, three_screenings_in_march):
    campaign = three_screenings_in_march
    hub, _ = make_staff_client(Role.HUB_OFFICER)
    body = hub.get(PAGE, {"campaign": campaign.pk}).content.decode()
    assert "CSE Awareness Day: 1 March 2025 to 31 March 2025" in body
    assert "People trained and screenings are the whole partnership" in body
    assert _screening_cells(body) == ["3", "3"]
    response = hub.get(CSV, {"campaign": campaign.pk})
    assert f"-{campaign.slug}.csv" in response["Content-Disposition"]
    assert AuditEvent.objects.get(action="reports.dashboard_exported").detail["campaign"] == campaign.pk


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {
                "date_from_day": 10,
                "date_from_month": 5,
                "date_from_year": 2025,
                "date_to_day": 1,
                "date_to_month": 5,
                "date_to_year": 2025,
            },
            "End date must be the same as or after the start date",
        ),
        (
            {
                "date_from_day": 31,
                "date_from_month": 2,
                "date_from_year": 2025,
                "date_to_day": 1,
                "date_to_month": 5,
                "date_to_year": 2025,
            },
            "Start date must be a real date",
        ),
        ({"date_from_day": 1, "date_from_month": 5, "date_from_year": 2025}, "Enter the end date"),
        (
            {
                "date_from_day": 1,
                "date_from_month": 1,
                "date_from_year": 2010,
                "date_to_day": 31,
                "date_to_month": 12,
                "date_to_year": 2025,
            },
            "End date must be within 5 years of the start date",
        ),
        ({"campaign": "999999"}, "Select a campaign from the list"),
    ],
)
def test_impossible_filters_are_refused_with_an_error(make_staff_client, query, message):
    analyst, _ = make_staff_client(Role.PARTNERSHIP_ANALYST)
    response = analyst.get(PAGE, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    assert body.count("<title>Error: ") == 1
    assert 'id="month-table"' not in body
    assert analyst.get(CSV, query).status_code == 400
    assert not AuditEvent.objects.filter(action="reports.dashboard_exported").exists()


def test_an_empty_period_is_explained_not_an_error(make_staff_client, three_screenings_in_march):
    analyst, _ = make_staff_client(Role.PARTNERSHIP_ANALYST)
    query = {
        "date_from_day": 1,
        "date_from_month": 6,
        "date_from_year": 2024,
        "date_to_day": 31,
        "date_to_month": 7,
        "date_to_year": 2024,
    }
    response = analyst.get(PAGE, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was recorded in this period" in body
    assert 'id="month-table"' in body and "June 2024" in body and "July 2024" in body
    assert body.count('role="img"') == 0
    assert body.count("None in this period.") == 9
    rows = _csv(analyst.get(CSV, query))
    assert rows[1] == ["June 2024", "", "0", "0", "0", "0", "0", "0", "0"]
