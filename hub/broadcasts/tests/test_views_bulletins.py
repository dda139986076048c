"""Staff pages for series and bulletins: who may see them, forms with errors, previews and a test send."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.broadcasts.models import Bulletin, Series
from hub.broadcasts.tests.factories_bulletins import (
    BulletinAudienceFactory,
    BulletinContactFactory,
    BulletinFactory,
    SeriesFactory,
)
from hub.campaigns.tests.factories import LinkResourceFactory
from hub.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(make_staff_client):
    return make_staff_client(Role.CAMPAIGN_COORDINATOR, email="coordinator@partnership.example.org")


def page_urls(bulletin):
    series = bulletin.series
    return [
        reverse("broadcasts:series_list"),
        reverse("broadcasts:series_create"),
        reverse("broadcasts:series_detail", kwargs={"pk": series.pk}),
        reverse("broadcasts:series_edit", kwargs={"pk": series.pk}),
        reverse("broadcasts:bulletin_create", kwargs={"pk": series.pk}),
        reverse("broadcasts:bulletin_detail", kwargs={"pk": bulletin.pk}),
        reverse("broadcasts:bulletin_edit", kwargs={"pk": bulletin.pk}),
        reverse("broadcasts:bulletin_preview", kwargs={"pk": bulletin.pk}),
        reverse("broadcasts:bulletin_preview_email", kwargs={"pk": bulletin.pk}),
        reverse("broadcasts:bulletin_preview_text", kwargs={"pk": bulletin.pk}),
    ]


def test_pages_are_closed_to_the_public_and_to_other_roles(client, make_staff_client):
    bulletin = BulletinFactory()
    test_send = reverse("broadcasts:bulletin_test_send", kwargs={"pk": bulletin.pk})
    for url in page_urls(bulletin):
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url
    assert "/account/sign-in/" in client.post(test_send)["Location"]
    for role in (Role.TRAINER, Role.PARTNERSHIP_ANALYST, Role.ADMINISTRATOR):
        other, _ = make_staff_client(role)
        for url in page_urls(bulletin):
            assert other.get(url).status_code == 403, (role, url)
        assert other.post(test_send).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_coordinator_sees_every_page(coordinator):
    client, _ = coordinator
    bulletin = BulletinFactory()
    for url in page_urls(bulletin):
        assert client.get(url).status_code == 200, url


def test_series_list_shows_bulletins_by_day(coordinator):
    client, _ = coordinator
    series = SeriesFactory(name="CSE Awareness Week")
    later = BulletinFactory(series=series, topic="Schools Resources", day=datetime.date(2030, 3, 14))
    BulletinFactory(series=series, topic="Training & Guidance", day=datetime.date(2030, 3, 13))
    body = client.get(reverse("broadcasts:series_list")).content.decode()
    assert "CSE Awareness Week" in body
    assert body.index("Training &amp; Guidance") < body.index("Schools Resources")
    assert reverse("broadcasts:bulletin_detail", kwargs={"pk": later.pk}) in body


def test_add_series_with_errors_then_correctly(coordinator):
    client, _ = coordinator
    url = reverse("broadcasts:series_create")
    body = client.post(url, {}).content.decode()
    assert "There is a problem" in body and "Enter the name of the series" in body
    SeriesFactory(slug="taken")
    body = client.post(url, {"name": "Week", "slug": "taken"}).content.decode()
    assert "Another series already uses this short name" in body
    response = client.post(url, {"name": "CSE Awareness Week"})
    series = Series.objects.get(slug="cse-awareness-week")
    assert response["Location"] == reverse("broadcasts:series_detail", kwargs={"pk": series.pk})


def bulletin_form(audience=None, **changes) -> dict:
    day = timezone.localdate() + datetime.timedelta(days=5)
    send = timezone.localdate() + datetime.timedelta(days=4)
    form = {
        "day_day": day.day,
        "day_month": day.month,
        "day_year": day.year,
        "topic": "Training & Guidance",
        "subject": "Awareness week: training and guidance",
        "body_markdown": "Today we share **training** news. <script>alert(1)</script>",
        "send_at_day": send.day,
        "send_at_month": send.month,
        "send_at_year": send.year,
        "send_time": "9am",
    }
    if audience is not None:
        form["audiences"] = [audience.pk]
    form.update(changes)
    return form


def test_add_bulletin_with_errors_then_correctly(coordinator):
    client, user = coordinator
    series = SeriesFactory()
    resource = LinkResourceFactory(campaign=series.campaign, title="Flow chart")
    audience = BulletinAudienceFactory(name="Schools")
    url = reverse("broadcasts:bulletin_create", kwargs={"pk": series.pk})

    form_page = client.get(url).content.decode()
    assert "Write in Markdown" in form_page and "Flow chart" in form_page and "Schools" in form_page

    body = client.post(url, {}).content.decode()
    for message in ("Enter day of the series", "Enter the topic", "Enter the subject line", "Enter the bulletin text"):
        assert message in body
    body = client.post(url, bulletin_form(audience, send_time="")).content.decode()
    assert "Enter send time" in body
    body = client.post(url, bulletin_form(audience, send_time="25:00")).content.decode()
    assert "Send time must be a real time" in body
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    past = bulletin_form(
        audience, send_at_day=yesterday.day, send_at_month=yesterday.month, send_at_year=yesterday.year
    )
    body = client.post(url, past).content.decode()
    assert "The send time must be in the future" in body
    body = client.post(url, bulletin_form(audience, audiences=["999999"])).content.decode()
    assert "Select audiences from the list" in body
    assert not Bulletin.objects.exists()

    response = client.post(url, bulletin_form(audience, resources=[resource.pk]))
    bulletin = Bulletin.objects.get()
    assert response["Location"] == reverse("broadcasts:bulletin_detail", kwargs={"pk": bulletin.pk})
    assert bulletin.created_by == user and list(bulletin.resources.all()) == [resource]
    assert timezone.localtime(bulletin.send_at).hour == 9


def test_edit_bulletin_and_the_lock_once_sending(coordinator):
    client, _ = coordinator
    audience = BulletinAudienceFactory()
    bulletin = BulletinFactory()
    url = reverse("broadcasts:bulletin_edit", kwargs={"pk": bulletin.pk})
    edit_page = client.get(url).content.decode()
    assert bulletin.subject in edit_page
    response = client.post(url, bulletin_form(audience, subject="Changed subject"))
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.subject == "Changed subject"

    Bulletin.objects.filter(pk=bulletin.pk).update(status=Bulletin.Status.SENDING)
    response = client.post(url, bulletin_form(audience, subject="Too late"), follow=True)
    body = response.content.decode()
    assert "This bulletin is being sent or has been sent, so it can no longer be changed" in body
    assert "Edit bulletin</a>" not in body
    bulletin.refresh_from_db()
    assert bulletin.subject == "Changed subject"


def test_detail_shows_status_recipients_and_preview_links(coordinator):
    client, _ = coordinator
    audience = BulletinAudienceFactory(name="Schools")
    bulletin = BulletinFactory(audiences=[audience])
    BulletinContactFactory(audiences=[audience])
    BulletinContactFactory(audiences=[audience])
    BulletinContactFactory()  # in no audience of the bulletin
    body = client.get(reverse("broadcasts:bulletin_detail", kwargs={"pk": bulletin.pk})).content.decode()
    assert "Draft" in body and "2 people" in body
    assert reverse("broadcasts:bulletin_preview", kwargs={"pk": bulletin.pk}) in body
    assert reverse("broadcasts:bulletin_preview_text", kwargs={"pk": bulletin.pk}) in body
    assert "Send me a test" in body


def test_previews_render_sanitised_html_in_a_sandboxed_frame_and_plain_text(coordinator):
    client, _ = coordinator
    bulletin = BulletinFactory(
        topic="Training & Guidance",
        body_markdown='## Screening\n\nUse the [tool](https://www.example.org/tool). <img src=x onerror="alert(1)">',
    )
    page = client.get(reverse("broadcasts:bulletin_preview", kwargs={"pk": bulletin.pk})).content.decode()
    email_url = reverse("broadcasts:bulletin_preview_email", kwargs={"pk": bulletin.pk})
    assert f'src="{email_url}" sandbox=""' in page and "This is a preview" in page

    response = client.get(email_url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy and "sandbox" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert "<h2>Screening</h2>" in html and "Dear Sample Recipient," in html
    assert "onerror" not in html and "<img" not in html and "preview.invalid" in html

    text_page = client.get(reverse("broadcasts:bulletin_preview_text", kwargs={"pk": bulletin.pk}))
    text = text_page.content.decode()
    assert "<pre" in text and "Use the tool (https://www.example.org/tool)." in text
    # The staff pages themselves keep the site's strict policy.
    assert "frame-ancestors 'none'" in text_page["Content-Security-Policy"]


def test_send_me_a_test_emails_only_the_author(coordinator):
    client, _ = coordinator
    audience = BulletinAudienceFactory()
    bulletin = BulletinFactory(subject="Training news", audiences=[audience])
    BulletinContactFactory(audiences=[audience])
    url = reverse("broadcasts:bulletin_test_send", kwargs={"pk": bulletin.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "A test email has been sent to coordinator@partnership.example.org" in response.content.decode()
    message = OutboxMessage.objects.get()
    assert message.payload["to"] == ["coordinator@partnership.example.org"]
    assert message.payload["subject"] == "[Test] Training news"
    assert message.payload["html_body"] and message.payload["body"]
