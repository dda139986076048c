"""manage.py minute_tasks: the timed work in one process, each task run even when one fails."""

import io
import logging

import pytest
from django.core.management import CommandError, call_command

from hub.campaigns.tests.factories import CampaignFactory, ChannelFactory

pytestmark = pytest.mark.django_db

# What each task says when it has run (its own command's output).
SAYS = {
    "outbox_sweep": "outbox message(s)",
    "broadcasts_tasks": "bulletin(s) started",
    "social_tasks": "moment(s) acted on",
    "training_tasks": "offer(s) expired",
    "screening_tasks": "review reminder(s) queued",
    "prerender_refresh": "Pre-rendered pages:",
}


def test_every_timed_task_runs_once_in_order():
    out = io.StringIO()
    call_command("minute_tasks", stdout=out)
    text = out.getvalue()
    positions = [text.index(SAYS[name]) for name in SAYS]
    assert positions == sorted(positions)
    assert all(text.count(phrase) == 1 for phrase in SAYS.values())


def test_a_failing_task_does_not_stop_the_others_and_the_command_fails(settings, tmp_path, caplog):
    campaign = CampaignFactory(published=True)
    ChannelFactory(campaign=campaign)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    settings.PRERENDER_ROOT = not_a_folder / "prerendered"  # pre-rendering cannot write here

    out = io.StringIO()
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError, match="prerender_refresh") as failure:
        call_command("minute_tasks", "prerender_refresh", "outbox_sweep", stdout=out)
    assert "outbox_sweep" not in str(failure.value).split("(")[0]
    assert SAYS["outbox_sweep"] in out.getvalue()  # ran after the failure
    assert "Timed task prerender_refresh failed" in caplog.text


def test_an_unknown_task_is_refused_with_the_list():
    with pytest.raises(CommandError, match="Not a timed task: backup. The timed tasks: outbox_sweep, "):
        call_command("minute_tasks", "backup")
