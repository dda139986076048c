from django.core.management.base import BaseCommand
from django.utils import timezone

from hub.screening.retention import retention_rule, retention_run, screenings_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise the screenings the retention rule no longer keeps (SCREENING_RETENTION_RULE; by default "
        "a child's screenings are kept until the child is 25 and all of them are closed). Lists screenings by "
        "public id only, never by name. screening_tasks runs this once a day; safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be anonymised now; change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        rule = retention_rule()
        self.stdout.write(f"Retention rule: kept {rule.describe()}, and while any of the child's screenings is open.")
        items = screenings_anonymise(dry_run=True) if dry_run else retention_run()
        for item in items:
            self.stdout.write(
                f"{item.public_id}  closed {timezone.localdate(item.closed_at).isoformat()}  "
                f"child {item.child_id}  {item.reason}"
            )
        if dry_run:
            self.stdout.write(f"{len(items)} screening(s) would be anonymised. Dry run: nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(items)} screening(s) anonymised."))
