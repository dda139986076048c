"""The public campaign page as Django serves it to anonymous visitors (links with
?utm_source=, no nginx in front): one render shared for a few seconds, nothing
per-visitor in it, dropped for every web process when a change commits."""

import time

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.campaigns import page_cache, services
from hub.campaigns.models import Campaign
from hub.campaigns.tests.factories import CampaignFactory, ChannelFactory
from hub.social import moments
from hub.social.tests.factories import MomentFactory

pytestmark = pytest.mark.django_db


def published_campaign(**fields):
    campaign = CampaignFactory(published=True, **fields)
    ChannelFactory(campaign=campaign)
    return campaign


def page_url(campaign) -> str:
    return reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})


def get_counting_queries(client: Client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def another_process_cache() -> FileBasedCache:
    """The campaign pages' cache as another web process on the machine opens it."""
    from django.conf import settings

    return FileBasedCache(settings.CACHES[page_cache.CACHE_ALIAS]["LOCATION"], {})


def stored_copy(campaign) -> bytes | None:
    stored = another_process_cache().get(page_cache.KEY_PREFIX + page_url(campaign))
    return None if stored is None else stored[0]


def test_anonymous_readers_share_one_render_whatever_the_query_string(client):
    campaign = published_campaign(name="Spot the signs")
    first, queries = get_counting_queries(client, page_url(campaign) + "?utm_source=first-visitor-9f3a")
    assert first.status_code == 200 and queries > 0
    assert stored_copy(campaign) == first.content  # in the files every web process reads
    assert b"first-visitor-9f3a" not in first.content  # the page does not echo a query string to others

    for query in ("", "?utm_source=x&utm_campaign=cseday", "?fbclid=AbC"):
        response, queries = get_counting_queries(Client(), page_url(campaign) + query)
        assert response.status_code == 200
        assert queries == 0  # no render, no database
        assert response.content == first.content
        # The middleware still answers for every response: the same headers as the render.
        for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
            assert response[header] == first[header]
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "Cookie" in response["Vary"]  # a shared cache must not give it to someone signed in
        assert not response.cookies


def test_signed_in_staff_get_their_own_render_and_it_is_not_shared(client, make_staff_client):
    campaign = published_campaign()
    staff, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    staff_page = staff.get(page_url(campaign)).content.decode()
    assert "Sign out" in staff_page
    assert stored_copy(campaign) is None  # a page with a session cookie is never stored

    anonymous_page = client.get(page_url(campaign)).content.decode()
    assert "Sign out" not in anonymous_page and "Staff sign in" in anonymous_page
    # ... and the stored anonymous copy is not what signed-in staff get.
    _, queries = get_counting_queries(staff, page_url(campaign))
    assert queries > 0
    assert "Sign out" in staff.get(page_url(campaign)).content.decode()


def test_a_visitor_with_a_flash_message_gets_it_and_nobody_else_does(client):
    campaign = published_campaign()
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(message_levels.SUCCESS, "Thank you for signing up")
    carrier = HttpResponse()
    storage.update(carrier)

    visitor = Client()
    visitor.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    assert "Thank you for signing up" in visitor.get(page_url(campaign)).content.decode()
    assert stored_copy(campaign) is None

    assert "Thank you for signing up" not in client.get(page_url(campaign)).content.decode()


def test_a_change_that_commits_drops_the_copy_for_every_process(
    client, make_staff_client, django_capture_on_commit_callbacks
):
    campaign = published_campaign(summary="Before the change.")
    assert "Before the change." in client.get(page_url(campaign)).content.decode()
    assert stored_copy(campaign) is not None
    _, user = make_staff_client(Role.CAMPAIGN_COORDINATOR)

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_update(campaign=campaign, data={"summary": "After the change."}, actor=user)
    copy = stored_copy(campaign)  # rendered afresh by the pre-rendering after the commit
    assert copy is not None and b"After the change." in copy and b"Before the change." not in copy
    assert "After the change." in Client().get(page_url(campaign) + "?utm_source=x").content.decode()


def test_unpublishing_takes_the_page_down_at_once(client, make_staff_client, django_capture_on_commit_callbacks):
    campaign = published_campaign()
    assert client.get(page_url(campaign)).status_code == 200
    _, user = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_unpublish(campaign=campaign, actor=user)
    assert stored_copy(campaign) is None
    assert client.get(page_url(campaign)).status_code == 404
    assert client.get(page_url(campaign) + "?utm_source=x").status_code == 404


def test_a_missing_page_is_not_stored(client):
    campaign = CampaignFactory(slug="not-yet")
    assert client.get(page_url(campaign)).status_code == 404
    campaign.status, campaign.published_at = Campaign.Status.PUBLISHED, timezone.now()
    campaign.save()
    ChannelFactory(campaign=campaign)
    assert client.get(page_url(campaign)).status_code == 200


def test_moving_numbers_are_at_most_the_settings_seconds_old(client, settings):
    settings.CAMPAIGN_PAGE_CACHE_SECONDS = 1
    campaign = published_campaign()
    moment = MomentFactory(campaign=campaign, goal=4)
    assert "0 of 4 supporters" in client.get(page_url(campaign)).content.decode()

    # A sign-up does not re-render the page (live.json carries the number) ...
    moments.supporter_signup(
        moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 10}}
    )
    assert "0 of 4 supporters" in client.get(page_url(campaign)).content.decode()
    time.sleep(1.1)  # ... so the copy says the old number until it expires.
    assert "1 of 4 supporters" in client.get(page_url(campaign)).content.decode()


def test_zero_seconds_renders_every_request(client, settings):
    settings.CAMPAIGN_PAGE_CACHE_SECONDS = 0
    campaign = published_campaign()
    client.get(page_url(campaign))
    _, queries = get_counting_queries(client, page_url(campaign))
    assert queries > 0
    assert stored_copy(campaign) is None


def test_a_page_that_asks_for_a_csrf_token_or_sets_a_cookie_is_never_stored():
    cache = caches[page_cache.CACHE_ALIAS]

    def with_token(request):
        return HttpResponse(f"<form>{get_token(request)}</form>")

    def with_cookie(request):
        response = HttpResponse("<p>Hello</p>")
        response.set_cookie("seen", "1")
        return response

    renders = []

    def plain(request):
        renders.append(request.method)
        return HttpResponse(f"<p>Render {len(renders)}</p>")

    for path, view in (("/a/", with_token), ("/b/", with_cookie)):
        page_cache.anonymous_page_cache(view)(RequestFactory().get(path))
        assert cache.get(page_cache.KEY_PREFIX + path) is None
    cached_plain = page_cache.anonymous_page_cache(plain)
    assert cached_plain(RequestFactory().get("/c/")).content == b"<p>Render 1</p>"
    assert cache.get(page_cache.KEY_PREFIX + "/c/") == (b"<p>Render 1</p>", "text/html; charset=utf-8")
    assert cached_plain(RequestFactory().get("/c/?x=1")).content == b"<p>Render 1</p>"
    assert cached_plain(RequestFactory().post("/c/")).content == b"<p>Render 2</p>"  # only GET and HEAD
    assert renders == ["GET", "POST"]
