"""The bulletin pages in Chromium: a coordinator imports partner contacts from a
CSV file (checked row by row), writes a bulletin whose Markdown tries a script,
previews and sends it through a real SMTP server; a recipient unsubscribes by the
link in the message they received; the public reads the archive. Every page on
the way is scanned with axe-core."""

import datetime
import re
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from hub.accounts.roles import Role
from hub.broadcasts import sending
from hub.broadcasts.models import Bulletin, Contact, Delivery, LawfulBasis, Suppression
from hub.broadcasts.tests.factories import AudienceFactory, ContactFactory
from hub.broadcasts.tests.factories_bulletins import BulletinFactory, SeriesFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR_EMAIL = "campaigns@partnership.example.org"
SERIES_NAME = "CSE Awareness Week 2026"
SERIES_SLUG = "cse-week-2026"
TOPIC = "Training and guidance"
SUBJECT = "CSE Awareness Week: training and guidance"
SCRIPT = "<script>alert('bulletin-script')</script>"
LINK_TEXT = "the new multi-agency guidance"
LINK_URL = "https://www.example.org/guidance"
BODY = (
    "Our **training** dates for the week are out.\n\n"
    f"{SCRIPT}\n\n"
    f"Read [{LINK_TEXT}]({LINK_URL}) before your session.\n\n"
    "- The new flow chart\n- The screening tool\n"
)


NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@pytest.fixture
def visitor(browser: Browser, live_server) -> Iterator[Page]:
    """A member of the public (or a recipient): a browser context of its own, never signed in.
    A test that opens a page it expects to be 404 adds its path to `visitor.expected_404s`."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    visitor = context.new_page()
    expected_404s: set[str] = set()
    errors: list[str] = []

    def console(message) -> None:
        if message.type != "error":
            return
        if message.text == NOT_FOUND and urlsplit(message.location.get("url", "")).path in expected_404s:
            return
        errors.append(f"{message.text} ({message.location.get('url', '')})")

    visitor.on("console", console)
    visitor.expected_404s = expected_404s  # type: ignore[attr-defined]
    yield visitor
    context.close()
    assert errors == [], f"Browser console errors seen by the visitor: {errors}"


def fill_date(page: Page, legend: str, date: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def banner(page: Page, kind: str = "success"):
    if kind == "success":
        return page.locator(".govuk-notification-banner--success")
    return page.locator(".govuk-notification-banner:not(.govuk-notification-banner--success)")


def text_body(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("The message has no plain text part")


def html_body(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("The message has no HTML part")


def one_click_url(message: Message) -> str:
    """The https/http address in the List-Unsubscribe header (RFC 8058's one-click POST)."""
    header = str(message["List-Unsubscribe"])
    urls = [url for url in re.findall(r"<([^>]+)>", header) if url.startswith("http")]
    assert len(urls) == 1, header
    return urls[0]


def token_from(one_click: str) -> str:
    match = re.fullmatch(r"/bulletins/unsubscribe/([^/]+)/one-click/", urlsplit(one_click).path)
    assert match, one_click
    return match[1]


# --- 1. The coordinator imports contacts from a CSV file ---------------------------------------


def contacts_csv(tmp_path: Path) -> Path:
    path = tmp_path / "partners.csv"
    path.write_text(
        "name,email,organisation,audiences\n"
        "Ada Lovelace,ada@seaside-academy.example.org,Seaside Academy,Schools\n"
        "Grace Hopper,grace@harbour-health.example.org,Harbour Health Centre,Health\n"
        "Alan Turing,alan@seaside-academy.example.org,Seaside Academy,Schools; Health\n"
        "Bad Email,not-an-email-address,Nowhere School,Schools\n"
        "Unknown Audience,unknown@partner.example.org,Town Council,Councillors\n",
        encoding="utf-8",
    )
    return path


def test_coordinator_imports_only_the_valid_rows_of_a_csv(page: Page, tmp_path: Path) -> None:
    schools = AudienceFactory(name="Schools")
    health = AudienceFactory(name="Health")
    sign_in(page, role=Role.CAMPAIGN_COORDINATOR, email=COORDINATOR_EMAIL)

    page.get_by_role("link", name="Bulletins: partner contacts, audiences and the suppression list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner contacts")
    expect(page.get_by_text("There are no contacts yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Import contacts from a CSV file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts from a CSV file")
    expect(page.locator(".govuk-summary-list")).to_contain_text("One or more of: Health, Schools.")
    assert_accessible(page)
    page.get_by_label("Upload a CSV file").set_input_files(contacts_csv(tmp_path))
    expect(page.get_by_role("group", name="Lawful basis for contacts without one in the file")).to_be_visible()
    page.get_by_role("button", name="Check the file").click()

    # --- The preview: every row checked, nothing saved.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the contacts before importing")
    expect(page.get_by_text("From partners.csv. Nothing has been saved yet.")).to_be_visible()
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Rows in the file5")
    expect(summary).to_contain_text("Ready to import3 (3 new, 0 will update an existing contact)")
    expect(summary).to_contain_text("Rows with errors2")
    errors = page.locator("#row-errors + ul li")
    expect(errors).to_have_text(
        [
            "Row 5: email 'not-an-email-address' is not an email address",
            "Row 6: unknown audience 'Councillors'",
        ]
    )
    table = page.get_by_role("table", name="Every row")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("Ada Lovelace")
    expect(rows.nth(0).locator(".govuk-tag")).to_have_text("New")
    expect(rows.nth(2)).to_contain_text("Schools, Health")
    expect(rows.nth(3).locator(".govuk-tag")).to_have_text("Error")
    expect(rows.nth(3)).to_contain_text("Row 5: email 'not-an-email-address' is not an email address")
    expect(rows.nth(4).locator(".govuk-tag")).to_have_text("Error")
    expect(rows.nth(4)).to_contain_text("Row 6: unknown audience 'Councillors'")
    # With errors in the file, the only button imports the valid rows.
    expect(page.get_by_role("button", name=re.compile(r"^Import"))).to_have_count(1)
    import_valid = page.get_by_role("button", name="Import only the 3 valid rows")
    expect(import_valid).to_be_visible()
    assert_accessible(page)
    assert not Contact.objects.exists()

    # --- Asking to import everything (a stale or altered form) is refused, with the reason.
    import_valid.evaluate("button => { button.value = 'all'; }")
    import_valid.click()
    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_be_focused()
    expect(error_summary).to_contain_text("There is a problem")
    expect(error_summary).to_contain_text("2 rows have errors. Fix the file or confirm importing only the 3 valid rows")
    expect(error_summary.get_by_role("link")).to_have_attribute("href", "#row-errors")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert not Contact.objects.exists()

    # --- Importing only the valid rows.
    page.get_by_role("button", name="Import only the 3 valid rows").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Contacts imported")
    expect(page.locator(".govuk-panel__body")).to_have_text("3 added, 0 updated")
    done = page.locator(".govuk-summary-list")
    expect(done).to_contain_text("New contacts3")
    expect(done).to_contain_text("Existing contacts updated0")
    expect(done).to_contain_text("Rows with errors, not imported2")
    assert_accessible(page)

    contacts = {contact.email: contact for contact in Contact.objects.prefetch_related("audiences")}
    assert sorted(contacts) == [
        "ada@seaside-academy.example.org",
        "alan@seaside-academy.example.org",
        "grace@harbour-health.example.org",
    ]
    assert {a.name for a in contacts["alan@seaside-academy.example.org"].audiences.all()} == {"Schools", "Health"}
    assert list(contacts["grace@harbour-health.example.org"].audiences.all()) == [health]
    assert list(contacts["ada@seaside-academy.example.org"].audiences.all()) == [schools]
    assert {contact.lawful_basis for contact in contacts.values()} == {LawfulBasis.PUBLIC_TASK}

    page.get_by_role("link", name="Go to the contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner contacts")
    expect(page.get_by_role("table", name="All contacts").locator("tbody tr")).to_have_count(3)
    assert_accessible(page)


# --- 2. The coordinator writes, previews and sends a bulletin ---------------------------------


def test_coordinator_writes_previews_and_sends_a_bulletin(page: Page, smtp_server) -> None:
    schools = AudienceFactory(name="Schools")
    AudienceFactory(name="Health")
    recipients = [ContactFactory(audiences=[schools]) for _ in range(3)]
    ContactFactory(email="not-in-schools@partner.example.org")  # in no audience: not sent it
    sign_in(page, role=Role.CAMPAIGN_COORDINATOR, email=COORDINATOR_EMAIL)

    # --- The series.
    page.get_by_role("link", name="Bulletins: series, daily bulletins and sending").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulletin series")
    expect(page.get_by_text("There are no series yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a series").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a series")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill(SERIES_NAME)
    page.get_by_label("Short name for the address").fill(SERIES_SLUG)
    page.get_by_role("button", name="Save series").click()
    expect(banner(page)).to_contain_text("Series saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(SERIES_NAME)
    expect(page.get_by_text("No bulletins yet.")).to_be_visible()
    assert_accessible(page)

    # --- The bulletin.
    page.get_by_role("link", name="Add a bulletin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a bulletin")
    assert_accessible(page)
    day = timezone.localdate() + datetime.timedelta(days=7)
    fill_date(page, "Day of the series", day)
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_label("Subject line").fill(SUBJECT)
    page.get_by_label("Bulletin text").fill(BODY)
    page.get_by_role("group", name="Who should get it?").get_by_label("Schools").check()
    page.get_by_role("button", name="Save bulletin").click()
    expect(banner(page)).to_contain_text("Bulletin saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TOPIC)
    recipients_row = page.locator(".govuk-summary-list__row").filter(has_text="Recipients")
    expect(recipients_row).to_contain_text("3 people")
    expect(page.get_by_role("link", name="Edit bulletin")).to_be_visible()
    assert_accessible(page)
    bulletin = Bulletin.objects.get()
    assert SCRIPT in bulletin.body_markdown  # kept as typed; removed when rendered
    saved_body = bulletin.body_markdown
    detail_url = page.url

    # --- The HTML preview: the email in a sandboxed frame, the link kept, the script gone.
    page.get_by_role("link", name="Preview the email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the email")
    frame_element = page.get_by_title("The email as recipients will see it")
    expect(frame_element).to_have_attribute("sandbox", "")
    email = page.frame_locator("iframe[title='The email as recipients will see it']")
    expect(email.get_by_role("heading", level=1)).to_have_text(TOPIC)
    expect(email.locator("body")).to_contain_text("Dear Sample Recipient,")
    expect(email.get_by_role("link", name=LINK_TEXT)).to_have_attribute("href", LINK_URL)
    expect(email.locator("script")).to_have_count(0)
    expect(email.locator("body")).not_to_contain_text("bulletin-script")
    assert_accessible(page)
    frame_url = frame_element.get_attribute("src") or ""
    assert frame_url.endswith(f"/staff/broadcasts/series/bulletins/{bulletin.pk}/preview/email.html")
    framed = page.request.get(frame_url)
    assert framed.ok
    assert framed.headers["content-type"].startswith("text/html")
    assert "sandbox" in framed.headers["content-security-policy"]
    assert "<script" not in framed.text().lower()
    assert "bulletin-script" not in framed.text()
    # The framed email may run no script (CSP sandbox), axe included: its HTML is scanned on a page of its own.
    email_only = page.context.new_page()
    email_only.set_content(framed.text())
    expect(email_only.get_by_role("heading", level=1)).to_have_text(TOPIC)
    assert_accessible(email_only)
    email_only.close()

    # --- The plain text preview.
    page.get_by_role("link", name="Preview the plain text version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the plain text email")
    text = page.locator("pre")
    expect(text).to_contain_text("Dear Sample Recipient,")
    expect(text).to_contain_text("Our training dates for the week are out.")
    expect(text).to_contain_text(f"Read {LINK_TEXT} ({LINK_URL}) before your session.")
    expect(text).to_contain_text("- The new flow chart")
    expect(text).not_to_contain_text("bulletin-script")
    expect(text).not_to_contain_text("<script")
    assert_accessible(page)

    # --- Sending.
    page.goto(detail_url)
    page.get_by_role("link", name="Send now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Send “{SUBJECT}”")
    expect(page.get_by_text("It will go to 3 people in Schools")).to_be_visible()
    assert_accessible(page)
    assert smtp_server.messages == []
    page.get_by_role("button", name="Send now").click()

    # The immediate task backend sent every message before the progress page loaded.
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    expect(banner(page)).to_contain_text("Sending to 3 people.")
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    label = page.locator("#send-progress-label")
    expect(label).to_have_text("Sent: 3 sent, 0 failed, 0 to go, of 3.")
    bar = page.get_by_role("progressbar", name="Sent: 3 sent, 0 failed, 0 to go, of 3.")
    expect(bar).to_have_attribute("max", "3")
    expect(bar).to_have_attribute("value", "3")
    expect(bar).to_have_text("100%")
    expect(page.get_by_role("button", name="Pause sending")).to_have_count(0)
    assert_accessible(page)

    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT
    assert sorted(Delivery.objects.values_list("status", flat=True)) == [Delivery.Status.SENT] * 3
    assert len(smtp_server.messages) == 3
    assert sorted(to for envelope in smtp_server.envelopes_to for to in envelope) == sorted(
        contact.email for contact in recipients
    )
    for message in smtp_server.messages:
        assert message["Subject"] == SUBJECT
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "bulletin-script" not in html_body(message)
        assert "<script" not in html_body(message).lower()
        assert f'href="{LINK_URL}"' in html_body(message)
        assert "bulletin-script" not in text_body(message)

    # --- Locked: no Edit link, and the edit address sends them back with the reason.
    page.goto(detail_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TOPIC)
    expect(page.get_by_role("link", name="Edit bulletin")).to_have_count(0)
    expect(page.get_by_role("link", name="Send now")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_have_text(
        "This bulletin is being sent or has been sent, so it can no longer be changed."
    )
    expect(page.get_by_role("link", name="Sending progress")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/staff/broadcasts/series/bulletins/{bulletin.pk}/edit/")
    assert page.url.endswith(f"/staff/broadcasts/series/bulletins/{bulletin.pk}/")
    expect(banner(page, "error")).to_contain_text(
        "This bulletin is being sent or has been sent, so it can no longer be changed."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(TOPIC)
    assert_accessible(page)
    bulletin.refresh_from_db()
    assert bulletin.body_markdown == saved_body


# --- 3 and 4. A sent bulletin: unsubscribing, and the public archive --------------------------


def send_bulletin(smtp_server) -> tuple[Bulletin, list[Contact]]:
    """A bulletin to two schools, sent through the real SMTP server at once."""
    schools = AudienceFactory(name="Schools")
    health = AudienceFactory(name="Health")
    contacts = [
        ContactFactory(
            name="Designated Safeguarding Lead", email="dsl@seaside-academy.example.org", audiences=[schools]
        ),
        ContactFactory(email="office@harbour-school.example.org", audiences=[schools, health]),
    ]
    series = SeriesFactory(name=SERIES_NAME, slug=SERIES_SLUG)
    bulletin = BulletinFactory(
        series=series,
        day=timezone.localdate(),
        topic=TOPIC,
        subject=SUBJECT,
        body_markdown=BODY,
        audiences=[schools],
    )
    assert sending.bulletin_send_start(bulletin=bulletin) == 2
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT
    assert len(smtp_server.messages) == 2
    return bulletin, contacts


def test_recipient_unsubscribes_from_everything_by_the_link_in_the_message(visitor: Page, smtp_server) -> None:
    send_bulletin(smtp_server)
    message = next(m for m in smtp_server.messages if m["To"] == "dsl@seaside-academy.example.org")
    one_click = one_click_url(message)
    token = token_from(one_click)
    page_link = one_click.removesuffix("one-click/")
    assert page_link.startswith(f"{settings.SITE_URL}/bulletins/unsubscribe/")
    assert page_link in text_body(message)
    assert f'href="{page_link}"' in html_body(message)

    # SITE_URL is the test server's name, not the live server's: open the same path here.
    visitor.goto(urlsplit(page_link).path)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    expect(visitor.get_by_text("You get bulletins at dsl@seaside-academy.example.org")).to_be_visible()
    choice = visitor.get_by_role("group", name="What do you want to stop?")
    expect(choice.get_by_label("Bulletins for Schools")).to_be_checked()
    assert_accessible(visitor)
    choice.get_by_label("Every bulletin from the partnership").check()
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.locator(".govuk-panel__title")).to_have_text("You have unsubscribed")
    expect(
        visitor.get_by_text("We will not send dsl@seaside-academy.example.org any more bulletins from the partnership.")
    ).to_be_visible()
    assert_accessible(visitor)
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.audience, suppression.reason) == (
        "dsl@seaside-academy.example.org",
        None,
        Suppression.Reason.UNSUBSCRIBED,
    )

    # --- A tampered token: the clear "not valid" page, and nothing changes.
    tampered = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    visitor.expected_404s.add(f"/bulletins/unsubscribe/{tampered}/")  # type: ignore[attr-defined]
    response = visitor.goto(f"/bulletins/unsubscribe/{tampered}/")
    assert response is not None and response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This unsubscribe link is not valid")
    assert visitor.title().startswith("This unsubscribe link is not valid")
    expect(visitor.get_by_text("It may have been copied incompletely.")).to_be_visible()
    expect(visitor.get_by_role("button", name="Unsubscribe")).to_have_count(0)
    assert_accessible(visitor)
    assert Suppression.objects.count() == 1


def test_recipient_unsubscribes_from_the_bulletins_audience_only(visitor: Page, smtp_server) -> None:
    schools = send_bulletin(smtp_server)[0].audiences.get()
    message = next(m for m in smtp_server.messages if m["To"] == "office@harbour-school.example.org")
    visitor.goto(urlsplit(one_click_url(message).removesuffix("one-click/")).path)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    choice = visitor.get_by_role("group", name="What do you want to stop?")
    expect(choice.get_by_label("Bulletins for Schools")).to_be_checked()  # the bulletin went to Schools only
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.locator(".govuk-panel__title")).to_have_text("You have unsubscribed")
    assert_accessible(visitor)
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.audience) == ("office@harbour-school.example.org", schools)
    expect(visitor.locator("main")).to_contain_text(
        "We will not send office@harbour-school.example.org bulletins for Schools again.", timeout=2000
    )


def test_public_archive_shows_the_sent_bulletin_without_the_script(visitor: Page, smtp_server) -> None:
    bulletin, _ = send_bulletin(smtp_server)
    draft = BulletinFactory(series=bulletin.series, topic="Not sent yet", subject="A draft")

    visitor.goto(f"/bulletins/{SERIES_SLUG}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(SERIES_NAME)
    archive = visitor.locator("main ul.govuk-list")
    expect(archive.get_by_role("link")).to_have_count(1)
    expect(
        archive.get_by_role("link", name=f"{bulletin.day:%A} {bulletin.day.day} {bulletin.day:%B %Y}: {TOPIC}")
    ).to_be_visible()
    expect(visitor.get_by_text("Not sent yet")).to_have_count(0)
    assert_accessible(visitor)

    visitor.get_by_role("link", name=re.compile(f": {TOPIC}$")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    assert visitor.url.endswith(f"/bulletins/{SERIES_SLUG}/{bulletin.pk}/")
    body = visitor.locator(".hub-bulletin-body")
    expect(body).to_contain_text("Our training dates for the week are out.")
    expect(body.get_by_role("link", name=LINK_TEXT)).to_have_attribute("href", LINK_URL)
    expect(body.locator("script")).to_have_count(0)
    expect(visitor.locator("body")).not_to_contain_text("bulletin-script")
    assert "bulletin-script" not in visitor.content()
    # The public copy is not personalised and carries nobody's unsubscribe link.
    expect(body).not_to_contain_text("Dear ")
    expect(visitor.locator("a[href*='/bulletins/unsubscribe/']")).to_have_count(0)
    assert_accessible(visitor)

    # A bulletin not sent is not in the archive, even by its address.
    visitor.expected_404s.add(f"/bulletins/{SERIES_SLUG}/{draft.pk}/")  # type: ignore[attr-defined]
    response = visitor.goto(f"/bulletins/{SERIES_SLUG}/{draft.pk}/")
    assert response is not None and response.status == 404
    assert_accessible(visitor)
