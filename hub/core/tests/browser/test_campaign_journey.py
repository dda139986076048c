"""A campaign coordinator creates, previews and publishes a campaign through the
staff pages, in Chromium, and the public then sees it. Every page on the way is
scanned with axe-core."""

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from hub.accounts.roles import Role

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "CSE Awareness Day 2026"
SLUG = "cseday26"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
WARNING_SIGNS = ("Going missing", "Unexplained gifts or money", "Older boyfriends or girlfriends")
NOT_FOUND_CONSOLE_ERROR = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@pytest.fixture
def visitor(browser: Browser, live_server) -> Iterator[Page]:
    """A member of the public: a browser context of its own, never signed in."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    visitor = context.new_page()
    errors: list[str] = []
    visitor.on("console", lambda message: message.type == "error" and errors.append(message.text))
    visitor.console_errors = errors  # type: ignore[attr-defined]
    yield visitor
    context.close()
    assert errors == [], f"Browser console errors seen by the visitor: {errors}"


def sign_in_as_coordinator(page: Page) -> None:
    sign_in(page, role=Role.CAMPAIGN_COORDINATOR, email="campaigns@partnership.example.org")


def fill_date(page: Page, legend: str, date: datetime.date) -> None:
    """Day, month and year boxes are labelled alike in every date field: find them by their fieldset."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def expect_success(page: Page, text: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(text)


def test_coordinator_creates_previews_and_publishes_a_campaign(page: Page, visitor: Page, tmp_path) -> None:
    today = timezone.localdate()  # the date the site counts a campaign as current by
    sign_in_as_coordinator(page)

    # The service navigation has a "Campaigns" link to the public home page; the staff one is in the page.
    page.get_by_role("main").get_by_role("link", name="Campaigns", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    expect(page.get_by_text("There are no campaigns yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Create a campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a campaign")
    assert not page.title().startswith("Error: ")
    assert_accessible(page)

    # --- Nothing filled in: the GOV.UK error summary lists each problem and links to its field.
    page.get_by_role("button", name="Create campaign").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    expected_links = {
        "Enter the campaign name": "#id_name",
        "Enter the web address": "#id_slug",
        "Enter a summary": "#id_summary",
        "Enter start date": "#id_starts_on_0",
        "Enter end date": "#id_ends_on_0",
        "Enter the theme": "#id_theme",
        "Enter what child sexual exploitation is and who it affects": "#id_about_cse",
        "Enter the warning signs": "#id_warning_signs",
        "Enter the point of contact": "#id_contact_name",
        "Enter the point of contact's email address": "#id_contact_email",
    }
    for message, href in expected_links.items():
        expect(summary.get_by_role("link", name=message, exact=True)).to_have_attribute("href", href)
    expect(summary.get_by_role("link")).to_have_count(len(expected_links))
    # Each field repeats its message next to it.
    expect(page.locator("#id_name-error")).to_have_text("Error: Enter the campaign name")
    assert_accessible(page)

    summary.get_by_role("link", name="Enter the campaign name").click()
    expect(page.get_by_label("Campaign name")).to_be_focused()
    summary.get_by_role("link", name="Enter start date").click()
    expect(page.get_by_role("group", name="Start date").get_by_label("Day")).to_be_focused()

    # --- Every required field filled in.
    page.get_by_label("Campaign name").fill(NAME)
    page.get_by_label("Web address").fill(SLUG)
    page.get_by_label("Summary").fill("Spot the signs of child sexual exploitation and report them.")
    fill_date(page, "Start date", today - datetime.timedelta(days=1))
    fill_date(page, "End date", today + datetime.timedelta(days=6))
    page.get_by_label("Theme").fill("Working together to inform, educate and prevent.")
    page.get_by_label("Hashtags").fill("#CSEDay26 StandAgainstCSE")
    page.get_by_label("What child sexual exploitation is").fill(
        "Child sexual exploitation is a form of child sexual abuse.\n\nIt can happen to any child."
    )
    page.get_by_label("Warning signs").fill("\n".join(WARNING_SIGNS))
    page.get_by_label("Point of contact", exact=True).fill("Safeguarding partnership campaigns team")
    page.get_by_label("Point of contact email").fill("campaigns@partnership.example.org")
    page.get_by_role("button", name="Create campaign").click()

    # --- The campaign overview: a draft.
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect_success(page, "Campaign created as a draft.")
    expect(page.locator(".govuk-caption-l .govuk-tag")).to_have_text("Draft")
    expect(page.get_by_text("No ways to report yet.")).to_be_visible()
    assert_accessible(page)

    # --- Publishing is refused until there is a way to report.
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {NAME}")
    refusal = page.locator(".govuk-error-summary")
    expect(refusal).to_contain_text("You cannot publish this campaign yet")
    expect(
        refusal.get_by_role("link", name="Add at least one way to report a concern before publishing")
    ).to_have_attribute("href", f"/staff/campaigns/{SLUG}/")
    expect(page.get_by_role("button", name="Publish campaign")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    assert_accessible(page)

    # --- A way to report.
    page.get_by_role("link", name="Add a way to report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a way to report")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Police: emergency")
    page.get_by_label("When to use it").fill("A child is in immediate danger.")
    page.get_by_label("Phone number").fill("999")
    page.get_by_label("For emergencies (999)").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect_success(page, "Way to report added.")
    channel_row = page.locator(".govuk-summary-list__row", has_text="Police: emergency")
    expect(channel_row).to_contain_text("Emergency")
    expect(channel_row).to_contain_text("Phone 999")
    expect(page.locator(".govuk-inset-text", has_text="Before you can publish")).to_have_count(0)
    assert_accessible(page)

    # --- A resource: a real PDF upload, for parents and carers.
    pdf = tmp_path / "Local flow chart.pdf"
    pdf.write_bytes(PDF)
    page.get_by_role("link", name="Add a resource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a resource")
    assert_accessible(page)
    page.get_by_label("Title").fill("Local flow chart")
    page.get_by_label("Or upload a file").set_input_files(str(pdf))
    page.get_by_role("group", name="Who is it for?").get_by_label("Parents and carers").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect_success(page, "Resource added.")
    resource_row = page.locator(".govuk-summary-list__row", has_text="Local flow chart")
    expect(resource_row).to_contain_text("(PDF,")
    expect(resource_row).to_contain_text("For: Parents and carers")
    assert_accessible(page)

    # --- The preview: the public page as it will look, marked as a draft.
    page.get_by_role("link", name="Preview the page").click()
    banner = page.get_by_role("region", name="Preview")
    expect(banner).to_contain_text("This is a draft: the public cannot see it.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_text("#CSEDay26 #StandAgainstCSE")).to_be_visible()
    how_to_report = page.locator("#how-to-report")
    expect(how_to_report.get_by_role("heading", name="How to report a concern")).to_be_visible()
    expect(how_to_report.get_by_role("heading", name="Police: emergency")).to_be_visible()
    expect(how_to_report.locator(".hub-report-panel__channel").get_by_role("link", name="999")).to_have_attribute(
        "href", "tel:999"
    )
    assert_accessible(page)
    banner.get_by_role("link", name="Back to the campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    assert_accessible(page)

    # --- The public cannot see the draft, nor download its files.
    response = visitor.goto(f"/campaigns/{SLUG}/")
    assert response is not None and response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(visitor)
    # Chromium logs the 404 of the page itself as a console error; that one is expected.
    visitor.console_errors.remove(NOT_FOUND_CONSOLE_ERROR)  # type: ignore[attr-defined]
    download_href = resource_row.get_by_role("link", name="Local flow chart.pdf").get_attribute("href")
    assert download_href is not None
    assert visitor.request.get(download_href).status == 404

    # --- Publish, through the confirmation page.
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {NAME}")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_text(f"/campaigns/{SLUG}/")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish campaign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect_success(page, "Campaign published.")
    expect(page.locator(".govuk-caption-l .govuk-tag")).to_have_text("Published")
    expect(page.get_by_role("link", name="View the public page")).to_have_attribute("href", f"/campaigns/{SLUG}/")
    assert_accessible(page)

    # --- The public page, for someone not signed in.
    response = visitor.goto(f"/campaigns/{SLUG}/")
    assert response is not None and response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(visitor.get_by_role("region", name="Preview")).to_have_count(0)
    report_heading = visitor.get_by_role("heading", name="How to report a concern")
    about_heading = visitor.get_by_role("heading", name="What child sexual exploitation is")
    expect(report_heading).to_be_visible()
    expect(about_heading).to_be_visible()
    report_box, about_box = report_heading.bounding_box(), about_heading.bounding_box()
    assert report_box is not None and about_box is not None
    assert report_box["y"] < about_box["y"], "How to report must come before what CSE is"
    expect(visitor.locator("#how-to-report .hub-report-panel__channel a[href='tel:999']")).to_be_visible()
    for sign in WARNING_SIGNS:
        expect(visitor.get_by_role("listitem").filter(has_text=sign)).to_be_visible()
    expect(visitor.get_by_role("heading", name="For parents and carers")).to_be_visible()
    resource_link = visitor.get_by_role("link", name="Local flow chart")
    expect(resource_link).to_have_attribute("href", download_href)
    assert_accessible(visitor)

    download = visitor.request.get(download_href)
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.body() == PDF

    # --- The home page lists it among the current campaigns.
    visitor.goto("/")
    current_heading = visitor.get_by_role("heading", name="Current campaigns")
    expect(current_heading).to_be_visible()
    card = visitor.locator(".govuk-summary-card", has=visitor.get_by_role("link", name=NAME))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Spot the signs of child sexual exploitation and report them.")
    expect(card.get_by_role("link", name=NAME)).to_have_attribute("href", f"/campaigns/{SLUG}/")
    expect(visitor.get_by_text("There are no campaigns running at the moment.")).to_have_count(0)
    assert_accessible(visitor)
