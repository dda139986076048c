"""Screening services: drafts, submission, judgement, the hub's decisions, reminders."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.core.errors import ApplicationError
from hub.core.models import OutboxMessage
from hub.screening.models import CategoryChange, HubDecision, Screening
from hub.screening.services import (
    category_lower_decide,
    category_lower_request,
    category_raise,
    hub_decision_record,
    reviews_remind,
    screening_draft_save,
    screening_submit,
)
from hub.screening.tests.factories import all_no, child_details, draft_make, submitted_make, tool_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner():
    return UserFactory(roles=[Role.PRACTITIONER])


@pytest.fixture
def hub_officer():
    return UserFactory(roles=[Role.HUB_OFFICER])


def test_submit_scores_links_and_tells_the_hub_without_identifiers(practitioner):
    screening = submitted_make(
        practitioner, answers={"missing_episodes": "yes_current", "older_partner": "yes_current"}
    )
    assert screening.status == Screening.Status.SUBMITTED
    assert (screening.computed_points, screening.computed_category, screening.category) == (4, 1, 1)
    assert screening.age_at_screening == 14
    # Category 1's flow chart: screen again within 3 months.
    expected_review = timezone.localdate(screening.submitted_at)
    assert screening.review_due.month == (expected_review.month + 2) % 12 + 1
    assert screening.child is not None and len(screening.child.blind_index) == 64
    change = screening.category_changes.get()
    assert (change.kind, change.category_to) == (CategoryChange.Kind.COMPUTED, 1)
    email = OutboxMessage.objects.get(kind="email")
    text = email.payload["subject"] + email.payload["body"]
    assert "category 1 (At risk)" in text.replace("Category: 1 (At risk)", "category 1 (At risk)")
    assert str(screening.public_id) in text
    for secret in ("Jamie", "Example", "Seaside", "BN11", str(screening.date_of_birth_value.year)):
        assert secret not in text
    assert AuditEvent.objects.filter(action="screening.submitted", object_id=str(screening.pk)).exists()


def test_repeat_screenings_of_one_child_link_however_the_name_is_typed(practitioner):
    born = datetime.date(2013, 5, 1)
    first = submitted_make(practitioner, child_name="Siân O'Neil-Smith", date_of_birth=born)
    second = submitted_make(practitioner, child_name="  sian   oneil smith ", date_of_birth=born)
    other = submitted_make(practitioner, child_name="Siân O'Neil-Smith", date_of_birth=datetime.date(2013, 5, 2))
    assert first.child_id == second.child_id
    assert other.child_id != first.child_id


def test_identifying_fields_are_ciphertext_in_the_database(practitioner):
    screening = draft_make(practitioner, child_name="Jamie Uniquename")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child_name, date_of_birth, setting_name FROM screening_screening WHERE id = %s", [screening.pk]
        )
        row = cursor.fetchone()
    assert all(value.startswith("test1$") for value in row)
    assert "Uniquename" not in " ".join(row) and "Seaside" not in " ".join(row)
    assert Screening.objects.get(pk=screening.pk).child_name == "Jamie Uniquename"


@pytest.mark.parametrize(
    ("born_years_ago", "message"),
    [(-1, "must be today or in the past"), (18, "The tool is for children under 18")],
)
def test_date_of_birth_in_the_future_or_adult_is_refused(practitioner, born_years_ago, message):
    tool_loaded()
    today = timezone.localdate()
    born = today.replace(year=today.year - born_years_ago) if born_years_ago >= 0 else today + datetime.timedelta(1)
    with pytest.raises(ApplicationError) as error:
        draft_make(practitioner, date_of_birth=born)
    assert message in error.value.message and error.value.field == "date_of_birth"
    assert not Screening.objects.exists()


def test_a_draft_missing_answers_cannot_be_submitted_and_says_which(practitioner):
    draft = draft_make(practitioner, answers={"missing_episodes": "no"})
    with pytest.raises(ApplicationError) as error:
        screening_submit(screening=draft, actor=practitioner, lock_version=draft.lock_version)
    assert error.value.field == "answers" and "36 not answered yet" in error.value.message
    assert "Has gone missing" not in error.value.message  # the answered one is not listed
    assert Screening.objects.get(pk=draft.pk).status == Screening.Status.DRAFT


def test_unknown_indicator_ids_are_refused(practitioner):
    tool_loaded()
    with pytest.raises(ApplicationError) as error:
        draft_make(practitioner, answers={"flying_saucer": "no", "missing_episodes": "maybe"})
    assert error.value.code == "unprocessable"
    assert "flying_saucer" in error.value.message and "missing_episodes='maybe'" in error.value.message


def test_concurrent_draft_saves_do_not_overwrite_each_other(practitioner):
    draft = draft_make(practitioner)
    opened = draft.lock_version
    colleague = UserFactory(roles=[Role.PRACTITIONER], organisation=practitioner.organisation)
    screening_draft_save(
        screening=Screening.objects.get(pk=draft.pk),
        actor=colleague,
        lock_version=opened,
        details=child_details(setting_name="First school"),
        answers={"missing_episodes": "yes_past"},
        concerns="",
    )
    with pytest.raises(ApplicationError) as error:
        screening_draft_save(
            screening=Screening.objects.get(pk=draft.pk),
            actor=practitioner,
            lock_version=opened,
            details=child_details(setting_name="Second school"),
            answers={},
            concerns="",
        )
    assert error.value.code == "conflict" and "Someone else saved this draft" in error.value.message
    saved = Screening.objects.get(pk=draft.pk)
    assert saved.setting_name == "First school" and saved.answers == {"missing_episodes": "yes_past"}
    # A submit from the stale page is refused too.
    saved.answers = all_no()
    saved.save()
    with pytest.raises(ApplicationError):
        screening_submit(screening=saved, actor=practitioner, lock_version=opened)


def test_raise_needs_a_rationale_and_takes_effect(practitioner):
    screening = submitted_make(practitioner)
    with pytest.raises(ApplicationError) as error:
        category_raise(screening=screening, actor=practitioner, category=2, rationale=" ")
    assert error.value.field == "rationale"
    with pytest.raises(ApplicationError):
        category_raise(screening=screening, actor=practitioner, category=0, rationale="lower?")
    category_raise(screening=screening, actor=practitioner, category=2, rationale="Seen with an older man.")
    screening.refresh_from_db()
    assert (screening.computed_category, screening.category) == (0, 2)


def test_lowering_waits_for_another_hub_officer(practitioner, hub_officer):
    screening = submitted_make(practitioner, answers={"disclosure": "yes_current"})
    assert screening.category == 3
    request = category_lower_request(
        screening=screening, actor=practitioner, category=1, rationale="Disclosure withdrawn."
    )
    screening.refresh_from_db()
    assert screening.category == 3  # the computed category stands until approved
    with pytest.raises(ApplicationError):
        category_lower_request(screening=screening, actor=practitioner, category=2, rationale="again")
    assert OutboxMessage.objects.filter(payload__subject__icontains="Approval needed").count() == 1
    category_lower_decide(change=request, actor=hub_officer, approve=True, reason="Agreed at strategy meeting.")
    screening.refresh_from_db()
    assert screening.category == 1
    kinds = list(screening.category_changes.values_list("kind", flat=True))
    assert kinds == ["computed", "lower_requested", "lower_approved"]
    with pytest.raises(ApplicationError) as error:
        category_lower_decide(change=request, actor=hub_officer, approve=False, reason="late")
    assert "already been answered" in error.value.message


def test_requester_cannot_approve_their_own_lowering(hub_officer):
    both = UserFactory(roles=[Role.PRACTITIONER, Role.HUB_OFFICER])
    screening = submitted_make(both, answers={"disclosure": "yes_current"})
    request = category_lower_request(screening=screening, actor=both, category=2, rationale="reason")
    with pytest.raises(ApplicationError):
        category_lower_decide(change=request, actor=both, approve=True, reason="mine")
    category_lower_decide(change=request, actor=hub_officer, approve=False, reason="Evidence still current.")
    screening.refresh_from_db()
    assert screening.category == 3


def test_hub_decision_ends_the_wait_and_can_close(practitioner, hub_officer):
    screening = submitted_make(practitioner, answers={"sexual_health": "yes_current"})
    with pytest.raises(ApplicationError):
        hub_decision_record(screening=screening, actor=hub_officer, decision="maybe", outcome="")
    review = timezone.localdate() + datetime.timedelta(days=30)
    hub_decision_record(
        screening=screening, actor=hub_officer, decision="mash_referral", outcome="Accepted.", review_due=review
    )
    screening.refresh_from_db()
    assert screening.triaged_at is not None and screening.review_due == review
    hub_decision_record(screening=screening, actor=hub_officer, decision="no_further_action", outcome="", close=True)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CLOSED and HubDecision.objects.count() == 2
    with pytest.raises(ApplicationError):
        hub_decision_record(screening=screening, actor=hub_officer, decision="police", outcome="")


def test_review_reminders_go_once_when_the_date_arrives(practitioner):
    screening = submitted_make(
        practitioner, answers={"missing_episodes": "yes_current", "older_partner": "yes_current"}
    )
    assert screening.review_due is not None
    assert reviews_remind() == 0
    later = timezone.now() + datetime.timedelta(days=120)
    assert reviews_remind(now=later) == 1
    assert reviews_remind(now=later) == 0
    email = OutboxMessage.objects.get(payload__subject__icontains="due to be screened again")
    assert email.payload["to"] == [practitioner.email] and "Jamie" not in email.payload["body"]


def test_a_new_tool_version_never_changes_an_old_result(practitioner):
    import copy

    from hub.screening.selectors import screening_result, tool_version_current
    from hub.screening.services import tool_version_load

    old = submitted_make(practitioner, answers={"missing_episodes": "yes_current", "older_partner": "yes_current"})
    assert (old.category, screening_result(old).points) == (1, 4)
    # Version 2027.1 doubles the points of a moderate indicator: the same answers now score 8.
    data = copy.deepcopy(tool_version_current().definition)
    data["version"] = "2027.1"
    data["rules"]["points"]["moderate"] = {"current": 4, "past": 2}
    tool_version_load(data=data)
    new = submitted_make(practitioner, answers={"missing_episodes": "yes_current", "older_partner": "yes_current"})
    assert new.tool_version.version == "2027.1" and screening_result(new).points == 8
    old.refresh_from_db()
    assert old.tool_version.version == "2026.1"
    assert (old.category, screening_result(old).points, screening_result(old).version) == (1, 4, "2026.1")


def test_only_the_childs_latest_submitted_screening_is_marked_latest(practitioner):
    born = datetime.date(2012, 6, 1)
    first = submitted_make(practitioner, child_name="Kit Latest", date_of_birth=born)
    draft = draft_make(practitioner, child_name="Kit Latest", date_of_birth=born)
    second = submitted_make(practitioner, child_name="Kit Latest", date_of_birth=born)
    other = submitted_make(practitioner, child_name="Someone Else", date_of_birth=born)
    latest = set(Screening.objects.filter(is_latest=True).values_list("pk", flat=True))
    assert latest == {second.pk, other.pk}
    assert first.pk not in latest and draft.pk not in latest
