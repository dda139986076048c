import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hub.core.errors import ApplicationError
from hub.screening.definition import DEFAULT_DEFINITION_PATH, DefinitionError
from hub.screening.services import tool_version_load


class Command(BaseCommand):
    help = (
        "Load a screening tool definition (JSON) into the database and make it current. "
        "Loading the same version again changes nothing; changed content under a loaded version is refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(DEFAULT_DEFINITION_PATH), help="Definition file (default: %(default)s)."
        )

    def handle(self, *args, path: str, **options) -> None:
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file} is not valid JSON: {exc.msg} at line {exc.lineno}.") from exc
        try:
            tool_version, created = tool_version_load(data=data)
        except (DefinitionError, ApplicationError) as exc:
            raise CommandError(str(exc)) from exc
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {tool_version} and made it current."))
        else:
            current = " (current)" if tool_version.is_current else ""
            self.stdout.write(f"{tool_version}{current} is already loaded with this content; nothing changed.")
