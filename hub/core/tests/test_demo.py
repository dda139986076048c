"""The demo data `make run` loads: from the seeds, idempotent, role mailboxes only."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import TOTP

from hub.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from hub.accounts.models import Organisation, User
from hub.accounts.roles import ROLE_PERMISSIONS
from hub.campaigns.models import Campaign, ReportingChannel, Resource
from hub.screening.models import Screening
from hub.social.models import Moment, Pledge, SuggestedPost, Supporter
from hub.training.models import Booking, Certificate, Session, TrainingRequest
from hub.training.reports import training_headline

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Campaign.objects.count(),
        ReportingChannel.objects.count(),
        Resource.objects.count(),
        Session.objects.count(),
        Booking.objects.count(),
        Certificate.objects.count(),
        TrainingRequest.objects.count(),
        SuggestedPost.objects.count(),
        Moment.objects.count(),
        Supporter.objects.count(),
        Pledge.objects.count(),
        Screening.objects.count(),
    )


def test_loading_twice_changes_nothing():
    call_command("load_demo", stdout=StringIO())
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first
    assert first[0] == len(ROLE_PERMISSIONS)


def test_demo_campaign_is_the_seeds_cseday18():
    call_command("load_demo", stdout=StringIO())
    campaign = Campaign.objects.get(slug="cseday18")
    assert campaign.is_published
    assert campaign.awareness_day.isoformat() == "2018-03-18"
    assert campaign.hashtags == ["CSEDay18", "StandAgainstCSE", "HelpingHands"]
    labels = " ".join(campaign.reporting_channels.values_list("label", flat=True))
    assert "Operation Kite" in labels and "Missing People" in labels
    phones = set(campaign.reporting_channels.values_list("phone", flat=True))
    assert {"999", "101", "116000"} <= phones
    assert campaign.resources.exclude(file="").get().file.read().startswith(b"%PDF-")


def test_every_demo_address_is_a_role_mailbox_at_an_example_domain():
    call_command("load_demo", stdout=StringIO())
    addresses = (
        list(User.objects.values_list("email", flat=True))
        + list(Campaign.objects.values_list("contact_email", flat=True))
        + list(Booking.objects.values_list("email", flat=True))
        + list(TrainingRequest.objects.values_list("contact_email", flat=True))
    )
    assert addresses
    for address in addresses:
        assert address.split("@")[1].endswith(("example.org", "example.com", "example.net")), address


def test_demo_logins_print_every_role_with_a_working_totp_uri():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for demo in DEMO_USERS:
        assert demo.email in printed
        user = User.objects.get(email=demo.email)
        assert user.check_password(DEMO_PASSWORD)
        device = user.totpdevice_set.get(confirmed=True)
        assert device.config_url in printed
        assert device.config_url.startswith("otpauth://totp/")
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        assert device.verify_token(f"{code:06d}")


def test_demo_refused_where_not_allowed(settings):
    settings.HUB_ALLOW_DEMO = False
    with pytest.raises(CommandError, match="local use only"):
        call_command("load_demo", stdout=StringIO())
    assert counts()[2] == 0


def test_demo_training_has_the_seed_session_bookable_sessions_and_a_register():
    call_command("load_demo", stdout=StringIO())
    seed = Session.objects.get(starts_at__date="2018-03-15")
    assert seed.course.title == "An Introduction to Child Sexual Exploitation, Radicalisation and Extremism"
    assert len(seed.course.topics) == 11 and len(seed.course.target_audiences) == 8
    assert seed.course.campaign.slug == "cseday18"
    assert Session.objects.filter(starts_at__gt=timezone.now()).count() == 3
    attended = Booking.objects.filter(attendance=Booking.Attendance.ATTENDED)
    assert attended.count() == Certificate.objects.count() > 0
    registered = Session.objects.filter(bookings__isnull=False).distinct().get()
    headline = training_headline(timezone.localtime(registered.starts_at).year)
    assert f"trained {attended.count()} people, including 3 from taxi or private hire firms" in headline


def test_demo_social_has_the_seeds_eleven_suggested_tweets_a_moment_and_pledges():
    call_command("load_demo", stdout=StringIO())
    campaign = Campaign.objects.get(slug="cseday18")
    texts = list(campaign.suggested_posts.values_list("text", flat=True))
    assert len(texts) == 11
    assert texts[0] == "I'm supporting #CSEDay18 in West Sussex #StandAgainstCSE"
    assert all("#CSE" in text for text in texts)
    assert campaign.moment.supporters.count() == 3
    assert campaign.pledges.filter(status=Pledge.Status.APPROVED).count() == 3


def test_demo_screenings_are_invented_children_in_the_hub_queue_and_a_draft():
    call_command("load_demo", stdout=StringIO())
    screenings = list(Screening.objects.order_by("pk"))
    assert [s.status for s in screenings] == ["submitted", "submitted", "draft"]
    assert [s.category for s in screenings[:2]] == [2, 1]
    assert all(s.child_name.startswith("Demo Child ") for s in screenings)
    assert all(s.created_by.email == "practitioner@childrens-services.example.org" for s in screenings)
