"""Later capabilities add sections to the public campaign page through a registry."""

import pytest
from django.urls import reverse

from hub.campaigns import sections
from hub.campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch):
    monkeypatch.setattr(sections, "_providers", [])


def test_registered_sections_appear_in_order_and_empty_ones_are_left_out(client):
    campaign = CampaignFactory(published=True)

    def second(c):
        return sections.PageSection(heading="Share the message", template_name="campaigns/includes/status_tag.html")

    def first(c):
        return sections.PageSection(
            heading="Training sessions", template_name="campaigns/includes/status_tag.html", anchor="training"
        )

    sections.campaign_section_register(second, order=20)
    sections.campaign_section_register(first, order=10)
    sections.campaign_section_register(lambda c: None, order=5)
    sections.campaign_section_register(first, order=10)  # registering twice changes nothing

    assert [s.heading for s in sections.campaign_sections(campaign)] == ["Training sessions", "Share the message"]
    body = client.get(reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})).content.decode()
    assert '<h2 class="govuk-heading-l" id="training">Training sessions</h2>' in body
    assert body.index("Training sessions") < body.index("Share the message") < body.index("Contact the campaign team")
