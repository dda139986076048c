"""The reach dashboard's tables, its page and CSVs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.social import dashboard
from hub.social.models import Pledge, ScheduledPost, SocialAccount
from hub.social.tests.factories import MomentFactory, SupporterFactory, SupporterHandleFactory

pytestmark = pytest.mark.django_db


def test_supporters_and_reach_by_day_count_each_day_as_it_stood():
    moment = MomentFactory(moment_at=timezone.now() + datetime.timedelta(days=5))
    today = timezone.localdate()
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    early = SupporterFactory(moment=moment)
    SupporterHandleFactory(supporter=early, handle="@early", followers=100)
    late = SupporterFactory(moment=moment)
    SupporterHandleFactory(supporter=late, handle="@late", followers=50)
    type(early).objects.filter(pk=early.pk).update(created_at=two_days_ago)
    gone = SupporterFactory(moment=moment)
    SupporterHandleFactory(supporter=gone, handle="@gone", followers=7000)
    type(gone).objects.filter(pk=gone.pk).update(
        created_at=two_days_ago, withdrawn_at=two_days_ago + datetime.timedelta(days=1)
    )
    table = dashboard.supporters_over_time(moment.campaign, today=today)
    # Two days ago: early and gone; yesterday gone withdrew; today late joined.
    assert [row[1:] for row in table.rows] == [(2, 7100), (1, 100), (2, 150)]
    assert table.rows[-1][0] == f"{today:%-d %b %Y}"


def test_pledges_and_posts_tables(tmp_path):
    moment = MomentFactory()
    campaign = moment.campaign
    for status, hidden in [("approved", False), ("approved", True), ("pending", False), ("rejected", False)]:
        Pledge.objects.create(
            campaign=campaign,
            image="pledges/x.jpg",
            width=1,
            height=1,
            consent_to_publish=True,
            confirmed_no_child=True,
            status=status,
            hidden_by_report=hidden,
        )
    assert dashboard.pledge_counts(campaign).rows == [
        ("Received", 4),
        ("Approved", 2),
        ("Waiting for moderation", 1),
        ("Rejected", 1),
        ("Hidden after a report", 1),
    ]
    account = SocialAccount.objects.create(network="bluesky", name="B", handle="b.bsky.social", secret="x")
    for status in ("published", "published", "failed"):
        ScheduledPost.objects.create(
            campaign=campaign, account=account, text="t", scheduled_at=timezone.now(), status=status
        )
    assert dashboard.posts_published_by_network(campaign).rows == [("Mastodon", 0), ("Bluesky", 2)]


def test_dashboard_page_and_csv(make_staff_client, client):
    moment = MomentFactory()
    supporter = SupporterFactory(moment=moment)
    SupporterHandleFactory(supporter=supporter, handle="@someone", followers=1234)
    url = reverse("social:dashboard", kwargs={"slug": moment.campaign.slug})
    assert client.get(url).status_code == 302
    trainer, _ = make_staff_client(Role.TRAINER)
    assert trainer.get(url).status_code == 403
    coordinator, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    body = coordinator.get(url).content.decode()
    assert "1 supporter with an estimated reach of 1,234 people" in body
    assert body.count('role="img"') == 3
    csv_url = reverse("social:dashboard_csv", kwargs={"slug": moment.campaign.slug, "table": "supporters"})
    lines = coordinator.get(csv_url).content.decode().splitlines()
    assert lines[0] == "Day,Supporters,Estimated reach" and lines[-1].endswith(",1,1234")
    missing = reverse("social:dashboard_csv", kwargs={"slug": moment.campaign.slug, "table": "nope"})
    assert coordinator.get(missing).status_code == 404
