from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hub.accounts.demo import demo_accounts_load
from hub.broadcasts.demo import demo_broadcasts_load
from hub.campaigns.demo import demo_campaigns_load
from hub.screening.demo import demo_screening_load
from hub.social.demo import demo_social_load
from hub.training.demo import demo_training_load


class Command(BaseCommand):
    help = (
        "Load the demo data (organisations, one user per role, the CSEDay18 campaign, its training, suggested "
        "posts and bulletins). Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        if not getattr(settings, "HUB_ALLOW_DEMO", False):
            raise CommandError("Demo data is for local use only (HUB_ALLOW_DEMO is off in these settings).")
        with transaction.atomic():
            users = demo_accounts_load()
            campaigns = demo_campaigns_load()
            sessions = demo_training_load()
            posts = demo_social_load()
            demo_broadcasts_load()
            # The screening tool's default definition (idempotent; a loaded version never changes).
            call_command("screening_tool_load", stdout=StringIO())
            screenings = demo_screening_load()
        self.stdout.write(
            f"Demo data loaded: {len(users)} users, {len(campaigns)} campaign(s), {len(sessions)} training sessions, "
            f"{len(posts)} suggested posts, {len(screenings)} new demo screening(s) of invented children."
        )
