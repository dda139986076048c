"""Social pages: staff access and forms, the public section with share links,
the moment sign-up journey, pledges with moderation, and the API."""

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hub.accounts.roles import Role
from hub.campaigns.tests.factories import CampaignFactory
from hub.social.models import Pledge, PledgeReport, ScheduledPost, SocialAccount, SuggestedPost, Supporter
from hub.social.tests.factories import MomentFactory, SuggestedPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(make_staff_client):
    client, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    return client


def jpeg(size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 150, 120)).save(buffer, format="JPEG")
    return SimpleUploadedFile("hand.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_social_staff_pages_need_the_coordinator_role(client, make_staff_client):
    campaign = CampaignFactory()
    urls = [
        reverse("social:staff_overview", kwargs={"slug": campaign.slug}),
        reverse("social:suggested_post_create", kwargs={"slug": campaign.slug}),
        reverse("social:moment_edit", kwargs={"slug": campaign.slug}),
        reverse("social:schedule", kwargs={"slug": campaign.slug}),
        reverse("social:pledge_queue", kwargs={"slug": campaign.slug}),
        reverse("social:account_list"),
        reverse("social:account_create"),
    ]
    trainer, _ = make_staff_client(Role.TRAINER)
    coordinator, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    for url in urls:
        assert client.get(url).status_code == 302, url
        assert trainer.get(url).status_code == 403, url
        assert coordinator.get(url).status_code == 200, url


def test_suggested_post_too_long_for_x_is_refused_with_the_count(coordinator_client):
    campaign = CampaignFactory()
    url = reverse("social:suggested_post_create", kwargs={"slug": campaign.slug})
    body = coordinator_client.post(url, {"text": "a" * 290, "networks": ["x", "facebook"]}).content.decode()
    assert "X allows 280 characters; this post is 290" in body
    assert not SuggestedPost.objects.exists()
    assert "Select at least one network" in coordinator_client.post(url, {"text": "Hello"}).content.decode()
    response = coordinator_client.post(url, {"text": "a" * 290, "networks": ["facebook", "linkedin"]})
    assert response.status_code == 302  # no length rule for Facebook or LinkedIn here
    assert SuggestedPost.objects.get().networks == ["facebook", "linkedin"]


def test_suggested_posts_reorder(coordinator_client):
    first = SuggestedPostFactory(text="First")
    second = SuggestedPostFactory(campaign=first.campaign, text="Second")
    url = reverse("social:suggested_post_move", kwargs={"slug": first.campaign.slug, "pk": second.pk})
    coordinator_client.post(url, {"direction": "up"})
    assert list(first.campaign.suggested_posts.values_list("text", flat=True)) == ["Second", "First"]


def test_campaign_page_has_share_links_and_a_copy_button(client):
    post = SuggestedPostFactory(
        text="Stand against #CSE", campaign=CampaignFactory(published=True, hashtags=["CSEDay26", "CSE"])
    )
    body = client.get(reverse("campaigns:public_detail", kwargs={"slug": post.campaign.slug})).content.decode()
    assert 'id="share"' in body and "Stand against #CSE" in body
    assert 'data-copy-target="suggested-post-' in body and "social/copy.js" in body
    x_link = next(part for part in body.split('"') if part.startswith("https://twitter.com/intent/tweet?"))
    query = parse_qs(urlsplit(x_link.replace("&amp;", "&")).query)
    assert query["text"] == ["Stand against #CSE"] and query["hashtags"] == ["CSEDay26"]  # #CSE already in the text
    for network in ("facebook.com/sharer", "linkedin.com/sharing", "wa.me/?text=", "bsky.app/intent/compose"):
        assert network in body


def test_moment_signup_journey(client, django_capture_on_commit_callbacks):
    moment = MomentFactory(goal=4)
    url = reverse("social:moment", kwargs={"slug": moment.campaign.slug})
    body = client.get(url).content.decode()
    assert "0 of 4 supporters" in body and "Estimated reach" in body
    body = client.post(url, {"first_name": "", "email": "bad"}).content.decode()
    assert "Enter your first name" in body and "Enter an email address in the correct format" in body
    body = client.post(url, {"first_name": "Sam", "email": "sam@example.org"}).content.decode()
    assert "Enter at least one account you will post from" in body
    body = client.post(
        url, {"first_name": "Sam", "email": "sam@example.org", "x_handle": "not a handle"}
    ).content.decode()
    assert "Enter an X handle like @name" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"first_name": "Sam", "email": "sam@example.org", "x_handle": "@sam_t", "x_followers": "1200"}
        )
    supporter = Supporter.objects.get()
    assert response["Location"] == reverse("social:supporter_status", kwargs={"token": supporter.token})
    assert mail.outbox[-1].attachments[0][0] == "moment.ics"
    body = client.get(url).content.decode()
    assert "1 of 4 supporters (25%)" in body and "1,200" in body
    withdraw = reverse("social:supporter_withdraw", kwargs={"token": supporter.token})
    client.post(withdraw)
    assert "You have withdrawn" in client.get(response["Location"]).content.decode()
    assert "0 of 4 supporters" in client.get(url).content.decode()


def test_moment_of_a_draft_campaign_is_not_found(client):
    moment = MomentFactory(campaign=CampaignFactory())
    assert client.get(reverse("social:moment", kwargs={"slug": moment.campaign.slug})).status_code == 404


def test_pledge_journey_from_upload_to_wall_to_report(client, coordinator_client):
    campaign = CampaignFactory(published=True)
    new = reverse("social:pledge_create", kwargs={"slug": campaign.slug})
    body = client.post(new, {}).content.decode()
    assert "Select a photo of your pledge" in body and "Confirm that we may publish your photo" in body
    fake = SimpleUploadedFile("hand.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    body = client.post(new, {"photo": fake, "consent_to_publish": "on", "confirmed_no_child": "on"}).content.decode()
    assert "must be a JPG, PNG, WebP or GIF" in body
    assert not Pledge.objects.exists()
    response = client.post(
        new, {"photo": jpeg((3000, 2000)), "first_name": "Jo", "consent_to_publish": "on", "confirmed_no_child": "on"}
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.width, pledge.height, pledge.status) == (1600, 1067, "pending")
    wall = reverse("social:pledge_wall", kwargs={"slug": campaign.slug})
    photo = reverse("social:pledge_photo", kwargs={"pk": pledge.pk})
    assert photo not in client.get(wall).content.decode()
    assert client.get(photo).status_code == 404  # not public before moderation
    assert coordinator_client.get(photo).status_code == 200
    moderate = reverse("social:pledge_moderate", kwargs={"slug": campaign.slug, "pk": pledge.pk})
    assert (
        "Enter why the pledge is rejected" in coordinator_client.post(moderate, {"decision": "reject"}).content.decode()
    )
    coordinator_client.post(moderate, {"decision": "approve"})
    assert photo in client.get(wall).content.decode()
    assert client.get(photo)["Content-Type"] == "image/jpeg"
    report = reverse("social:pledge_report", kwargs={"pk": pledge.pk})
    assert "Enter what is wrong with this pledge" in client.post(report, {}).content.decode()
    client.post(report, {"reason": "It shows a school badge"})
    assert PledgeReport.objects.count() == 1
    assert photo not in client.get(wall).content.decode()  # hidden until reviewed
    assert client.get(photo).status_code == 404
    coordinator_client.post(moderate, {"decision": "reject", "reason": "School badge visible"})
    pledge.refresh_from_db()
    assert (pledge.status, pledge.hidden_by_report) == ("rejected", False)
    assert client.get(photo).status_code == 404


def test_schedule_pages_and_exports(coordinator_client):
    campaign = CampaignFactory()
    account = SocialAccount.objects.create(
        network="mastodon",
        name="Ours",
        instance_url="https://mastodon.example",
        handle="@ours@mastodon.example",
        secret="t",
    )
    url = reverse("social:scheduled_post_create", kwargs={"slug": campaign.slug})
    past = timezone.localdate() - datetime.timedelta(days=1)
    form = {
        "account": account.pk,
        "text": "Hello #CSE",
        "date_day": past.day,
        "date_month": past.month,
        "date_year": past.year,
        "time": "10:00",
    }
    assert "The time must be in the future" in coordinator_client.post(url, form).content.decode()
    future = timezone.localdate() + datetime.timedelta(days=3)
    form.update(date_day=future.day, date_month=future.month, date_year=future.year)
    assert coordinator_client.post(url, form).status_code == 302
    post = ScheduledPost.objects.get()
    page = coordinator_client.get(reverse("social:schedule", kwargs={"slug": campaign.slug})).content.decode()
    assert future.strftime("%A %-d %B %Y") in page and "Hello #CSE" in page
    export = coordinator_client.get(
        reverse("social:schedule_export", kwargs={"slug": campaign.slug, "name": "hootsuite.csv"})
    )
    assert export.content.decode().strip() == f"{future:%d/%m/%Y} 10:00,Hello #CSE,"
    assert (
        coordinator_client.get(
            reverse("social:schedule_export", kwargs={"slug": campaign.slug, "name": "x.exe"})
        ).status_code
        == 404
    )
    cancel = reverse("social:scheduled_post_cancel", kwargs={"slug": campaign.slug, "pk": post.pk})
    coordinator_client.post(cancel)
    post.refresh_from_db()
    assert post.status == "cancelled"


def test_account_secret_is_never_shown_again(coordinator_client):
    form = {
        "network": "bluesky",
        "name": "Ours",
        "instance_url": "",
        "handle": "ours.bsky.social",
        "secret": "abcd-efgh-ijkl-mnop",
    }
    assert coordinator_client.post(reverse("social:account_create"), form).status_code == 302
    account = SocialAccount.objects.get()
    for url in (reverse("social:account_list"), reverse("social:account_edit", kwargs={"pk": account.pk})):
        assert "abcd-efgh" not in coordinator_client.get(url).content.decode()


def test_api_suggested_posts_and_moment_progress(client):
    moment = MomentFactory(goal=2)
    SuggestedPostFactory(campaign=moment.campaign, text="Share me #CSE")
    posts = client.get(f"/api/v1/campaigns/{moment.campaign.slug}/suggested-posts").json()
    assert posts[0]["text"] == "Share me #CSE" and posts[0]["share_links"][0]["network"] == "X"
    progress = client.get(f"/api/v1/campaigns/{moment.campaign.slug}/moment").json()
    assert (progress["goal"], progress["supporters"], progress["estimated_reach"], progress["status"]) == (
        2,
        0,
        0,
        "open",
    )
    draft = CampaignFactory()
    assert client.get(f"/api/v1/campaigns/{draft.slug}/suggested-posts").status_code == 404
    assert client.get(f"/api/v1/campaigns/{draft.slug}/moment").json() == {"message": "Not found."}
