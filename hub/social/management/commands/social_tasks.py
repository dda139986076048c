from django.core.management.base import BaseCommand

from hub.social.moments import moments_due
from hub.social.scheduling import scheduled_posts_due


class Command(BaseCommand):
    help = (
        "Social's timed work; run it every minute (make run does; in production a systemd timer or cron). "
        "Acts on supporter moments whose deadline or time has come and publishes scheduled posts that are due "
        "(the worker normally already has), and releases posts left mid-publication by a stopped worker."
    )

    def handle(self, *args, **options) -> None:
        acted = moments_due()
        published = scheduled_posts_due()
        self.stdout.write(f"{acted} moment(s) acted on, {published} post(s) published.")
