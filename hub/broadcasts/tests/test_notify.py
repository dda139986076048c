"""The GOV.UK Notify backend against a local fake of Notify's API (fake_notify.FakeNotify),
through the real notifications-python-client: JWT, JSON and HTTP all happen for real."""

import datetime
import logging
import socket
import uuid
from collections.abc import Iterator

import pytest

from hub.broadcasts import notify as notify_module
from hub.broadcasts.models import Audience, Bulletin, Contact, Delivery, LawfulBasis, Series, Suppression
from hub.broadcasts.notify import NotifyBackend, NotifyConfigurationError, NotifyRateLimited
from hub.broadcasts.sending import PermanentSendError, TemporarySendError, bulletin_deliver_run, delivery_backend
from hub.broadcasts.tests.fake_notify import FakeNotify, make_api_key

pytestmark = pytest.mark.django_db

SITE = "https://hub.example.org"
TEMPLATE_ID = "5f1a0c4e-8d2b-4c47-9f5e-3b8a6d2e1c90"


@pytest.fixture
def fake_notify(settings) -> Iterator[FakeNotify]:
    with FakeNotify(template_id=TEMPLATE_ID) as fake:
        settings.BROADCAST_BACKEND = "notify"
        settings.NOTIFY_API_KEY = fake.api_key
        settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
        settings.NOTIFY_BASE_URL = fake.url
        settings.SITE_URL = SITE  # Notify accepts only an https one-click unsubscribe URL
        settings.BROADCAST_MAX_PER_SECOND = 0
        yield fake


@pytest.fixture
def audience() -> Audience:
    return Audience.objects.create(name="Schools", slug="schools")


@pytest.fixture
def bulletin(audience) -> Bulletin:
    series = Series.objects.create(name="CSE Awareness Week", slug="cse-awareness-week")
    bulletin = Bulletin.objects.create(
        series=series,
        day=datetime.date(2025, 3, 18),
        topic="Spotting the signs",
        subject="Day 1: spotting the signs of exploitation",
        body_markdown="Look out for **sudden changes** in behaviour.\n\n- new phones\n- older friends",
    )
    bulletin.audiences.add(audience)
    return bulletin


def make_delivery(bulletin: Bulletin, audience: Audience, email: str, name: str = "Alex Morgan") -> Delivery:
    contact = Contact.objects.create(name=name, email=email, lawful_basis=LawfulBasis.PUBLIC_TASK)
    contact.audiences.add(audience)
    return Delivery.objects.create(bulletin=bulletin, contact=contact, email=email, name=name)


@pytest.fixture
def delivery(bulletin, audience) -> Delivery:
    return make_delivery(bulletin, audience, "dsl@seaside-academy.example.org")


def send(bulletin: Bulletin, *deliveries: Delivery) -> None:
    with NotifyBackend().session() as session:
        for delivery in deliveries:
            session.send(bulletin, delivery)


# --- What reaches Notify -----------------------------------------------------------------------


def test_the_setting_chooses_the_notify_backend(fake_notify):
    assert isinstance(delivery_backend(), NotifyBackend)


def test_a_send_reaches_notify_with_the_documented_fields(fake_notify, bulletin, delivery):
    send(bulletin, delivery)

    assert len(fake_notify.notifications) == 1
    sent = fake_notify.notifications[0]["json"]
    assert set(sent) == {"email_address", "template_id", "personalisation", "reference", "one_click_unsubscribe_url"}
    assert sent["email_address"] == "dsl@seaside-academy.example.org"
    assert sent["template_id"] == TEMPLATE_ID
    assert sent["reference"] == f"delivery-{delivery.pk}"
    assert sent["one_click_unsubscribe_url"] == f"{SITE}/bulletins/unsubscribe/{delivery.token}/one-click/"
    assert set(sent["personalisation"]) == {"subject", "body"}
    assert sent["personalisation"]["subject"] == "Day 1: spotting the signs of exploitation"
    body = sent["personalisation"]["body"]
    assert "Alex Morgan" in body
    assert "sudden changes" in body
    assert f"{SITE}/bulletins/unsubscribe/{delivery.token}/" in body  # the link at the bottom
    assert f"{SITE}/bulletins/cse-awareness-week/{bulletin.pk}/" in body  # view in your browser
    # The client signed a token for this service with this key's secret (the fake checked it).
    assert fake_notify.notifications[0]["claims"]["iss"] == fake_notify.service_id
    # Notify filled the ((subject)) and ((body)) template with them.
    answer = fake_notify.notifications[0]["response"]
    assert answer["content"]["subject"] == sent["personalisation"]["subject"]
    assert answer["content"]["body"] == body


def test_one_session_sends_a_batch_personalised_for_each_recipient(fake_notify, bulletin, audience):
    first = make_delivery(bulletin, audience, "one@partner.example.org", "Sam One")
    second = make_delivery(bulletin, audience, "two@partner.example.org", "Kim Two")
    send(bulletin, first, second)

    sent = [item["json"] for item in fake_notify.notifications]
    assert [item["email_address"] for item in sent] == ["one@partner.example.org", "two@partner.example.org"]
    assert "Sam One" in sent[0]["personalisation"]["body"]
    assert "Kim Two" in sent[1]["personalisation"]["body"]
    assert second.token not in sent[0]["personalisation"]["body"]
    assert sent[0]["one_click_unsubscribe_url"] != sent[1]["one_click_unsubscribe_url"]


# --- Failures that pass: try again later -------------------------------------------------------


@pytest.mark.parametrize("kind", ["rate_limit", "daily_limit"])
def test_429_is_temporary_and_the_rest_of_the_batch_waits(fake_notify, bulletin, audience, kind):
    first = make_delivery(bulletin, audience, "one@partner.example.org")
    second = make_delivery(bulletin, audience, "two@partner.example.org")
    fake_notify.fail_next(kind)

    with NotifyBackend().session() as session:
        with pytest.raises(NotifyRateLimited, match="Notify 429") as error:
            session.send(bulletin, first)
        assert isinstance(error.value, TemporarySendError)
        with pytest.raises(NotifyRateLimited):
            session.send(bulletin, second)
    assert len(fake_notify.requests) == 1  # the second was not sent into the limit

    send(bulletin, second)  # the next batch tries again
    assert len(fake_notify.notifications) == 1


def test_500_is_temporary_and_the_batch_goes_on(fake_notify, bulletin, audience):
    first = make_delivery(bulletin, audience, "one@partner.example.org")
    second = make_delivery(bulletin, audience, "two@partner.example.org")
    fake_notify.fail_next("server_error")

    with NotifyBackend().session() as session:
        with pytest.raises(TemporarySendError, match="Notify 500 Exception: Internal server error") as error:
            session.send(bulletin, first)
        assert not isinstance(error.value, PermanentSendError)
        session.send(bulletin, second)
    assert [item["json"]["email_address"] for item in fake_notify.notifications] == ["two@partner.example.org"]


def test_no_answer_is_temporary(fake_notify, settings, bulletin, delivery):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(TemporarySendError, match="Notify unreachable: ConnectionError"):
        send(bulletin, delivery)


def test_a_timeout_is_temporary(fake_notify, monkeypatch, bulletin, delivery):
    monkeypatch.setattr(notify_module, "REQUEST_TIMEOUT", 0.2)
    fake_notify.delay_next(1.0)
    with pytest.raises(TemporarySendError, match="Notify unreachable"):
        send(bulletin, delivery)


# --- The address itself: a hard bounce --------------------------------------------------------


def test_an_invalid_address_is_permanent(fake_notify, bulletin, delivery):
    fake_notify.fail_next("invalid_email")
    with pytest.raises(PermanentSendError, match="ValidationError: email_address Not a valid email address"):
        send(bulletin, delivery)


def test_notify_checks_the_address_itself(fake_notify, bulletin, audience):
    delivery = make_delivery(bulletin, audience, "someone@@partner")
    with pytest.raises(PermanentSendError, match="email_address"):
        send(bulletin, delivery)
    assert fake_notify.notifications == []


# --- Configuration mistakes: never a bounce ----------------------------------------------------


@pytest.mark.parametrize("kind", ["auth", "clock", "template_not_found", "trial_mode"])
def test_a_configuration_error_is_temporary_and_stops_the_batch(fake_notify, bulletin, audience, kind):
    first = make_delivery(bulletin, audience, "one@partner.example.org")
    second = make_delivery(bulletin, audience, "two@partner.example.org")
    fake_notify.fail_next(kind)

    with NotifyBackend().session() as session:
        with pytest.raises(NotifyConfigurationError) as error:
            session.send(bulletin, first)
        assert isinstance(error.value, TemporarySendError)
        assert not isinstance(error.value, PermanentSendError)
        with pytest.raises(NotifyConfigurationError):
            session.send(bulletin, second)
    assert len(fake_notify.requests) == 1


def test_a_wrong_api_key_is_refused_by_notify_as_403_and_is_temporary(fake_notify, settings, bulletin, delivery):
    key, _, _ = make_api_key()  # well-formed, but not this service's
    settings.NOTIFY_API_KEY = key
    with pytest.raises(NotifyConfigurationError, match="Notify 403 AuthError: Invalid token: service not found"):
        send(bulletin, delivery)

    # Right service, wrong secret: the signature does not verify.
    settings.NOTIFY_API_KEY = f"hub-tests-{fake_notify.service_id}-{uuid.uuid4()}"
    with pytest.raises(NotifyConfigurationError, match="Notify 403 AuthError: Invalid token: API key not found"):
        send(bulletin, delivery)
    assert fake_notify.notifications == []


def test_a_template_id_notify_does_not_know_is_temporary(fake_notify, settings, bulletin, delivery):
    settings.NOTIFY_TEMPLATE_ID = str(uuid.uuid4())
    with pytest.raises(NotifyConfigurationError, match="BadRequestError: Template not found"):
        send(bulletin, delivery)


def test_a_template_with_other_placeholders_is_temporary(settings, bulletin, delivery):
    with FakeNotify(
        template_id=TEMPLATE_ID, template={"subject": "((subject))", "body": "((intro))\n((body))"}
    ) as fake:
        settings.NOTIFY_API_KEY = fake.api_key
        settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
        settings.NOTIFY_BASE_URL = fake.url
        settings.SITE_URL = SITE
        with pytest.raises(NotifyConfigurationError, match="Missing personalisation: intro"):
            send(bulletin, delivery)


def test_a_plain_http_site_is_refused_for_one_click_and_is_temporary(fake_notify, settings, bulletin, delivery):
    settings.SITE_URL = "http://hub.example.org"
    with pytest.raises(NotifyConfigurationError, match="one_click_unsubscribe_url is not a valid https url"):
        send(bulletin, delivery)


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("NOTIFY_API_KEY", "", "NOTIFY_API_KEY is not set"),
        ("NOTIFY_API_KEY", "not-a-notify-key", "NOTIFY_API_KEY is not a GOV.UK Notify API key"),
        ("NOTIFY_TEMPLATE_ID", "", "NOTIFY_TEMPLATE_ID is not set"),
    ],
)
def test_missing_settings_are_temporary_and_nothing_is_sent(
    fake_notify, settings, bulletin, delivery, name, value, problem
):
    setattr(settings, name, value)
    with pytest.raises(NotifyConfigurationError, match=problem):
        send(bulletin, delivery)
    assert fake_notify.requests == []


# --- Through the worker ------------------------------------------------------------------------


def start_sending(bulletin: Bulletin) -> None:
    bulletin.status = Bulletin.Status.SENDING
    bulletin.save(update_fields=["status"])


def test_the_worker_sends_through_notify(fake_notify, bulletin, audience):
    deliveries = [make_delivery(bulletin, audience, f"person{n}@partner.example.org") for n in range(3)]
    start_sending(bulletin)

    assert bulletin_deliver_run(bulletin_id=bulletin.pk) == 3

    assert len(fake_notify.notifications) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert {item["json"]["reference"] for item in fake_notify.notifications} == {f"delivery-{d.pk}" for d in deliveries}
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT


def test_a_bad_api_key_never_suppresses_anyone(fake_notify, bulletin, audience):
    for n in range(3):
        make_delivery(bulletin, audience, f"person{n}@partner.example.org")
    start_sending(bulletin)
    fake_notify.fail_next("auth", times=10)

    assert bulletin_deliver_run(bulletin_id=bulletin.pk) == 0

    assert len(fake_notify.requests) == 1  # the batch stopped at the first refusal
    assert not Suppression.objects.exists()
    rows = Delivery.objects.all()
    assert {row.status for row in rows} == {Delivery.Status.QUEUED}
    assert all(row.next_attempt_at is not None for row in rows)
    assert all("403 AuthError" in row.last_error for row in rows)  # what staff see


def test_an_invalid_address_is_bounced_and_suppressed_the_rest_are_sent(fake_notify, bulletin, audience):
    bad = make_delivery(bulletin, audience, "someone@@partner")
    good = make_delivery(bulletin, audience, "fine@partner.example.org")
    start_sending(bulletin)

    assert bulletin_deliver_run(bulletin_id=bulletin.pk) == 1

    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == Delivery.Status.BOUNCED
    assert good.status == Delivery.Status.SENT
    assert Suppression.objects.filter(email="someone@@partner", reason=Suppression.Reason.HARD_BOUNCE).exists()


# --- Secrets stay out of logs and errors -------------------------------------------------------


def test_the_api_key_and_the_message_are_never_logged(fake_notify, bulletin, delivery, caplog):
    caplog.set_level(logging.DEBUG)
    send(bulletin, delivery)
    fake_notify.fail_next("server_error")
    fake_notify.fail_next("auth")
    errors = []
    for _ in range(2):
        with pytest.raises(TemporarySendError) as error:
            send(bulletin, delivery)
        errors.append(str(error.value))

    body = fake_notify.notifications[0]["json"]["personalisation"]["body"]
    logged = caplog.text + "\n".join(errors)
    assert fake_notify.secret not in logged
    assert fake_notify.api_key not in logged
    assert delivery.token not in logged
    assert "sudden changes" not in logged and body not in logged
    assert "Notify refused delivery" in caplog.text  # the failures were logged, safely
