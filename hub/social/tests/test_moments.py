"""The supporter moment: sign-up rules, reach, and the deadline and moment runs."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from hub.core.errors import ApplicationError
from hub.social import moments
from hub.social.handles import handle_normalise
from hub.social.models import Moment, Supporter, SupporterHandle
from hub.social.tests.factories import MomentFactory, SuggestedPostFactory, SupporterFactory, SupporterHandleFactory

pytestmark = pytest.mark.django_db


def signup(moment, email="sam@example.org", **handles):
    return moments.supporter_signup(
        moment=moment,
        first_name="Sam",
        email=email,
        handles=handles or {"x": {"handle": "@Sam_T", "followers": 250}},
    )


@pytest.mark.parametrize(
    ("network", "typed", "stored"),
    [
        ("x", "@Sam_T", "@sam_t"),
        ("x", "sam_t", "@sam_t"),
        ("x", "https://x.com/Sam_T", "@sam_t"),
        ("mastodon", "@Sam@Mastodon.Social", "@sam@mastodon.social"),
        ("mastodon", "sam@mastodon.social", "@sam@mastodon.social"),
        ("bluesky", "@sam.bsky.social", "sam.bsky.social"),
        ("bluesky", "https://bsky.app/profile/sam.bsky.social", "sam.bsky.social"),
        ("facebook", "Sam.Taylor", "sam.taylor"),
        ("linkedin", "https://www.linkedin.com/in/sam-taylor/", "sam-taylor"),
    ],
)
def test_handles_are_normalised(network, typed, stored):
    assert handle_normalise(network, typed) == stored


@pytest.mark.parametrize(
    ("network", "typed"),
    [
        ("x", "@this_is_far_too_long_for_x"),
        ("x", "@sam-t"),
        ("mastodon", "@sam"),
        ("mastodon", "@sam@localhost"),
        ("bluesky", "sam"),
        ("bluesky", "sam..bsky.social"),
        ("facebook", "sam"),
        ("linkedin", "sa"),
    ],
)
def test_malformed_handles_are_refused_per_network(network, typed):
    with pytest.raises(ApplicationError) as refused:
        handle_normalise(network, typed)
    assert refused.value.field == f"{network}_handle"
    assert refused.value.message.startswith("Enter ")


def test_signup_confirms_with_a_calendar_invitation(django_capture_on_commit_callbacks):
    moment = MomentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = signup(moment, email="Sam@Example.org")
    assert result.created and result.supporter.email == "sam@example.org"
    message = mail.outbox[-1]
    assert message.to == ["sam@example.org"] and "You're signed up" in message.subject
    assert result.supporter.token in message.body  # the withdraw link
    name, content, mimetype = message.attachments[0]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == moment.moment_at.replace(microsecond=0)


def test_second_signup_with_the_same_email_updates_instead_of_duplicating():
    moment = MomentFactory()
    first = signup(moment).supporter
    second = signup(moment, email="SAM@example.org", bluesky={"handle": "sam.bsky.social", "followers": 40})
    assert not second.created and second.supporter.pk == first.pk
    assert Supporter.objects.count() == 1
    assert list(SupporterHandle.objects.values_list("network", "handle")) == [("bluesky", "sam.bsky.social")]


def test_signup_needs_an_account_and_refuses_followers_without_a_handle():
    moment = MomentFactory()
    with pytest.raises(ApplicationError, match="at least one account"):
        moments.supporter_signup(moment=moment, first_name="Sam", email="a@example.org", handles={})
    with pytest.raises(ApplicationError, match="Enter your X \\(Twitter\\) handle, or leave its followers empty"):
        moments.supporter_signup(
            moment=moment, first_name="Sam", email="a@example.org", handles={"x": {"handle": "", "followers": 5}}
        )
    assert not Supporter.objects.exists()


def test_signup_after_the_deadline_is_refused():
    moment = MomentFactory(
        moment_at=timezone.now() + datetime.timedelta(hours=1),
        signup_deadline=timezone.now() - datetime.timedelta(minutes=1),
    )
    with pytest.raises(ApplicationError, match="Sign-ups closed at"):
        signup(moment)


def test_reach_counts_each_account_once_and_ignores_withdrawn_supporters():
    moment = MomentFactory()
    a = SupporterFactory(moment=moment)
    b = SupporterFactory(moment=moment)
    c = SupporterFactory(moment=moment, withdrawn_at=timezone.now())
    SupporterHandleFactory(supporter=a, network="x", handle="@shared", followers=100)
    SupporterHandleFactory(supporter=b, network="x", handle="@shared", followers=300)  # same account, said 300
    SupporterHandleFactory(supporter=b, network="bluesky", handle="shared", followers=50)  # other network
    SupporterHandleFactory(supporter=a, network="mastodon", handle="@a@example.social", followers=None)
    SupporterHandleFactory(supporter=c, network="x", handle="@gone", followers=10_000)
    progress = moments.moment_progress(moment)
    assert (progress.supporters, progress.estimated_reach) == (2, 350)
    assert progress.percent == 20 and not progress.goal_met


def test_withdraw_is_one_click_and_idempotent():
    supporter = signup(MomentFactory()).supporter
    moments.supporter_withdraw(token=supporter.token)
    first = Supporter.objects.get().withdrawn_at
    moments.supporter_withdraw(token=supporter.token)
    assert Supporter.objects.get().withdrawn_at == first is not None
    with pytest.raises(ApplicationError):
        moments.supporter_withdraw(token="not-a-token")


def test_at_the_moment_each_supporter_gets_their_own_links_once(django_capture_on_commit_callbacks):
    moment = MomentFactory(goal=2)
    first_post = SuggestedPostFactory(campaign=moment.campaign, text="First message #CSEDay26", order=1)
    second_post = SuggestedPostFactory(campaign=moment.campaign, text="Second message #CSEDay26", order=2)
    one = signup(moment, email="one@example.org").supporter
    signup(moment, email="two@example.org", mastodon={"handle": "@two@mastodon.social", "followers": None})
    gone = signup(moment, email="gone@example.org").supporter
    moments.supporter_withdraw(token=gone.token)
    mail.outbox.clear()
    before = moment.moment_at - datetime.timedelta(minutes=1)
    assert moments.moment_due_run(moment_id=moment.pk, now=before) == Moment.Status.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        assert moments.moment_due_run(moment_id=moment.pk, now=moment.moment_at) == Moment.Status.SENT
        assert moments.moment_due_run(moment_id=moment.pk, now=moment.moment_at) == Moment.Status.SENT
    assert sorted(message.to[0] for message in mail.outbox) == ["one@example.org", "two@example.org"]
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "https://twitter.com/intent/tweet?text=First+message" in bodies["one@example.org"]
    assert "https://mastodon.social/share?text=Second+message" in bodies["two@example.org"]
    assert first_post.text != second_post.text
    one.refresh_from_db()
    assert one.moment_emailed_at == moment.moment_at


def test_all_or_nothing_moment_not_met_is_called_off_and_nobody_gets_the_moment_email(
    django_capture_on_commit_callbacks,
):
    moment = MomentFactory(goal=3, all_or_nothing=True)
    signup(moment, email="one@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        status = moments.moment_due_run(moment_id=moment.pk, now=moment.signup_deadline)
        assert moments.moment_due_run(moment_id=moment.pk, now=moment.moment_at) == Moment.Status.CALLED_OFF
    assert status == Moment.Status.CALLED_OFF
    assert [message.subject for message in mail.outbox] == [f"The moment for {moment.campaign.name} is called off"]
    assert "needed 3 supporters by the deadline and 1 signed up" in mail.outbox[0].body


def test_moment_rules_for_coordinators():
    moment = MomentFactory()
    now = timezone.now()
    data = {"moment_at": now - datetime.timedelta(hours=1), "signup_deadline": now, "goal": 5, "all_or_nothing": False}
    with pytest.raises(ApplicationError, match="must be in the future"):
        moments.moment_save(campaign=moment.campaign, data=data, actor=None)
    data["moment_at"] = now + datetime.timedelta(days=1)
    data["signup_deadline"] = now + datetime.timedelta(days=2)
    with pytest.raises(ApplicationError, match="Sign-ups must close before the moment"):
        moments.moment_save(campaign=moment.campaign, data=data, actor=None)
    Moment.objects.filter(pk=moment.pk).update(status=Moment.Status.SENT)
    data["signup_deadline"] = now
    with pytest.raises(ApplicationError, match="can no longer be changed"):
        moments.moment_save(campaign=moment.campaign, data=data, actor=None)
