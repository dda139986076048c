from django.core.management.base import BaseCommand

from hub.audit.services import audit_record
from hub.screening.crypto import current_key_id, key_ids_in_use, reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every screening value under the current key (SCREENING_ENCRYPTION_KEY_ID). "
        "Run it after adding a new key and making it current; when it reports nothing left under other keys, "
        "the old key can be removed from SCREENING_ENCRYPTION_KEYS. Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Only count values per key id; change nothing.")

    def handle(self, *args, check: bool, **options) -> None:
        current = current_key_id()
        if not check:
            changed = reencrypt_all()
            total = sum(changed.values())
            audit_record(action="screening.reencrypted", detail={"key_id": current, "rows": changed})
            for label, count in changed.items():
                self.stdout.write(f"{label}: {count} row(s) re-encrypted")
            self.stdout.write(f"Re-encrypted {total} row(s) under key {current!r}.")
        in_use = key_ids_in_use()
        old = {key_id: count for key_id, count in in_use.items() if key_id != current}
        self.stdout.write(
            "Values per key id: "
            + (", ".join(f"{key_id}={count}" for key_id, count in sorted(in_use.items())) or "none")
        )
        if old:
            self.stdout.write(
                self.style.WARNING(f"Still under other keys: {old}. Keep those keys until this is empty.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Nothing is left under other keys."))
