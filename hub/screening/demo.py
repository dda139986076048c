"""Demo screenings for `make run`: invented children, made by the demo
practitioner through the same services as the pages, so the hub's queue and
the practitioner's list have something in them. Safe to run again."""

import datetime

from django.utils import timezone

from hub.accounts.models import User
from hub.screening.models import Screening
from hub.screening.selectors import tool_definition, tool_version_current
from hub.screening.services import screening_create, screening_submit

DEMO_PRACTITIONER = "practitioner@childrens-services.example.org"


def _born(years: int, days: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def demo_screening_load() -> list[Screening]:
    practitioner = User.objects.filter(email=DEMO_PRACTITIONER).first()
    tool_version = tool_version_current()
    if practitioner is None or tool_version is None or Screening.objects.filter(created_by=practitioner).exists():
        return []
    indicators = [indicator.id for indicator in tool_definition(tool_version).indicators]
    base = {
        "gender": "girl",
        "ethnicity": "white",
        "postcode_district": "BN11",
        "setting_type": "secondary",
        "looked_after": False,
        "learning_disability": False,
    }

    def answers(**yes) -> dict[str, str]:
        return {indicator: yes.get(indicator, "no") for indicator in indicators}

    made = []
    # Waiting for the hub: category 2 (a current significant indicator).
    first = screening_create(
        actor=practitioner,
        details={
            **base,
            "child_name": "Demo Child Alpha",
            "date_of_birth": _born(14, 30),
            "setting_name": "Demo Academy",
        },
        answers=answers(missing_episodes="yes_current", older_partner="yes_current", cars_unknown_adults="yes_current"),
        concerns="Seems frightened when collected from school by an older friend.",
    )
    made.append(screening_submit(screening=first, actor=practitioner, lock_version=first.lock_version))
    # At risk (category 1): screen again within 3 months.
    second = screening_create(
        actor=practitioner,
        details={
            **base,
            "child_name": "Demo Child Bravo",
            "date_of_birth": _born(15, 100),
            "gender": "boy",
            "setting_name": "Demo College",
            "setting_type": "college",
        },
        answers=answers(school_absence="yes_current", online_strangers="yes_past", alcohol_or_drugs="yes_past"),
    )
    made.append(screening_submit(screening=second, actor=practitioner, lock_version=second.lock_version))
    # A draft to finish.
    made.append(
        screening_create(
            actor=practitioner,
            details={**base, "child_name": "Demo Child Charlie", "date_of_birth": _born(12, 10)},
            answers={"missing_episodes": "yes_past"},
        )
    )
    return made
