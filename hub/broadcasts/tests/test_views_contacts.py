"""Coordinators' contact pages: who may see them, the forms, the CSV import and download."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.accounts.roles import Role
from hub.audit.models import AuditEvent
from hub.broadcasts.models import Audience, Contact, LawfulBasis, Suppression
from hub.broadcasts.tests.factories import AudienceFactory, ContactFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("broadcasts:import_upload")


@pytest.fixture
def schools():
    return AudienceFactory(name="Schools", slug="schools")


def page_urls(contact):
    return [
        reverse("broadcasts:contact_list"),
        reverse("broadcasts:contact_create"),
        reverse("broadcasts:contact_edit", kwargs={"pk": contact.pk}),
        reverse("broadcasts:contact_export"),
        reverse("broadcasts:audience_list"),
        reverse("broadcasts:audience_create"),
        reverse("broadcasts:suppression_list"),
        reverse("broadcasts:suppression_create"),
        UPLOAD,
        reverse("broadcasts:import_preview", kwargs={"preview_id": "anything"}),
        reverse("broadcasts:import_done"),
    ]


def upload(client, text: str, *, encoding: str = "utf-8", lawful_basis: str = LawfulBasis.PUBLIC_TASK):
    file = SimpleUploadedFile("partners.csv", text.encode(encoding), content_type="text/csv")
    return client.post(UPLOAD, {"file": file, "lawful_basis": lawful_basis})


def test_pages_are_closed_to_the_public_and_other_roles(client, make_staff_client):
    urls = page_urls(ContactFactory())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url
    trainer, _ = make_staff_client(Role.TRAINER)
    for url in urls:
        assert trainer.get(url).status_code == 403, url
    assert "partner contacts" not in trainer.get(reverse("core:staff_home")).content.decode()


def test_coordinator_sees_every_page(coordinator_client, schools):
    contact = ContactFactory(audiences=[schools])
    for url in page_urls(contact):
        response = coordinator_client.get(url)
        # The import's preview and result pages send you back when there is no import.
        assert response.status_code == (302 if "/import/" in url and url != UPLOAD else 200), url
    home = coordinator_client.get(reverse("core:staff_home")).content.decode()
    assert reverse("broadcasts:contact_list") in home


def test_list_searches_filters_and_pages(coordinator_client, schools):
    ContactFactory(name="Alex School", audiences=[schools])
    ContactFactory(name="Bo Council", organisation="Seaside Council", email="bo@council.example.org")
    ContactFactory.create_batch(50, name="Zed Filler")
    url = reverse("broadcasts:contact_list")
    body = coordinator_client.get(url, {"q": "council"}).content.decode()
    assert "Bo Council" in body and "Alex School" not in body and "1 matching contact" in body
    body = coordinator_client.get(url, {"audience": "schools"}).content.decode()
    assert "Alex School" in body and "Bo Council" not in body
    first = coordinator_client.get(url).content.decode()
    assert "page 1 of 2" in first and "Alex School" in first
    second = coordinator_client.get(url, {"page": 2}).content.decode()
    assert "page 2 of 2" in second and "Alex School" not in second and "Zed Filler" in second


def test_add_contact_with_errors_then_correctly(coordinator_client, schools):
    url = reverse("broadcasts:contact_create")
    body = coordinator_client.post(url, {}).content.decode()
    assert "Enter their full name" in body and "Enter an email address" in body
    assert "Select the lawful basis for contacting them" in body
    form = {
        "name": "Jo Bloggs",
        "email": "Jo@Example.org",
        "organisation": "Seaside Academy",
        "sector": "school",
        "role": "DSL",
        "lawful_basis": "public_task",
        "audiences": [schools.pk],
    }
    assert coordinator_client.post(url, {**form, "email": "jo@"}).status_code == 200
    response = coordinator_client.post(url, form)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.email == "jo@example.org" and list(contact.audiences.all()) == [schools]
    body = coordinator_client.post(url, {**form, "name": "Someone Else"}).content.decode()
    assert "A contact with this email address already exists" in body
    edit = reverse("broadcasts:contact_edit", kwargs={"pk": contact.pk})
    assert 'value="Jo Bloggs"' in coordinator_client.get(edit).content.decode()
    coordinator_client.post(edit, {**form, "role": "Headteacher", "audiences": []})
    contact.refresh_from_db()
    assert contact.role == "Headteacher" and not contact.audiences.exists()


def test_add_audience_makes_a_slug_and_refuses_a_duplicate(coordinator_client):
    url = reverse("broadcasts:audience_create")
    response = coordinator_client.post(url, {"name": "Frontline staff", "description": "Social workers"})
    assert response.status_code == 302
    assert Audience.objects.get().slug == "frontline-staff"
    body = coordinator_client.post(url, {"name": "frontline Staff"}).content.decode()
    assert "An audience with this name already exists" in body
    assert "Frontline staff" in coordinator_client.get(reverse("broadcasts:audience_list")).content.decode()


def test_suppression_added_by_hand(coordinator_client, schools):
    url = reverse("broadcasts:suppression_create")
    assert "Enter an email address" in coordinator_client.post(url, {}).content.decode()
    response = coordinator_client.post(url, {"email": "Gone@Example.org", "audience": ""}, follow=True)
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.audience, suppression.reason) == ("gone@example.org", None, "manual")
    body = response.content.decode()
    assert "gone@example.org" in body and "Everything" in body and "Removed by staff" in body
    coordinator_client.post(url, {"email": "gone@example.org", "audience": ""})
    coordinator_client.post(url, {"email": "gone@example.org", "audience": schools.pk})
    assert Suppression.objects.count() == 2


def test_import_happy_path(coordinator_client, schools):
    ContactFactory(email="known@example.org", name="Known Before")
    response = upload(
        coordinator_client,
        "name,email,organisation,audiences\nAnn Lee,ann@example.org,Seaside Academy,Schools\n"
        "Known After,known@example.org,,schools\n",
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    body = coordinator_client.get(preview_url).content.decode()
    assert "Import 2 contacts" in body and "Will update" in body and "1 new, 1 will update" in body
    assert Contact.objects.count() == 1  # nothing saved by the preview
    response = coordinator_client.post(preview_url, {"include": "all"})
    assert response["Location"] == reverse("broadcasts:import_done")
    body = coordinator_client.get(response["Location"]).content.decode()
    assert "1 added, 1 updated" in body
    assert set(Contact.objects.values_list("name", flat=True)) == {"Ann Lee", "Known After"}
    assert set(schools.contacts.values_list("email", flat=True)) == {"ann@example.org", "known@example.org"}
    # Used up: the preview cannot be imported again.
    assert coordinator_client.post(preview_url, {"include": "all"})["Location"] == UPLOAD


def test_row_errors_are_shown_and_a_partial_import_needs_confirming(coordinator_client, schools):
    Suppression.objects.create(email="gone@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    text = (
        "name,email,audiences\n"
        "Ann,ann@example.org,Schools\n"
        "Gone,gone@example.org,\n"
        "Jo,jo@,Schools\n"
        "Kim,kim@example.org,Scools\n"
        "Ann Again,ann@example.org,\n"
    )
    preview_url = upload(coordinator_client, text)["Location"]
    body = coordinator_client.get(preview_url).content.decode()
    for message in (
        "Row 4: email &#x27;jo@&#x27; is not an email address",
        "Row 5: unknown audience &#x27;Scools&#x27;",
        "Row 6: email also on row 2",
        "Import only the 2 valid rows",
        "Upload a corrected file",
        "1 address is on the suppression list",
    ):
        assert message in body, message
    assert "Import 2 contacts" not in body
    # Posting "import everything" (an old tab, a crafted form) is refused; nothing saved.
    response = coordinator_client.post(preview_url, {"include": "all"})
    assert response.status_code == 200
    assert "3 rows have errors. Fix the file or confirm importing only the 2 valid rows" in response.content.decode()
    assert not Contact.objects.exists()
    response = coordinator_client.post(preview_url, {"include": "valid"})
    assert response.status_code == 302
    assert "2 added, 0 updated" in coordinator_client.get(response["Location"]).content.decode()
    assert set(Contact.objects.values_list("email", flat=True)) == {"ann@example.org", "gone@example.org"}
    assert Suppression.objects.filter(email="gone@example.org").exists()
    event = AuditEvent.objects.get(action="broadcasts.contacts_imported")
    assert event.detail == {"created": 2, "updated": 0, "skipped": 3}


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("\ufeffName,Email\nZoë Brontë,zoe@example.org\n", "utf-8"),
        ("Name,Email\nZoë Brontë,zoe@example.org\n", "cp1252"),
    ],
)
def test_import_reads_excel_files(coordinator_client, text, encoding):
    preview_url = upload(coordinator_client, text, encoding=encoding)["Location"]
    assert "Zoë Brontë" in coordinator_client.get(preview_url).content.decode()
    coordinator_client.post(preview_url, {"include": "all"})
    assert Contact.objects.get().name == "Zoë Brontë"


def test_upload_errors_are_shown_on_the_form(coordinator_client):
    body = coordinator_client.post(UPLOAD, {}).content.decode()
    assert "Select a CSV file" in body
    response = upload(coordinator_client, "first,last\nJo,Bloggs\n")
    assert response.status_code == 200
    assert "must name the columns, including &#x27;name&#x27; and &#x27;email&#x27;" in response.content.decode()


def test_export_escapes_formulas_and_is_audited(coordinator_client, schools):
    ContactFactory(name='=HYPERLINK("http://evil")', organisation="+Org", role="@role", audiences=[schools])
    ContactFactory(name="Zoë Normal", email="zoe@example.org", lawful_basis=LawfulBasis.CONSENT)
    Suppression.objects.create(email="zoe@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    response = coordinator_client.get(reverse("broadcasts:contact_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "organisation", "sector", "role", "audiences", "lawful_basis", "suppressed"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil")' and rows[1][2] == "'+Org" and rows[1][4] == "'@role"
    assert rows[1][5] == "Schools"
    assert rows[2][0] == "Zoë Normal" and rows[2][6] == "Consent" and rows[2][7] == "Everything"
    event = AuditEvent.objects.get(action="broadcasts.contacts_exported")
    assert event.detail == {"rows": 2}
    filtered = coordinator_client.get(reverse("broadcasts:contact_export"), {"audience": "schools"})
    assert len(list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig"))))) == 2
