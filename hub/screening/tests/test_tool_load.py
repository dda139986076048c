import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hub.audit.models import AuditEvent
from hub.screening.definition import DEFAULT_DEFINITION_PATH
from hub.screening.models import ToolVersion
from hub.screening.selectors import tool_definition, tool_version_current

pytestmark = pytest.mark.django_db


def default_data() -> dict:
    return json.loads(DEFAULT_DEFINITION_PATH.read_text(encoding="utf-8"))


def write(tmp_path, data: dict, name: str = "tool.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return str(path)


def load(*args) -> str:
    out = StringIO()
    call_command("screening_tool_load", *args, stdout=out)
    return out.getvalue()


def test_loads_the_default_and_is_idempotent(tmp_path):
    assert "Loaded CSE Screening and Risk Assessment Tool 2026.1 and made it current." in load()
    tool_version = ToolVersion.objects.get()
    assert tool_version.is_current and tool_version.version == "2026.1"
    assert tool_definition(tool_version).version == "2026.1"
    first = (tool_version.pk, tool_version.loaded_at, tool_version.content_hash)

    assert "already loaded with this content; nothing changed" in load()
    # The same content laid out differently is the same content.
    assert "nothing changed" in load(write(tmp_path, default_data()))
    again = ToolVersion.objects.get()
    assert (again.pk, again.loaded_at, again.content_hash) == first
    assert AuditEvent.objects.filter(action="screening.tool_version_loaded").count() == 1


def test_changed_content_under_the_same_version_refused(tmp_path):
    load()
    data = default_data()
    data["rules"]["points"]["significant"]["current"] = 6
    with pytest.raises(CommandError, match="2026.1 is already loaded with different content"):
        load(write(tmp_path, data))
    assert ToolVersion.objects.get().definition == default_data()


def test_second_version_becomes_current_and_the_first_is_kept(tmp_path):
    load()
    first = ToolVersion.objects.get()
    data = default_data()
    data["version"] = "2026.2"
    data["rules"]["categories"][1]["min_points"] = 5
    assert "Loaded CSE Screening and Risk Assessment Tool 2026.2" in load(write(tmp_path, data))

    second = tool_version_current()
    assert second.version == "2026.2"
    kept = ToolVersion.objects.get(version="2026.1")
    assert not kept.is_current
    assert (kept.definition, kept.content_hash, kept.loaded_at) == (
        first.definition,
        first.content_hash,
        first.loaded_at,
    )
    assert tool_definition(kept).rules.categories[1].min_points == 4
    # Loading the old file again changes nothing, and the newer version stays current.
    assert "nothing changed" in load()
    assert tool_version_current().version == "2026.2"


def test_invalid_definition_refused_with_every_problem(tmp_path):
    data = default_data()
    data["version"] = "2026.9"
    data["flow_chart"].pop()
    data["groups"][0]["indicators"][0]["level"] = "high"
    with pytest.raises(CommandError) as excinfo:
        load(write(tmp_path, data))
    assert "flow_chart: missing category 3" in str(excinfo.value)
    assert "unknown level 'high'" in str(excinfo.value)
    assert not ToolVersion.objects.exists()


def test_unreadable_file_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        load(str(tmp_path / "absent.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("[", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        load(str(bad))
