import datetime

from django.core.management.base import BaseCommand

from hub.broadcasts.sending import STALE_CLAIM, bulletins_due


class Command(BaseCommand):
    help = (
        "Broadcasts' timed work; run it every minute (make run does; in production a systemd timer or cron): "
        "start scheduled bulletins whose time has come, put back deliveries a stopped worker had reserved, "
        "and keep sending bulletins with deliveries due (retries)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--release-after",
            type=float,
            default=STALE_CLAIM.total_seconds(),
            help="Seconds after which another worker's reserved deliveries count as abandoned "
            f"(default {int(STALE_CLAIM.total_seconds())}). Use 0 only when no other worker is running.",
        )

    def handle(self, *args, **options) -> None:
        started = bulletins_due(stale_after=datetime.timedelta(seconds=options["release_after"]))
        self.stdout.write(f"{started} bulletin(s) started.")
