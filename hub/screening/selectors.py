"""Reading the screening tool."""

from hub.screening.definition import Definition, definition_parse
from hub.screening.models import ToolVersion


def tool_version_current() -> ToolVersion | None:
    return ToolVersion.objects.filter(is_current=True).first()


def tool_definition(tool_version: ToolVersion) -> Definition:
    """The typed definition of a stored version (checked again: the database is not trusted blindly)."""
    return definition_parse(tool_version.definition)
