"""The partnership briefing: composed from the campaign, as a web page, a PDF and a draft bulletin."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import ImageFile

from hub.accounts.roles import Role
from hub.broadcasts.briefing import HEADINGS, briefing_markdown, briefing_pdf, briefing_to_bulletin
from hub.broadcasts.models import Bulletin
from hub.broadcasts.rendering import markdown_to_html
from hub.broadcasts.tests.factories_bulletins import BulletinAudienceFactory, BulletinFactory, SeriesFactory
from hub.campaigns.tests.factories import CampaignFactory, ChannelFactory, LinkResourceFactory
from hub.core.errors import ApplicationError
from hub.social.models import Moment
from hub.social.tests.factories import MomentFactory, SuggestedPostFactory
from hub.training.models import Session
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory, in_days

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def campaign():
    campaign = CampaignFactory(
        published=True,
        name="CSE Awareness Day 2030",
        slug="cseday30",
        awareness_day=datetime.date(2030, 3, 18),
        theme="Working together to inform, educate and prevent child sexual exploitation.",
        local_commitment="Community safeguarding through prevention, disruption and intervention.",
        hashtags=["CSEDay30", "StandAgainstCSE"],
        contact_name="Community Safety Team",
        contact_email="community.safety@partnership.example.org",
    )
    ChannelFactory(campaign=campaign, label="Police: non-emergency", phone="101", position=1)
    ChannelFactory(
        campaign=campaign,
        label="Missing People",
        when_to_use="Free and confidential, day or night.",
        phone="116 000",
        text_number="116000",
        email="116000@missingpeople.org.uk",
        position=2,
    )
    ChannelFactory(
        campaign=campaign,
        label="Police: emergency",
        when_to_use="A child in danger now.",
        phone="999",
        is_emergency=True,
    )
    LinkResourceFactory(campaign=campaign, title="Community Safeguarding toolkit", url="https://www.example.org/kit")
    course = CourseFactory(campaign=campaign, title="An Introduction to CSE, Radicalisation and Extremism")
    session = SessionFactory(course=course, starts_at=in_days(5, hour=10), capacity=20)
    BookingFactory(session=session)
    SessionFactory(course=CourseFactory(), starts_at=in_days(6))  # a course of no campaign
    SuggestedPostFactory(campaign=campaign, text="#CSE: I'm supporting #CSEDay30 #StandAgainstCSE", order=1)
    SuggestedPostFactory(campaign=campaign, text="All hands together can prevent #CSE #CSEDay30", order=2)
    MomentFactory(campaign=campaign, moment_at=datetime.datetime(2030, 3, 18, 11, 0, tzinfo=LONDON))
    return campaign


@pytest.fixture
def coordinator(make_staff_client):
    return make_staff_client(Role.CAMPAIGN_COORDINATOR, email="coordinator@partnership.example.org")


def positions(text: str, *needles: str) -> list[int]:
    found = [text.find(needle) for needle in needles]
    assert -1 not in found, [needle for needle, at in zip(needles, found, strict=True) if at == -1]
    return found


# --- The Markdown --------------------------------------------------------------------------


def test_briefing_has_every_section_in_order_with_the_campaigns_data(campaign):
    markdown = briefing_markdown(campaign)
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == list(HEADINGS)
    at = positions(markdown, *(f"## {heading}" for heading in HEADINGS))
    assert at == sorted(at)

    sections = dict(zip(HEADINGS, markdown.split("## ")[1:], strict=True))
    assert "Monday 18 March 2030" in sections["What is it?"]
    assert "a form of child sexual abuse" in sections["What is it?"]
    theme = sections["The national theme and our local commitment"]
    assert "Working together to inform, educate and prevent" in theme and "disruption and intervention" in theme

    doing = sections["What the partnership is doing"]
    assert "[Community Safeguarding toolkit](https://www.example.org/kit)" in doing
    assert "Join the moment on Monday 18 March 2030 at 11:00: <http://testserver/campaigns/cseday30/moment/>" in doing

    training = sections["Free training"]
    session = Session.objects.get(course__campaign=campaign)
    day = timezone.localtime(session.starts_at)
    assert "An Introduction to CSE, Radicalisation and Extremism" in training
    assert f"{day:%A} {day.day} {day:%B %Y}, 10:00 to 12:00" in training
    assert "Partnership Training Centre, 1 Example Road, Seaside Town" in training
    assert "19 places left" in training
    assert f"<http://testserver/training/sessions/{session.pk}/>" in training
    assert training.count("Book a place") == 1  # not the course of no campaign

    involved = sections["Other ways to get involved"]
    assert "<http://testserver/campaigns/cseday30/pledges/new/>" in involved
    assert "Join the moment on Monday 18 March 2030 at 11:00" in involved
    assert "#CSEDay30 and #StandAgainstCSE" in involved

    posts = sections["Suggested posts"]
    # Each a quoted line; a post that starts with a hashtag is escaped so it is not a heading.
    assert "> \\#CSE: I'm supporting #CSEDay30 #StandAgainstCSE" in posts
    assert "> All hands together can prevent #CSE #CSEDay30" in posts
    assert posts.index("supporting #CSEDay30") < posts.index("All hands together")

    report = sections["How to report a concern"]
    emergency, police, missing = positions(report, "Police: emergency", "Police: non-emergency", "Missing People")
    assert emergency < police < missing
    assert "Phone [999](tel:999)" in report and "Phone [116 000](tel:116000)" in report
    assert (
        "Text 116000" in report and "Email [116000@missingpeople.org.uk](mailto:116000@missingpeople.org.uk)" in report
    )

    contact = sections["Point of contact"]
    assert "Community Safety Team: [community.safety@partnership.example.org]" in contact

    html = markdown_to_html(markdown)
    assert "<h2>#CSE" not in html and "<blockquote>" in html and "<h2>Point of contact</h2>" in html


def test_briefing_says_when_there_is_no_training_and_leaves_out_a_called_off_moment(campaign):
    Session.objects.filter(course__campaign=campaign).update(status=Session.Status.CANCELLED)
    Moment.objects.filter(campaign=campaign).update(status=Moment.Status.CALLED_OFF)
    markdown = briefing_markdown(campaign)
    assert "There are no training sessions booked for this campaign at the moment" in markdown
    assert "Join the moment" not in markdown


def test_briefing_lists_the_campaigns_bulletin_series(campaign):
    series = SeriesFactory(campaign=campaign, name="CSE Awareness Week 2030", slug="week-2030")
    BulletinFactory(series=series, day=datetime.date(2030, 3, 13), topic="Training and guidance")
    markdown = briefing_markdown(campaign)
    assert "CSE Awareness Week 2030 bulletins" in markdown
    assert "Wednesday 13 March 2030: Training and guidance" in markdown
    assert "<http://testserver/bulletins/week-2030/>" in markdown


def test_campaign_text_cannot_inject_markup(campaign):
    campaign.local_commitment = "# Not a heading\n<script>alert(1)</script> [x](javascript:alert(1))"
    html = markdown_to_html(briefing_markdown(campaign))
    assert "<h2>Not a heading" not in html and "# Not a heading" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and "[x](javascript:alert(1))" in html


def test_only_published_campaigns_have_a_briefing():
    with pytest.raises(ApplicationError):
        briefing_markdown(CampaignFactory())


# --- The web page and the PDF ------------------------------------------------------------------


def test_briefing_page_for_published_campaigns_only(client, campaign):
    response = client.get(reverse("broadcasts:briefing", kwargs={"slug": campaign.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Partnership briefing" in body and "<h2>Free training</h2>" in body
    assert 'href="/campaigns/cseday30/briefing.pdf"' in body and "Download as PDF" in body
    draft = CampaignFactory()
    assert client.get(reverse("broadcasts:briefing", kwargs={"slug": draft.slug})).status_code == 404
    assert client.get(reverse("broadcasts:briefing_pdf", kwargs={"slug": draft.slug})).status_code == 404
    assert client.get("/campaigns/no-such-campaign/briefing/").status_code == 404


def test_campaign_page_links_to_the_briefing_but_not_in_the_staff_preview(client, campaign, coordinator):
    briefing_url = reverse("broadcasts:briefing", kwargs={"slug": campaign.slug})
    page = client.get(reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})).content.decode()
    assert f'href="{briefing_url}">Read the partnership briefing</a>' in page
    staff, _ = coordinator
    preview = staff.get(reverse("campaigns:staff_preview", kwargs={"slug": campaign.slug})).content.decode()
    assert "Read the partnership briefing" not in preview


def test_briefing_pdf(client, campaign):
    response = client.get(reverse("broadcasts:briefing_pdf", kwargs={"slug": campaign.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="cseday30-partnership-briefing.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")


def test_briefing_pdf_resets_pillows_truncated_images_flag(campaign):
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    pdf = briefing_pdf(campaign)
    assert pdf.startswith(b"%PDF-")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- As a bulletin ---------------------------------------------------------------------------


def send_form(series, day: datetime.date, audiences=()) -> dict:
    return {
        "series": series.pk,
        "day_day": day.day,
        "day_month": day.month,
        "day_year": day.year,
        "audiences": [audience.pk for audience in audiences],
    }


def test_briefing_to_bulletin_makes_a_draft(campaign):
    series = SeriesFactory(campaign=campaign)
    audience = BulletinAudienceFactory()
    bulletin = briefing_to_bulletin(
        campaign=campaign, series=series, day=datetime.date(2030, 3, 12), audiences=[audience], actor=None
    )
    assert bulletin.status == Bulletin.Status.DRAFT and bulletin.send_at is None
    assert bulletin.topic == "Partnership briefing"
    assert bulletin.subject == "CSE Awareness Day 2030: partnership briefing"
    assert bulletin.body_markdown == briefing_markdown(campaign)
    assert list(bulletin.audiences.all()) == [audience]


def test_staff_send_page_creates_a_draft_bulletin(coordinator, campaign):
    client, user = coordinator
    series = SeriesFactory(campaign=campaign, name="CSE Awareness Week 2030")
    SeriesFactory(name="Another campaign's series")
    audience = BulletinAudienceFactory(name="Schools")
    url = reverse("broadcasts:briefing_send", kwargs={"slug": campaign.slug})

    page = client.get(url).content.decode()
    assert "CSE Awareness Week 2030" in page and "Another campaign&#x27;s series" not in page
    assert "Schools" in page

    body = client.post(url, {}).content.decode()
    assert "There is a problem" in body and "Select the series" in body and "Enter day of the series" in body

    response = client.post(url, send_form(series, datetime.date(2030, 3, 12), [audience]), follow=True)
    bulletin = Bulletin.objects.get()
    assert response.redirect_chain[-1][0] == reverse("broadcasts:bulletin_detail", kwargs={"pk": bulletin.pk})
    assert "saved as a draft bulletin" in response.content.decode()
    assert bulletin.series == series and bulletin.day == datetime.date(2030, 3, 12)
    assert bulletin.status == Bulletin.Status.DRAFT and bulletin.created_by == user
    assert bulletin.subject == "CSE Awareness Day 2030: partnership briefing"
    assert "## Free training" in bulletin.body_markdown
    assert bulletin.body_markdown == briefing_markdown(campaign)
    assert list(bulletin.audiences.all()) == [audience]


def test_staff_send_page_refuses_a_day_already_used_in_the_series(coordinator, campaign):
    client, _ = coordinator
    series = SeriesFactory(campaign=campaign)
    BulletinFactory(series=series, day=datetime.date(2030, 3, 13))
    url = reverse("broadcasts:briefing_send", kwargs={"slug": campaign.slug})
    response = client.post(url, send_form(series, datetime.date(2030, 3, 13)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "This series already has a bulletin on that day" in body
    assert 'href="#id_day_0"' in body
    assert Bulletin.objects.count() == 1


def test_staff_send_page_offers_any_series_when_the_campaign_has_none(coordinator, campaign):
    client, _ = coordinator
    SeriesFactory(name="General partner news", campaign=None)
    page = client.get(reverse("broadcasts:briefing_send", kwargs={"slug": campaign.slug})).content.decode()
    assert "General partner news" in page


def test_staff_send_page_for_published_campaigns_only(coordinator):
    client, _ = coordinator
    draft = CampaignFactory()
    assert client.get(reverse("broadcasts:briefing_send", kwargs={"slug": draft.slug})).status_code == 404


def test_staff_send_page_permissions(client, make_staff_client, campaign):
    url = reverse("broadcasts:briefing_send", kwargs={"slug": campaign.slug})
    response = client.get(url)
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    trainer, _ = make_staff_client(Role.TRAINER)
    assert trainer.get(url).status_code == 403
    series = SeriesFactory(campaign=campaign)
    assert trainer.post(url, send_form(series, datetime.date(2030, 3, 12))).status_code == 403
    assert not Bulletin.objects.exists()
    coordinator, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    assert coordinator.get(url).status_code == 200


def test_staff_send_page_without_any_series_links_to_adding_one(coordinator, campaign):
    client, _ = coordinator
    page = client.get(reverse("broadcasts:briefing_send", kwargs={"slug": campaign.slug})).content.decode()
    assert "There are no bulletin series yet" in page and reverse("broadcasts:series_create") in page
    assert "Save as a draft bulletin" not in page
