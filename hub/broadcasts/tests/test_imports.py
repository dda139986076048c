"""The CSV import: every row checked in the preview, then all or nothing on confirm."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.broadcasts import imports
from hub.broadcasts.contacts import recipients_for
from hub.broadcasts.imports import import_confirm, import_preview, import_preview_load, import_preview_store
from hub.broadcasts.models import Bulletin, Contact, LawfulBasis, Series, Suppression
from hub.broadcasts.tests.factories import AudienceFactory, ContactFactory
from hub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def csv_file(text: str, *, encoding: str = "utf-8", name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def preview_of(text: str, **kwargs):
    return import_preview(csv_file(text, **kwargs), default_lawful_basis=LawfulBasis.PUBLIC_TASK)


@pytest.fixture
def audiences():
    return {
        "schools": AudienceFactory(name="Schools", slug="schools"),
        "csp": AudienceFactory(name="Community Safety Partnerships and JAGs", slug="csps-and-jags"),
        "members": AudienceFactory(name="Elected Members", slug="elected-members"),
    }


@pytest.fixture
def request_with_session():
    request = RequestFactory().post("/staff/broadcasts/contacts/import/x/")
    request.session = SessionStore()
    request.user = UserFactory()
    return request


def stored(request, text: str) -> str:
    return import_preview_store(request, preview_of(text))


def test_columns_by_name_in_any_order_and_case(audiences):
    preview = preview_of(
        "Email,Name,AUDIENCES,Organisation,Sector,Role,Lawful basis,Phone\n"
        "Jo.Bloggs@Example.org , Jo Bloggs,Schools; elected-members,Seaside Academy,School or college,DSL,"
        "consent,0123\n"
        "sam@example.org,Sam Smith,csps-and-jags|SCHOOLS,,police,,,\n"
    )
    first, second = preview.rows
    assert first.valid and second.valid
    assert (first.number, first.email, first.name, first.organisation, first.role) == (
        2,
        "jo.bloggs@example.org",
        "Jo Bloggs",
        "Seaside Academy",
        "DSL",
    )
    assert first.sector == "school" and first.lawful_basis == "consent"
    assert first.audience_names == ["Schools", "Elected Members"]
    assert second.sector == "police" and second.lawful_basis == LawfulBasis.PUBLIC_TASK  # the form's default
    assert second.audience_ids == [audiences["csp"].pk, audiences["schools"].pk]
    assert preview.ignored_columns == ["Phone"]
    assert preview.new_count == 2 and preview.update_count == 0


def test_each_bad_row_is_explained_by_its_row_number(audiences):
    preview = preview_of(
        "name,email,audiences,sector,lawful_basis\n"
        "Ann,ann@example.org,Schools,,\n"
        "\n"  # a blank line still counts as a spreadsheet row
        "Jo,jo@,Schools,,\n"
        "Kim,kim@example.org,Scools,,\n"
        "Ann Again,ANN@example.org,,,\n"
        ",nobody@example.org,,,\n"
        "Lee,lee@example.org,,Education,\n"
        "Max,max@example.org,,,Because\n"
        "Ned,,,,\n"
    )
    assert [row.number for row in preview.valid_rows] == [2]
    errors = [error for row in preview.invalid_rows for error in row.errors]
    assert errors == [
        "Row 4: email 'jo@' is not an email address",
        "Row 5: unknown audience 'Scools'",
        "Row 6: email also on row 2",
        "Row 7: name is missing",
        "Row 8: unknown sector 'Education'",
        "Row 9: unknown lawful basis 'Because'",
        "Row 10: email is missing",
    ]


def test_existing_and_suppressed_addresses_are_marked(audiences):
    ContactFactory(email="known@example.org")
    Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    preview = preview_of("name,email\nKnown,Known@example.org\nGone,gone@example.org\n")
    known, gone = preview.rows
    assert known.existing and not known.suppressed
    assert gone.suppressed and not gone.existing
    assert (preview.new_count, preview.update_count, preview.suppressed_count) == (1, 1, 1)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("\ufeffname,email,organisation\nZoë Brontë,zoe@example.org,Café “Hub”\n", "utf-8"),
        ("name,email,organisation\nZoë Brontë,zoe@example.org,Café “Hub”\n", "cp1252"),
        ("name\temail\torganisation\nZoë Brontë\tzoe@example.org\tCafé “Hub”\n", "utf-16"),
        ("name;email;organisation\nZoë Brontë;zoe@example.org;Café “Hub”\n", "utf-8"),
    ],
)
def test_encodings_and_separators_spreadsheets_save(text, encoding):
    (row,) = preview_of(text, encoding=encoding).rows
    assert (row.name, row.email, row.organisation, row.errors) == ("Zoë Brontë", "zoe@example.org", "Café “Hub”", [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"name,email\n", "only a header row"),
        (b"first,last\nJo,Bloggs\n", "including 'name' and 'email'"),
        (b"PK\x03\x04\x00\x00\x81\x8d binary", "must be a CSV file"),
        (b"name,email\n" + b"Jo,jo@example.org\n" * 200_000, "smaller than 2 MB"),
        (b"name,email\n" + b"Jo,jo@example.org\n" * 5001, "import at most 5,000 at a time"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_as_a_whole(content, message):
    with pytest.raises(ApplicationError) as caught:
        import_preview(SimpleUploadedFile("c.csv", content), default_lawful_basis=LawfulBasis.CONSENT)
    assert message in caught.value.message and caught.value.field == "file"


def test_five_thousand_rows_is_allowed():
    text = "name,email\n" + "".join(f"P {n},p{n}@example.org\n" for n in range(5000))
    assert len(preview_of(text).valid_rows) == 5000


def test_confirm_refuses_a_partial_import_without_consent_and_saves_nothing(audiences, request_with_session):
    preview_id = stored(request_with_session, "name,email\nAnn,ann@example.org\nJo,jo@\nKim,kim@\n")
    with pytest.raises(ApplicationError) as caught:
        import_confirm(preview_id, include_valid_only=False, actor=None, request=request_with_session)
    assert caught.value.message == "2 rows have errors. Fix the file or confirm importing only the 1 valid row"
    assert not Contact.objects.exists() and not AuditEvent.objects.exists()
    # The preview is still there to confirm the valid rows.
    result = import_confirm(preview_id, include_valid_only=True, actor=None, request=request_with_session)
    assert (result.created, result.updated, result.skipped) == (1, 0, 2)
    assert list(Contact.objects.values_list("email", flat=True)) == ["ann@example.org"]


def test_confirm_creates_and_updates_in_one_go_and_audits_counts_only(audiences, request_with_session):
    members = audiences["members"]
    known = ContactFactory(
        email="known@example.org", organisation="Old Org", role="Head", lawful_basis=LawfulBasis.CONSENT
    )
    known.audiences.add(members)
    preview_id = stored(
        request_with_session,
        "name,email,organisation,role,audiences,lawful_basis\n"
        "Known Person,known@example.org,,New role,Schools,\n"
        "New Person,new@example.org,New Org,,schools;elected members,legitimate interests\n",
    )
    user = request_with_session.user
    result = import_confirm(preview_id, include_valid_only=False, actor=user, request=request_with_session)
    assert (result.created, result.updated, result.skipped) == (1, 1, 0)
    known.refresh_from_db()
    assert (known.name, known.organisation, known.role) == ("Known Person", "Old Org", "New role")
    assert known.lawful_basis == LawfulBasis.PUBLIC_TASK
    assert set(known.audiences.values_list("name", flat=True)) == {"Schools", "Elected Members"}
    new = Contact.objects.get(email="new@example.org")
    assert new.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS and new.created_at is not None
    assert set(new.audiences.values_list("name", flat=True)) == {"Schools", "Elected Members"}
    event = AuditEvent.objects.get(action="broadcasts.contacts_imported")
    assert event.actor == user and event.detail == {"created": 1, "updated": 1, "skipped": 0}
    # The preview is used up: confirming twice imports nothing more.
    with pytest.raises(ApplicationError, match="expired"):
        import_confirm(preview_id, include_valid_only=False, actor=user, request=request_with_session)


def test_confirm_is_all_or_nothing(audiences, request_with_session, monkeypatch):
    preview_id = stored(request_with_session, "name,email,audiences\nAnn,ann@example.org,Schools\n")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "audit_record", broken)
    with pytest.raises(RuntimeError):
        import_confirm(preview_id, include_valid_only=False, actor=None, request=request_with_session)
    assert not Contact.objects.exists()
    assert not Contact.audiences.through.objects.exists()


def test_only_the_latest_preview_of_a_session_can_be_confirmed(request_with_session):
    first = stored(request_with_session, "name,email\nAnn,ann@example.org\n")
    second = stored(request_with_session, "name,email\nBo,bo@example.org\n")
    with pytest.raises(ApplicationError, match="expired or was replaced"):
        import_preview_load(request_with_session, first)
    assert import_preview_load(request_with_session, second).rows[0].email == "bo@example.org"
    assert request_with_session.session.serializer().dumps(request_with_session.session[imports.SESSION_KEY])


def test_suppressed_addresses_are_imported_but_still_not_sent_to(audiences, request_with_session):
    schools = audiences["schools"]
    Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    preview_id = stored(
        request_with_session, "name,email,audiences\nGone,gone@example.org,Schools\nHere,here@example.org,Schools\n"
    )
    import_confirm(preview_id, include_valid_only=False, actor=None, request=request_with_session)
    bulletin = Bulletin.objects.create(
        series=Series.objects.create(name="CSE Awareness Week", slug="cse-week"),
        day=datetime.date(2026, 3, 18),
        topic="Spotting the signs",
        subject="Day 1",
        body_markdown="Hello",
    )
    bulletin.audiences.add(schools)
    assert list(recipients_for(bulletin).values_list("email", flat=True)) == ["here@example.org"]
    assert Suppression.objects.filter(email="gone@example.org").exists()
