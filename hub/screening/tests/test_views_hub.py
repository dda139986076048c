"""The hub's pages: the triage queue, decisions, lowering requests, a child's
chronology, the actions on a screening's page, and the reminders command."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import OrganisationFactory, UserFactory
from hub.audit.models import AuditEvent
from hub.core.models import OutboxMessage
from hub.screening.models import CategoryChange, HubDecision, Screening
from hub.screening.selectors import child_chronology
from hub.screening.services import (
    category_lower_decide,
    category_lower_request,
    category_raise,
    hub_decision_record,
    lowering_pending,
)
from hub.screening.tests.factories import draft_make, submitted_make

pytestmark = pytest.mark.django_db

CATEGORY_1 = {"missing_episodes": "yes_current", "older_partner": "yes_current"}
CATEGORY_2 = {"sexual_health": "yes_current"}
CATEGORY_3 = {"disclosure": "yes_current"}


@pytest.fixture
def practitioner():
    return UserFactory(roles=[Role.PRACTITIONER])


@pytest.fixture
def hub(make_staff_client):
    client, officer = make_staff_client(Role.HUB_OFFICER)
    client.officer = officer
    return client


def _submitted_ago(screening: Screening, delta: datetime.timedelta) -> Screening:
    """Pretend the screening was submitted `delta` ago."""
    Screening.objects.filter(pk=screening.pk).update(submitted_at=timezone.now() - delta)
    screening.refresh_from_db()
    return screening


def _waiting_section(body: str) -> str:
    return body.split("Lowering requests waiting for approval")[0]


def _date_fields(day: datetime.date, name: str = "review_due") -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


# --- The queue -------------------------------------------------------------------------


def test_queue_orders_by_category_then_waiting_time_and_flags_overdue(hub, practitioner):
    zero = submitted_make(practitioner)
    one_new = submitted_make(practitioner, answers=CATEGORY_1)
    one_old = _submitted_ago(submitted_make(practitioner, answers=CATEGORY_1), datetime.timedelta(days=3))
    two = _submitted_ago(submitted_make(practitioner, answers=CATEGORY_2), datetime.timedelta(days=5))
    three = _submitted_ago(submitted_make(practitioner, answers=CATEGORY_3), datetime.timedelta(hours=2))
    assert [s.category for s in (zero, one_new, one_old, two, three)] == [0, 1, 1, 2, 3]

    response = hub.get(reverse("screening:queue"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = _waiting_section(response.content.decode())
    positions = [body.index(str(s.public_id)) for s in (three, two, one_old, one_new, zero)]
    assert positions == sorted(positions)
    assert "Waiting for triage (5), 2 overdue" in body
    # Category 3: the hub should act within the hour; category 2 the same working day; 0 and 1 no hub deadline.
    assert body.count(">Overdue<") == 2
    assert "2 hours" in body and "5 days" in body and "3 days" in body
    assert body.count("—</td>") >= 3
    assert practitioner.organisation.name in body
    assert "Category 3: Serious risk" in body and "govuk-tag--red" in body


def test_queue_shows_no_child_names_or_dates_of_birth(hub, practitioner):
    screening = submitted_make(practitioner, child_name="Jamie Uniquename", answers=CATEGORY_3)
    category_lower_request(screening=screening, actor=practitioner, category=2, rationale="Withdrawn by Jamie.")
    Screening.objects.filter(pk=screening.pk).update(review_due=timezone.localdate())
    body = hub.get(reverse("screening:queue")).content.decode()
    assert str(screening.public_id) in body
    assert "Lowering requests waiting for approval (1)" in body and "Reviews due (1)" in body
    for secret in ("Uniquename", "Jamie", "Seaside", "Withdrawn", screening.date_of_birth_value.strftime("%-d %B")):
        assert secret not in body
    assert not AuditEvent.objects.filter(action__in=["screening.viewed", "screening.listed"]).exists()


def test_empty_queue_explains_each_list(hub):
    body = hub.get(reverse("screening:queue")).content.decode()
    assert "Waiting for triage (0)" in body and "No screenings are waiting" in body
    assert "No requests are waiting" in body and "No reviews are due" in body


# --- Decisions ----------------------------------------------------------------------


def test_decision_form_errors(hub, practitioner):
    screening = submitted_make(practitioner, answers=CATEGORY_2)
    url = reverse("screening:decision", kwargs={"public_id": screening.public_id})
    page = hub.get(url).content.decode()
    assert "Record the hub's decision" in page and "Referral to children&#x27;s social care (MASH)" in page
    # The child is named, so the decision lands on the right one; the read is audited.
    assert "Jamie Example" in page
    viewed = AuditEvent.objects.get(action="screening.viewed", object_id=str(screening.pk))
    assert viewed.detail == {"what": "decision_form"} and viewed.actor == hub.officer

    body = hub.post(url, {}).content.decode()
    assert "There is a problem" in body and "Select the decision" in body

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    body = hub.post(url, {"decision": "early_help", **_date_fields(yesterday)}).content.decode()
    assert "The review date must be in the future" in body
    body = hub.post(url, {"decision": "early_help", "review_due_day": "31", "review_due_month": "2"}).content.decode()
    assert "Review date must include a year" in body
    screening.refresh_from_db()
    assert screening.triaged_at is None and not HubDecision.objects.exists()


def test_decision_recorded_leaves_the_queue(hub, practitioner):
    screening = submitted_make(practitioner, answers=CATEGORY_2)
    assert str(screening.public_id) in _waiting_section(hub.get(reverse("screening:queue")).content.decode())
    review = timezone.localdate() + datetime.timedelta(days=30)
    response = hub.post(
        reverse("screening:decision", kwargs={"public_id": screening.public_id}),
        {"decision": "mash_referral", "outcome": "Referral accepted by MASH.", **_date_fields(review)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:detail", kwargs={"public_id": screening.public_id})
    screening.refresh_from_db()
    assert screening.triaged_at is not None and screening.review_due == review
    decision = HubDecision.objects.get()
    assert (decision.decision, decision.outcome, decision.decided_by) == (
        "mash_referral",
        "Referral accepted by MASH.",
        hub.officer,
    )
    assert AuditEvent.objects.filter(action="screening.decision_recorded", object_id=str(screening.pk)).exists()
    body = hub.get(reverse("screening:queue")).content.decode()
    assert str(screening.public_id) not in _waiting_section(body)
    assert "Triaged, waiting for review (1)" in body


def test_closed_screening_refuses_further_decisions(hub, practitioner):
    screening = submitted_make(practitioner)
    url = reverse("screening:decision", kwargs={"public_id": screening.public_id})
    assert hub.post(url, {"decision": "no_further_action", "close": "on"}).status_code == 302
    screening.refresh_from_db()
    assert screening.status == Screening.Status.CLOSED

    page = hub.get(url).content.decode()
    assert "This screening is closed, so the hub cannot record more decisions on it" in page
    assert 'name="decision"' not in page
    # A page left open before it was closed: the service says no.
    body = hub.post(url, {"decision": "police"}).content.decode()
    assert "There is a problem" in body and "Screen the child again to reopen their case" in body
    assert HubDecision.objects.count() == 1


def test_decision_for_an_unknown_or_draft_screening_is_404(hub, practitioner):
    draft = draft_make(practitioner)
    assert hub.get(reverse("screening:decision", kwargs={"public_id": draft.public_id})).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert hub.get(reverse("screening:decision", kwargs={"public_id": missing})).status_code == 404


# --- Lowering requests ----------------------------------------------------------------


def _lowering_asked(practitioner, *, to: int = 1) -> tuple[Screening, CategoryChange]:
    screening = submitted_make(practitioner, answers=CATEGORY_3)
    change = category_lower_request(
        screening=screening, actor=practitioner, category=to, rationale="The disclosure was withdrawn."
    )
    return screening, change


def test_lowering_approved_through_the_page(hub, practitioner):
    screening, change = _lowering_asked(practitioner)
    url = reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id})
    page = hub.get(url).content.decode()
    assert f'name="change" value="{change.pk}"' in page
    assert "The disclosure was withdrawn." in page and practitioner.full_name in page
    assert "Category 3: Serious risk" in page and "Category 1: At risk" in page
    viewed = AuditEvent.objects.filter(action="screening.viewed", object_id=str(screening.pk))
    assert viewed.count() == 1 and viewed.get().detail == {"what": "lowering_form"}

    body = hub.post(url, {}).content.decode()
    assert "Select whether you approve or refuse the request" in body
    assert "Enter the reason for your decision" in body

    response = hub.post(url, {"change": change.pk, "answer": "approve", "reason": "Agreed at the strategy discussion."})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.category == 1
    assert list(screening.category_changes.values_list("kind", flat=True)) == [
        "computed",
        "lower_requested",
        "lower_approved",
    ]
    again = hub.get(url)
    assert again.status_code == 200
    assert "This request has already been answered" in again.content.decode()
    assert "approved lowering the category from 3 to 1" in again.content.decode()


def test_lowering_refused_through_the_page(hub, practitioner):
    screening, change = _lowering_asked(practitioner)
    url = reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id})
    response = hub.post(url, {"change": change.pk, "answer": "refuse", "reason": "The evidence is still current."})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.category == 3 and lowering_pending(screening) is None
    assert screening.category_changes.last().kind == CategoryChange.Kind.LOWER_REFUSED


def test_requester_cannot_answer_their_own_request(make_staff_client):
    client, both = make_staff_client(Role.PRACTITIONER, Role.HUB_OFFICER)
    screening, change = _lowering_asked(both, to=2)
    url = reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id})
    assert "You made this request, so another hub officer must answer it" in client.get(url).content.decode()
    body = client.post(url, {"change": change.pk, "answer": "approve", "reason": "Mine."}).content.decode()
    assert "There is a problem" in body
    assert "Someone other than the person who asked must approve or refuse this request." in body
    screening.refresh_from_db()
    assert screening.category == 3 and lowering_pending(screening) is not None


def test_answer_to_a_request_already_answered_lands_nowhere(hub, practitioner):
    screening, first = _lowering_asked(practitioner)
    url = reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id})
    hub.get(url)  # the officer opens the page for the first request...
    other = UserFactory(roles=[Role.HUB_OFFICER])
    category_lower_decide(change=first, actor=other, approve=False, reason="Not yet.")
    second = category_lower_request(screening=screening, actor=practitioner, category=2, rationale="New report.")
    # ...and answers it after someone else did and a new request was made.
    response = hub.post(url, {"change": first.pk, "answer": "approve", "reason": "Yes."})
    body = response.content.decode()
    assert response.status_code == 200 and "This request has already been answered" in body
    assert "A newer request is waiting" in body
    second.refresh_from_db()
    assert second.resolved_at is None
    screening.refresh_from_db()
    assert screening.category == 3


def test_lowering_answer_without_the_request_it_answers_is_refused(hub, practitioner):
    screening, _ = _lowering_asked(practitioner)
    url = reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id})
    body = hub.post(url, {"answer": "approve", "reason": "Yes."}).content.decode()
    assert "There is a problem" in body and "This page is out of date" in body
    screening.refresh_from_db()
    assert screening.category == 3 and lowering_pending(screening) is not None


def test_lowering_page_without_a_request_is_friendly(hub, practitioner):
    screening = submitted_make(practitioner)
    response = hub.get(reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id}))
    assert response.status_code == 200
    assert "No request to lower this category is waiting" in response.content.decode()


# --- Chronology ----------------------------------------------------------------------


def test_chronology_of_a_child_screened_by_two_organisations(hub):
    school = UserFactory(roles=[Role.PRACTITIONER], organisation=OrganisationFactory(name="Seaview School"))
    police = UserFactory(roles=[Role.PRACTITIONER], organisation=OrganisationFactory(name="Coastal Police"))
    born = timezone.localdate().replace(year=timezone.localdate().year - 13) - datetime.timedelta(days=10)
    first = _submitted_ago(
        submitted_make(school, child_name="Alex Chronology", date_of_birth=born), datetime.timedelta(days=40)
    )
    second = submitted_make(police, child_name="alex  chronology", date_of_birth=born, answers=CATEGORY_3)
    assert first.child_id == second.child_id
    request = category_lower_request(screening=second, actor=police, category=2, rationale="Retracted.")
    category_lower_decide(change=request, actor=hub.officer, approve=True, reason="Agreed at strategy.")
    hub_decision_record(
        screening=second, actor=hub.officer, decision="strategy_discussion", outcome="Strategy held; plan agreed."
    )
    unrelated = submitted_make(school, child_name="Someone Else")

    response = hub.get(reverse("screening:chronology", kwargs={"child_id": first.child_id}))
    assert response.status_code == 200
    body = response.content.decode()
    # The name once, from the latest screening (as typed there), and the date of birth.
    assert body.count("alex chronology") == 1 and "Alex Chronology" not in body
    assert f"{born:%-d %B %Y}" in body
    assert "Someone Else" not in body and str(unrelated.public_id) not in body
    # Oldest first: the school's screening, then the police's, its lowering and the hub's decision.
    order = [
        body.index("Seaview School"),
        body.index("Coastal Police"),
        body.index("Lowering requested: category 3 to 2"),
        body.index("Lowering approved by the hub: category 3 to 2"),
        body.index("Hub decision: Strategy discussion"),
    ]
    assert order == sorted(order)
    assert "Retracted." in body and "Agreed at strategy." in body and "Strategy held; plan agreed." in body
    # Category over time: a chart and the table giving the same.
    assert "<svg" in body and "<polyline" in body
    assert "Each change of category, oldest first" in body
    assert "Screening 1 submitted" in body and "Screening 2 submitted" in body
    assert "Lowering approved by the hub (screening 2)" in body
    listed = AuditEvent.objects.get(action="screening.listed")
    assert listed.detail == {"what": "chronology", "screenings": [str(first.public_id), str(second.public_id)]}
    assert listed.actor == hub.officer


def test_category_over_time_follows_the_latest_screening(practitioner):
    officer = UserFactory(roles=[Role.HUB_OFFICER])
    first = _submitted_ago(submitted_make(practitioner, answers=CATEGORY_1), datetime.timedelta(days=20))
    second = submitted_make(practitioner, answers=CATEGORY_3)
    # A later change to the older screening is history, not the child's category now...
    category_raise(screening=first, actor=practitioner, category=2, rationale="On reflection.")
    # ...while an approved lowering of the latest one is.
    change = category_lower_request(screening=second, actor=practitioner, category=2, rationale="Retracted.")
    category_lower_decide(change=change, actor=officer, approve=True, reason="Agreed.")
    found = child_chronology(officer, first.child_id)
    assert [(point.number, point.category) for point in found.points] == [(1, 1), (2, 3), (2, 2)]
    assert [event.kind for event in found.events] == ["submitted", "submitted", "category", "category", "category"]
    assert found.latest == second


def test_chronology_of_an_unknown_child_is_404(hub):
    assert hub.get(reverse("screening:chronology", kwargs={"child_id": 999999})).status_code == 404


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PARTNERSHIP_ANALYST, Role.CAMPAIGN_COORDINATOR])
def test_other_roles_get_403_on_every_hub_page(make_staff_client, practitioner, role):
    screening, _ = _lowering_asked(practitioner)
    client, user = make_staff_client(role, organisation=practitioner.organisation)
    urls = [
        reverse("screening:queue"),
        reverse("screening:decision", kwargs={"public_id": screening.public_id}),
        reverse("screening:lowering_decide", kwargs={"public_id": screening.public_id}),
        reverse("screening:chronology", kwargs={"child_id": screening.child_id}),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"decision": "police", "answer": "approve", "reason": "x"}).status_code == 403, url
    screening.refresh_from_db()
    assert screening.triaged_at is None and screening.category == 3


def test_signed_out_visitors_are_sent_to_sign_in(client, practitioner):
    screening = submitted_make(practitioner)
    response = client.get(reverse("screening:decision", kwargs={"public_id": screening.public_id}))
    assert response.status_code == 302 and "sign" in response["Location"]


def test_staff_home_links_to_the_hub_for_hub_officers_only(hub, make_staff_client):
    assert reverse("screening:queue") in hub.get(reverse("core:staff_home")).content.decode()
    practitioner_client, _ = make_staff_client(Role.PRACTITIONER)
    assert reverse("screening:queue") not in practitioner_client.get(reverse("core:staff_home")).content.decode()


# --- The actions on a screening's page --------------------------------------------------


def test_detail_actions_offer_what_the_officer_can_do(practitioner):
    officer = UserFactory(roles=[Role.HUB_OFFICER])
    screening, change = _lowering_asked(practitioner)
    html = render_to_string(
        "screening/hub/_detail_actions.html",
        {"screening": screening, "pending_lowering": change, "perms": PermWrapper(officer)},
    )
    assert reverse("screening:decision", kwargs={"public_id": screening.public_id}) in html
    assert "Approve or refuse the lowering" in html
    assert reverse("screening:chronology", kwargs={"child_id": screening.child_id}) in html

    triage_only = UserFactory(roles=[Role.HUB_OFFICER])
    triage_only.groups.clear()
    triage_only.user_permissions.add(
        Permission.objects.get(codename="triage_screening"), Permission.objects.get(codename="view_all_screenings")
    )
    hub_decision_record(screening=screening, actor=officer, decision="police", outcome="", close=True)
    screening.refresh_from_db()
    html = render_to_string(
        "screening/hub/_detail_actions.html",
        {"screening": screening, "pending_lowering": None, "perms": PermWrapper(triage_only)},
    )
    assert "Record a decision" not in html and "The hub closed this screening" in html
    assert "Approve or refuse" not in html and "Chronology of this child" not in html


# --- Reminders ----------------------------------------------------------------------


def test_screening_tasks_queues_a_review_reminder_once(practitioner):
    screening = submitted_make(practitioner, answers=CATEGORY_1)
    Screening.objects.filter(pk=screening.pk).update(review_due=timezone.localdate())
    out = StringIO()
    call_command("screening_tasks", stdout=out)
    assert "1 review reminder(s) queued." in out.getvalue()
    out = StringIO()
    call_command("screening_tasks", stdout=out)
    assert "0 review reminder(s) queued." in out.getvalue()
    reminders = OutboxMessage.objects.filter(payload__subject__icontains="due to be screened again")
    assert reminders.count() == 1 and reminders.get().payload["to"] == [practitioner.email]
