"""A pre-rendered campaign page, served as a static file, brings its numbers up to date
from live.json (campaigns/live.js)."""

import pytest
from django.core.cache import cache, caches
from playwright.sync_api import Page, expect

from hub.campaigns import prerender
from hub.campaigns.tests.factories import CampaignFactory, ChannelFactory
from hub.social import moments
from hub.social.tests.factories import MomentFactory
from hub.training import services as training_services
from hub.training.tests.factories import CourseFactory, SessionFactory, booking_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stale_pre_rendered_page_shows_the_live_numbers(page: Page, live_server, settings, tmp_path):
    settings.PRERENDER_ROOT = tmp_path
    campaign = CampaignFactory(published=True)
    ChannelFactory(campaign=campaign)
    moment = MomentFactory(campaign=campaign, goal=10)
    session = SessionFactory(course=CourseFactory(campaign=campaign), capacity=5)
    prerender.campaign_prerender(campaign.slug)
    stale = (tmp_path / "campaigns" / campaign.slug / "index.html").read_text()
    assert "0 of 10 supporters (0%)" in stale and "5 places left" in stale

    moments.supporter_signup(
        moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 2500}}
    )
    training_services.booking_create(session_id=session.pk, data=booking_data())
    cache.clear()

    # The front web server's part: the page is the file, not Django.
    page_url = f"{live_server.url}/campaigns/{campaign.slug}/"
    page.route(page_url, lambda route: route.fulfill(body=stale, content_type="text/html; charset=utf-8"))
    page.goto(page_url)
    expect(page.locator("#moment-progress-label")).to_have_text("1 of 10 supporters (10%)")
    expect(page.locator('[data-live="moment-reach"]')).to_have_text("2,500")
    expect(page.locator("progress.hub-progress")).to_have_js_property("value", 1)
    expect(page.locator(f'[data-live="places-{session.pk}"]')).to_have_text("4 places left")


def test_the_browsers_own_copy_of_older_numbers_never_undoes_a_newer_page(page: Page, live_server):
    campaign = CampaignFactory(published=True)
    ChannelFactory(campaign=campaign)
    moment = MomentFactory(campaign=campaign, goal=10)
    page_url = f"{live_server.url}/campaigns/{campaign.slug}/"
    with page.expect_response(lambda response: response.url.endswith("/live.json")):
        page.goto(page_url)  # live.json says 0, and may be kept by the browser for 15 s
    expect(page.locator("#moment-progress-label")).to_have_text("0 of 10 supporters (0%)")

    moments.supporter_signup(
        moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 10}}
    )
    for each in caches.all():  # the server's copies have expired (page_cache.py, live.json)
        each.clear()
    with page.expect_response(lambda response: response.url.endswith("/live.json")) as live:
        page.goto(page_url)  # a new render says 1
    assert live.value.json()["moment"]["supporters"] == 1  # asked of the server, not the browser's cache
    expect(page.locator("#moment-progress-label")).to_have_text("1 of 10 supporters (10%)")
