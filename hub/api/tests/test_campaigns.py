import datetime

import pytest
from django.utils import timezone

from hub.campaigns.demo import demo_campaigns_load
from hub.campaigns.models import Audience
from hub.campaigns.tests.factories import CampaignFactory, ChannelFactory, FileResourceFactory, LinkResourceFactory

pytestmark = pytest.mark.django_db


def test_lists_published_campaigns_only(client):
    published = CampaignFactory(published=True, name="Published")
    CampaignFactory(name="Draft")
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["slug"] for item in body["items"]] == [published.slug]
    assert body["items"][0]["page_url"] == f"http://testserver/campaigns/{published.slug}/"
    assert response["Cache-Control"] == "public, max-age=60"


def test_current_and_past_filters(client):
    today = timezone.localdate()
    current = CampaignFactory(published=True)
    past = CampaignFactory(
        published=True,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
    )
    slugs = lambda when: [item["slug"] for item in client.get(f"/api/v1/campaigns?when={when}").json()["items"]]  # noqa: E731
    assert slugs("current") == [current.slug]
    assert slugs("past") == [past.slug]
    assert set(slugs("all")) == {current.slug, past.slug}


def test_pagination(client):
    CampaignFactory.create_batch(3, published=True)
    body = client.get("/api/v1/campaigns?limit=2&offset=2").json()
    assert body["count"] == 3
    assert len(body["items"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("when=soon", "when"), ("limit=lots", "limit"), ("limit=0", "limit"), ("offset=-1", "offset")],
)
def test_bad_query_gets_400_json_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/campaigns?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith(f"{field}: ")
    assert body["errors"][0]["field"] == field


def test_detail_has_everything_the_page_shows_with_the_emergency_channel_first(client):
    demo_campaigns_load()
    response = client.get("/api/v1/campaigns/cseday18")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Child Sexual Exploitation Awareness Day 2018"
    assert body["awareness_day"] == "2018-03-18"
    assert body["hashtags"] == ["CSEDay18", "StandAgainstCSE", "HelpingHands"]
    assert body["reporting_channels"][0]["phone"] == "999"
    assert body["reporting_channels"][0]["is_emergency"] is True
    assert "Operation Kite" in body["reporting_channels"][1]["label"]
    assert body["contact"] == {
        "name": "Safeguarding partnership campaigns team",
        "email": "campaigns@partnership.example.org",
    }
    assert body["warning_signs"][0].startswith("Going missing")
    kinds = {resource["kind"] for resource in body["resources"]}
    assert kinds == {"link", "file"}


def test_draft_answers_404_like_an_unknown_campaign(client):
    draft = CampaignFactory()
    ChannelFactory(campaign=draft)
    for path in (f"/api/v1/campaigns/{draft.slug}", "/api/v1/campaigns/no-such-campaign"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"message": "Not found."}
    assert client.get(f"/api/v1/campaigns/{draft.slug}/resources").status_code == 404


def test_resources_with_download_urls_and_audience_filter(client):
    campaign = CampaignFactory(published=True)
    link = LinkResourceFactory(campaign=campaign, audiences=[Audience.PARENTS_CARERS])
    pdf = FileResourceFactory(campaign=campaign, audiences=[Audience.PROFESSIONALS])
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/resources").json()
    by_id = {item["id"]: item for item in body}
    assert by_id[link.pk]["url"] == link.url
    assert by_id[link.pk]["audience_labels"] == ["Parents and carers"]
    assert by_id[pdf.pk]["kind"] == "file"
    assert by_id[pdf.pk]["url"] == f"http://testserver/campaigns/{campaign.slug}/resources/{pdf.pk}/"
    assert by_id[pdf.pk]["file_type"] == "pdf"
    assert client.get(by_id[pdf.pk]["url"].removeprefix("http://testserver")).status_code == 200
    only_parents = client.get(f"/api/v1/campaigns/{campaign.slug}/resources?audience=parents_carers").json()
    assert [item["id"] for item in only_parents] == [link.pk]


def test_unknown_audience_is_400_listing_the_allowed_values(client):
    campaign = CampaignFactory(published=True)
    response = client.get(f"/api/v1/campaigns/{campaign.slug}/resources?audience=aliens")
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("audience: ")
    assert "parents_carers" in message


def test_unknown_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/campaigns", "/api/v1/campaigns/{slug}", "/api/v1/campaigns/{slug}/resources"} <= set(paths)


def test_unexpected_error_is_json_500_without_details(client, monkeypatch, caplog):
    # The failure is injected at the database edge: a query that breaks.
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise RuntimeError("database went away: secret detail")

    monkeypatch.setattr(QuerySet, "count", broken)
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 500
    assert response.json() == {"message": "Sorry, there is a problem with the service."}
    assert "secret detail" not in response.content.decode()
