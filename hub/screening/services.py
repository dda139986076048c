"""Changes to screening data; each change and its audit event commit together."""

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.screening.definition import definition_parse
from hub.screening.models import ToolVersion


def definition_hash(data: Any) -> str:
    """SHA-256 of the definition as canonical JSON, so layout and key order do not count as a change."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def tool_version_load(*, data: Any, actor=None) -> tuple[ToolVersion, bool]:
    """Check a definition and store it as a new current version.

    Loading a version already stored with the same content changes nothing and
    returns (version, False). Different content under a stored version number
    is refused: a new version needs a new number. Raises DefinitionError
    (a ValueError) for an invalid definition, ApplicationError for a conflict.
    """
    definition = definition_parse(data)
    content_hash = definition_hash(data)
    existing = ToolVersion.objects.select_for_update().filter(version=definition.version).first()
    if existing is not None:
        if existing.content_hash != content_hash:
            raise ApplicationError(
                f"Tool version {definition.version} is already loaded with different content. "
                "A loaded version never changes; give the new content a new version number."
            )
        return existing, False
    ToolVersion.objects.filter(is_current=True).update(is_current=False)
    tool_version = ToolVersion.objects.create(
        version=definition.version,
        title=definition.title,
        definition=data,
        content_hash=content_hash,
        loaded_at=timezone.now(),
        is_current=True,
    )
    audit_record(
        action="screening.tool_version_loaded",
        actor=actor,
        obj=tool_version,
        detail={"version": tool_version.version, "content_hash": content_hash},
    )
    return tool_version, True
