"""Demo organisations and one demo user per role, for `make run` only.

Addresses are role mailboxes at example domains, never real people. The
second-factor secrets are derived from the address so that the printed
otpauth:// URIs stay the same every time the demo is loaded.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.models import Organisation, Sector, User
from hub.accounts.roles import Role

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (printed for the local demo on purpose)

DEMO_ORGANISATIONS = [
    ("County Council Safeguarding Partnership", Sector.COUNCIL),
    ("County Police", Sector.POLICE),
    ("Community Health NHS Trust", Sector.HEALTH),
    ("County Children's Services", Sector.CHILDRENS_SOCIAL_CARE),
    ("Seaside Academy", Sector.SCHOOL),
    ("Children's Charity Partnership Project", Sector.VOLUNTARY),
    ("Seafront Leisure Ltd", Sector.BUSINESS),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    organisation: str
    is_staff: bool = False


COUNCIL = "County Council Safeguarding Partnership"

DEMO_USERS = [
    DemoUser(
        "campaigns@partnership.example.org",
        "Campaigns Team",
        Role.CAMPAIGN_COORDINATOR,
        "County Council Safeguarding Partnership",
    ),
    DemoUser(
        "training@partnership.example.org",
        "Learning and Development Team",
        Role.TRAINER,
        "County Council Safeguarding Partnership",
    ),
    DemoUser(
        "practitioner@childrens-services.example.org",
        "Duty Social Work Team",
        Role.PRACTITIONER,
        "County Children's Services",
    ),
    DemoUser("csehub@partnership.example.org", "Missing and Exploitation Hub", Role.HUB_OFFICER, "County Police"),
    DemoUser(
        "analysis@partnership.example.org",
        "Partnership Analysis Team",
        Role.PARTNERSHIP_ANALYST,
        "County Council Safeguarding Partnership",
    ),
    DemoUser(
        "admin@partnership.example.org",
        "Service Administrators",
        Role.ADMINISTRATOR,
        "County Council Safeguarding Partnership",
        True,
    ),
]


def demo_totp_key(email: str) -> str:
    """A stable 20-byte key (hex) for the demo account's authenticator."""
    return hmac.new(b"safeguarding-hub-demo-only", email.encode(), hashlib.sha1).hexdigest()


def demo_accounts_load() -> list[tuple[DemoUser, TOTPDevice]]:
    """Create or refresh the demo organisations and users; safe to run again."""
    organisations = {}
    for name, sector in DEMO_ORGANISATIONS:
        organisations[name], _ = Organisation.objects.update_or_create(name=name, defaults={"sector": sector})
    loaded = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=demo.email,
            defaults={"full_name": demo.full_name, "organisation": organisations[demo.organisation]},
        )
        user.full_name = demo.full_name
        user.organisation = organisations[demo.organisation]
        user.is_staff = demo.is_staff
        user.is_superuser = False
        user.is_active = True
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=demo.role)])
        device, _ = TOTPDevice.objects.update_or_create(
            user=user,
            name="Authenticator app",
            defaults={"key": demo_totp_key(demo.email), "confirmed": True},
        )
        loaded.append((demo, device))
    return loaded
