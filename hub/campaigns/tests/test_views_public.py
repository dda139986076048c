import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.campaigns.demo import demo_campaigns_load
from hub.campaigns.models import Audience
from hub.campaigns.tests.factories import (
    MINIMAL_PDF,
    CampaignFactory,
    ChannelFactory,
    FileResourceFactory,
    LinkResourceFactory,
)

pytestmark = pytest.mark.django_db


def test_demo_campaign_page_says_how_to_report_before_anything_else(client):
    demo_campaigns_load()
    response = client.get("/campaigns/cseday18/")
    assert response.status_code == 200
    body = response.content.decode()
    report = body.index('id="how-to-report"')
    assert report < body.index("What child sexual exploitation is")
    assert report < body.index("Warning signs")
    # 999 first, then the police non-emergency line quoting Operation Kite, then Missing People.
    assert body.index('href="tel:999"') < body.index('href="tel:101"') < body.index('href="tel:116000"')
    assert "Operation Kite" in body
    assert 'href="sms:116000"' in body
    assert "mailto:116000@missingpeople.org.uk" in body
    assert "#CSEDay18 #StandAgainstCSE #HelpingHands" in body


def test_resources_are_grouped_by_audience(client):
    campaign = CampaignFactory(published=True)
    LinkResourceFactory(campaign=campaign, title="Parents guide", audiences=[Audience.PARENTS_CARERS])
    LinkResourceFactory(campaign=campaign, title="Everyone guide", audiences=[])
    FileResourceFactory(campaign=campaign, title="Flow chart", audiences=[Audience.PROFESSIONALS])
    body = client.get(campaign_url(campaign)).content.decode()
    assert body.index("For parents and carers") < body.index("Parents guide")
    assert body.index("For professionals and frontline staff") < body.index("Flow chart")
    assert body.index("For everyone") < body.index("Everyone guide")
    assert "(PDF," in body


def campaign_url(campaign) -> str:
    return reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})


def test_draft_campaign_is_not_public(client):
    campaign = CampaignFactory()
    assert client.get(campaign_url(campaign)).status_code == 404


def test_draft_is_not_public_even_to_signed_in_staff(make_staff_client):
    client, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    assert client.get(campaign_url(CampaignFactory())).status_code == 404


def test_published_file_downloads_with_its_name_and_type(client):
    resource = FileResourceFactory(campaign=CampaignFactory(published=True))
    response = client.get(
        reverse("campaigns:resource_download", kwargs={"slug": resource.campaign.slug, "pk": resource.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="flow-chart.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF


def test_draft_file_is_hidden_from_the_public_but_not_from_staff(client, make_staff_client):
    resource = FileResourceFactory()
    url = reverse("campaigns:resource_download", kwargs={"slug": resource.campaign.slug, "pk": resource.pk})
    assert client.get(url).status_code == 404
    staff_client, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_resource_of_another_campaign_is_not_found(client):
    resource = FileResourceFactory(campaign=CampaignFactory(published=True))
    other = CampaignFactory(published=True)
    url = reverse("campaigns:resource_download", kwargs={"slug": other.slug, "pk": resource.pk})
    assert client.get(url).status_code == 404


def test_home_lists_current_and_past_campaigns_but_not_drafts(client):
    today = timezone.localdate()
    current = CampaignFactory(published=True, name="Running now")
    past = CampaignFactory(
        published=True,
        name="Last year",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=390),
    )
    CampaignFactory(name="Secret draft")
    ChannelFactory(campaign=current)
    body = client.get(reverse("core:home")).content.decode()
    assert body.index("Running now") < body.index("Past campaigns") < body.index("Last year")
    assert "Secret draft" not in body
    assert past.slug in body
