"""Subject access: everything held about one child, as JSON and PDF, for hub
officers only; that child's screenings and audit only; the export audited."""

import datetime
import json
import re
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.conftest import verified_client
from hub.screening.models import Child, Screening
from hub.screening.selectors import tool_definition
from hub.screening.services import category_raise, hub_decision_record
from hub.screening.subject_access import subject_access_data, subject_access_html
from hub.screening.tests.factories import draft_make, submitted_make

pytestmark = pytest.mark.django_db

CATEGORY_1 = {"missing_episodes": "yes_current", "older_partner": "yes_past"}


def _born(years: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=366 * years)


@pytest.fixture
def world():
    """Alice, screened twice (a raised category, a decision with an outcome, a
    review date); Bobby, another child; reads of both by a hub officer."""
    practitioner = UserFactory(roles=[Role.PRACTITIONER], email="pat@seaside.example.org")
    officer = UserFactory(roles=[Role.HUB_OFFICER], email="hana@hub.example.org")
    alice_born = _born(13)
    first = submitted_make(
        practitioner,
        answers=CATEGORY_1,
        child_name="Alice Example",
        date_of_birth=alice_born,
        setting_name="Seaside Academy",
    )
    Screening.objects.filter(pk=first.pk).update(concerns="Always tired on Mondays.")
    category_raise(screening=first, actor=practitioner, category=2, rationale="Older boyfriend picks her up.")
    review = timezone.localdate() + datetime.timedelta(days=42)
    hub_decision_record(
        screening=first,
        actor=officer,
        decision="early_help",
        outcome="Early help worker allocated.",
        review_due=review,
        close=True,
    )
    second = submitted_make(practitioner, child_name="alice example", date_of_birth=alice_born)
    assert second.child_id == first.child_id
    bobby = submitted_make(practitioner, child_name="Bobby Other", date_of_birth=_born(15), setting_name="Hill School")
    # A draft of Alice not submitted yet (so not linked), and one of someone else.
    alice_draft = draft_make(practitioner, child_name="Alice Example", date_of_birth=alice_born)
    draft_make(practitioner, child_name="Carol Third", date_of_birth=alice_born)

    hub = verified_client(officer)
    hub.officer = officer
    for screening in (first, bobby):
        assert hub.get(reverse("screening:detail", kwargs={"public_id": screening.public_id})).status_code == 200
    assert hub.get(reverse("screening:list")).status_code == 200  # lists Alice's and Bobby's screenings
    return {
        "hub": hub,
        "officer": officer,
        "practitioner": practitioner,
        "child": first.child,
        "first": Screening.objects.get(pk=first.pk),
        "second": second,
        "bobby": bobby,
        "alice_draft": alice_draft,
        "review": review,
    }


def _url(name: str, child_id: int) -> str:
    return reverse(f"screening:{name}", kwargs={"child_id": child_id})


def test_json_holds_every_screening_decrypted_with_history_and_decisions(world):
    response = world["hub"].get(_url("subject_access_json", world["child"].pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)

    assert data["child"] == {
        "id": world["child"].pk,
        "first_known": data["child"]["first_known"],
        "name": "alice example",
        "date_of_birth": _born(13).isoformat(),
        "linked_by_name_and_date_of_birth": True,
        "anonymised": False,
    }
    ids = [screening["public_id"] for screening in data["screenings"]]
    assert ids == [str(world["first"].public_id), str(world["second"].public_id), str(world["alice_draft"].public_id)]
    assert [screening["linked"] for screening in data["screenings"]] == [True, True, False]

    first = data["screenings"][0]
    assert first["child"]["name"] == "Alice Example"
    assert first["child"]["date_of_birth"] == _born(13).isoformat()
    assert first["child"]["setting_name"] == "Seaside Academy"
    assert first["concerns"] == "Always tired on Mondays."
    assert first["computed_category"] == world["first"].computed_category < 2
    assert (first["category"], first["status"]) == (2, "closed")
    assert first["review_due"] == world["review"].isoformat()

    definition = tool_definition(world["first"].tool_version)
    assert first["category_text"] == definition.category_rule(2).label
    answers = {answer["indicator"]: answer for answer in first["answers"]}
    assert len(answers) == len(definition.indicators)
    indicator = next(indicator for indicator in definition.indicators if indicator.id == "missing_episodes")
    assert answers["missing_episodes"]["wording"] == indicator.wording
    assert answers["missing_episodes"]["answer_text"] == f"Yes, {definition.rules.current_means}"
    assert answers["older_partner"]["answer_text"] == f"Yes, {definition.rules.past_means}"

    history = first["category_history"]
    assert [change["kind"] for change in history] == ["computed", "raised"]
    assert history[1]["rationale"] == "Older boyfriend picks her up."
    assert history[1]["by"]["email"] == "pat@seaside.example.org"
    (decision,) = first["hub_decisions"]
    assert decision["outcome"] == "Early help worker allocated."
    assert decision["review_due"] == world["review"].isoformat() and decision["closes_screening"] is True
    assert decision["by"]["email"] == "hana@hub.example.org"


def test_json_audit_is_of_that_child_only(world):
    data = json.loads(world["hub"].get(_url("subject_access_json", world["child"].pk)).content)
    alice_ids = {str(world[key].public_id) for key in ("first", "second", "alice_draft")}
    audit = data["audit"]
    actions = [(row["action"], row["who"]) for row in audit]
    assert ("screening.created", "pat@seaside.example.org") in actions
    assert ("screening.submitted", "pat@seaside.example.org") in actions
    assert ("screening.category_raised", "pat@seaside.example.org") in actions
    assert ("screening.decision_recorded", "hana@hub.example.org") in actions
    viewed = [row for row in audit if row["action"] == "screening.viewed"]
    assert [(row["who"], row["screening"], row["what"]) for row in viewed] == [
        ("hana@hub.example.org", str(world["first"].public_id), "the screening's page")
    ]
    listed = [row for row in audit if row["action"] == "screening.listed"]
    assert listed and all(set(row["screenings"]) <= alice_ids for row in listed)
    for row in audit:
        assert set(row["screenings"]) <= alice_ids
        assert row["at"] and row["action_text"]

    text = json.dumps(data)
    assert str(world["bobby"].public_id) not in text
    assert "Bobby" not in text and "Hill School" not in text and "Carol" not in text


def test_the_export_is_audited_never_cached_and_named_without_the_name(world):
    child = world["child"]
    for extension in ("json", "pdf"):
        response = world["hub"].get(_url(f"subject_access_{extension}", child.pk))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        disposition = response["Content-Disposition"]
        assert disposition == (
            f'attachment; filename="subject-access-child-{child.pk}-{timezone.localdate().isoformat()}.{extension}"'
        )
        event = AuditEvent.objects.filter(action="screening.subject_access_exported").latest("sequence")
        assert (event.object_type, event.object_id, event.detail) == (
            "screening.child",
            str(child.pk),
            {"format": extension},
        )
        assert event.actor == world["officer"]
    # The next export lists the earlier ones.
    data = json.loads(world["hub"].get(_url("subject_access_json", child.pk)).content)
    exported = [row for row in data["audit"] if row["action"] == "screening.subject_access_exported"]
    assert [row["detail"]["format"] for row in exported] == ["json", "pdf"]


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, inflated (WeasyPrint compresses them into object streams)."""
    found = b""
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            found += zlib.decompressobj().decompress(pdf[match.end() :])
        except zlib.error:
            continue
    return found


def test_pdf_is_a_tagged_pdf_made_from_the_same_data(world):
    response = world["hub"].get(_url("subject_access_pdf", world["child"].pk))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    objects = _pdf_objects(response.content)
    # Tagged for screen readers: a structure tree with headings and table headers, and the language.
    assert b"/StructTreeRoot" in objects and b"/S /H1" in objects and b"/S /TH" in objects and b"/Lang" in objects
    html = subject_access_html(subject_access_data(world["child"], user=world["officer"]))
    assert html.count("Alice Example") >= 2 and "Seaside Academy" in html
    assert "Older boyfriend picks her up." in html and "Early help worker allocated." in html
    assert "Always tired on Mondays." in html and "hana@hub.example.org" in html
    assert "Bobby" not in html and str(world["bobby"].public_id) not in html
    # The PDF's title and headings name the child by id only.
    assert f"<title>Subject access: everything held about child {world['child'].pk}</title>" in html
    assert "<h1>" in html and "<h2>" in html and "<th scope=" in html


def test_chronology_links_to_the_downloads(world):
    body = world["hub"].get(_url("chronology", world["child"].pk)).content.decode()
    assert _url("subject_access_pdf", world["child"].pk) in body
    assert _url("subject_access_json", world["child"].pk) in body


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PARTNERSHIP_ANALYST, Role.ADMINISTRATOR])
def test_other_roles_are_refused(world, role):
    client = verified_client(UserFactory(roles=[role]))
    before = AuditEvent.objects.filter(action__startswith="screening.").count()
    for name in ("subject_access_json", "subject_access_pdf"):
        assert client.get(_url(name, world["child"].pk)).status_code == 403
    assert b"subject-access" not in client.get(_url("chronology", world["child"].pk)).content
    assert AuditEvent.objects.filter(action__startswith="screening.").count() == before


def test_the_author_of_the_screenings_is_refused_too(world):
    client = verified_client(world["practitioner"])
    assert client.get(_url("subject_access_json", world["child"].pk)).status_code == 403


def test_unknown_child_is_404_and_not_audited(world):
    missing = (Child.objects.order_by("-pk").first().pk or 0) + 1000
    before = AuditEvent.objects.filter(action="screening.subject_access_exported").count()
    for name in ("subject_access_json", "subject_access_pdf"):
        assert world["hub"].get(_url(name, missing)).status_code == 404
    assert AuditEvent.objects.filter(action="screening.subject_access_exported").count() == before


def test_post_is_not_allowed(world):
    assert world["hub"].post(_url("subject_access_json", world["child"].pk)).status_code == 405
