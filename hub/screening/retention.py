"""Retention: a child's screenings are anonymised once they are kept no longer.

The rule (settings.SCREENING_RETENTION_RULE):

* "age" (the default): kept until the child's 25th birthday
  (SCREENING_RETENTION_AGE). A child's screenings are anonymised once the child
  is that age or older on the day of the run.
* "years_after_closure": kept SCREENING_RETENTION_YEARS after the child's last
  screening was closed.

Under either rule the unit is the child, not the screening: nothing of a child
is anonymised while any of their screenings is still open (submitted and not
closed, or closed without a closing date), because the hub still works from the
whole chronology, and a half-anonymised chronology would keep the name on one
screening and lose it on the others. When the last open screening is closed the
child's screenings are anonymised together, on the next run after the rule is met.
(Drafts are not linked to a child until submitted, so they neither hold a child's
screenings back nor are anonymised here.)

Anonymising erases what identifies the child: the name, date of birth, school or
setting and the other concerns (free text) of each screening, and the free text of
its category history (rationales) and of the hub's decisions (outcomes). Everything
the profile and the dashboards count stays as it was: categories, answers,
descriptive fields, age at screening, dates, `is_latest`. The child's blind index
is removed once all their screenings are anonymised, so a later screening of the
same name and date of birth starts a new child. One audit event is written for each
screening anonymised, with no personal data in it.

Dates of birth are encrypted, so the age rule cannot be a query: closed screenings
not yet anonymised, of children with nothing open, are read (the few fields needed)
and their dates of birth decrypted here. That is a few seconds for hundreds of
thousands of screenings, so the scheduled task runs it once a day
(`retention_run_daily`), not every minute; `manage.py screening_retention` runs it
at any time, or lists what is due (`--dry-run`).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hub.audit.models import AuditEvent
from hub.audit.services import audit_record
from hub.screening.models import CategoryChange, Child, HubDecision, Screening
from hub.screening.selectors import age_on

RULE_AGE = "age"
RULE_YEARS_AFTER_CLOSURE = "years_after_closure"
RULES = (RULE_AGE, RULE_YEARS_AFTER_CLOSURE)
ACTION_ANONYMISED = "screening.anonymised"
ACTION_RUN = "screening.retention_run"
# Erased on anonymising: the screening's identifying fields and all free text.
IDENTIFYING_FIELDS = ("child_name", "date_of_birth", "setting_name", "concerns")


@dataclass(frozen=True)
class RetentionRule:
    name: str
    value: int  # the age, or the number of years after closure

    def describe(self) -> str:
        if self.name == RULE_AGE:
            return f"until the child is {self.value}"
        return f"{self.value} year{'' if self.value == 1 else 's'} after the child's last screening was closed"


@dataclass(frozen=True)
class RetentionDue:
    """One screening the rule says to anonymise. No name or date of birth: safe to print."""

    screening_id: int
    public_id: uuid.UUID
    child_id: int
    closed_at: datetime.datetime
    reason: str


def retention_rule() -> RetentionRule:
    name = settings.SCREENING_RETENTION_RULE
    if name == RULE_AGE:
        age = settings.SCREENING_RETENTION_AGE
        if not 18 <= age <= 120:
            raise ImproperlyConfigured(f"SCREENING_RETENTION_AGE must be from 18 to 120, not {age}.")
        return RetentionRule(RULE_AGE, age)
    if name == RULE_YEARS_AFTER_CLOSURE:
        years = settings.SCREENING_RETENTION_YEARS
        if not 1 <= years <= 100:
            raise ImproperlyConfigured(f"SCREENING_RETENTION_YEARS must be from 1 to 100, not {years}.")
        return RetentionRule(RULE_YEARS_AFTER_CLOSURE, years)
    raise ImproperlyConfigured(f"SCREENING_RETENTION_RULE must be one of {', '.join(RULES)}, not {name!r}.")


def _years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same moment `years` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _still_open() -> Q:
    return ~Q(status=Screening.Status.CLOSED) | Q(closed_at__isnull=True)


def retention_due(now: datetime.datetime | None = None) -> list[RetentionDue]:
    """Every screening not yet anonymised that the rule says to anonymise on `now`,
    grouped by child (all of a child's closed screenings, or none of them)."""
    now = now or timezone.now()
    rule = retention_rule()
    open_of_child = Screening.objects.filter(child=OuterRef("child")).filter(_still_open())
    # Uses screening_queue_idx (status first); children with anything open are left out in the query.
    candidates = (
        Screening.objects.filter(
            status=Screening.Status.CLOSED,
            closed_at__isnull=False,
            anonymised_at__isnull=True,
            child__isnull=False,
        )
        .filter(~Exists(open_of_child))
        .order_by("child_id", "closed_at", "pk")
    )
    fields = ["pk", "public_id", "child_id", "closed_at"]
    if rule.name == RULE_AGE:
        fields.append("date_of_birth")  # decrypted: the only identifying field read
    due: list[RetentionDue] = []
    rows = candidates.values_list(*fields).iterator(chunk_size=2000)
    for child_id, group in groupby(rows, key=lambda row: row[2]):
        rows_of_child = list(group)
        reason = _reason(rule, rows_of_child, now)
        if reason is None:
            continue
        due += [
            RetentionDue(screening_id=row[0], public_id=row[1], child_id=child_id, closed_at=row[3], reason=reason)
            for row in rows_of_child
        ]
    return due


def _reason(rule: RetentionRule, rows: list[tuple], now: datetime.datetime) -> str | None:
    """Why this child's screenings are due, or None if they are not."""
    if rule.name == RULE_AGE:
        # Every linked screening has the same date of birth (it is part of the link); the first one set will do.
        born = next((row[4] for row in rows if row[4]), "")
        if not born:
            return None  # cannot tell the age: kept, never guessed
        if age_on(datetime.date.fromisoformat(born), timezone.localdate(now)) < rule.value:
            return None
        return f"child aged {rule.value} or over, all screenings closed"
    last_closed = max(row[3] for row in rows)
    if last_closed > _years_before(now, rule.value):
        return None
    return f"all screenings closed, the last over {rule.value} year{'' if rule.value == 1 else 's'} ago"


def screenings_anonymise(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[RetentionDue]:
    """Anonymise every screening that is due (see the module's docstring); return them.

    With dry_run, only return what would be anonymised. Running it again changes
    nothing: anonymised screenings are never due again."""
    now = now or timezone.now()
    due = retention_due(now)
    if dry_run:
        return due
    rule = retention_rule()
    done: list[RetentionDue] = []
    for child_id, items in groupby(due, key=lambda item: item.child_id):
        done += _child_anonymise(child_id, list(items), now=now, rule=rule)
    return done


@transaction.atomic
def _child_anonymise(
    child_id: int, items: list[RetentionDue], *, now: datetime.datetime, rule: RetentionRule
) -> list[RetentionDue]:
    # The child's row lock serialises this with a submission linking a new screening to the child.
    Child.objects.select_for_update().filter(pk=child_id).first()
    if Screening.objects.filter(child_id=child_id).filter(_still_open()).exists():
        return []  # a screening was submitted since the list was read: kept, due again when it closes
    pks = set(
        Screening.objects.filter(
            pk__in=[item.screening_id for item in items], child_id=child_id, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if not pks:
        return []
    Screening.objects.filter(pk__in=pks).update(**dict.fromkeys(IDENTIFYING_FIELDS, ""), anonymised_at=now)
    CategoryChange.objects.filter(screening_id__in=pks).update(rationale="")
    HubDecision.objects.filter(screening_id__in=pks).update(outcome="")
    if not Screening.objects.filter(child_id=child_id, anonymised_at__isnull=True).exists():
        Child.objects.filter(pk=child_id).update(blind_index=None)
    done = [item for item in items if item.screening_id in pks]
    for item in done:
        audit_record(
            action=ACTION_ANONYMISED,
            object_type="screening.screening",
            object_id=item.screening_id,
            detail={"rule": rule.name, "rule_value": rule.value, "public_id": str(item.public_id)},
        )
    return done


def retention_run(*, now: datetime.datetime | None = None) -> list[RetentionDue]:
    """Anonymise what is due and record the run (its day and how many), so the daily task knows it ran."""
    now = now or timezone.now()
    done = screenings_anonymise(now=now)
    rule = retention_rule()
    audit_record(
        action=ACTION_RUN,
        detail={
            "day": timezone.localdate(now).isoformat(),
            "rule": rule.name,
            "rule_value": rule.value,
            "anonymised": len(done),
        },
    )
    return done


def retention_ran_on(day: datetime.date) -> bool:
    return AuditEvent.objects.filter(action=ACTION_RUN, detail__day=day.isoformat()).exists()


def retention_run_daily(*, now: datetime.datetime | None = None) -> list[RetentionDue] | None:
    """For the every-few-minutes task: run once a (local) day; None when it already ran today."""
    now = now or timezone.now()
    if retention_ran_on(timezone.localdate(now)):
        return None
    return retention_run(now=now)
