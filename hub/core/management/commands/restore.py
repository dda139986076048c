from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from hub.core.backups import BackupError, check_backup, describe_database, restore_database


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `manage.py backup` (SQLite: the .sqlite3 file; "
        "PostgreSQL: the .dump archive, restored with pg_restore in one transaction). Everything written since "
        "the backup is lost. Stop the web server and the worker first. Uploaded files (MEDIA_ROOT) are not in "
        "the database backup: put back the files from the same time. Refuses to run without --yes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: overwrite every table of the configured database."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"]).expanduser().absolute()
        try:
            if not options["yes"]:
                check_backup(path)
                raise CommandError(
                    f"This would overwrite every table of {describe_database()} with the backup {path}; "
                    "everything written since that backup would be lost. Stop the web server and the worker, "
                    "then run again with --yes."
                )
            restore_database(path)
        except BackupError as error:
            raise CommandError(f"Not restored: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Restored {describe_database()} from {path}"))
        self._check_migrations()

    def _check_migrations(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        unknown = set(executor.loader.applied_migrations) - set(executor.loader.disk_migrations)
        if unapplied:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup predates {len(unapplied)} migration(s) of this code: run `manage.py migrate`."
                )
            )
        if unknown:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup was made by newer code ({len(unknown)} migration(s) this code does not have)."
                )
            )
