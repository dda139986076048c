from django.core.management.base import BaseCommand, CommandError

from hub.core.backups import BackupError, backup_database, backup_media, describe_database, human_size


class Command(BaseCommand):
    help = (
        "Back up the database to one checked file, safely while the service runs: SQLite through its online "
        "backup API (hub-YYYYmmddTHHMMSSZ.sqlite3), PostgreSQL with pg_dump -Fc (hub-YYYYmmddTHHMMSSZ.dump), "
        "by default in VAR_DIR/backups/. Uploaded files in MEDIA_ROOT are not in the database: back them up "
        "with it (--media writes a tar of MEDIA_ROOT beside the backup). Restore with `manage.py restore PATH`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", metavar="PATH", help="Where to write the backup (it must not exist yet).")
        parser.add_argument(
            "--media", action="store_true", help="Also write MEDIA_ROOT as NAME-media.tar.gz beside the backup."
        )

    def handle(self, *args, **options) -> None:
        try:
            path = backup_database(options["output"])
            self.stdout.write(self.style.SUCCESS(f"Backed up {describe_database()} to {path}"))
            self.stdout.write(f"Size: {human_size(path.stat().st_size)}, checked.")
            if options["media"]:
                # After the database, so every file a backed-up row names is in the archive.
                media = backup_media(path)
                self.stdout.write(f"Uploaded files: {media} ({human_size(media.stat().st_size)}).")
            else:
                self.stdout.write(
                    "Uploaded files (MEDIA_ROOT) are not in this file: back them up as well, or use --media."
                )
        except BackupError as error:
            raise CommandError(str(error)) from error
