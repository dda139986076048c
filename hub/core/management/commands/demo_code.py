import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account (local demo only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        if not getattr(settings, "HUB_ALLOW_DEMO", False):
            raise CommandError("Demo codes exist only in local settings.")
        device = TOTPDevice.objects.filter(user__email=email.strip().lower(), confirmed=True).first()
        if device is None:
            raise CommandError(f"No demo authenticator for {email}.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        self.stdout.write(f"{totp.token():06d}")
