"""When each step of the flow chart is due, from the moment a screening was submitted.

Working days are Monday to Friday in Europe/London, a working day ending at
WORKING_DAY_ENDS. Bank holidays are not counted out (a known gap: the hub sees
a step as due on a bank holiday, never later than it really is).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from hub.screening.definition import Due, FlowChartEntry, Step

WORKING_DAY_ENDS = datetime.time(17, 0)
# "Immediately" still has a clock: the hub should have acted within the hour.
IMMEDIATELY = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class StepDue:
    step: Step
    due_at: datetime.datetime | None  # None: ongoing or "if anything changes"


def _next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, WORKING_DAY_ENDS), timezone.get_default_timezone())


def _first_working_day_end(start: datetime.datetime) -> datetime.datetime:
    """The end of the working day a start falls in; after hours or at a weekend, the next one's."""
    local = timezone.localtime(start)
    day = local.date()
    if day.weekday() >= 5 or local.time() >= WORKING_DAY_ENDS:
        day = _next_working_day(day)
    return _end_of(day)


def due_at(due: Due, start: datetime.datetime) -> datetime.datetime | None:
    if due.unit == "immediately":
        return start + IMMEDIATELY
    if due.unit == "hours":
        return start + datetime.timedelta(hours=due.amount or 0)
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
