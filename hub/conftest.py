"""Fixtures shared by every app's tests."""

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from hub.accounts.models import User
from hub.accounts.roles import Role
from hub.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from hub.core.tests.page_check import CheckedClient


@pytest.fixture(autouse=True, scope="session")
def prerender_root_for_tests(tmp_path_factory) -> None:
    """Pages pre-rendered by any test (a publish, an edit) go to a temporary folder, not var/."""
    from django.conf import settings

    settings.PRERENDER_ROOT = tmp_path_factory.mktemp("prerendered")


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache (live.json's numbers, the campaign page's copy),
    as the pages it renders are of its own database."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def client() -> Client:
    """Django's test client, with every HTML page it receives checked."""
    return CheckedClient()


def verified_client(user: User, *, checked: bool = True) -> Client:
    """A test client signed in as `user` with a verified second factor, as
    after password + TOTP; the sign-in flow itself has its own tests.
    `checked=False` gives a plain client, for Django admin pages (Django's markup)."""
    device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
    client = CheckedClient() if checked else Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def make_staff_client() -> Callable[..., tuple[Client, User]]:
    def make(*roles: str, **user_fields) -> tuple[Client, User]:
        user = UserFactory(roles=list(roles), **user_fields)
        return verified_client(user), user

    return make


@pytest.fixture
def coordinator_client(db, make_staff_client) -> Client:
    client, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    return client


# --- A real SMTP server (aiosmtpd) on a free local port ----------------------


@dataclass
class SmtpSink:
    messages: list[Message] = field(default_factory=list)
    envelopes_to: list[list[str]] = field(default_factory=list)
    # Recipient -> SMTP answer to RCPT TO, e.g. "550 5.1.1 No such user" or "451 4.3.0 Try later".
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        self.envelopes_to.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpSink]:
    """Starts a real SMTP server and points Django's email settings at it."""
    sink = SmtpSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield sink
    finally:
        controller.stop()
