from django.core.management.base import BaseCommand

from hub.screening.retention import retention_run_daily
from hub.screening.services import reviews_remind


class Command(BaseCommand):
    help = (
        "Screening's timed work; run it every few minutes (make run does; in production a systemd timer or cron): "
        "remind practitioners, once each, when a child they screened is due to be screened again; and once a day "
        "anonymise the screenings the retention rule no longer keeps (see screening_retention)."
    )

    def handle(self, *args, **options) -> None:
        reminded = reviews_remind()
        self.stdout.write(f"{reminded} review reminder(s) queued.")
        # Once a day: the age rule decrypts every closed screening's date of birth, too much to do each minute.
        anonymised = retention_run_daily()
        if anonymised is None:
            self.stdout.write("Retention: already run today.")
        else:
            self.stdout.write(f"Retention: {len(anonymised)} screening(s) anonymised.")
