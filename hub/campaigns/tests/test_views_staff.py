import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.accounts.roles import Role
from hub.audit.models import AuditEvent
from hub.campaigns.models import Campaign, ReportingChannel, Resource
from hub.campaigns.tests.factories import (
    MINIMAL_PDF,
    CampaignFactory,
    ChannelFactory,
    FileResourceFactory,
    minimal_docx,
)

pytestmark = pytest.mark.django_db


def form_post(**overrides) -> dict:
    data = {
        "name": "CSE Awareness Day 2026",
        "slug": "cseday26",
        "summary": "Spot the signs.",
        "starts_on_day": "12",
        "starts_on_month": "3",
        "starts_on_year": "2026",
        "ends_on_day": "18",
        "ends_on_month": "3",
        "ends_on_year": "2026",
        "awareness_day_day": "18",
        "awareness_day_month": "3",
        "awareness_day_year": "2026",
        "theme": "Inform, educate and prevent.",
        "local_commitment": "",
        "hashtags": "#CSEDay26 StandAgainstCSE",
        "about_cse": "CSE is a form of child sexual abuse.",
        "warning_signs": "Going missing\n\n  Unexplained gifts  \n",
        "contact_name": "Campaigns team",
        "contact_email": "campaigns@partnership.example.org",
    }
    return {**data, **overrides}


@pytest.fixture
def coordinator(make_staff_client):
    client, user = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    client.user = user
    return client


def error_summary(response) -> str:
    body = response.content.decode()
    start = body.index('class="govuk-error-summary"')
    return body[start : body.index("</ul>", start)]


# --- Who may do what --------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("campaigns:staff_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.HUB_OFFICER])
def test_roles_without_campaign_work_are_refused(make_staff_client, role):
    client, _ = make_staff_client(role)
    assert client.get(reverse("campaigns:staff_list")).status_code == 403


def test_trainer_can_look_but_not_change(make_staff_client):
    client, _ = make_staff_client(Role.TRAINER)
    campaign = CampaignFactory()
    assert client.get(reverse("campaigns:staff_detail", kwargs={"slug": campaign.slug})).status_code == 200
    assert client.get(reverse("campaigns:staff_create")).status_code == 403
    assert client.post(reverse("campaigns:staff_publish", kwargs={"slug": campaign.slug})).status_code == 403
    campaign.refresh_from_db()
    assert not campaign.is_published
    body = client.get(reverse("campaigns:staff_list")).content.decode()
    assert "Create a campaign" not in body


# --- Creating and editing -----------------------------------------------------------


def test_empty_form_lists_every_missing_field_in_the_error_summary(coordinator):
    response = coordinator.post(reverse("campaigns:staff_create"), {})
    assert response.status_code == 200
    summary = error_summary(response)
    for message, anchor in [
        ("Enter the campaign name", "#id_name"),
        ("Enter the web address", "#id_slug"),
        ("Enter start date", "#id_starts_on_0"),
        ("Enter the warning signs", "#id_warning_signs"),
        ("Enter the point of contact&#x27;s email address", "#id_contact_email"),
    ]:
        assert message in summary
        assert f'href="{anchor}"' in summary
    body = response.content.decode()
    assert body.count("<title>Error: ") == 1
    # The date boxes of a date in error are outlined in red too.
    start_day = body[body.index('id="id_starts_on_0"') :].split(">", 1)[0]
    assert "govuk-input--error" in start_day
    assert not Campaign.objects.exists()


def test_create_saves_a_draft_and_goes_to_its_overview(coordinator):
    response = coordinator.post(reverse("campaigns:staff_create"), form_post())
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:staff_detail", kwargs={"slug": "cseday26"})
    assert campaign.hashtags == ["CSEDay26", "StandAgainstCSE"]
    assert campaign.warning_signs == "Going missing\nUnexplained gifts"
    assert campaign.status == Campaign.Status.DRAFT
    assert AuditEvent.objects.filter(action="campaign.created", actor=coordinator.user).count() == 1
    overview = coordinator.get(response["Location"]).content.decode()
    assert "Add at least one way to report a concern before publishing" in overview


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "CSE Day!"}, "Web address must only include letters, numbers and hyphens"),
        ({"ends_on_day": "1"}, "End date must be the same as or after the start date"),
        ({"starts_on_month": "13"}, "Start date must be a real date"),
        ({"starts_on_year": ""}, "Start date must include a year"),
        ({"awareness_day_month": "4"}, "Awareness day must be between the start and end dates"),
        ({"hashtags": "#good #not-good"}, "is not a hashtag"),
        ({"contact_email": "campaigns at example"}, "Enter an email address in the correct format"),
        ({"name": "x" * 201}, "Campaign name must be 200 characters or fewer"),
        ({"warning_signs": "   \n  "}, "Enter the warning signs"),
    ],
)
def test_bad_input_gets_a_specific_message_and_saves_nothing(coordinator, overrides, message):
    response = coordinator.post(reverse("campaigns:staff_create"), form_post(**overrides))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert not Campaign.objects.exists()


def test_duplicate_web_address_is_refused_whatever_its_case(coordinator):
    CampaignFactory(slug="cseday26")
    response = coordinator.post(reverse("campaigns:staff_create"), form_post(slug="CSEDay26"))
    assert "A campaign already uses this web address; choose another" in error_summary(response)
    assert Campaign.objects.count() == 1


def test_typed_values_are_kept_when_the_form_is_refused(coordinator):
    response = coordinator.post(reverse("campaigns:staff_create"), form_post(contact_email="nope"))
    body = response.content.decode()
    assert 'value="CSE Awareness Day 2026"' in body
    assert "CSE is a form of child sexual abuse." in body


def test_edit_shows_current_values_and_saves_changes(coordinator):
    campaign = CampaignFactory(slug="cseday26", hashtags=["CSEDay26", "HelpingHands"])
    url = reverse("campaigns:staff_edit", kwargs={"slug": campaign.slug})
    body = coordinator.get(url).content.decode()
    assert 'value="#CSEDay26 #HelpingHands"' in body
    response = coordinator.post(url, form_post(name="Renamed"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert "name" in AuditEvent.objects.get(action="campaign.updated").detail["fields"]


def test_published_campaign_address_cannot_be_changed_by_posting_it(coordinator):
    campaign = CampaignFactory(slug="cseday26", published=True)
    ChannelFactory(campaign=campaign)
    response = coordinator.post(
        reverse("campaigns:staff_edit", kwargs={"slug": campaign.slug}), form_post(slug="hijacked", name="Renamed")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.slug, campaign.name) == ("cseday26", "Renamed")


# --- Preview and publishing -----------------------------------------------------------


def test_preview_of_a_draft_says_it_is_not_public(coordinator):
    campaign = CampaignFactory(name="Draft campaign")
    response = coordinator.get(reverse("campaigns:staff_preview", kwargs={"slug": campaign.slug}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This is a draft: the public cannot see it." in body
    assert "Draft campaign" in body
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_publish_page_explains_what_is_missing_and_post_does_nothing(coordinator):
    campaign = CampaignFactory()
    url = reverse("campaigns:staff_publish", kwargs={"slug": campaign.slug})
    assert "Add at least one way to report a concern before publishing" in coordinator.get(url).content.decode()
    coordinator.post(url)
    campaign.refresh_from_db()
    assert not campaign.is_published


def test_get_of_the_publish_page_does_not_publish(coordinator):
    campaign = CampaignFactory()
    ChannelFactory(campaign=campaign)
    coordinator.get(reverse("campaigns:staff_publish", kwargs={"slug": campaign.slug}))
    campaign.refresh_from_db()
    assert not campaign.is_published


def test_publish_then_unpublish(coordinator, client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    ChannelFactory(campaign=campaign)
    public_url = reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})
    assert client.get(public_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # as when the request's transaction commits
        response = coordinator.post(reverse("campaigns:staff_publish", kwargs={"slug": campaign.slug}))
    assert response.status_code == 302
    assert client.get(public_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(reverse("campaigns:staff_unpublish", kwargs={"slug": campaign.slug}))
    assert client.get(public_url).status_code == 404
    assert list(AuditEvent.objects.filter(object_type="campaigns.campaign").values_list("action", flat=True)) == [
        "campaign.published",
        "campaign.unpublished",
    ]


def test_delete_a_draft_after_confirming(coordinator):
    campaign = CampaignFactory()
    url = reverse("campaigns:staff_delete", kwargs={"slug": campaign.slug})
    assert "You cannot undo this." in coordinator.get(url).content.decode()
    assert Campaign.objects.exists()
    response = coordinator.post(url)
    assert response["Location"] == reverse("campaigns:staff_list")
    assert not Campaign.objects.exists()


def test_published_campaign_is_not_deleted(coordinator):
    campaign = CampaignFactory(published=True)
    coordinator.post(reverse("campaigns:staff_delete", kwargs={"slug": campaign.slug}))
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_unknown_campaign_is_404(coordinator):
    assert coordinator.get(reverse("campaigns:staff_detail", kwargs={"slug": "nope"})).status_code == 404


# --- Ways to report ------------------------------------------------------------------


def test_add_a_way_to_report(coordinator):
    campaign = CampaignFactory()
    response = coordinator.post(
        reverse("campaigns:channel_create", kwargs={"slug": campaign.slug}),
        {"label": "Police: emergency", "when_to_use": "Immediate danger.", "phone": "999", "is_emergency": "on"},
    )
    assert response.status_code == 302
    channel = ReportingChannel.objects.get()
    assert (channel.phone, channel.is_emergency) == ("999", True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "X", "when_to_use": "Y"}, "Enter at least one of a phone number"),
        ({"label": "X", "when_to_use": "Y", "phone": "call us"}, "Enter a phone number using only numbers and spaces"),
        ({"label": "X", "when_to_use": "Y", "url": "not a url"}, "Enter a web address in the correct format"),
        ({"when_to_use": "Y", "phone": "101"}, "Enter the name of the channel"),
    ],
)
def test_bad_way_to_report_is_refused(coordinator, data, message):
    campaign = CampaignFactory()
    response = coordinator.post(reverse("campaigns:channel_create", kwargs={"slug": campaign.slug}), data)
    assert message in error_summary(response)
    assert not ReportingChannel.objects.exists()


def test_channel_of_another_campaign_cannot_be_edited_through_this_one(coordinator):
    channel = ChannelFactory()
    other = CampaignFactory()
    url = reverse("campaigns:channel_edit", kwargs={"slug": other.slug, "pk": channel.pk})
    assert coordinator.get(url).status_code == 404


def test_last_way_to_report_of_a_published_campaign_stays(coordinator):
    campaign = CampaignFactory(published=True)
    channel = ChannelFactory(campaign=campaign)
    response = coordinator.post(
        reverse("campaigns:channel_delete", kwargs={"slug": campaign.slug, "pk": channel.pk}), follow=True
    )
    assert "must keep at least one way to report" in response.content.decode()
    assert ReportingChannel.objects.filter(pk=channel.pk).exists()


# --- Resources ------------------------------------------------------------------------


def test_upload_a_word_toolkit(coordinator):
    campaign = CampaignFactory()
    response = coordinator.post(
        reverse("campaigns:resource_create", kwargs={"slug": campaign.slug}),
        {
            "title": "Community toolkit",
            "audiences": ["businesses"],
            "file": SimpleUploadedFile("toolkit.docx", minimal_docx()),
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.file_type, resource.audiences) == ("docx", ["businesses"])


def test_file_pretending_to_be_a_pdf_is_refused_next_to_the_file_field(coordinator):
    campaign = CampaignFactory()
    response = coordinator.post(
        reverse("campaigns:resource_create", kwargs={"slug": campaign.slug}),
        {"title": "Guide", "file": SimpleUploadedFile("guide.pdf", b"<html>not a pdf</html>")},
    )
    summary = error_summary(response)
    assert "The selected file must be a PDF, Word document (.docx), PNG or JPEG" in summary
    assert 'href="#id_file"' in summary
    assert not Resource.objects.exists()


def test_link_and_file_together_are_refused(coordinator):
    campaign = CampaignFactory()
    response = coordinator.post(
        reverse("campaigns:resource_create", kwargs={"slug": campaign.slug}),
        {"title": "Guide", "url": "https://example.org", "file": SimpleUploadedFile("g.pdf", MINIMAL_PDF)},
    )
    assert "Enter a web address or choose a file, not both" in error_summary(response)


def test_editing_a_file_resource_without_a_new_file_keeps_the_file(coordinator):
    resource = FileResourceFactory()
    response = coordinator.post(
        reverse("campaigns:resource_edit", kwargs={"slug": resource.campaign.slug, "pk": resource.pk}),
        {"title": "Renamed flow chart", "summary": "", "url": ""},
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Renamed flow chart"
    assert resource.file and resource.file_type == "pdf"


def test_remove_a_resource(coordinator):
    resource = FileResourceFactory()
    url = reverse("campaigns:resource_delete", kwargs={"slug": resource.campaign.slug, "pk": resource.pk})
    coordinator.post(url)
    assert not Resource.objects.exists()
