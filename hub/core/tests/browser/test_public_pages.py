import pytest
from playwright.sync_api import Page, expect

from hub.campaigns.demo import demo_campaigns_load

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible_and_works_without_errors(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_campaign_page_shows_how_to_report_first_and_is_accessible(page: Page):
    demo_campaigns_load()
    page.goto("/campaigns/cseday18/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Child Sexual Exploitation Awareness Day 2018")
    emergency = page.locator('a[href="tel:999"]').first
    expect(emergency).to_be_visible()
    expect(page.locator('a[href="tel:116000"]').first).to_be_visible()
    # How to report comes before the explanation of what CSE is.
    report_box = page.get_by_role("heading", name="How to report a concern").bounding_box()
    about_box = page.get_by_role("heading", name="What child sexual exploitation is").bounding_box()
    assert report_box is not None and about_box is not None
    assert report_box["y"] < about_box["y"]
    assert_accessible(page)


def test_skip_link_moves_focus_to_main_content(page: Page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_not_found_page_is_styled_and_accessible(page: Page):
    response = page.goto("/campaigns/no-such-campaign/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
    # Chromium logs the 404 of the page itself as a console error; that one is expected.
    expected = "Failed to load resource: the server responded with a status of 404 (Not Found)"
    page.problems.console_errors.remove(expected)
