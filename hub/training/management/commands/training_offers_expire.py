from django.core.management.base import BaseCommand

from hub.training.services import offers_expire


class Command(BaseCommand):
    help = "Expire unanswered offers of training places and offer each place to the next person waiting."

    def handle(self, *args, **options) -> None:
        expired = offers_expire()
        self.stdout.write(f"{expired} offer(s) expired.")
