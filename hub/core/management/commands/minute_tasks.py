import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)

# The timed work, in this order, once a minute (hub-tasks.timer, deploy/hub-tasks.sh,
# make run). Each command is safe to run again and again.
MINUTE_TASKS = (
    "outbox_sweep",  # re-sends anything a stopped worker left
    "broadcasts_tasks",  # scheduled bulletins, retries, deliveries a stopped worker had reserved
    "social_tasks",  # supporter moments and scheduled posts that are due
    "training_tasks",  # unanswered offers of places, day-before reminders, feedback forms, certificates
    "screening_tasks",  # review reminders, retention
    "prerender_refresh",  # the pre-rendered public pages (live numbers at least once a minute)
)


class Command(BaseCommand):
    help = (
        "Run the timed work once: " + ", ".join(MINUTE_TASKS) + ". One Python process for all of them "
        "(each started alone costs about a second of CPU), and one failing does not stop the others; "
        "the exit status is 1 if any failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("tasks", nargs="*", help="only these (default: all, in order)")

    def handle(self, *args, **options) -> None:
        unknown = [name for name in options["tasks"] if name not in MINUTE_TASKS]
        if unknown:
            raise CommandError(f"Not a timed task: {', '.join(unknown)}. The timed tasks: {', '.join(MINUTE_TASKS)}")
        failed = []
        for name in options["tasks"] or MINUTE_TASKS:
            try:
                call_command(name, stdout=self.stdout, stderr=self.stderr)
            except Exception:
                logger.exception("Timed task %s failed", name)
                failed.append(name)
        if failed:
            raise CommandError(f"Timed tasks failed: {', '.join(failed)} (the others ran)")
