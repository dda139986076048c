"""Pre-rendered public pages: the file the front web server serves is what Django serves
an anonymous visitor, kept in step with changes (after they commit) and with the minute
refresh; live numbers come from live.json."""

import io
import logging
import os
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hub.accounts.roles import Role
from hub.campaigns import prerender, services
from hub.campaigns.tests.factories import CampaignFactory, ChannelFactory
from hub.social import moments, pledges
from hub.social.models import Pledge
from hub.social.tests.factories import MomentFactory, SuggestedPostFactory
from hub.training import services as training_services
from hub.training.tests.factories import CourseFactory, SessionFactory, booking_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def prerender_root(settings, tmp_path):
    settings.PRERENDER_ROOT = tmp_path / "prerendered"
    cache.clear()
    yield settings.PRERENDER_ROOT
    cache.clear()


@pytest.fixture
def coordinator(make_staff_client):
    client, user = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    return client, user


def page_url(campaign) -> str:
    return reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})


def live_url(campaign) -> str:
    return reverse("campaigns:public_live", kwargs={"slug": campaign.slug})


def page_file(root, campaign):
    return root / "campaigns" / campaign.slug / "index.html"


def published_campaign(**fields):
    campaign = CampaignFactory(published=True, **fields)
    ChannelFactory(campaign=campaign)
    return campaign


def anonymous_page(campaign) -> bytes:
    response = Client().get(page_url(campaign))
    assert response.status_code == 200
    return response.content


# --- Publishing, editing, unpublishing -------------------------------------------------------


def test_publishing_writes_the_page_django_serves_an_anonymous_visitor(
    coordinator, prerender_root, django_capture_on_commit_callbacks
):
    client, _ = coordinator
    campaign = CampaignFactory(slug="cseday26")
    ChannelFactory(campaign=campaign, label="Police: non-emergency")
    MomentFactory(campaign=campaign)
    SuggestedPostFactory(campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        # Published by a signed-in coordinator: the file is still the anonymous page.
        response = client.post(reverse("campaigns:staff_publish", kwargs={"slug": campaign.slug}))
    assert response.status_code == 302

    path = prerender_root / "campaigns" / "cseday26" / "index.html"
    assert path.is_file()
    content = path.read_bytes()
    assert content == anonymous_page(campaign)
    # Nothing per-visitor: no CSRF token, no form, no signed-in navigation, no messages.
    text = content.decode()
    assert "csrfmiddlewaretoken" not in text
    assert "<form" not in text
    assert "Sign out" not in text and "Staff pages" not in text and "Staff sign in" in text
    assert "govuk-notification-banner" not in text
    # The sign-up and the pledge form are linked, served by Django with a fresh token.
    assert f'href="/campaigns/{campaign.slug}/moment/"' in text
    assert f'href="/campaigns/{campaign.slug}/pledges/new/"' in text
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_the_page_file_is_written_only_after_the_change_commits(
    coordinator, prerender_root, django_capture_on_commit_callbacks
):
    _, user = coordinator
    campaign = published_campaign(name="Before the change")
    prerender.campaign_prerender(campaign.slug)
    path = page_file(prerender_root, campaign)
    assert "Before the change" in path.read_text()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.campaign_update(campaign=campaign, data={"name": "After the change"}, actor=user)
    assert "Before the change" in path.read_text()  # nothing rendered inside the transaction
    for callback in callbacks:
        callback()
    assert "After the change" in path.read_text()
    assert path.read_bytes() == anonymous_page(campaign)


def test_changes_to_channels_resources_posts_moment_and_training_re_render_the_page(
    coordinator, prerender_root, django_capture_on_commit_callbacks
):
    _, user = coordinator
    campaign = published_campaign()
    path = page_file(prerender_root, campaign)

    def after(change) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return path.read_text()

    assert "Missing People" in after(
        lambda: services.channel_create(
            campaign=campaign,
            data={"label": "Missing People", "when_to_use": "Any time.", "phone": "116000"},
            actor=user,
        )
    )
    assert "Toolkit for schools" in after(
        lambda: services.resource_create(
            campaign=campaign, data={"title": "Toolkit for schools", "url": "https://example.org/t"}, actor=user
        )
    )
    from hub.social import posts

    assert "Stand with us today" in after(
        lambda: posts.suggested_post_save(
            campaign=campaign, post=None, text="Stand with us today #CSEDay26", networks=["x"], actor=user
        )
    )
    moment = MomentFactory(campaign=campaign, goal=40)
    assert "0 of 40 supporters" in after(
        lambda: moments.moment_save(
            campaign=campaign,
            data={
                "moment_at": moment.moment_at,
                "signup_deadline": moment.signup_deadline,
                "goal": 40,
                "all_or_nothing": False,
            },
            actor=user,
        )
    )
    course = CourseFactory(campaign=campaign, title="Spotting the signs online")
    template = SessionFactory.build(course=course)
    data = {
        "course": course,
        "starts_at": template.starts_at,
        "ends_at": template.ends_at,
        "mode": "in_person",
        "venue_name": "Town Hall",
        "capacity": 12,
        "booking_deadline": template.booking_deadline,
    }
    assert "12 places left" in after(lambda: training_services.session_create(data=data, actor=user))
    assert path.read_bytes() == anonymous_page(campaign)


def test_unpublishing_removes_the_page_and_its_folder(coordinator, prerender_root, django_capture_on_commit_callbacks):
    client, _ = coordinator
    campaign = published_campaign()
    prerender.campaign_prerender(campaign.slug)
    assert page_file(prerender_root, campaign).is_file()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:staff_unpublish", kwargs={"slug": campaign.slug}))
    assert not page_file(prerender_root, campaign).exists()
    assert not (prerender_root / "campaigns" / campaign.slug).exists()
    assert Client().get(page_url(campaign)).status_code == 404


def test_deleting_a_campaign_removes_any_file_left_for_it(
    coordinator, prerender_root, django_capture_on_commit_callbacks
):
    _, user = coordinator
    campaign = CampaignFactory()
    stale = page_file(prerender_root, campaign)
    stale.parent.mkdir(parents=True)
    stale.write_text("stale")
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_delete(campaign=campaign, actor=user)
    assert not stale.exists()


def test_a_failed_render_does_not_undo_the_change_and_leaves_django_to_serve_the_page(
    coordinator, prerender_root, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    client, _ = coordinator
    campaign = published_campaign(name="Old name")
    prerender.campaign_prerender(campaign.slug)

    def broken(url_path):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(prerender, "page_render", broken)
    edit = reverse("campaigns:staff_edit", kwargs={"slug": campaign.slug})
    form = {
        "name": "New name",
        "slug": campaign.slug,
        "summary": campaign.summary,
        "starts_on_day": campaign.starts_on.day,
        "starts_on_month": campaign.starts_on.month,
        "starts_on_year": campaign.starts_on.year,
        "ends_on_day": campaign.ends_on.day,
        "ends_on_month": campaign.ends_on.month,
        "ends_on_year": campaign.ends_on.year,
        "theme": campaign.theme,
        "hashtags": "CSEDay26",
        "about_cse": campaign.about_cse,
        "warning_signs": campaign.warning_signs,
        "contact_name": campaign.contact_name,
        "contact_email": campaign.contact_email,
    }
    with (
        caplog.at_level(logging.ERROR, logger="hub.campaigns.prerender"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(edit, form)
    assert response.status_code == 302, response.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "New name"
    assert "Pre-rendering /campaigns/" in caplog.text and "template exploded" in caplog.text
    # The old page is gone rather than stale: Django serves the new one until the next refresh.
    assert not page_file(prerender_root, campaign).exists()
    assert "New name" in anonymous_page(campaign).decode()

    monkeypatch.undo()
    call_command("prerender_refresh", stdout=io.StringIO())
    assert "New name" in page_file(prerender_root, campaign).read_text()


def test_a_page_that_would_hold_a_csrf_token_is_not_pre_rendered(prerender_root, monkeypatch, caplog):
    moment = MomentFactory()
    # The moment page embeds the sign-up form: registering it would bake in a token.
    monkeypatch.setattr(prerender, "_pages", [*prerender._pages, "social:moment"])
    with caplog.at_level(logging.WARNING, logger="hub.campaigns.prerender"):
        outcomes = prerender.campaign_prerender(moment.campaign.slug)
    moment_path = f"/campaigns/{moment.campaign.slug}/moment/"
    assert outcomes[moment_path] == prerender.REFUSED
    assert not (prerender_root / "campaigns" / moment.campaign.slug / "moment" / "index.html").exists()
    assert outcomes[page_url(moment.campaign)] == prerender.WRITTEN
    assert "holds a form or a cookie" in caplog.text


# --- The pledge wall ------------------------------------------------------------------------


def test_the_pledge_wall_is_pre_rendered_and_a_reported_pledge_leaves_it_at_once(
    prerender_root, django_capture_on_commit_callbacks
):
    campaign = published_campaign()
    pledge = Pledge.objects.create(
        campaign=campaign,
        image="pledges/test.jpg",
        width=40,
        height=30,
        message="I will listen to young people",
        consent_to_publish=True,
        confirmed_no_child=True,
        status=Pledge.Status.APPROVED,
    )
    prerender.campaign_prerender(campaign.slug)
    wall = prerender_root / "campaigns" / campaign.slug / "pledges" / "index.html"
    wall_url = reverse("social:pledge_wall", kwargs={"slug": campaign.slug})
    assert "I will listen to young people" in wall.read_text()
    assert wall.read_bytes() == Client().get(wall_url).content

    with django_capture_on_commit_callbacks(execute=True):
        pledges.pledge_report(pledge=pledge, reason="Shows a school badge")
    assert "I will listen to young people" not in wall.read_text()
    assert wall.read_bytes() == Client().get(wall_url).content


# --- Live numbers -------------------------------------------------------------------------------


def test_live_json_has_the_moving_numbers_cached_briefly_and_publicly(client):
    campaign = published_campaign()
    moment = MomentFactory(campaign=campaign, goal=4)
    session = SessionFactory(course=CourseFactory(campaign=campaign), capacity=2)

    response = client.get(live_url(campaign))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and "max-age=15" in response["Cache-Control"]
    assert not response.cookies  # shareable by any cache
    data = response.json()
    assert data["moment"] == {"supporters": 0, "goal": 4, "percent": 0, "estimated_reach": 0}
    assert data["sessions"] == [{"id": session.pk, "places_left": 2}]
    assert data["pledges"] == 0
    assert data["live"]["moment-progress"] == "0 of 4 supporters (0%)"
    assert data["live"][f"places-{session.pk}"] == "2 places left"

    moments.supporter_signup(
        moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 1200}}
    )
    training_services.booking_create(session_id=session.pk, data=booking_data())
    # Within the cache's ten seconds the answer is the same (one query per process, not per visitor) ...
    assert client.get(live_url(campaign)).json()["moment"]["supporters"] == 0
    cache.clear()  # ... then it moves.
    data = client.get(live_url(campaign)).json()
    assert data["moment"] == {"supporters": 1, "goal": 4, "percent": 25, "estimated_reach": 1200}
    assert data["live"]["moment-progress"] == "1 of 4 supporters (25%)"
    assert data["live"]["moment-reach"] == "1,200"
    assert data["live"]["moment-progress-bar"] == "1"
    assert data["sessions"] == [{"id": session.pk, "places_left": 1}]
    assert data["live"][f"places-{session.pk}"] == "1 place left"

    training_services.booking_create(session_id=session.pk, data=booking_data(email="second@example.org"))
    cache.clear()
    assert client.get(live_url(campaign)).json()["live"][f"places-{session.pk}"] == "Full: join the waiting list"


def test_live_json_of_a_draft_or_unknown_campaign_is_not_found(client):
    assert client.get(live_url(CampaignFactory())).status_code == 404
    assert client.get("/campaigns/no-such-campaign/live.json").json() == {"message": "Not found"}


class _LiveElements(HTMLParser):
    """The text of each element marked data-live (a <progress>: its value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-live" in attributes:
            if tag == "progress":
                self.found[attributes["data-live"]] = attributes["value"]
            self._open.append((tag, attributes["data-live"]))
            self.found.setdefault(attributes["data-live"], "")

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for tag, key in self._open:
            if tag != "progress":
                self.found[key] += data


def test_live_json_gives_exactly_the_words_each_marked_element_of_the_page_shows(client):
    campaign = published_campaign()
    moment = MomentFactory(campaign=campaign, goal=3)
    moments.supporter_signup(
        moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 4321}}
    )
    full = SessionFactory(course=CourseFactory(campaign=campaign), capacity=1)
    training_services.booking_create(session_id=full.pk, data=booking_data())
    SessionFactory(course=full.course, capacity=1)
    SessionFactory(course=full.course, capacity=9)

    page = client.get(page_url(campaign)).content.decode()
    parser = _LiveElements()
    parser.feed(page)
    live = client.get(live_url(campaign)).json()["live"]
    assert parser.found == live
    assert set(live) >= {"moment-progress", "moment-progress-bar", "moment-reach", f"places-{full.pk}"}
    assert live[f"places-{full.pk}"] == "Full: join the waiting list"
    assert "1 place left" in live.values() and "9 places left" in live.values()
    assert live["moment-reach"] == "4,321"


def test_the_live_script_exists_and_the_page_loads_it_from_a_file(client, coordinator):
    script = finders.find("campaigns/live.js")
    assert script, "campaigns/live.js is not among the static files"
    source = Path(script).read_text()
    assert "data-live-url" in source and "data-live" in source and "fetch(" in source
    campaign = published_campaign()
    page = client.get(page_url(campaign)).content.decode()
    assert '<script src="/static/campaigns/live.js" defer></script>' in page
    assert f'data-live-url="{live_url(campaign)}"' in page
    # The staff preview is not live (a draft has no live.json).
    staff, _ = coordinator
    preview = staff.get(reverse("campaigns:staff_preview", kwargs={"slug": campaign.slug})).content.decode()
    assert campaign.name in preview
    assert "data-live-url" not in preview and "campaigns/live.js" not in preview


# --- The minute refresh and the commands ----------------------------------------------------------


def test_refresh_writes_nothing_when_nothing_changed_and_brings_numbers_up_to_date(prerender_root):
    campaign = published_campaign()
    moment = MomentFactory(campaign=campaign, goal=10)
    call_command("prerender_refresh", stdout=io.StringIO())
    path = page_file(prerender_root, campaign)
    assert "0 of 10 supporters" in path.read_text()
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))

    assert prerender.prerender_refresh() == {"unchanged": 2}  # the page and the pledge wall
    assert path.stat().st_mtime == pytest.approx(an_hour_ago)

    # A sign-up does not re-render the page at once (live.json has it); the refresh bakes it in.
    moments.supporter_signup(
        moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 10}}
    )
    assert prerender.prerender_refresh() == {"unchanged": 1, "written": 1}
    assert "1 of 10 supporters (10%)" in path.read_text()
    assert path.read_bytes() == anonymous_page(campaign)


def test_refresh_removes_pages_of_campaigns_no_longer_published(prerender_root):
    draft = CampaignFactory()
    for slug in (draft.slug, "deleted-campaign"):
        stale = prerender_root / "campaigns" / slug / "index.html"
        stale.parent.mkdir(parents=True)
        stale.write_text("stale")
    kept = published_campaign()
    counts = prerender.prerender_refresh()
    assert counts["removed"] == 2 and counts["written"] == 2
    assert sorted(folder.name for folder in (prerender_root / "campaigns").iterdir()) == [kept.slug]


def test_refresh_keeps_the_last_good_page_when_a_render_fails(prerender_root, monkeypatch, caplog):
    campaign = published_campaign()
    prerender.campaign_prerender(campaign.slug)
    before = page_file(prerender_root, campaign).read_bytes()
    monkeypatch.setattr(prerender, "page_render", lambda url_path: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="hub.campaigns.prerender"):
        assert prerender.prerender_refresh() == {"failed": 2}
    assert page_file(prerender_root, campaign).read_bytes() == before


def test_prerender_command_renders_one_or_all(prerender_root, capsys):
    first, second = published_campaign(), published_campaign()
    call_command("prerender", first.slug)
    assert f"/campaigns/{first.slug}/: written" in capsys.readouterr().out
    assert page_file(prerender_root, first).is_file() and not page_file(prerender_root, second).exists()
    call_command("prerender", "--all")
    out = capsys.readouterr().out
    assert f"/campaigns/{first.slug}/: unchanged" in out and f"/campaigns/{second.slug}/: written" in out
    assert page_file(prerender_root, second).is_file()


def test_bookings_and_sign_ups_do_not_re_render_at_once(prerender_root, django_capture_on_commit_callbacks):
    campaign = published_campaign()
    session = SessionFactory(course=CourseFactory(campaign=campaign), capacity=5)
    moment = MomentFactory(campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        training_services.booking_create(session_id=session.pk, data=booking_data())
        moments.supporter_signup(
            moment=moment, first_name="Sam", email="sam@example.org", handles={"x": {"handle": "@sam", "followers": 1}}
        )
    assert not page_file(prerender_root, campaign).exists()


# --- Hashed static files ----------------------------------------------------------------------------


def test_under_manifest_storage_the_page_references_hashed_static_files(settings, tmp_path, prerender_root):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        # Production's whitenoise CompressedManifestStaticFilesStorage names files the same way;
        # compressing every file would only make this test slow.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--noinput", verbosity=0)
    campaign = published_campaign()
    SuggestedPostFactory(campaign=campaign)  # the section with the copy button script
    prerender.campaign_prerender(campaign.slug)
    page = page_file(prerender_root, campaign).read_text()
    referenced = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", name) for name in referenced} >= {
        "/static/hub/hub.css",
        "/static/hub/init.mjs",
        "/static/campaigns/live.js",
        "/static/social/copy.js",
    }
    for name in referenced:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", name), f"{name} is not a hashed file"
        assert (settings.STATIC_ROOT / name.removeprefix("/static/")).is_file()
