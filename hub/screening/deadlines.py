"""When each step of the flow chart is due, from the moment a screening was submitted.

Working days are Monday to Friday in Europe/London, less the bank holidays of
settings.BANK_HOLIDAYS_REGION (England by default; the `holidays` package's UK
calendar, substitute days included), a working day ending at WORKING_DAY_ENDS.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import holidays
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from hub.screening.definition import Due, FlowChartEntry, Step

WORKING_DAY_ENDS = datetime.time(17, 0)
# "Immediately" still has a clock: the hub should have acted within the hour.
IMMEDIATELY = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class StepDue:
    step: Step
    due_at: datetime.datetime | None  # None: ongoing or "if anything changes"


# settings.BANK_HOLIDAYS_REGION: the UK nation whose bank holidays are not working days.
BANK_HOLIDAY_REGIONS = {"ENG": "England", "WLS": "Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}


@functools.cache
def _bank_holidays(region: str) -> holidays.HolidayBase:
    if region not in BANK_HOLIDAY_REGIONS:
        raise ImproperlyConfigured(
            f"BANK_HOLIDAYS_REGION must be one of {', '.join(BANK_HOLIDAY_REGIONS)}, not {region!r}."
        )
    return holidays.country_holidays("GB", subdiv=region)


def bank_holidays_check() -> None:
    """Raises ImproperlyConfigured for a region the deadlines cannot count with (checks.py)."""
    _bank_holidays(settings.BANK_HOLIDAYS_REGION)


def bank_holidays_region_name() -> str:
    """ "England", for the pages that explain how deadlines are counted."""
    return BANK_HOLIDAY_REGIONS[settings.BANK_HOLIDAYS_REGION]


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(settings.BANK_HOLIDAYS_REGION)


def _next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, WORKING_DAY_ENDS), timezone.get_default_timezone())


def _first_working_day_end(start: datetime.datetime) -> datetime.datetime:
    """The end of the working day a start falls in; after hours, at a weekend or on a bank
    holiday, the next one's."""
    local = timezone.localtime(start)
    day = local.date()
    if not is_working_day(day) or local.time() >= WORKING_DAY_ENDS:
        day = _next_working_day(day)
    return _end_of(day)


def due_at(due: Due, start: datetime.datetime) -> datetime.datetime | None:
    # Hours are elapsed time: added in UTC (Python adds to an aware time's wall clock, so
    # 24 hours over a clock change would be 23 or 25).
    if due.unit == "immediately":
        return start.astimezone(datetime.UTC) + IMMEDIATELY
    if due.unit == "hours":
        return start.astimezone(datetime.UTC) + datetime.timedelta(hours=due.amount or 0)
    if due.unit == "same_working_day":
        return _first_working_day_end(start)
    if due.unit == "working_days":
        end = _first_working_day_end(start)
        day = timezone.localtime(end).date()
        # The day of submission is day 0: "within 5 working days" of a Monday is the next Monday.
        for _ in range(due.amount or 0):
            day = _next_working_day(day)
        return _end_of(day)
    if due.unit == "months":
        local = timezone.localtime(start)
        return _end_of(local.date() + relativedelta(months=due.amount or 0))
    return None  # ongoing, on_change


def steps_due(entry: FlowChartEntry, start: datetime.datetime) -> list[StepDue]:
    return [StepDue(step=step, due_at=due_at(step.due, start)) for step in entry.steps]


def review_date(entry: FlowChartEntry, start: datetime.datetime) -> datetime.date | None:
    """The date to screen again, when the flow chart sets one (a step due in months)."""
    dates = [due_at(step.due, start) for step in entry.steps if step.due.unit == "months"]
    dates = [value for value in dates if value is not None]
    return timezone.localtime(min(dates)).date() if dates else None


def hub_due_at(entry: FlowChartEntry, start: datetime.datetime) -> datetime.datetime | None:
    """When the hub should have acted on a screening of this category: the
    earliest deadline among steps that name the hub, the MASH or the police.
    None for categories the flow chart keeps with the practitioner."""
    agencies = {"hub", "mash", "police"}
    deadlines = [
        due_at(step.due, start) for step in entry.steps if any(contact.id in agencies for contact in step.contacts)
    ]
    deadlines = [value for value in deadlines if value is not None]
    return min(deadlines) if deadlines else None
