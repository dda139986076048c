"""Practitioners' screening pages, through the browser's eyes: real database,
real services, every HTML page checked by the CheckedClient."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import OrganisationFactory
from hub.audit.models import AuditEvent
from hub.screening.models import CategoryChange, Screening
from hub.screening.selectors import tool_definition
from hub.screening.services import category_lower_request, screening_draft_save
from hub.screening.tests.factories import all_no, child_details, draft_make, submitted_make, tool_loaded
from hub.screening.views import practitioner as practitioner_views

pytestmark = pytest.mark.django_db

# Two current significant indicators: category 3.
SERIOUS = {"controlling_person": "yes_current", "hotels": "yes_current", "online_strangers": "not_known"}


def form_post(*, details: dict | None = None, answers: dict | None = None, action: str = "save", **extra) -> dict:
    """What the screening form's browser sends."""
    details = child_details() if details is None else details
    data = {"action": action, "concerns": "", **extra}
    for field, value in details.items():
        if field == "date_of_birth":
            data.update(
                {
                    "date_of_birth_day": str(value.day) if value else "",
                    "date_of_birth_month": str(value.month) if value else "",
                    "date_of_birth_year": str(value.year) if value else "",
                }
            )
        elif field in ("looked_after", "learning_disability"):
            data[field] = "" if value is None else ("yes" if value else "no")
        else:
            data[field] = value
    for indicator_id, answer in (answers or {}).items():
        data[f"answer_{indicator_id}"] = answer
    return data


def url(name: str, screening: Screening) -> str:
    return reverse(f"screening:{name}", kwargs={"public_id": screening.public_id})


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Seaside Academy Trust")


@pytest.fixture
def practitioner(make_staff_client, organisation):
    """(client, user) for a practitioner of `organisation`, with the tool loaded."""
    tool_loaded()
    return make_staff_client(Role.PRACTITIONER, organisation=organisation)


# --- The list -----------------------------------------------------------------------


def test_list_shows_own_and_organisation_screenings_newest_first(practitioner, make_staff_client, organisation):
    client, user = practitioner
    _, colleague = make_staff_client(Role.PRACTITIONER, organisation=organisation)
    _, elsewhere = make_staff_client(Role.PRACTITIONER)
    own = draft_make(user, child_name="Alex Ownchild")
    colleagues = submitted_make(colleague, child_name="Blair Colleaguechild", answers=SERIOUS)
    others = submitted_make(elsewhere, child_name="Casey Otherorg")

    response = client.get(reverse("screening:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alex Ownchild" in body and "Blair Colleaguechild" in body
    assert "Casey Otherorg" not in body
    assert body.index("Blair Colleaguechild") < body.index("Alex Ownchild")  # newest first
    assert "Start a new screening" in body
    assert "Category 3" in body and "Draft" in body
    assert "no-store" in response["Cache-Control"]

    event = AuditEvent.objects.get(action="screening.listed")
    assert event.actor == user and event.detail["what"] == "list"
    assert set(event.detail["screenings"]) == {str(own.public_id), str(colleagues.public_id)}
    assert str(others.public_id) not in event.detail["screenings"]


def test_list_is_paginated(practitioner, monkeypatch):
    client, user = practitioner
    monkeypatch.setattr(practitioner_views, "PAGE_SIZE", 2)
    for name in ("First Child", "Second Child", "Third Child"):
        draft_make(user, child_name=name)
    first = client.get(reverse("screening:list")).content.decode()
    assert "Third Child" in first and "Second Child" in first and "First Child" not in first
    second = client.get(reverse("screening:list") + "?page=2").content.decode()
    assert "First Child" in second and "Third Child" not in second
    listed = [event.detail["screenings"] for event in AuditEvent.objects.filter(action="screening.listed")]
    assert [len(ids) for ids in listed] == [2, 1]


@pytest.mark.parametrize(
    "role", [Role.PARTNERSHIP_ANALYST, Role.CAMPAIGN_COORDINATOR, Role.ADMINISTRATOR, Role.TRAINER]
)
def test_roles_without_a_need_are_refused(make_staff_client, role):
    _, author = make_staff_client(Role.PRACTITIONER)
    screening = submitted_make(author)
    client, _ = make_staff_client(role)
    for path in (
        reverse("screening:list"),
        reverse("screening:new"),
        url("edit", screening),
        url("raise", screening),
        url("lower", screening),
    ):
        assert client.get(path).status_code == 403, path
    # A screening's page gives no hint that it exists.
    assert client.get(url("detail", screening)).status_code == 404
    assert client.post(reverse("screening:new"), form_post()).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["screening.viewed", "screening.listed"]).exists()


def test_hub_officer_sees_submitted_screenings_but_not_drafts_and_does_not_screen(make_staff_client):
    _, author = make_staff_client(Role.PRACTITIONER)
    submitted = submitted_make(author, child_name="Dana Submitted")
    draft = draft_make(author, child_name="Drew Draft")
    hub, _ = make_staff_client(Role.HUB_OFFICER)
    response = hub.get(url("detail", submitted))
    assert response.status_code == 200 and "Dana Submitted" in response.content.decode()
    # No practitioner actions for the hub; the hub's own come from the hub's include.
    assert url("raise", submitted) not in response.content.decode()
    assert hub.get(url("detail", draft)).status_code == 404
    listing = hub.get(reverse("screening:list")).content.decode()
    assert "Dana Submitted" in listing and "Drew Draft" not in listing
    assert "Start a new screening" not in listing
    assert hub.get(reverse("screening:new")).status_code == 403
    assert hub.get(url("raise", submitted)).status_code == 403


def test_another_organisations_practitioner_gets_404(practitioner, make_staff_client):
    _, user = practitioner
    draft = draft_make(user)
    submitted = submitted_make(user)
    other, _ = make_staff_client(Role.PRACTITIONER)
    for screening in (draft, submitted):
        for name in ("detail", "edit", "raise", "lower"):
            assert other.get(url(name, screening)).status_code == 404, name
            assert other.post(url(name, screening), {"category": "3", "rationale": "x"}).status_code == 404, name
    assert Screening.objects.get(pk=submitted.pk).category == 0
    assert not CategoryChange.objects.exclude(kind=CategoryChange.Kind.COMPUTED).exists()
    assert not AuditEvent.objects.filter(action="screening.viewed").exists()


def test_staff_home_links_to_the_list_for_practitioners(practitioner, make_staff_client):
    client, _ = practitioner
    assert reverse("screening:list") in client.get(reverse("core:staff_home")).content.decode()
    analyst, _ = make_staff_client(Role.PARTNERSHIP_ANALYST)
    # (An analyst has a link to the profile, /staff/screening/profile/, but not to the list.)
    assert f'href="{reverse("screening:list")}"' not in analyst.get(reverse("core:staff_home")).content.decode()


# --- New, draft, submit ----------------------------------------------------------------


def test_new_draft_edit_submit_journey_reaches_the_result(practitioner):
    client, user = practitioner
    definition = tool_definition(tool_loaded())
    page = client.get(reverse("screening:new")).content.decode()
    assert "Start a new screening" in page
    assert "Yes, in the last 6 months" in page and "Yes, between 6 and 12 months ago" in page
    assert definition.indicators[0].wording in page and definition.indicators[0].help in page
    assert "Other concerns (not evidence)" in page

    # Save a partial draft.
    response = client.post(
        reverse("screening:new"),
        form_post(answers={"controlling_person": "yes_current"}, concerns="Seems frightened of her phone."),
    )
    screening = Screening.objects.get()
    assert response.status_code == 302 and response["Location"] == url("edit", screening)
    assert screening.status == Screening.Status.DRAFT and screening.created_by == user
    assert screening.answers == {"controlling_person": "yes_current"}

    edit = client.get(url("edit", screening)).content.decode()
    assert 'value="Jamie Example"' in edit and "Draft saved." in edit
    assert re.search(r'name="answer_controlling_person" type="radio" value="yes_current" checked', edit)
    assert "Seems frightened of her phone." in edit
    assert AuditEvent.objects.filter(action="screening.viewed", detail__what="edit").count() == 1

    # Complete it and submit.
    answers = all_no(**SERIOUS)
    response = client.post(
        url("edit", screening),
        form_post(answers=answers, action="submit", lock_version=screening.lock_version, concerns="Still worried."),
    )
    assert response.status_code == 302 and response["Location"] == url("detail", screening)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SUBMITTED
    assert (screening.computed_category, screening.category) == (3, 3)

    result = client.get(url("detail", screening)).content.decode()
    assert "Screening submitted." in result
    assert "Category 3: Serious risk" in result
    assert "supports professional judgement" in result
    assert "2 current significant indicators" in result and "Decides the category" in result
    assert "Someone controls who they see" in result  # an indicator answered yes, with its points
    assert "Gaps to follow up" in result and definition.indicator("online_strangers").wording in result
    assert "If the child is in immediate danger, call 999." in result and 'href="tel:999"' in result
    assert "Operation Kite" in result and 'href="tel:101"' in result
    assert 'href="mailto:mash@partnership.example.org"' in result
    assert "Still worried." in result
    # Due dates in UK time: "immediately" is within the hour of submission.
    due = timezone.localtime(screening.submitted_at + datetime.timedelta(hours=1))
    assert f"Immediately: by {due:%H:%M} on" in result
    assert "Computed by the tool" in result  # the category history


def test_new_submit_when_complete_creates_and_submits_at_once(practitioner):
    client, _ = practitioner
    response = client.post(
        reverse("screening:new"),
        form_post(answers=all_no(missing_episodes="yes_current", older_partner="yes_current"), action="submit"),
    )
    screening = Screening.objects.get()
    assert response["Location"] == url("detail", screening)
    assert (screening.status, screening.category) == (Screening.Status.SUBMITTED, 1)
    body = client.get(url("detail", screening)).content.decode()
    assert "Category 1: At risk" in body and "designated safeguarding lead" in body
    assert "Within 5 working days: by 17:00 on" in body


def test_new_submit_when_incomplete_says_what_is_missing_and_creates_nothing(practitioner):
    client, _ = practitioner
    details = child_details(gender="", looked_after=None)
    response = client.post(
        reverse("screening:new"), form_post(details=details, answers={"missing_episodes": "no"}, action="submit")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert not Screening.objects.exists()
    assert "Nothing has been saved yet." in body
    assert '<a href="#id_gender_0">Select the child&#x27;s gender</a>' in body
    assert '<a href="#id_looked_after_0">Select whether the child is looked after</a>' in body
    assert "Answer every question:" in body and 'href="#id_answer_missing_late_overnight_0"' in body
    # What was typed is kept.
    assert 'value="Jamie Example"' in body
    assert re.search(r'name="answer_missing_episodes" type="radio" value="no" checked', body)


def test_submitting_a_draft_with_missing_answers_lists_them_and_keeps_the_draft(practitioner):
    client, user = practitioner
    screening = draft_make(user)
    definition = tool_definition(screening.tool_version)
    answers = {indicator.id: "no" for indicator in definition.indicators[:3]}
    response = client.post(
        url("edit", screening), form_post(answers=answers, action="submit", lock_version=screening.lock_version)
    )
    body = response.content.decode()
    assert response.status_code == 200
    unanswered = definition.indicators[3:]
    assert f"Answer every question: {len(unanswered)} not answered yet" in body
    assert f'href="#id_answer_{unanswered[0].id}_0"' in body
    # One line in the summary for them all, and an error on each question.
    assert body.count("Answer this question") == len(unanswered)
    assert "Your draft has been saved, but it cannot be submitted" in body
    screening.refresh_from_db()
    assert screening.status == Screening.Status.DRAFT and screening.answers == answers
    # The re-shown form names the saved version, so the next save is not a conflict.
    assert f'name="lock_version" value="{screening.lock_version}"' in body
    response = client.post(
        url("edit", screening), form_post(answers=all_no(), action="submit", lock_version=screening.lock_version)
    )
    assert response.status_code == 302
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.SUBMITTED


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (lambda today: today + datetime.timedelta(days=1), "Date of birth must be today or in the past"),
        (
            lambda today: today.replace(year=today.year - 18),
            "The child is 18 on the date of screening. The tool is for children under 18",
        ),
    ],
)
def test_date_of_birth_in_the_future_or_18_and_over_is_refused(practitioner, born, message):
    client, user = practitioner
    date_of_birth = born(timezone.localdate())
    response = client.post(reverse("screening:new"), form_post(details=child_details(date_of_birth=date_of_birth)))
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert '<a href="#id_date_of_birth_0">' in body and "govuk-input--error" in body
    assert not Screening.objects.exists()

    screening = draft_make(user)
    response = client.post(
        url("edit", screening),
        form_post(details=child_details(date_of_birth=date_of_birth), lock_version=screening.lock_version),
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert Screening.objects.get(pk=screening.pk).lock_version == screening.lock_version


def test_date_of_birth_that_is_not_a_real_date(practitioner):
    client, _ = practitioner
    data = form_post()
    data.update({"date_of_birth_day": "31", "date_of_birth_month": "2"})
    body = client.post(reverse("screening:new"), data).content.decode()
    assert "Date of birth must be a real date" in body
    data = form_post(details=child_details(postcode_district="BN11 3AB"))
    body = client.post(reverse("screening:new"), data).content.decode()
    assert "Enter only the first part of the postcode" in body and 'href="#id_postcode_district"' in body
    assert not Screening.objects.exists()


def test_concurrent_edit_is_refused_and_keeps_what_the_user_typed(practitioner, make_staff_client, organisation):
    client, user = practitioner
    _, colleague = make_staff_client(Role.PRACTITIONER, organisation=organisation)
    screening = draft_make(user, child_name="Jamie Example")
    opened = screening.lock_version
    # The colleague saves the same draft after this user opened it.
    screening_draft_save(
        screening=Screening.objects.get(pk=screening.pk),
        actor=colleague,
        lock_version=opened,
        details={"child_name": "Jamie Colleague-Edit"},
        answers={"hotels": "yes_past"},
        concerns="",
    )
    for action in ("save", "submit"):
        response = client.post(
            url("edit", screening),
            form_post(
                details=child_details(child_name="Jamie Mine"),
                answers=all_no(),
                action=action,
                lock_version=opened,
                concerns="My own note",
            ),
        )
        body = response.content.decode()
        assert response.status_code == 200, action
        assert "Someone else saved this draft after you opened it" in body
        assert "govuk-error-summary" in body
        assert 'value="Jamie Mine"' in body and "My own note" in body
        assert re.search(r'name="answer_hotels" type="radio" value="no" checked', body)
        # Still the version this user started from: saving again cannot overwrite silently.
        assert f'name="lock_version" value="{opened}"' in body
        stored = Screening.objects.get(pk=screening.pk)
        assert stored.child_name == "Jamie Colleague-Edit" and stored.answers == {"hotels": "yes_past"}
        assert (stored.status, stored.lock_version) == (Screening.Status.DRAFT, opened + 1)


def test_edit_without_a_version_is_refused(practitioner):
    client, user = practitioner
    screening = draft_make(user)
    data = form_post()
    body = client.post(url("edit", screening), data).content.decode()
    assert "This page is out of date" in body
    assert Screening.objects.get(pk=screening.pk).lock_version == screening.lock_version


def test_colleague_in_the_same_organisation_can_edit_a_draft(practitioner, make_staff_client, organisation):
    _, user = practitioner
    colleague_client, _ = make_staff_client(Role.PRACTITIONER, organisation=organisation)
    screening = draft_make(user)
    assert colleague_client.get(url("detail", screening))["Location"] == url("edit", screening)
    response = colleague_client.post(
        url("edit", screening), form_post(details=child_details(child_name="Jo Renamed"), lock_version=1)
    )
    assert response.status_code == 302
    assert Screening.objects.get(pk=screening.pk).child_name == "Jo Renamed"


def test_a_submitted_screening_cannot_be_edited(practitioner):
    client, user = practitioner
    screening = submitted_make(user)
    response = client.post(url("edit", screening), form_post(lock_version=screening.lock_version))
    assert response["Location"] == url("detail", screening)
    assert client.get(url("edit", screening))["Location"] == url("detail", screening)
    assert Screening.objects.get(pk=screening.pk).child_name == "Jamie Example"


def test_new_without_a_tool_says_so(make_staff_client):
    client, _ = make_staff_client(Role.PRACTITIONER)
    response = client.get(reverse("screening:new"))
    assert response.status_code == 404 and "screening_tool_load" in response.content.decode()


# --- The result, and reading it ---------------------------------------------------------


def test_every_view_of_a_screening_is_audited(practitioner):
    client, user = practitioner
    screening = submitted_make(user)
    for count in (1, 2):
        assert client.get(url("detail", screening)).status_code == 200
        events = AuditEvent.objects.filter(
            action="screening.viewed", object_type="screening.screening", object_id=str(screening.pk)
        )
        assert events.count() == count
    event = events.last()
    assert event.actor == user and event.detail == {"what": "detail"}
    assert "no-store" in client.get(url("detail", screening))["Cache-Control"]


def test_result_shows_both_categories_after_judgement_and_history(practitioner, make_staff_client):
    client, user = practitioner
    screening = submitted_make(user, answers={"missing_episodes": "yes_current", "older_partner": "yes_current"})
    client.post(url("raise", screening), {"category": "2", "rationale": "She told me about a man called Dee."})
    body = client.get(url("detail", screening)).content.decode()
    assert "Category 2: Significant risk" in body
    assert "The tool gave category 1 (At risk)" in body
    assert "Refer the child to children&#x27;s social care through the MASH." in body  # category 2's steps
    assert "Raised by professional judgement" in body and "She told me about a man called Dee." in body


# --- Professional judgement ----------------------------------------------------------------


def test_raise_the_category(practitioner):
    client, user = practitioner
    screening = submitted_make(user, answers={"missing_episodes": "yes_current", "older_partner": "yes_current"})
    page = client.get(url("raise", screening)).content.decode()
    assert "Category 2: Significant risk" in page and "Category 3: Serious risk" in page
    assert 'value="0"' not in page and 'value="1"' not in page
    assert AuditEvent.objects.filter(action="screening.viewed", detail__what="raise").exists()

    body = client.post(url("raise", screening), {}).content.decode()
    assert '<a href="#id_category_0">Select a category</a>' in body
    assert '<a href="#id_rationale">Explain why you are raising the category</a>' in body
    body = client.post(url("raise", screening), {"category": "1", "rationale": "x"}).content.decode()
    assert "Select one of the categories listed" in body

    response = client.post(url("raise", screening), {"category": "3", "rationale": "Seen getting into a car."})
    assert response["Location"] == url("detail", screening)
    screening.refresh_from_db()
    assert (screening.computed_category, screening.category) == (1, 3)
    detail = client.get(url("detail", screening)).content.decode()
    assert "Category raised to 3 (Serious risk)" in detail and "govuk-notification-banner--success" in detail
    assert "If the child is in immediate danger, call 999." in detail
    # Already the highest: nothing more to raise.
    assert url("raise", screening) not in detail
    assert "already the highest category" in client.get(url("raise", screening)).content.decode()


def test_ask_the_hub_to_lower_the_category(practitioner):
    client, user = practitioner
    screening = submitted_make(user, answers=SERIOUS)
    page = client.get(url("lower", screening)).content.decode()
    assert "Category 0: No current CSE concern" in page and "Category 2: Significant risk" in page
    assert 'value="3"' not in page

    body = client.post(url("lower", screening), {"category": "2"}).content.decode()
    assert "Explain why the category should be lower" in body
    response = client.post(url("lower", screening), {"category": "2", "rationale": "The hotel was a family holiday."})
    assert response["Location"] == url("detail", screening)
    screening.refresh_from_db()
    assert screening.category == 3  # until the hub approves
    request = CategoryChange.objects.get(kind=CategoryChange.Kind.LOWER_REQUESTED)
    assert (request.category_to, request.resolved_at) == (2, None)

    detail = client.get(url("detail", screening)).content.decode()
    assert "Until a hub officer approves it, category 3 stands." in detail  # the banner
    assert "Waiting for the hub" in detail
    assert url("lower", screening) not in detail
    again = client.get(url("lower", screening)).content.decode()
    assert "already asked" in again and "<form method" not in again.split('id="main-content"')[1]
    client.post(url("lower", screening), {"category": "1", "rationale": "Again"})
    assert CategoryChange.objects.filter(kind=CategoryChange.Kind.LOWER_REQUESTED).count() == 1


def test_pending_request_from_the_service_shows_on_the_result(practitioner):
    client, user = practitioner
    screening = submitted_make(user, answers=SERIOUS)
    category_lower_request(screening=screening, actor=user, category=1, rationale="Reason")
    body = client.get(url("detail", screening)).content.decode()
    assert "for the category to be lowered to 1" in body


def test_judgement_on_a_draft_goes_back_to_the_draft(practitioner):
    client, user = practitioner
    screening = draft_make(user)
    response = client.post(url("raise", screening), {"category": "3", "rationale": "x"})
    assert response["Location"] == url("detail", screening)
    assert not CategoryChange.objects.exists()
