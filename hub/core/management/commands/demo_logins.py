from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the service address and every demo sign-in (email, password, TOTP secret as otpauth://)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=settings.SITE_URL + "/")

    def handle(self, *args, url: str, **options) -> None:
        if not getattr(settings, "HUB_ALLOW_DEMO", False):
            raise CommandError("Demo sign-ins exist only in local settings.")
        lines = [
            "",
            f"Safeguarding Partnership Hub is starting at {url}",
            f"  Public campaign page: {url}campaigns/cseday18/",
            f"  Staff sign in:        {url}account/sign-in/",
            "",
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}). Add the otpauth:// URI to an authenticator app,",
            "or print a current code with: .venv/bin/python manage.py demo_code EMAIL",
        ]
        for demo in DEMO_USERS:
            device = TOTPDevice.objects.filter(user__email=demo.email, confirmed=True).first()
            uri = device.config_url if device else "(run make run to load the demo data)"
            lines += [f"  {demo.role:22} {demo.email}", f"  {'':22} {uri}"]
        lines.append("")
        self.stdout.write("\n".join(lines))
