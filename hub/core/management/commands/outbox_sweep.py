from django.core.management.base import BaseCommand

from hub.core.outbox import outbox_sweep


class Command(BaseCommand):
    help = "Re-schedule due outbox messages and ones left mid-send by a stopped worker."

    def handle(self, *args, **options) -> None:
        count = outbox_sweep()
        self.stdout.write(f"Scheduled {count} outbox message(s).")
