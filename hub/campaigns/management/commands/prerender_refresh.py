from django.core.management.base import BaseCommand

from hub.campaigns.prerender import prerender_refresh


class Command(BaseCommand):
    help = (
        "Re-render every published campaign's pre-rendered public pages (run it every minute: make run does; "
        "in production a systemd timer or cron). Only files whose content changed are written; files of "
        "campaigns no longer published are removed."
    )

    def handle(self, *args, **options) -> None:
        counts = prerender_refresh()
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())) or "nothing to do"
        self.stdout.write(f"Pre-rendered pages: {summary}.")
