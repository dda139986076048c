"""The public campaigns API at /api/v1/: published campaigns only, JSON errors."""

import datetime
import json
import logging

import pytest
from django.utils import timezone

from hub.api.tests.factories import campaign_make, channel_make, file_resource_make, link_resource_make
from hub.campaigns.demo import demo_campaigns_load
from hub.campaigns.models import Audience

pytestmark = pytest.mark.django_db

SUMMARY_FIELDS = {"slug", "name", "summary", "awareness_day", "starts_on", "ends_on", "hashtags", "page_url"}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _slugs(client, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/campaigns{query}")
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def _assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


# --- The list -----------------------------------------------------------------


def test_list_shows_published_campaigns_only_with_summary_fields(client):
    published = campaign_make(name="Published", hashtags=["CSEDay26", "#StandAgainstCSE"])
    campaign_make(name="Draft", published=False)

    response = client.get("/api/v1/campaigns")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert set(item) == SUMMARY_FIELDS
    assert item["slug"] == published.slug
    assert item["name"] == "Published"
    assert item["starts_on"] == published.starts_on.isoformat()
    assert item["ends_on"] == published.ends_on.isoformat()
    assert item["awareness_day"] is None
    assert item["hashtags"] == ["CSEDay26", "StandAgainstCSE"]
    assert item["page_url"] == f"http://testserver/campaigns/{published.slug}/"


def test_drafts_are_never_listed_whatever_the_filter(client):
    today = timezone.localdate()
    campaign_make(published=False, slug="draft-current")
    campaign_make(
        published=False,
        slug="draft-past",
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today - datetime.timedelta(days=10),
    )
    for query in ("", "?when=all", "?when=current", "?when=past"):
        assert _slugs(client, query) == []


def test_current_and_past_are_decided_by_the_end_date_relative_to_today(client):
    today = timezone.localdate()
    running = campaign_make(slug="running", starts_on=today - datetime.timedelta(days=5), ends_on=today)
    upcoming = campaign_make(
        slug="upcoming", starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=12)
    )
    ended_yesterday = campaign_make(
        slug="ended-yesterday", starts_on=today - datetime.timedelta(days=9), ends_on=today - datetime.timedelta(days=1)
    )
    ended_long_ago = campaign_make(
        slug="ended-long-ago",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=390),
    )

    # Current: not yet ended (ending today counts), soonest first.
    assert _slugs(client, "?when=current") == [running.slug, upcoming.slug]
    # Past: ended, most recent first.
    assert _slugs(client, "?when=past") == [ended_yesterday.slug, ended_long_ago.slug]
    # All (the default): newest start first.
    expected_all = [upcoming.slug, running.slug, ended_yesterday.slug, ended_long_ago.slug]
    assert _slugs(client, "?when=all") == expected_all
    assert _slugs(client) == expected_all


def test_list_is_paginated_with_limit_and_offset(client):
    today = timezone.localdate()
    for days in range(3):
        campaign_make(slug=f"page-{days}", starts_on=today - datetime.timedelta(days=days))

    body = client.get("/api/v1/campaigns?limit=2&offset=1").json()

    assert body["count"] == 3
    assert [item["slug"] for item in body["items"]] == ["page-1", "page-2"]


def test_page_size_is_capped(client):
    for _ in range(3):
        campaign_make()
    from hub.api.campaigns import MAX_PAGE_SIZE

    assert MAX_PAGE_SIZE == 100
    # A limit above the cap is clamped, not an error.
    body = client.get("/api/v1/campaigns?limit=100000").json()
    assert body["count"] == 3
    assert len(body["items"]) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("when=soon", "when"),
        ("when=", "when"),
        ("limit=lots", "limit"),
        ("limit=1.5", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
    ],
)
def test_bad_list_query_is_400_json_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/campaigns?{query}")

    body = _assert_json_error(response, 400)
    assert body["message"].startswith(f"{field}: ")
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"]


def test_bad_when_message_lists_the_allowed_values(client):
    body = client.get("/api/v1/campaigns?when=soon").json()
    for value in ("current", "past", "all"):
        assert value in body["message"]


# --- One campaign -------------------------------------------------------------


def test_detail_has_every_field_with_the_emergency_channel_first(client):
    campaign = campaign_make(
        slug="detail",
        awareness_day=datetime.date(2026, 3, 18),
        local_commitment="Community safeguarding.",
    )
    # The non-emergency channel is created first and has the lower position; emergency still leads.
    channel_make(campaign, label="Police: non-emergency", phone="101", position=0)
    channel_make(
        campaign,
        label="Missing People",
        phone="116000",
        text_number="116000",
        email="116000@missingpeople.org.uk",
        url="https://www.missingpeople.org.uk/",
        position=1,
    )
    channel_make(campaign, label="Police: emergency", phone="999", is_emergency=True, position=5)
    link = link_resource_make(campaign, audiences=[Audience.SCHOOLS])

    response = client.get("/api/v1/campaigns/detail")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    body = response.json()
    assert set(body) >= SUMMARY_FIELDS
    assert body["awareness_day"] == "2026-03-18"
    assert body["theme"] == campaign.theme
    assert body["local_commitment"] == "Community safeguarding."
    assert body["about_cse"] == campaign.about_cse
    assert body["warning_signs"] == ["Going missing", "Unexplained gifts"]
    assert body["contact"] == {"name": "Campaigns team", "email": "campaigns@partnership.example.org"}
    assert [channel["label"] for channel in body["reporting_channels"]] == [
        "Police: emergency",
        "Police: non-emergency",
        "Missing People",
    ]
    assert body["reporting_channels"][0]["is_emergency"] is True
    assert body["reporting_channels"][2] == {
        "label": "Missing People",
        "when_to_use": "To report a concern.",
        "phone": "116000",
        "text_number": "116000",
        "email": "116000@missingpeople.org.uk",
        "url": "https://www.missingpeople.org.uk/",
        "is_emergency": False,
    }
    assert [resource["id"] for resource in body["resources"]] == [link.pk]
    assert body["resources"][0]["url"] == link.url


def test_a_draft_answers_404_exactly_like_an_unknown_slug(client):
    draft = campaign_make(published=False, slug="secret-draft")
    channel_make(draft)
    file_resource_make(draft)

    unknown = client.get("/api/v1/campaigns/no-such-campaign")
    for path in ("/api/v1/campaigns/secret-draft", "/api/v1/campaigns/secret-draft/resources"):
        response = client.get(path)
        body = _assert_json_error(response, 404)
        assert body == unknown.json() == {"message": "Not found."}
    assert unknown.status_code == 404
    assert _assert_json_error(client.get("/api/v1/campaigns/no-such-campaign/resources"), 404) == {
        "message": "Not found."
    }


# --- Resources ----------------------------------------------------------------


def test_resources_are_links_or_files_with_absolute_download_urls(client):
    campaign = campaign_make(slug="with-resources")
    link = link_resource_make(
        campaign, summary="For parents.", audiences=[Audience.PARENTS_CARERS, Audience.YOUNG_PEOPLE], position=0
    )
    pdf = file_resource_make(campaign, audiences=[Audience.PROFESSIONALS], position=1)

    response = client.get("/api/v1/campaigns/with-resources/resources")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    body = response.json()
    assert [item["id"] for item in body] == [link.pk, pdf.pk]
    assert body[0] == {
        "id": link.pk,
        "title": link.title,
        "summary": "For parents.",
        "audiences": ["parents_carers", "young_people"],
        "audience_labels": ["Parents and carers", "Young people"],
        "kind": "link",
        "url": link.url,
        "file_type": None,
        "file_size": None,
    }
    assert body[1]["kind"] == "file"
    assert body[1]["url"] == f"http://testserver/campaigns/with-resources/resources/{pdf.pk}/"
    assert body[1]["file_type"] == "pdf"
    assert body[1]["file_size"] == pdf.file_size
    assert body[1]["audience_labels"] == ["Professionals and frontline staff"]
    # The download address really serves the file.
    download = client.get(body[1]["url"].removeprefix("http://testserver"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]).startswith(b"%PDF")


def test_resources_filter_by_audience(client):
    campaign = campaign_make(slug="filtered")
    for_parents = link_resource_make(campaign, audiences=[Audience.PARENTS_CARERS])
    for_both = file_resource_make(campaign, audiences=[Audience.SCHOOLS, Audience.PARENTS_CARERS])
    link_resource_make(campaign, audiences=[Audience.PROFESSIONALS])

    def ids(audience: str) -> list[int]:
        response = client.get(f"/api/v1/campaigns/filtered/resources?audience={audience}")
        assert response.status_code == 200
        return [item["id"] for item in response.json()]

    assert ids("parents_carers") == [for_parents.pk, for_both.pk]
    assert ids("schools") == [for_both.pk]
    assert ids("businesses") == []
    assert len(client.get("/api/v1/campaigns/filtered/resources").json()) == 3


def test_unknown_audience_is_400_listing_the_allowed_values(client):
    campaign_make(slug="audiences")

    body = _assert_json_error(client.get("/api/v1/campaigns/audiences/resources?audience=aliens"), 400)

    assert body["message"].startswith("audience: ")
    for value in Audience.values:
        assert value in body["message"]
    assert body["errors"][0]["field"] == "audience"


# --- Errors, the OpenAPI document and the demo data ------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/campaigns/a/b/c", "/api/v1/campaigns/"])
def test_unknown_path_under_the_api_is_json_404(client, path):
    assert _assert_json_error(client.get(path), 404) == {"message": "Not found."}


def test_unknown_path_is_json_404_even_with_debug_on(client, settings):
    settings.DEBUG = True
    assert _assert_json_error(client.get("/api/v1/nothing-here"), 404) == {"message": "Not found."}


def test_wrong_method_is_json_405(client):
    response = client.post("/api/v1/campaigns", data={}, content_type="application/json")

    body = _assert_json_error(response, 405)
    assert "GET" in body["message"]
    assert response["Allow"] == "GET"


def test_unexpected_error_is_json_500_and_logged_without_request_data(client, monkeypatch, caplog):
    # The failure is injected at the database edge: a count that breaks.
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise RuntimeError("database went away: secret detail")

    monkeypatch.setattr(QuerySet, "count", broken)
    with caplog.at_level(logging.ERROR, logger="hub.api.api"):
        response = client.get("/api/v1/campaigns?when=all&email=someone@example.org")

    assert _assert_json_error(response, 500) == {"message": "Sorry, there is a problem with the service."}
    assert "secret detail" not in response.content.decode()
    [record] = [record for record in caplog.records if record.name == "hub.api.api"]
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert "/api/v1/campaigns" in record.getMessage()
    assert "someone@example.org" not in record.getMessage()


def test_openapi_document_is_json_listing_the_three_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["info"]["title"] == "Safeguarding Partnership Hub API"
    paths = document["paths"]
    assert {"/api/v1/campaigns", "/api/v1/campaigns/{slug}", "/api/v1/campaigns/{slug}/resources"} <= set(paths)
    # Everything public is read-only; the one write is a screening, which needs a token.
    writes = {(path, method) for path, methods in paths.items() for method in methods if method != "get"}
    assert writes == {("/api/v1/screenings", "post")}
    assert document["paths"]["/api/v1/screenings"]["post"]["security"] == [{"StaffToken": []}]
    parameters = {parameter["name"] for parameter in paths["/api/v1/campaigns"]["get"]["parameters"]}
    assert {"when", "limit", "offset"} <= parameters


def test_demo_campaign_is_served(client):
    demo_campaigns_load()

    assert "cseday18" in _slugs(client)
    assert "cseday18" in _slugs(client, "?when=past")
    body = client.get("/api/v1/campaigns/cseday18").json()
    assert body["name"] == "Child Sexual Exploitation Awareness Day 2018"
    assert body["awareness_day"] == "2018-03-18"
    assert body["hashtags"] == ["CSEDay18", "StandAgainstCSE", "HelpingHands"]
    assert body["page_url"] == "http://testserver/campaigns/cseday18/"
    assert body["reporting_channels"][0]["phone"] == "999"
    assert body["reporting_channels"][0]["is_emergency"] is True
    assert "Operation Kite" in body["reporting_channels"][1]["label"]
    assert body["warning_signs"][0].startswith("Going missing")
    assert {resource["kind"] for resource in body["resources"]} == {"link", "file"}
    flow_chart = next(resource for resource in body["resources"] if resource["kind"] == "file")
    assert flow_chart["url"].startswith("http://testserver/campaigns/cseday18/resources/")
    assert flow_chart["file_type"] == "pdf"
