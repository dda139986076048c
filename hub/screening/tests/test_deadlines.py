"""When the flow chart's steps are due: working days are Monday to Friday in UK time,
less the bank holidays of BANK_HOLIDAYS_REGION, and a working day ends at 17:00."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from hub.screening.deadlines import due_at
from hub.screening.definition import Due

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime.datetime:
    """A UK time, "2026-12-24 10:00"."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def due(unit: str, amount: int | None, start: str) -> str:
    return due_at(Due(unit, amount), at(start)).astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-11-25 10:00", "Wed 2026-11-25 17:00"),  # a working day, before 17:00
        ("2026-11-25 17:00", "Thu 2026-11-26 17:00"),  # at 17:00 the day is over
        ("2026-11-27 18:30", "Mon 2026-11-30 17:00"),  # Friday evening: Monday
        ("2026-11-28 09:00", "Mon 2026-11-30 17:00"),  # Saturday
        ("2026-12-24 18:00", "Tue 2026-12-29 17:00"),  # Christmas Day (Fri), Boxing Day's substitute (Mon 28)
        ("2027-03-26 09:00", "Tue 2027-03-30 17:00"),  # Good Friday, then Easter Monday
        ("2026-05-25 12:00", "Tue 2026-05-26 17:00"),  # Spring bank holiday
    ],
)
def test_the_same_working_day(start, expected):
    assert due("same_working_day", None, start) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-23 10:00", 5, "Mon 2026-11-30 17:00"),  # the day of submission is day 0
        ("2026-11-23 18:00", 5, "Tue 2026-12-01 17:00"),  # after hours: counted from the next day
        ("2026-12-21 10:00", 5, "Wed 2026-12-30 17:00"),  # over Christmas: 22, 23, 24, 29, 30
        ("2026-12-30 10:00", 2, "Mon 2027-01-04 17:00"),  # New Year's Day (Fri 1 January)
        ("2027-03-24 10:00", 3, "Wed 2027-03-31 17:00"),  # 25, (Good Friday, weekend, Easter Monday), 30, 31
    ],
)
def test_working_days(start, days, expected):
    assert due("working_days", days, start) == expected


def test_clock_changes_keep_the_uk_time():
    # The clocks go forward on Sunday 29 March 2026: 17:00 on Monday is 16:00 UTC, not 17:00.
    deadline = due_at(Due("same_working_day", None), at("2026-03-27 18:00"))
    assert deadline == datetime.datetime(2026, 3, 30, 16, 0, tzinfo=datetime.UTC)
    assert due("hours", 24, "2026-03-28 12:00") == "Sun 2026-03-29 13:00"  # 24 hours, not a calendar day


def test_the_region_chooses_the_bank_holidays(settings):
    # 2 January is a bank holiday in Scotland only; 12 July (the Battle of the Boyne) in Northern Ireland only.
    assert due("same_working_day", None, "2026-01-02 09:00") == "Fri 2026-01-02 17:00"
    settings.BANK_HOLIDAYS_REGION = "SCT"
    assert due("same_working_day", None, "2026-01-02 09:00") == "Mon 2026-01-05 17:00"
    settings.BANK_HOLIDAYS_REGION = "NIR"
    assert due("same_working_day", None, "2027-07-12 09:00") == "Tue 2027-07-13 17:00"


def test_an_unknown_region_stops_every_command_with_the_reason(settings):
    settings.BANK_HOLIDAYS_REGION = "UK"
    with pytest.raises(SystemCheckError, match="BANK_HOLIDAYS_REGION must be one of ENG, WLS, SCT, NIR, not 'UK'"):
        call_command("check")
