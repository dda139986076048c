"""A coordinator creates, previews and publishes a campaign, through the pages,
in Chromium; every page on the way is scanned with axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from hub.accounts.roles import Role
from hub.accounts.tests.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory
from hub.campaigns.tests.factories import MINIMAL_PDF

from .conftest import assert_accessible
from .test_staff_sign_in import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as_coordinator(page: Page) -> None:
    user = UserFactory(email="campaigns@partnership.example.org", roles=[Role.CAMPAIGN_COORDINATOR])
    device = TOTPDeviceFactory(user=user)
    page.goto("/account/sign-in/?next=/staff/campaigns/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")


def fill_date(page: Page, legend: str, date: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def test_create_preview_and_publish_a_campaign(page: Page, browser: Browser, live_server, tmp_path):
    today = timezone.localdate()
    sign_in_as_coordinator(page)
    assert_accessible(page)

    page.get_by_role("link", name="Create a campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a campaign")
    assert_accessible(page)

    # Nothing filled in: the error summary lists each problem and links to its field.
    page.get_by_role("button", name="Create campaign").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the campaign name")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the campaign name").click()
    expect(page.get_by_label("Campaign name")).to_be_focused()

    page.get_by_label("Campaign name").fill("CSE Awareness Day 2026")
    page.get_by_label("Web address").fill("cseday26")
    page.get_by_label("Summary").fill("Spot the signs of child sexual exploitation and report them.")
    fill_date(page, "Start date", today - datetime.timedelta(days=1))
    fill_date(page, "End date", today + datetime.timedelta(days=6))
    page.get_by_label("Theme").fill("Working together to inform, educate and prevent.")
    page.get_by_label("Hashtags").fill("#CSEDay26 StandAgainstCSE")
    page.get_by_label("What child sexual exploitation is").fill("CSE is a form of child sexual abuse.")
    page.get_by_label("Warning signs").fill("Going missing\nUnexplained gifts or money")
    page.get_by_label("Point of contact", exact=True).fill("Safeguarding partnership campaigns team")
    page.get_by_label("Point of contact email").fill("campaigns@partnership.example.org")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("CSE Awareness Day 2026")
    expect(page.locator(".govuk-tag", has_text="Draft")).to_be_visible()
    assert_accessible(page)

    # Not public while a draft.
    anonymous = browser.new_context(base_url=live_server.url)
    visitor = anonymous.new_page()
    assert visitor.goto("/campaigns/cseday26/").status == 404

    # Publishing needs a way to report.
    page.get_by_role("link", name="Publish").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Add at least one way to report a concern")
    assert_accessible(page)
    page.get_by_role("link", name="Back").click()

    page.get_by_role("link", name="Add a way to report").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Police: emergency")
    page.get_by_label("When to use it").fill("A child is in immediate danger.")
    page.get_by_label("Phone number").fill("999")
    page.get_by_label("For emergencies (999)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Way to report added.")).to_be_visible()

    pdf = tmp_path / "Local flow chart.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    page.get_by_role("link", name="Add a resource").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Local flow chart")
    page.get_by_label("Or upload a file").set_input_files(str(pdf))
    page.get_by_label("Parents and carers").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Resource added.")).to_be_visible()

    page.get_by_role("link", name="Preview the page").click()
    expect(page.get_by_text("This is a draft: the public cannot see it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("CSE Awareness Day 2026")
    expect(page.locator('a[href="tel:999"]').first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the campaign").click()

    page.get_by_role("link", name="Publish").click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish campaign").click()
    expect(page.get_by_text("Campaign published.")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Published")).to_be_visible()

    # The public now sees it: how to report before what CSE is, and the file downloads.
    response = visitor.goto("/campaigns/cseday26/")
    assert response.status == 200
    report = visitor.get_by_role("heading", name="How to report a concern").bounding_box()
    about = visitor.get_by_role("heading", name="What child sexual exploitation is").bounding_box()
    assert report["y"] < about["y"]
    assert_accessible(visitor)
    href = visitor.get_by_role("link", name="Local flow chart").get_attribute("href")
    download = visitor.request.get(href)
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.body() == MINIMAL_PDF

    visitor.goto("/")
    expect(visitor.get_by_role("link", name="CSE Awareness Day 2026")).to_be_visible()
    anonymous.close()
