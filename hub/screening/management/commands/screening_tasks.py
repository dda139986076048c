from django.core.management.base import BaseCommand

from hub.screening.services import reviews_remind


class Command(BaseCommand):
    help = (
        "Screening's timed work; run it every few minutes (make run does; in production a systemd timer or cron): "
        "remind practitioners, once each, when a child they screened is due to be screened again."
    )

    def handle(self, *args, **options) -> None:
        reminded = reviews_remind()
        self.stdout.write(f"{reminded} review reminder(s) queued.")
