"""The profile pages: what the hub and an analyst see, the CSV downloads, the
filters, and the audit."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.screening.profile import TABLE_KEYS
from hub.screening.tests.factories import submitted_make

pytestmark = pytest.mark.django_db

CATEGORY_3 = {"disclosure": "yes_current"}
URL = "/staff/screening/profile/"


@pytest.fixture
def children():
    """Twelve children: two at category 3 (a count an analyst must not see), in BN1 and BN2."""
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    today = timezone.localdate()
    for number in range(12):
        submitted_make(
            practitioner,
            child_name=f"Profile Child {number}",
            date_of_birth=datetime.date(today.year - 14, 1, 1),
            postcode_district="BN1" if number < 7 else "BN2",
            answers=CATEGORY_3 if number < 2 else {},
        )


@pytest.fixture
def hub(make_staff_client):
    client, _ = make_staff_client(Role.HUB_OFFICER)
    return client


@pytest.fixture
def analyst(make_staff_client):
    client, _ = make_staff_client(Role.PARTNERSHIP_ANALYST)
    return client


def _dates(start: datetime.date | None = None, end: datetime.date | None = None, area: str = "") -> dict:
    data = {"area": area}
    for name, day in (("date_from", start), ("date_to", end)):
        data.update(
            {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}
            if day
            else {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
        )
    return data


def _table(body: str, key: str) -> str:
    """The HTML of one section of the page, from its heading to the next."""
    start = body.index(f'id="{key}"')
    following = body.find('<h2 class="govuk-heading-m" id="', start + 10)
    return body[start : following if following > 0 else len(body)]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_hub_sees_exact_counts_with_a_warning(hub, children):
    response = hub.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "These are exact counts, for the hub's own use. They are not for publication" in body
    assert "Children screened: <strong>12</strong>" in body
    category = _table(body, "category")
    assert re.search(r"Category 3: Serious risk</th>\s*<td[^>]*>2</td>", category)
    assert "&lt;5" not in body and "[c]" not in body
    # Each chart has its table beside it and a download.
    for key in TABLE_KEYS:
        section = _table(body, key)
        assert "<table" in section and reverse("screening:profile_csv", kwargs={"table": key}) in section
    assert body.count('<svg role="img"') >= 7


def test_analyst_sees_small_counts_hidden_and_never_the_exact_small_count(analyst, children):
    response = analyst.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "counts from 1 to 4 are shown as <strong>&lt;5</strong>" in body
    assert "Children screened: <strong>12</strong>" in body
    category = _table(body, "category")
    assert re.search(r"Category 3: Serious risk</th>\s*<td[^>]*>&lt;5</td>", category)
    assert "[c]" in category  # a complement, so the 2 cannot be had from 12 - 10
    # No table cell anywhere shows a count from 1 to 4.
    cells = re.findall(r'govuk-table__cell--numeric">(?:<strong>)?([^<]*)<', body)
    assert cells and not [value for value in cells if value.strip() in {"1", "2", "3", "4"}]
    # Nor does any chart label.
    labels = re.findall(r'dominant-baseline="central" font-size="14" fill="#0b0c0c">([^<]*)</text>', body)
    assert "&lt;5" in labels and not {"1", "2", "3", "4"} & set(labels)


def test_analyst_csv_downloads_are_suppressed_too(analyst, hub, children):
    for key in TABLE_KEYS:
        response = analyst.get(reverse("screening:profile_csv", kwargs={"table": key}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "suppressed" in response["Content-Disposition"]
        rows = _csv(response)
        figures = [value for row in rows[1:] for value in row[1:]]
        assert not [value for value in figures if value in {"1", "2", "3", "4"}], (key, rows)
    rows = _csv(analyst.get(reverse("screening:profile_csv", kwargs={"table": "category"})))
    assert rows[0] == ["Category", "Children"]
    assert rows[4] == ["Category 3: Serious risk", "<5"]
    assert rows[-1] == ["Total", "12"]
    exact = _csv(hub.get(reverse("screening:profile_csv", kwargs={"table": "category"})))
    assert exact[4] == ["Category 3: Serious risk", "2"]
    crosstab = _csv(hub.get(reverse("screening:profile_csv", kwargs={"table": "area"})))
    assert crosstab[0] == ["Postcode district", "Category 0", "Category 1", "Category 2", "Category 3", "Total"]
    assert crosstab[1] == ["BN1", "5", "0", "0", "2", "7"]


def test_csv_keeps_the_filters_and_unknown_tables_are_404(hub, children):
    today = timezone.localdate()
    url = reverse("screening:profile_csv", kwargs={"table": "category"})
    rows = _csv(hub.get(url, _dates(today, today, "BN2")))
    assert rows[-1] == ["Total", "5"]
    assert hub.get(reverse("screening:profile_csv", kwargs={"table": "nothing"})).status_code == 404
    bad = hub.get(url, _dates(today, today - datetime.timedelta(days=1)))
    assert bad.status_code == 400 and b"The end date must be the same as or after the start date" in bad.content


def test_each_view_and_download_is_audited_with_its_filters(analyst, children):
    today = timezone.localdate()
    analyst.get(URL, _dates(today.replace(day=1), today, "bn1"))
    event = AuditEvent.objects.filter(action="screening.profile_viewed").latest("sequence")
    assert event.detail == {"from": f"{today.replace(day=1)}", "to": f"{today}", "area": "BN1", "exact": False}
    analyst.get(reverse("screening:profile_csv", kwargs={"table": "gender"}))
    event = AuditEvent.objects.filter(action="screening.profile_exported").latest("sequence")
    assert event.detail["table"] == "gender" and event.detail["exact"] is False
    assert event.object_type == "screening.profile"


def test_filters_that_select_nothing_show_empty_explained_tables(hub, children):
    today = timezone.localdate()
    response = hub.get(URL, _dates(today, today, "SW1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "No children were screened from" in body and "SW1" in body
    assert "No children were screened in this period and area." in _table(body, "gender")
    assert "<table" in _table(body, "area") and ">None<" in _table(body, "area")


def test_impossible_date_ranges_are_refused(hub, children):
    today = timezone.localdate()
    response = hub.get(URL, _dates(today, today - datetime.timedelta(days=3)))
    body = response.content.decode()
    assert "There is a problem" in body and "The end date must be the same as or after the start date" in body
    assert "Children screened" not in body
    future = hub.get(URL, _dates(today + datetime.timedelta(days=1), None)).content.decode()
    assert "The start date must be today or in the past" in future
    not_a_date = {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"}
    assert "From must be a real date" in hub.get(URL, not_a_date).content.decode()
    area = hub.get(URL, _dates(None, None, "BN1 1AA")).content.decode()
    assert "Enter a postcode district, like BN11, or the letters of an area, like BN" in area
    assert not AuditEvent.objects.filter(action="screening.profile_viewed").exists()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.CAMPAIGN_COORDINATOR, Role.TRAINER, Role.ADMINISTRATOR])
def test_others_are_refused(make_staff_client, role, children):
    client, _ = make_staff_client(role)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("screening:profile_csv", kwargs={"table": "category"})).status_code == 403


def test_staff_home_links_to_the_profile(analyst, hub):
    assert URL in analyst.get(reverse("core:staff_home")).content.decode()
    assert URL in hub.get(reverse("core:staff_home")).content.decode()
