from django.core.management.base import BaseCommand

from hub.training.attendance import feedback_requests_send
from hub.training.services import offers_expire, reminders_send


class Command(BaseCommand):
    help = (
        "Training's timed work; run it every few minutes (make run does; in production a systemd timer or cron): "
        "expire unanswered offers and pass places on, send day-before reminders, and send feedback forms and "
        "certificates after sessions."
    )

    def handle(self, *args, **options) -> None:
        expired = offers_expire()
        reminded = reminders_send()
        followed_up = feedback_requests_send()
        self.stdout.write(
            f"{expired} offer(s) expired, {reminded} reminder(s) sent, {followed_up} feedback request(s) sent."
        )
