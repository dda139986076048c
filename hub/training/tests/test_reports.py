import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.models import Sector
from hub.accounts.roles import Role
from hub.training import reports
from hub.training.models import Booking, BusinessType, Session
from hub.training.reports import Period, Row
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
YEAR_2025 = Period.year(2025)
ATTENDED = Booking.Attendance.ATTENDED


def session_at(when: datetime.datetime, **fields) -> Session:
    return SessionFactory(starts_at=when, **fields)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def attended(session: Session, **fields) -> Booking:
    return BookingFactory(session=session, attendance=ATTENDED, **fields)


@pytest.fixture
def year_of_training():
    """Two courses in 2025 with people who came, people who did not, and some who do not count."""
    first = CourseFactory(title="Spotting the signs")
    second = CourseFactory(title="Night-time economy")
    march = session_at(local(2025, 3, 10, 10), course=first)
    attended(march, sector=Sector.BUSINESS, organisation_name="Seaside Taxis", business_type=BusinessType.TAXI)
    attended(march, sector=Sector.BUSINESS, organisation_name=" seaside taxis ", business_type=BusinessType.TAXI)
    attended(march, sector=Sector.COUNCIL, organisation_name="Town Council")
    BookingFactory(session=march, attendance=Booking.Attendance.NO_SHOW, sector=Sector.POLICE)
    BookingFactory(session=march, sector=Sector.POLICE)  # not marked
    attended(march, status=Booking.Status.CANCELLED, sector=Sector.POLICE)
    june = session_at(local(2025, 6, 5, 18), course=second)
    attended(june, sector=Sector.HEALTH, organisation_name="")
    called_off = session_at(local(2025, 7, 1, 10), course=second, status=Session.Status.CANCELLED)
    attended(called_off, sector=Sector.SCHOOL)
    attended(session_at(local(2026, 1, 5, 10), course=first), sector=Sector.SCHOOL)  # another year
    return first, second


# --- The figures ------------------------------------------------------------------


def test_by_sector_counts_only_people_who_attended(year_of_training):
    assert reports.trained_by_sector(YEAR_2025) == [
        Row("Business", 2),
        Row("Council", 1),
        Row("Health", 1),
    ]


def test_by_organisation_ignores_case_and_spaces_and_names_blanks(year_of_training):
    assert reports.trained_by_organisation(YEAR_2025) == [
        Row("Seaside Taxis", 2),
        Row("Not given", 1),
        Row("Town Council", 1),
    ]


def test_by_course(year_of_training):
    first, second = year_of_training
    assert reports.trained_by_course(YEAR_2025) == [Row("Spotting the signs", 3), Row("Night-time economy", 1)]
    assert reports.trained_by_course(YEAR_2025, course=second) == [Row("Night-time economy", 1)]


def test_by_month_shows_every_month_with_zeros(year_of_training):
    rows = reports.trained_by_month(YEAR_2025)
    assert [row.label for row in rows][:3] == ["January 2025", "February 2025", "March 2025"]
    assert len(rows) == 12
    assert dict(rows) == {row.label: 0 for row in rows} | {"March 2025": 3, "June 2025": 1}


def test_course_filter_applies_to_every_report(year_of_training):
    first, _ = year_of_training
    assert reports.trained_by_sector(YEAR_2025, course=first) == [Row("Business", 2), Row("Council", 1)]
    assert sum(row.value for row in reports.trained_by_month(YEAR_2025, course=first)) == 3


def test_month_boundaries_are_london_time():
    # 23:30 UTC on 31 March 2025 is 00:30 on 1 April in British Summer Time.
    session = session_at(datetime.datetime(2025, 3, 31, 23, 30, tzinfo=datetime.UTC))
    attended(session)
    months = dict(reports.trained_by_month(YEAR_2025))
    assert months["March 2025"] == 0
    assert months["April 2025"] == 1
    march = Period(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
    april = Period(datetime.date(2025, 4, 1), datetime.date(2025, 4, 30))
    assert reports.trained_by_sector(march) == []
    assert reports.trained_by_sector(april) == [Row("Business", 1)]
    assert reports.trained_by_month(april) == [Row("April 2025", 1)]


def test_month_report_over_a_range_crossing_a_year():
    attended(session_at(local(2025, 12, 1, 10)))
    period = Period(datetime.date(2025, 11, 15), datetime.date(2026, 2, 1))
    assert reports.trained_by_month(period) == [
        Row("November 2025", 0),
        Row("December 2025", 1),
        Row("January 2026", 0),
        Row("February 2026", 0),
    ]


# --- The headline -----------------------------------------------------------------


def test_headline_when_nobody_was_trained():
    BookingFactory(session=session_at(local(2025, 5, 1, 10)), attendance=Booking.Attendance.NO_SHOW)
    assert reports.training_headline(2025) == "In 2025 nobody was trained by the partnership."


def test_headline_for_one_person():
    attended(session_at(local(2025, 5, 1, 10)), business_type=BusinessType.TAXI)
    assert reports.training_headline(2025) == (
        "In 2025 the partnership trained 1 person, including 1 from a taxi or private hire firm."
    )


def test_headline_names_the_two_business_types_most_people_came_from():
    session = session_at(local(2025, 5, 1, 10))
    for business_type, count in [
        (BusinessType.TAXI, 3),
        (BusinessType.HOTEL, 2),
        (BusinessType.CINEMA, 1),
        (BusinessType.OTHER, 5),
        ("", 2),
    ]:
        for _ in range(count):
            attended(session, business_type=business_type)
    assert reports.training_headline(2025) == (
        "In 2025 the partnership trained 13 people, including 3 from taxi or private hire firms"
        " and 2 from hotels, B&Bs or guest houses."
    )


def test_headline_with_one_business_type_and_without_any():
    session = session_at(local(2025, 5, 1, 10))
    attended(session)
    attended(session)
    assert reports.training_headline(2025) == "In 2025 the partnership trained 2 people."
    attended(session, business_type=BusinessType.HOTEL)
    assert reports.training_headline(2025) == (
        "In 2025 the partnership trained 3 people, including 1 from a hotel, B&B or guest house."
    )


def test_headline_for_a_course():
    course = CourseFactory(title="Spotting the signs")
    attended(session_at(local(2025, 5, 1, 10), course=course))
    attended(session_at(local(2025, 5, 1, 10)))
    assert reports.training_headline(2025, course=course) == (
        "In 2025 the partnership trained 1 person on Spotting the signs."
    )


# --- CSV --------------------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped():
    out = io.StringIO()
    rows = [Row(text, 1) for text in ['=HYPERLINK("x")', "+44 1234", "-1", "@SUM(A1)", "\tTab", "\rCR", "Plain"]]
    reports.write_csv(out, heading="Organisation", rows=rows)
    assert out.getvalue().splitlines()[:2] == ["Organisation,People trained", '"\'=HYPERLINK(""x"")",1']
    assert [line.split(",")[0] for line in out.getvalue().splitlines()[2:5]] == ["'+44 1234", "'-1", "'@SUM(A1)"]
    assert "'\tTab" in out.getvalue()
    assert "'\rCR" in out.getvalue()
    assert "\nPlain,1" in out.getvalue()


# --- The pages --------------------------------------------------------------------


@pytest.fixture
def trainer(make_staff_client):
    client, _ = make_staff_client(Role.TRAINER)
    return client


def report_url(**query) -> str:
    url = reverse("training:reports")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def error_summary(response) -> str:
    body = response.content.decode()
    start = body.index('class="govuk-error-summary"')
    return body[start : body.index("</ul>", start)]


def test_signed_out_visitor_is_sent_to_sign_in(client):
    for url in (reverse("training:reports"), reverse("training:reports_csv", kwargs={"table": "sector"})):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.CAMPAIGN_COORDINATOR])
def test_staff_without_the_permission_are_refused(make_staff_client, role):
    client, _ = make_staff_client(role)
    assert client.get(reverse("training:reports")).status_code == 403
    assert client.get(reverse("training:reports_csv", kwargs={"table": "sector"})).status_code == 403


@pytest.mark.parametrize("role", [Role.TRAINER, Role.PARTNERSHIP_ANALYST])
def test_trainers_and_analysts_see_the_reports(make_staff_client, role):
    client, _ = make_staff_client(role)
    assert client.get(reverse("training:reports")).status_code == 200


def test_page_shows_headline_charts_tables_and_downloads(trainer, year_of_training):
    response = trainer.get(report_url(year=2025))
    assert response.status_code == 200
    body = response.content.decode()
    assert "In 2025 the partnership trained 4 people, including 2 from taxi or private hire firms." in body, body
    for table in ("sector", "organisation", "course", "month"):
        assert f'aria-labelledby="chart-{table}-title chart-{table}-desc"' in body
        assert reverse("training:reports_csv", kwargs={"table": table}) + "?year=2025" in body
    assert body.count('role="img"') == 4
    assert "style=" not in body
    assert '<th scope="row" class="govuk-table__header">Seaside Taxis</th>' in body


def test_page_defaults_to_this_year(trainer):
    body = trainer.get(reverse("training:reports")).content.decode()
    year = timezone.localdate().year
    assert f"In {year} nobody was trained by the partnership." in body
    assert "Nobody was trained in this period." in body


def test_date_range_and_course_filters(trainer, year_of_training):
    first, _ = year_of_training
    response = trainer.get(
        report_url(
            date_from_day=1,
            date_from_month=3,
            date_from_year=2025,
            date_to_day=30,
            date_to_month=4,
            date_to_year=2025,
            course=first.pk,
        )
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "From 1 March 2025 to 30 April 2025 the partnership trained 3 people on Spotting the signs" in body
    assert "April 2025" in body
    assert "May 2025" not in body


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
                "date_from_year": 2000,
                "date_to_day": 31,
                "date_to_month": 12,
                "date_to_year": 2099,
            },
            "End date must be within 10 years of the start date",
        ),
        (
            {
                "date_from_day": 1,
                "date_from_month": 1,
                "date_from_year": 2025,
                "date_to_day": 31,
                "date_to_month": 12,
                "date_to_year": 9999,
            },
            "End date must be between 2000 and 2100",
        ),
        ({"year": "twenty"}, "Year must be a real year between 2000 and 2100"),
        ({"course": "999999"}, "Select a course from the list"),
    ],
)
def test_impossible_filters_are_errors_not_failures(trainer, query, message):
    response = trainer.get(report_url(**query))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert response.content.decode().count("<title>Error: ") == 1
    csv_response = trainer.get(reverse("training:reports_csv", kwargs={"table": "month"}), query)
    assert csv_response.status_code == 400


def test_csv_download_is_the_table_with_formulas_escaped(trainer):
    session = session_at(local(2025, 5, 1, 10))
    attended(session, organisation_name='=HYPERLINK("http://evil.example","Click")')
    attended(session, organisation_name="Seaside Taxis")
    attended(session, organisation_name="Seaside Taxis")
    response = trainer.get(reverse("training:reports_csv", kwargs={"table": "organisation"}), {"year": 2025})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="people-trained-by-organisation-2025-01-01-to-2025-12-31.csv"' in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Organisation,People trained",
        "Seaside Taxis,2",
        '"\'=HYPERLINK(""http://evil.example"",""Click"")",1',
    ]


def test_csv_by_month(trainer, year_of_training):
    response = trainer.get(reverse("training:reports_csv", kwargs={"table": "month"}), {"year": 2025})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Month,People trained"
    assert len(lines) == 13
    assert "March 2025,3" in lines


def test_unknown_csv_table_is_404(trainer):
    assert trainer.get(reverse("training:reports_csv", kwargs={"table": "people"})).status_code == 404
