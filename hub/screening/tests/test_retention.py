"""Retention: a child's closed screenings are anonymised once the child is 25
(or a set time after closure), identifying fields and free text erased, the
blind index removed, aggregates kept, each one audited; a dry run only lists."""

import datetime
import json
import threading
import time
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.audit.services import audit_verify_chain
from hub.conftest import verified_client
from hub.core.errors import ApplicationError
from hub.screening.models import CategoryChange, Child, HubDecision, Screening
from hub.screening.retention import retention_due, retention_run_daily, screenings_anonymise
from hub.screening.services import category_raise, hub_decision_record, screening_submit
from hub.screening.tests.factories import all_no, draft_make, submitted_make, tool_loaded

pytestmark = pytest.mark.django_db

CATEGORY_1 = {"missing_episodes": "yes_current", "older_partner": "yes_current"}
NAME = "Rowan Keeper"
SETTING = "Harbour Academy"
CONCERNS = "Seen with an older man near the pier most evenings."
RATIONALE = "Her aunt told me about the parties on Sea Road."
OUTCOME = "Referred to the Hope project; lives at 4 Sea Road."


@pytest.fixture
def practitioner():
    return UserFactory(roles=[Role.PRACTITIONER])


@pytest.fixture
def officer():
    return UserFactory(roles=[Role.HUB_OFFICER])


def _born(years: int, days: int = 40) -> datetime.date:
    """A date of birth `years` (and `days`) before today."""
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def _later(years: int, days: int = 0) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=366 * years + days)


def _screened(practitioner, officer, *, name: str = NAME, born: datetime.date, close: bool = True) -> Screening:
    """A submitted screening with free text everywhere: concerns, a raised category's reasons, a decision's outcome."""
    screening = submitted_make(
        practitioner, answers=CATEGORY_1, child_name=name, date_of_birth=born, setting_name=SETTING
    )
    Screening.objects.filter(pk=screening.pk).update(concerns=CONCERNS)  # update() encrypts, like save()
    category_raise(screening=screening, actor=practitioner, category=3, rationale=RATIONALE)
    hub_decision_record(
        screening=screening,
        actor=officer,
        decision="early_help",
        outcome=OUTCOME,
        review_due=timezone.localdate() + datetime.timedelta(days=30),
        close=close,
    )
    screening.refresh_from_db()
    return screening


def _raw(model, columns: str, where: str, ids: list[int]) -> list[tuple]:
    """Values as stored, past the field's decryption."""
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        table = model._meta.db_table
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} IN ({marks}) ORDER BY id", ids)  # noqa: S608
        return cursor.fetchall()


def _raw_identifying(screening: Screening) -> tuple:
    return _raw(Screening, "child_name, date_of_birth, setting_name, concerns", "id", [screening.pk])[0]


def _aggregates(screening: Screening) -> tuple:
    return tuple(
        Screening.objects.filter(pk=screening.pk).values_list(
            "category",
            "computed_category",
            "computed_points",
            "answers",
            "gender",
            "ethnicity",
            "postcode_district",
            "setting_type",
            "looked_after",
            "learning_disability",
            "age_at_screening",
            "submitted_at",
            "closed_at",
            "review_due",
            "is_latest",
            "child_id",
        )[0]
    )


def test_a_closed_child_aged_25_is_anonymised_and_aggregates_kept(practitioner, officer):
    born = _born(14)
    first = _screened(practitioner, officer, born=born)
    second = _screened(practitioner, officer, name="rowan  KEEPER", born=born)  # the same child, typed differently
    assert first.child_id == second.child_id
    child = first.child
    before = {screening.pk: _aggregates(screening) for screening in (first, second)}
    decisions = list(HubDecision.objects.filter(screening__child=child).values_list("decision", "review_due"))

    # 11 years on, the child is 25.
    done = screenings_anonymise(now=_later(11))

    assert {item.screening_id for item in done} == {first.pk, second.pk}
    for screening in (first, second):
        assert _raw_identifying(screening) == ("", "", "", "")
        assert _aggregates(screening) == before[screening.pk]
        stored = Screening.objects.get(pk=screening.pk)
        assert stored.anonymised_at is not None and stored.child_name == "" and stored.date_of_birth_value is None
    pks = [first.pk, second.pk]
    assert _raw(CategoryChange, "rationale", "screening_id", pks) == [("",)] * 4  # computed + raised, each
    assert _raw(HubDecision, "outcome", "screening_id", pks) == [("",)] * 2
    assert list(HubDecision.objects.filter(screening__child=child).values_list("decision", "review_due")) == decisions
    child.refresh_from_db()
    assert child.blind_index is None


def test_one_audit_event_per_screening_with_no_personal_data(practitioner, officer):
    born = _born(14)
    screenings = [_screened(practitioner, officer, born=born) for _ in range(2)]
    screenings_anonymise(now=_later(11))
    events = AuditEvent.objects.filter(action="screening.anonymised")
    assert sorted(events.values_list("object_type", "object_id")) == sorted(
        ("screening.screening", str(screening.pk)) for screening in screenings
    )
    text = json.dumps(list(events.values_list("detail", flat=True)))
    assert "Rowan" not in text and born.isoformat() not in text and SETTING not in text
    assert audit_verify_chain() is None


def test_a_new_screening_of_the_same_name_and_birth_date_is_a_new_child(practitioner, officer):
    born = _born(14)
    old = _screened(practitioner, officer, born=born)
    screenings_anonymise(now=_later(11))
    new = submitted_make(practitioner, child_name=NAME, date_of_birth=born)
    assert new.child_id != old.child_id
    assert Child.objects.get(pk=new.child_id).blind_index is not None
    assert Screening.objects.get(pk=old.pk).child_id == old.child_id  # the old chronology stays together


def test_under_25_or_still_open_is_kept(practitioner, officer):
    young = _screened(practitioner, officer, name="Young Child", born=_born(10))
    open_ = _screened(practitioner, officer, name="Open Case", born=_born(14), close=False)
    # 25 and closed on one screening, but another of the same child is still open: nothing of the child goes.
    closed_part = _screened(practitioner, officer, name="Half Closed", born=_born(14))
    open_part = _screened(practitioner, officer, name="Half Closed", born=_born(14), close=False)
    assert closed_part.child_id == open_part.child_id

    assert screenings_anonymise(now=_later(11)) == []

    for screening, name in ((young, "Young Child"), (open_, "Open Case"), (closed_part, "Half Closed")):
        stored = Screening.objects.get(pk=screening.pk)
        assert stored.child_name == name and stored.anonymised_at is None
        assert stored.child.blind_index is not None
    assert not AuditEvent.objects.filter(action="screening.anonymised").exists()

    # Once the open one is closed, the child's screenings go together.
    hub_decision_record(screening=open_part, actor=officer, decision="no_further_action", outcome="", close=True)
    done = screenings_anonymise(now=_later(11))
    assert {item.screening_id for item in done} == {closed_part.pk, open_part.pk}


def test_the_25th_birthday_is_the_day(practitioner, officer):
    born = _born(14, days=0)  # 14 today: 25 exactly 11 years from today
    screening = _screened(practitioner, officer, born=born)
    birthday = timezone.make_aware(datetime.datetime.combine(born.replace(year=born.year + 25), datetime.time(12)))
    assert retention_due(birthday - datetime.timedelta(days=1)) == []
    assert [item.screening_id for item in retention_due(birthday)] == [screening.pk]


def test_dry_run_changes_nothing_and_prints_no_names(practitioner, officer):
    screening = _screened(practitioner, officer, born=_born(14))
    # Pretend the child was born 26 years ago (the tool refuses to screen anyone that old).
    Screening.objects.filter(pk=screening.pk).update(date_of_birth=_born(26).isoformat())
    raw_before = _raw_identifying(screening)
    events_before = AuditEvent.objects.count()

    out = StringIO()
    call_command("screening_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert str(screening.public_id) in text and f"closed {timezone.localdate(screening.closed_at).isoformat()}" in text
    assert "1 screening(s) would be anonymised" in text
    assert NAME not in text and "Rowan" not in text and _born(26).isoformat() not in text and SETTING not in text
    assert _raw_identifying(screening) == raw_before
    assert Screening.objects.get(pk=screening.pk).anonymised_at is None
    assert AuditEvent.objects.count() == events_before

    out = StringIO()
    call_command("screening_retention", stdout=out)
    assert "1 screening(s) anonymised" in out.getvalue() and "Rowan" not in out.getvalue()
    assert _raw_identifying(screening) == ("", "", "", "")


def test_anonymising_again_changes_nothing(practitioner, officer):
    screening = _screened(practitioner, officer, born=_born(14))
    first = screenings_anonymise(now=_later(11))
    assert len(first) == 1
    anonymised_at = Screening.objects.get(pk=screening.pk).anonymised_at
    events = AuditEvent.objects.count()
    assert screenings_anonymise(now=_later(12)) == []
    assert retention_due(_later(12)) == []
    assert Screening.objects.get(pk=screening.pk).anonymised_at == anonymised_at
    assert AuditEvent.objects.count() == events


def test_years_after_closure_rule(settings, practitioner, officer):
    settings.SCREENING_RETENTION_RULE = "years_after_closure"
    settings.SCREENING_RETENTION_YEARS = 7
    closed = _screened(practitioner, officer, born=_born(10))
    _screened(practitioner, officer, name="Still Open", born=_born(10), close=False)
    assert retention_due(_later(6)) == []
    due = retention_due(_later(7, days=2))
    assert [item.screening_id for item in due] == [closed.pk]
    assert "7 years" in due[0].reason


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCREENING_RETENTION_RULE", "forever"),
        ("SCREENING_RETENTION_AGE", 12),
    ],
)
def test_a_wrong_setting_is_refused(settings, name, value):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        retention_due()


def test_screening_tasks_runs_retention_once_a_day(practitioner, officer):
    screening = _screened(practitioner, officer, born=_born(14))
    Screening.objects.filter(pk=screening.pk).update(date_of_birth=_born(26).isoformat())
    out = StringIO()
    call_command("screening_tasks", stdout=out)
    assert "Retention: 1 screening(s) anonymised." in out.getvalue()
    out = StringIO()
    call_command("screening_tasks", stdout=out)
    assert "Retention: already run today." in out.getvalue()
    assert retention_run_daily() is None
    run = AuditEvent.objects.get(action="screening.retention_run")
    assert run.detail["anonymised"] == 1 and run.detail["day"] == timezone.localdate().isoformat()


def test_an_anonymised_screening_cannot_be_changed(practitioner, officer):
    screening = _screened(practitioner, officer, born=_born(14))
    screenings_anonymise(now=_later(11))
    with pytest.raises(ApplicationError):
        category_raise(screening=screening, actor=practitioner, category=3, rationale="More known now.")
    with pytest.raises(ApplicationError):
        hub_decision_record(screening=screening, actor=officer, decision="police", outcome="")


def test_pages_still_work_for_an_anonymised_child(practitioner, officer):
    screening = _screened(practitioner, officer, born=_born(14))
    screenings_anonymise(now=_later(11))
    hub = verified_client(officer)
    author = verified_client(practitioner)

    pages = [
        (hub, reverse("screening:detail", kwargs={"public_id": screening.public_id})),
        (hub, reverse("screening:chronology", kwargs={"child_id": screening.child_id})),
        (hub, reverse("screening:decision", kwargs={"public_id": screening.public_id})),
        (author, reverse("screening:detail", kwargs={"public_id": screening.public_id})),
        (author, reverse("screening:list")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Anonymised on" in body, url
        assert "Rowan" not in body and SETTING not in body and "Sea Road" not in body, url
    detail = author.get(pages[3][1]).content.decode()
    assert "Category 3" in detail and "Raise the category" not in detail
    export = hub.get(reverse("screening:subject_access_json", kwargs={"child_id": screening.child_id}))
    assert export.status_code == 200 and json.loads(export.content)["child"]["anonymised"] is True


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_waited_while_its_child_was_anonymised_starts_a_new_child(practitioner, officer):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: the two cannot interleave")
    born = _born(14)
    old = _screened(practitioner, officer, born=born)
    draft = draft_make(practitioner, answers=all_no(tool_loaded()), child_name=NAME, date_of_birth=born)
    holding = threading.Event()

    def anonymise_holding_the_childs_lock() -> None:
        try:
            with transaction.atomic():
                Child.objects.select_for_update().get(pk=old.child_id)
                holding.set()
                time.sleep(0.5)  # the submission finds the child by its blind index, then waits for the lock
                assert [item.screening_id for item in screenings_anonymise(now=_later(11))] == [old.pk]
        finally:
            connection.close()

    thread = threading.Thread(target=anonymise_holding_the_childs_lock)
    thread.start()
    assert holding.wait(5)
    new = screening_submit(screening=draft, actor=practitioner, lock_version=draft.lock_version)
    thread.join()

    assert Screening.objects.get(pk=old.pk).anonymised_at is not None
    assert Child.objects.get(pk=old.child_id).blind_index is None
    assert new.child_id != old.child_id  # not linked to the anonymised chronology
    assert Child.objects.get(pk=new.child_id).blind_index is not None
    assert Screening.objects.get(pk=new.pk).is_latest
