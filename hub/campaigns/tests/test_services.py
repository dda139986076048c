import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.campaigns import services
from hub.campaigns.models import Campaign, Resource
from hub.campaigns.tests.factories import (
    MINIMAL_PDF,
    MINIMAL_PNG,
    CampaignFactory,
    ChannelFactory,
    FileResourceFactory,
    LinkResourceFactory,
)
from hub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def campaign_data(**overrides) -> dict:
    data = {
        "name": "CSE Awareness Day 2026",
        "slug": "cseday26",
        "summary": "Spot the signs.",
        "awareness_day": datetime.date(2026, 3, 18),
        "starts_on": datetime.date(2026, 3, 12),
        "ends_on": datetime.date(2026, 3, 18),
        "theme": "Inform, educate and prevent.",
        "local_commitment": "",
        "hashtags": ["CSEDay26"],
        "about_cse": "CSE is a form of child sexual abuse.",
        "warning_signs": "Going missing",
        "contact_name": "Campaigns team",
        "contact_email": "campaigns@partnership.example.org",
    }
    return {**data, **overrides}


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


# --- Hashtags -------------------------------------------------------------------


def test_hashtags_are_parsed_from_spaces_and_commas_with_or_without_hash():
    assert services.hashtags_parse("#CSEDay18, StandAgainstCSE  #HelpingHands") == [
        "CSEDay18",
        "StandAgainstCSE",
        "HelpingHands",
    ]


def test_repeated_hashtags_keep_the_first_spelling():
    assert services.hashtags_parse("#CSEDay18 #csEday18 #Other") == ["CSEDay18", "Other"]


def test_empty_hashtags_are_an_empty_list():
    assert services.hashtags_parse("  ") == []


@pytest.mark.parametrize("text", ["#", "#two-words", "#_underscore_first", "#bad!", "##"])
def test_hashtags_that_networks_would_break_are_refused(text):
    with pytest.raises(ApplicationError) as refused:
        services.hashtags_parse(text)
    assert refused.value.field == "hashtags"
    assert "is not a hashtag" in refused.value.message


# --- Campaigns ------------------------------------------------------------------


def test_create_saves_a_draft_and_audits_it():
    user = UserFactory()
    campaign = services.campaign_create(data=campaign_data(), actor=user)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.created_by == user
    assert campaign.hashtags == ["CSEDay26"]
    event = AuditEvent.objects.get(action="campaign.created")
    assert (event.actor, event.object_type, event.object_id) == (user, "campaigns.campaign", str(campaign.pk))


def test_slug_must_be_unique_ignoring_case():
    CampaignFactory(slug="cseday26")
    with pytest.raises(ApplicationError) as refused:
        services.campaign_create(data=campaign_data(slug="CSEDay26"), actor=UserFactory())
    assert refused.value.field == "slug"
    assert Campaign.objects.count() == 1
    assert "campaign.created" not in actions()


def test_reserved_slug_is_refused():
    with pytest.raises(ApplicationError, match="reserved"):
        services.campaign_create(data=campaign_data(slug="new"), actor=UserFactory())


def test_end_before_start_is_refused():
    data = campaign_data(starts_on=datetime.date(2026, 3, 18), ends_on=datetime.date(2026, 3, 12), awareness_day=None)
    with pytest.raises(ApplicationError) as refused:
        services.campaign_create(data=data, actor=UserFactory())
    assert refused.value.field == "ends_on"


def test_awareness_day_outside_the_dates_is_refused():
    with pytest.raises(ApplicationError) as refused:
        services.campaign_create(data=campaign_data(awareness_day=datetime.date(2026, 4, 1)), actor=UserFactory())
    assert refused.value.field == "awareness_day"


def test_update_records_only_the_changed_field_names():
    campaign = CampaignFactory()
    services.campaign_update(campaign=campaign, data={"name": "New name", "summary": campaign.summary}, actor=None)
    campaign.refresh_from_db()
    assert campaign.name == "New name"
    assert AuditEvent.objects.get(action="campaign.updated").detail == {"fields": ["name"]}


def test_update_with_no_change_writes_nothing():
    campaign = CampaignFactory()
    services.campaign_update(campaign=campaign, data={"name": campaign.name}, actor=None)
    assert actions() == []


def test_update_to_a_taken_slug_is_refused():
    CampaignFactory(slug="taken")
    campaign = CampaignFactory(slug="mine")
    with pytest.raises(ApplicationError):
        services.campaign_update(campaign=campaign, data={"slug": "taken"}, actor=None)
    campaign.refresh_from_db()
    assert campaign.slug == "mine"


def test_published_campaign_keeps_its_address():
    campaign = CampaignFactory(published=True, slug="shared-widely")
    with pytest.raises(ApplicationError, match="cannot change"):
        services.campaign_update(campaign=campaign, data={"slug": "something-else"}, actor=None)


def test_publishing_needs_a_way_to_report():
    campaign = CampaignFactory()
    assert services.campaign_publish_problems(campaign) == [
        "Add at least one way to report a concern before publishing"
    ]
    with pytest.raises(ApplicationError):
        services.campaign_publish(campaign=campaign, actor=None)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_publish_and_unpublish_are_audited():
    campaign = CampaignFactory()
    ChannelFactory(campaign=campaign)
    services.campaign_publish(campaign=campaign, actor=None)
    campaign.refresh_from_db()
    assert campaign.is_published and campaign.published_at is not None
    services.campaign_unpublish(campaign=campaign, actor=None)
    campaign.refresh_from_db()
    assert not campaign.is_published
    assert actions() == ["campaign.published", "campaign.unpublished"]


def test_published_campaign_cannot_be_deleted():
    campaign = CampaignFactory(published=True)
    with pytest.raises(ApplicationError, match="Unpublish"):
        services.campaign_delete(campaign=campaign, actor=None)
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_deleting_a_draft_removes_its_files(django_capture_on_commit_callbacks):
    resource = FileResourceFactory()
    path = Path(resource.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_delete(campaign=resource.campaign, actor=None)
    assert not path.exists()
    assert actions() == ["campaign.deleted"]


def test_change_and_audit_roll_back_together():
    campaign = CampaignFactory()
    ChannelFactory(campaign=campaign)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.campaign_publish(campaign=campaign, actor=None)
        raise RuntimeError("the request failed later")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert actions() == []


# --- Reporting channels -----------------------------------------------------------


def test_channel_needs_a_way_to_get_in_touch():
    with pytest.raises(ApplicationError, match="at least one of"):
        services.channel_create(campaign=CampaignFactory(), data={"label": "X", "when_to_use": "Y"}, actor=None)


def test_channels_are_numbered_in_the_order_added_and_emergency_comes_first():
    campaign = CampaignFactory()
    services.channel_create(campaign=campaign, data={"label": "101", "when_to_use": "a", "phone": "101"}, actor=None)
    services.channel_create(
        campaign=campaign, data={"label": "Email", "when_to_use": "b", "email": "a@b.org"}, actor=None
    )
    services.channel_create(
        campaign=campaign, data={"label": "999", "when_to_use": "c", "phone": "999", "is_emergency": True}, actor=None
    )
    assert [channel.label for channel in campaign.reporting_channels.all()] == ["999", "101", "Email"]
    assert actions().count("campaign.channel_created") == 3


def test_last_channel_of_a_published_campaign_cannot_be_removed():
    campaign = CampaignFactory(published=True)
    channel = ChannelFactory(campaign=campaign)
    with pytest.raises(ApplicationError, match="at least one way to report"):
        services.channel_delete(channel=channel, actor=None)
    other = ChannelFactory(campaign=campaign)
    services.channel_delete(channel=other, actor=None)
    assert list(campaign.reporting_channels.all()) == [channel]


def test_channel_update_keeps_a_way_to_get_in_touch():
    channel = ChannelFactory(phone="101", email="")
    with pytest.raises(ApplicationError):
        services.channel_update(channel=channel, data={"phone": ""}, actor=None)
    services.channel_update(channel=channel, data={"phone": "", "email": "team@example.org"}, actor=None)
    channel.refresh_from_db()
    assert (channel.phone, channel.email) == ("", "team@example.org")


# --- Resources --------------------------------------------------------------------


def test_link_resource_keeps_audiences_in_the_published_order():
    resource = services.resource_create(
        campaign=CampaignFactory(),
        data={"title": "Guide", "url": "https://example.org/g", "audiences": ["schools", "parents_carers"]},
        actor=None,
    )
    assert resource.audiences == ["parents_carers", "schools"]


def test_unknown_audience_is_refused():
    with pytest.raises(ApplicationError, match="Unknown audience"):
        services.resource_create(
            campaign=CampaignFactory(), data={"title": "G", "url": "https://e.org", "audiences": ["aliens"]}, actor=None
        )


def test_resource_needs_exactly_one_of_link_and_file():
    campaign = CampaignFactory()
    with pytest.raises(ApplicationError, match="not both"):
        services.resource_create(
            campaign=campaign,
            data={"title": "G", "url": "https://e.org"},
            upload=SimpleUploadedFile("g.pdf", MINIMAL_PDF),
            actor=None,
        )
    with pytest.raises(ApplicationError, match="Enter a web address or choose a file"):
        services.resource_create(campaign=campaign, data={"title": "G"}, actor=None)
    assert not Resource.objects.exists()


def test_uploaded_file_is_stored_under_a_random_name_and_served_with_its_own():
    resource = services.resource_create(
        campaign=CampaignFactory(),
        data={"title": "Flow chart"},
        upload=SimpleUploadedFile("Local flow chart.pdf", MINIMAL_PDF),
        actor=None,
    )
    resource.refresh_from_db()
    assert resource.file_name == "Local flow chart.pdf"
    assert resource.file_type == "pdf"
    assert resource.file_size == len(MINIMAL_PDF)
    assert "flow" not in resource.file.name
    assert Path(resource.file.path).read_bytes() == MINIMAL_PDF


def test_refused_upload_saves_nothing():
    campaign = CampaignFactory()
    with pytest.raises(ApplicationError) as refused:
        services.resource_create(
            campaign=campaign, data={"title": "G"}, upload=SimpleUploadedFile("g.pdf", b"<html>"), actor=None
        )
    assert refused.value.field == "file"
    assert not Resource.objects.exists()
    assert actions() == []


def test_replacing_a_file_removes_the_old_one(django_capture_on_commit_callbacks):
    resource = FileResourceFactory()
    old_path = Path(resource.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(
            resource=resource, data={}, upload=SimpleUploadedFile("poster.png", MINIMAL_PNG), actor=None
        )
    resource.refresh_from_db()
    assert resource.file_type == "png"
    assert Path(resource.file.path).exists()
    assert not old_path.exists()


def test_switching_a_file_to_a_link_clears_the_file(django_capture_on_commit_callbacks):
    resource = FileResourceFactory()
    old_path = Path(resource.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(resource=resource, data={"url": "https://example.org/new"}, actor=None)
    resource.refresh_from_db()
    assert (resource.url, resource.file.name, resource.file_type, resource.file_size) == (
        "https://example.org/new",
        "",
        "",
        None,
    )
    assert not old_path.exists()
    assert AuditEvent.objects.get(action="campaign.resource_updated").detail["fields"] == ["url", "file"]


def test_link_resource_cannot_lose_its_link_without_a_file():
    resource = LinkResourceFactory()
    with pytest.raises(ApplicationError):
        services.resource_update(resource=resource, data={"url": ""}, actor=None)


def test_deleting_a_resource_removes_its_file(django_capture_on_commit_callbacks):
    resource = FileResourceFactory()
    path = Path(resource.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(resource=resource, actor=None)
    assert not path.exists()
    assert actions() == ["campaign.resource_deleted"]
