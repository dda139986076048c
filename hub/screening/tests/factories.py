"""Screenings made through the services, as a practitioner would make them."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from hub.screening.models import Screening, ToolVersion
from hub.screening.selectors import tool_definition, tool_version_current
from hub.screening.services import screening_create, screening_submit


def tool_loaded() -> ToolVersion:
    """The default tool, loaded once per test database."""
    return tool_version_current() or (call_command("screening_tool_load", stdout=StringIO()) or tool_version_current())


def all_no(tool_version: ToolVersion | None = None, **overrides: str) -> dict[str, str]:
    """An answer for every indicator: "no", except those given."""
    definition = tool_definition(tool_version or tool_loaded())
    answers = {indicator.id: "no" for indicator in definition.indicators}
    answers.update(overrides)
    return answers


def child_details(**overrides) -> dict:
    today = timezone.localdate()
    details = {
        "child_name": "Jamie Example",
        "date_of_birth": today.replace(year=today.year - 14) - datetime.timedelta(days=40),
        "gender": "girl",
        "ethnicity": "white",
        "postcode_district": "BN11",
        "setting_type": "secondary",
        "setting_name": "Seaside Academy",
        "looked_after": False,
        "learning_disability": False,
    }
    details.update(overrides)
    return details


def draft_make(actor, *, answers: dict | None = None, **details) -> Screening:
    tool_loaded()
    return screening_create(actor=actor, details=child_details(**details), answers=answers or {})


def submitted_make(actor, *, answers: dict | None = None, **details) -> Screening:
    """A submitted screening; answers default to all "no" (category 0)."""
    tool_version = tool_loaded()
    draft = draft_make(actor, answers=all_no(tool_version, **(answers or {})), **details)
    return screening_submit(screening=draft, actor=actor, lock_version=draft.lock_version)
