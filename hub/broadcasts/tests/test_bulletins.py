"""Series and bulletin services: saving, the lock once sending starts, send times, and the test send."""

import datetime

import pytest
from django.utils import timezone

from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.broadcasts import bulletins
from hub.broadcasts.demo import HUB_MAILBOX, demo_broadcasts_load
from hub.broadcasts.models import Audience, Bulletin, Contact, Series
from hub.broadcasts.tests.factories_bulletins import BulletinAudienceFactory, BulletinFactory, SeriesFactory
from hub.campaigns.tests.factories import CampaignFactory, LinkResourceFactory
from hub.core.errors import ApplicationError
from hub.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def bulletin_data(**changes) -> dict:
    return {
        "day": timezone.localdate() + datetime.timedelta(days=3),
        "topic": "Training & Guidance",
        "subject": "Awareness week: training",
        "body_markdown": "Today: **training**.",
        "send_at": timezone.now() + datetime.timedelta(days=2),
        **changes,
    }


def test_series_save_makes_a_slug_and_refuses_a_taken_one():
    user = UserFactory()
    series = bulletins.series_save(series=None, data={"name": "CSE Awareness Week"}, actor=user)
    assert series.slug == "cse-awareness-week"
    with pytest.raises(ApplicationError) as caught:
        bulletins.series_save(series=None, data={"name": "Other", "slug": "cse-awareness-week"}, actor=user)
    assert caught.value.field == "slug"
    assert AuditEvent.objects.filter(action="broadcasts.series_created", object_id=str(series.pk)).exists()


def test_series_campaign_cannot_change_while_bulletins_link_its_resources():
    bulletin = BulletinFactory()
    bulletin.resources.set([LinkResourceFactory(campaign=bulletin.series.campaign)])
    with pytest.raises(ApplicationError) as caught:
        bulletins.series_save(
            series=bulletin.series, data={"name": "Week", "campaign": CampaignFactory()}, actor=UserFactory()
        )
    assert caught.value.field == "campaign"


def test_bulletin_save_creates_with_audiences_and_resources_and_audits():
    series = SeriesFactory()
    audience = BulletinAudienceFactory()
    resource = LinkResourceFactory(campaign=series.campaign)
    user = UserFactory()
    bulletin = bulletins.bulletin_save(
        bulletin=None,
        series=series,
        data=bulletin_data(),
        audience_ids=[audience.pk],
        resource_ids=[resource.pk],
        actor=user,
    )
    # It has a send time, so it is scheduled (broadcasts_tasks starts it when due).
    assert bulletin.status == Bulletin.Status.SCHEDULED and bulletin.created_by == user
    assert list(bulletin.audiences.all()) == [audience] and list(bulletin.resources.all()) == [resource]
    event = AuditEvent.objects.get(action="broadcasts.bulletin_created")
    assert event.detail["audiences"] == [audience.pk] and event.detail["resources"] == [resource.pk]
    assert "Today" not in str(event.detail)  # no content, no personal data


@pytest.mark.parametrize("status", Bulletin.LOCKED)
def test_a_bulletin_cannot_be_changed_once_sending_has_started(status):
    bulletin = BulletinFactory(subject="As sent")
    Bulletin.objects.filter(pk=bulletin.pk).update(status=status)  # e.g. by a send that started meanwhile
    with pytest.raises(ApplicationError) as caught:
        bulletins.bulletin_save(
            bulletin=bulletin, series=bulletin.series, data=bulletin_data(subject="Changed"), actor=UserFactory()
        )
    assert caught.value.message == bulletins.LOCKED_MESSAGE
    bulletin.refresh_from_db()
    assert bulletin.subject == "As sent"
    assert not AuditEvent.objects.filter(action="broadcasts.bulletin_updated").exists()


def test_a_send_time_in_the_past_is_refused_and_none_is_allowed():
    series = SeriesFactory()
    with pytest.raises(ApplicationError) as caught:
        bulletins.bulletin_save(
            bulletin=None,
            series=series,
            data=bulletin_data(send_at=timezone.now() - datetime.timedelta(minutes=1)),
            actor=None,
        )
    assert caught.value.field == "send_at"
    assert not Bulletin.objects.exists()
    bulletin = bulletins.bulletin_save(bulletin=None, series=series, data=bulletin_data(send_at=None), actor=None)
    assert bulletin.send_at is None


def test_clearing_the_send_time_of_a_scheduled_bulletin_makes_it_a_draft():
    bulletin = BulletinFactory(status=Bulletin.Status.SCHEDULED, send_at=timezone.now() + datetime.timedelta(days=1))
    saved = bulletins.bulletin_save(
        bulletin=bulletin, series=bulletin.series, data=bulletin_data(send_at=None), actor=None
    )
    assert saved.status == Bulletin.Status.DRAFT


def test_audiences_must_exist_and_resources_must_be_of_the_series_campaign():
    series = SeriesFactory()
    with pytest.raises(ApplicationError) as caught:
        bulletins.bulletin_save(bulletin=None, series=series, data=bulletin_data(), audience_ids=[987654], actor=None)
    assert caught.value.field == "audiences"
    other_campaigns = LinkResourceFactory()
    with pytest.raises(ApplicationError) as caught:
        bulletins.bulletin_save(
            bulletin=None, series=series, data=bulletin_data(), resource_ids=[other_campaigns.pk], actor=None
        )
    assert caught.value.field == "resources"
    assert not Bulletin.objects.exists()


def test_one_bulletin_a_day_in_a_series():
    bulletin = BulletinFactory()
    with pytest.raises(ApplicationError) as caught:
        bulletins.bulletin_save(bulletin=None, series=bulletin.series, data=bulletin_data(day=bulletin.day), actor=None)
    assert caught.value.field == "day"
    # Saving the bulletin itself on its own day is fine.
    bulletins.bulletin_save(bulletin=bulletin, series=bulletin.series, data=bulletin_data(day=bulletin.day), actor=None)


def test_test_send_goes_only_to_the_author_with_both_parts(smtp_server, django_capture_on_commit_callbacks):
    audience = BulletinAudienceFactory(name="Schools")
    bulletin = BulletinFactory(subject="Resources for schools", body_markdown="Share the **guide**.")
    bulletin.audiences.set([audience])
    Contact.objects.create(name="A School", email="dsl@school.example.org", lawful_basis="public_task").audiences.add(
        audience
    )
    author = UserFactory(email="author@partnership.example.org", full_name="Alex Author")

    with django_capture_on_commit_callbacks(execute=True):
        message = bulletins.bulletin_test_send(bulletin, user=author)

    assert message.payload["to"] == ["author@partnership.example.org"]
    assert message.payload["subject"] == "[Test] Resources for schools"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert smtp_server.envelopes_to == [["author@partnership.example.org"]]
    email = smtp_server.messages[0]
    assert email["Subject"] == "[Test] Resources for schools"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in email.walk()
        if not part.is_multipart()
    }
    assert "Dear Alex Author," in parts["text/plain"] and "Share the guide." in parts["text/plain"]
    assert "<strong>guide</strong>" in parts["text/html"] and "preview.invalid" in parts["text/html"]
    assert bulletin.deliveries.count() == 0  # a test is not a delivery
    event = AuditEvent.objects.get(action="broadcasts.bulletin_test_sent")
    assert "author@" not in str(event.detail)


def test_test_send_needs_an_address():
    user = UserFactory()
    user.email = ""
    with pytest.raises(ApplicationError):
        bulletins.bulletin_test_send(BulletinFactory(), user=user)


def test_demo_load_is_idempotent_and_uses_role_mailboxes():
    series = demo_broadcasts_load()
    demo_broadcasts_load()
    assert Series.objects.filter(slug=series.slug).count() == 1
    assert (
        Audience.objects.filter(
            name__in=["Schools", "Community Safety Partnerships and JAGs", "Elected Members", "Frontline staff"]
        ).count()
        == 4
    )
    days = list(series.bulletins.order_by("day"))
    assert [bulletin.topic for bulletin in days] == ["Training & Guidance", "Schools Resources"]
    assert days[1].day == days[0].day + datetime.timedelta(days=1)
    training = days[0].body_markdown
    assert "Barnardo's" in training and "CSE Screening and Risk Assessment Tool" in training
    assert HUB_MAILBOX in training
    for name in ("claire", "Jan Hawkins", "Lucy Short", "07850", "westussex", "gcsx"):
        assert name.lower() not in training.lower()
    assert days[0].resources.exists() and days[1].audiences.filter(name="Schools").exists()
    assert all(contact.email.endswith(".example.org") for contact in Contact.objects.all())
    assert Contact.objects.count() == 8
