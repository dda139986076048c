"""Sending a bulletin through a real SMTP server (aiosmtpd): one message per
recipient, personalised, multipart, with RFC 8058 unsubscribe headers; the
suppression list respected; temporary failures retried and nothing lost;
permanent failures suppressed; pause and resume; unsubscribing by token."""

import datetime
from email.message import Message

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.broadcasts import sending
from hub.broadcasts.contacts import suppress
from hub.broadcasts.models import Bulletin, Delivery, Series, Suppression
from hub.broadcasts.tests.factories import AudienceFactory, ContactFactory
from hub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def make_bulletin(*audiences, subject="Training & Guidance today") -> Bulletin:
    series, _ = Series.objects.get_or_create(slug="cse-week", defaults={"name": "CSE Awareness Week"})
    bulletin = Bulletin.objects.create(
        series=series,
        day=timezone.localdate(),
        topic="Training & Guidance",
        subject=subject,
        body_markdown="Free **training** this week. <script>alert(1)</script>",
    )
    bulletin.audiences.set(audiences)
    return bulletin


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no html part")


def send_all(bulletin: Bulletin) -> int:
    count = sending.bulletin_send_start(bulletin=bulletin)
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk)
    return count


def test_every_recipient_gets_one_personal_message_with_unsubscribe_headers(smtp_server):
    schools, members = AudienceFactory(name="Schools"), AudienceFactory(name="Elected Members")
    both = ContactFactory(name="Alex Both", audiences=[schools, members])
    others = [ContactFactory(audiences=[schools]) for _ in range(4)]
    ContactFactory(audiences=[AudienceFactory(name="Frontline staff")])  # not an audience of this bulletin
    bulletin = make_bulletin(schools, members)
    assert send_all(bulletin) == 5
    assert sorted(to[0] for to in smtp_server.envelopes_to) == sorted([both.email] + [c.email for c in others])
    message = next(m for m in smtp_server.messages if m["To"] == both.email)
    assert message["Subject"] == "Training & Guidance today"
    assert message.get_content_type() == "multipart/alternative"
    assert "Alex" in text_part(message) and "<script>" not in html_part(message)
    delivery = Delivery.objects.get(email=both.email)
    assert message["Message-ID"] == f"<delivery-{delivery.pk}@testserver>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/bulletins/unsubscribe/{delivery.token}/one-click/" in message["List-Unsubscribe"]
    assert "mailto:" in message["List-Unsubscribe"]
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT
    assert sending.send_progress(bulletin).sent == 5


def test_suppressed_addresses_are_not_sent(smtp_server):
    schools, csp = AudienceFactory(name="Schools"), AudienceFactory(name="CSPs")
    gone = ContactFactory(audiences=[schools])
    partly = ContactFactory(audiences=[schools, csp])
    kept = ContactFactory(audiences=[schools])
    suppress(email=gone.email, reason=Suppression.Reason.UNSUBSCRIBED)
    suppress(email=partly.email, reason=Suppression.Reason.UNSUBSCRIBED, audience=schools)
    bulletin = make_bulletin(schools, csp)
    send_all(bulletin)
    # partly left Schools but is still in CSPs, so still gets a bulletin for CSPs.
    assert sorted(to[0] for to in smtp_server.envelopes_to) == sorted([partly.email, kept.email])


def test_an_address_suppressed_after_the_send_began_is_skipped(smtp_server):
    schools = AudienceFactory(name="Schools")
    leaving = ContactFactory(audiences=[schools])
    staying = ContactFactory(audiences=[schools])
    bulletin = make_bulletin(schools)
    sending.bulletin_send_start(bulletin=bulletin)
    suppress(email=leaving.email, reason=Suppression.Reason.UNSUBSCRIBED)
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk)
    assert [to[0] for to in smtp_server.envelopes_to] == [staying.email]


def test_a_send_with_no_recipients_is_refused_with_the_reason():
    bulletin = make_bulletin()
    with pytest.raises(ApplicationError, match="Choose at least one audience"):
        sending.bulletin_send_start(bulletin=bulletin)
    empty = make_bulletin(AudienceFactory(name="Nobody here"))
    with pytest.raises(ApplicationError, match="Nobody would receive it"):
        sending.bulletin_send_start(bulletin=empty)
    assert not Delivery.objects.exists()


def test_a_failing_smtp_server_leaves_deliveries_queued_and_none_is_lost(smtp_server, settings):
    schools = AudienceFactory(name="Schools")
    contacts = [ContactFactory(audiences=[schools]) for _ in range(3)]
    bulletin = make_bulletin(schools)
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: the relay is down
    sending.bulletin_send_start(bulletin=bulletin)
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk)
    assert smtp_server.messages == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    assert Delivery.objects.filter(claimed_at__isnull=False).count() == 0  # released for the next run
    settings.EMAIL_PORT = good_port
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk)
    assert sorted(to[0] for to in smtp_server.envelopes_to) == sorted(c.email for c in contacts)


def test_temporary_refusal_is_retried_later_and_permanent_refusal_suppresses(smtp_server):
    schools = AudienceFactory(name="Schools")
    later = ContactFactory(email="busy@example.org", audiences=[schools])
    never = ContactFactory(email="nobody@example.org", audiences=[schools])
    smtp_server.refuse = {
        "busy@example.org": "451 4.3.0 Try again later",
        "nobody@example.org": "550 5.1.1 No such user",
    }
    bulletin = make_bulletin(schools)
    send_all(bulletin)
    busy, gone = Delivery.objects.get(email=later.email), Delivery.objects.get(email=never.email)
    assert (busy.status, busy.attempts) == ("queued", 1) and busy.next_attempt_at > timezone.now()
    assert gone.status == "bounced"
    assert Suppression.objects.filter(email=never.email, reason="hard_bounce", audience__isnull=True).exists()
    smtp_server.refuse = {}
    Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk)
    busy.refresh_from_db()
    assert busy.status == "sent"
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT


def test_pause_stops_sending_and_resume_finishes(smtp_server, django_capture_on_commit_callbacks):
    schools = AudienceFactory(name="Schools")
    for _ in range(30):
        ContactFactory(audiences=[schools])
    bulletin = make_bulletin(schools)
    sending.bulletin_send_start(bulletin=bulletin)
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk, batch_size=10, max_batches=1)
    sending.bulletin_pause(bulletin=bulletin, actor=None)
    sending.bulletin_deliver_run(bulletin_id=bulletin.pk)
    assert len(smtp_server.messages) == 10
    progress = sending.send_progress(bulletin)
    assert (progress.sent, progress.remaining, progress.status) == (10, 20, "paused")
    with django_capture_on_commit_callbacks(execute=True):
        sending.bulletin_resume(bulletin=bulletin, actor=None)
    assert len(smtp_server.messages) == 30
    assert len({m["To"] for m in smtp_server.messages}) == 30


def test_one_click_unsubscribe_and_the_confirmation_page(client, smtp_server):
    schools, members = AudienceFactory(name="Schools"), AudienceFactory(name="Elected Members")
    contact = ContactFactory(audiences=[schools, members])
    bulletin = make_bulletin(schools)
    send_all(bulletin)
    delivery = Delivery.objects.get()
    one_click = reverse("broadcasts:unsubscribe_one_click", kwargs={"token": delivery.token})
    response = client.post(one_click, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert list(Suppression.objects.values_list("email", "audience__name")) == [(contact.email, "Schools")]
    page = reverse("broadcasts:unsubscribe", kwargs={"token": delivery.token})
    assert "Every bulletin from the partnership" in client.get(page).content.decode()
    body = client.post(page, {"from": "everything"}).content.decode()
    assert "You have unsubscribed" in body
    assert Suppression.objects.filter(email=contact.email, audience__isnull=True).exists()
    tampered = client.get(reverse("broadcasts:unsubscribe", kwargs={"token": delivery.token[:-2] + "xx"}))
    assert tampered.status_code == 404 and "This unsubscribe link is not valid" in tampered.content.decode()
    assert client.post(reverse("broadcasts:unsubscribe_one_click", kwargs={"token": "nope"})).status_code == 404


def test_archive_and_api_show_sent_bulletins_only_and_nothing_personal(client, smtp_server):
    schools = AudienceFactory(name="Schools")
    ContactFactory(name="Alex Private", email="alex.private@example.org", audiences=[schools])
    sent = make_bulletin(schools, subject="Sent one")
    send_all(sent)
    draft = make_bulletin(schools, subject="Still a draft")
    page = client.get(reverse("broadcasts:archive_series", kwargs={"series": sent.series.slug})).content.decode()
    assert "Training &amp; Guidance" in page
    assert (
        client.get(reverse("broadcasts:archive_bulletin", kwargs={"series": "cse-week", "pk": draft.pk})).status_code
        == 404
    )
    body = client.get(
        reverse("broadcasts:archive_bulletin", kwargs={"series": "cse-week", "pk": sent.pk})
    ).content.decode()
    assert "<strong>training</strong>" in body and "<script>" not in body and "Alex" not in body
    api = client.get("/api/v1/bulletins", {"series": "cse-week"}).json()
    assert [item["subject"] for item in api["items"]] == ["Sent one"]
    assert "alex.private" not in str(api)


def test_send_pages_for_a_coordinator(make_staff_client, client, smtp_server, django_capture_on_commit_callbacks):
    from hub.accounts.roles import Role

    schools = AudienceFactory(name="Schools")
    for _ in range(3):
        ContactFactory(audiences=[schools])
    bulletin = make_bulletin(schools)
    confirm = reverse("broadcasts:send_confirm", kwargs={"pk": bulletin.pk})
    assert client.get(confirm).status_code == 302  # sign-in first
    trainer, _ = make_staff_client(Role.TRAINER)
    assert trainer.get(confirm).status_code == 403
    coordinator, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    assert "It will go to <strong>3</strong> people" in coordinator.get(confirm).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(confirm)
    assert response["Location"] == reverse("broadcasts:send_progress", kwargs={"pk": bulletin.pk})
    assert len(smtp_server.messages) == 3
    page = coordinator.get(response["Location"]).content.decode()
    assert '<span data-field="sent">3</span> sent' in page and "broadcasts/progress.js" in page
    figures = coordinator.get(reverse("broadcasts:send_progress_json", kwargs={"pk": bulletin.pk})).json()
    assert (figures["total"], figures["sent"], figures["remaining"], figures["status"]) == (3, 3, 0, "sent")
    again = coordinator.get(confirm).content.decode()
    assert "This bulletin is already being sent or has been sent" in again
    paused = coordinator.post(reverse("broadcasts:send_pause", kwargs={"pk": bulletin.pk}), follow=True)
    assert "Only a bulletin that is being sent can be paused" in paused.content.decode()


def test_a_batch_message_from_the_skeleton_equals_one_built_in_full(settings):
    """The batch builds its message once with stand-ins and fills in each recipient;
    what leaves must be what building that recipient's message in full gives."""
    from email import message_from_bytes

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    schools = AudienceFactory(name="Schools")
    contact = ContactFactory(name="O'Brien & <Sons> – Café", email="obrien@example.org", audiences=[schools])
    bulletin = make_bulletin(schools, subject="Formation – café & more")
    sending.bulletin_send_start(bulletin=bulletin)
    delivery = Delivery.objects.get(contact=contact)
    session = sending.SmtpSession()
    skeleton = session._skeleton(bulletin)
    assert skeleton is not None
    quick = message_from_bytes(skeleton.fill(delivery))
    full = session._message(bulletin, delivery).message()
    for header in ("Subject", "To", "From", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
        # The same value; a long header may be folded onto two lines on the wire.
        assert " ".join(str(quick[header]).split()) == " ".join(str(full[header]).split()), header
    # Line ends are CRLF on the wire either way (smtplib turns LF into CRLF).
    assert text_part(quick).replace("\r\n", "\n") == text_part(full).replace("\r\n", "\n")
    assert html_part(quick).replace("\r\n", "\n") == html_part(full).replace("\r\n", "\n")
    assert "O&#x27;Brien &amp; &lt;Sons&gt; – Café" in html_part(quick)
    assert "Dear O'Brien & <Sons> – Café" in text_part(quick)


def test_very_long_lines_fall_back_to_building_each_message(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    schools = AudienceFactory(name="Schools")
    ContactFactory(audiences=[schools])
    bulletin = make_bulletin(schools)
    bulletin.body_markdown = "word " * 400  # one paragraph of 2,000 characters: quoted-printable
    bulletin.save()
    assert sending.SmtpSession()._skeleton(bulletin) is None


def test_a_send_time_schedules_the_bulletin_and_it_starts_when_due(smtp_server, django_capture_on_commit_callbacks):
    from hub.broadcasts.bulletins import bulletin_save

    schools = AudienceFactory(name="Schools")
    contact = ContactFactory(audiences=[schools])
    series = Series.objects.create(name="CSE Awareness Week", slug="cse-week")
    send_at = timezone.now() + datetime.timedelta(hours=2)
    data = {
        "day": timezone.localdate(),
        "topic": "Schools Resources",
        "subject": "Schools resources",
        "body_markdown": "Resources for schools.",
        "send_at": send_at,
    }
    bulletin = bulletin_save(bulletin=None, series=series, data=data, audience_ids=[schools.pk], actor=None)
    assert bulletin.status == Bulletin.Status.SCHEDULED
    assert sending.bulletins_due(now=send_at - datetime.timedelta(minutes=1)) == 0
    assert smtp_server.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.bulletins_due(now=send_at + datetime.timedelta(seconds=30)) == 1
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT
    assert [to[0] for to in smtp_server.envelopes_to] == [contact.email]
