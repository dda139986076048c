from django.core.management.base import BaseCommand, CommandError

from hub.audit.models import AuditEvent
from hub.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit chain; exit non-zero naming the first broken event."

    def handle(self, *args, **options) -> None:
        problem = audit_verify_chain()
        if problem is not None:
            raise CommandError(f"Audit chain broken at event {problem.sequence}: {problem.reason}.")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} event(s) verified."))
