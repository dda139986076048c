"""Writing and checking the audit chain.

Each event's hash is HMAC-SHA256(key, canonical content + previous hash).
Without the key nobody can forge a row that verifies; removing, inserting or
changing a row breaks the chain at that point.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from hub.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_AUDIT_LOCK_ID = 720_451_001


def _canonical(event: AuditEvent) -> bytes:
    content = {
        "sequence": event.sequence,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "ip_address": event.ip_address,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "detail": event.detail,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def compute_hash(event: AuditEvent) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, _canonical(event), hashlib.sha256).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    # Hash the address as the column stores it: the field rewrites IPv6 to its
    # canonical form on save ("2001:DB8::1" -> "2001:db8::1"), and hashing the
    # raw text made a true event fail verification as if changed.
    return AuditEvent._meta.get_field("ip_address").get_prep_value(address)


def audit_record(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it
    records, so the event and the change commit (or roll back) together."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    with transaction.atomic():
        # One writer at a time, so two events never claim the same predecessor.
        # SQLite already serialises writers (IMMEDIATE transactions).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_ID])
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            created_at=timezone.now(),
            actor=actor,
            ip_address=client_ip(request),
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            outcome=outcome,
            detail=detail or {},
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    reason: str


def audit_verify_chain(*, batch_size: int = 2000) -> ChainProblem | None:
    """Walk the chain in order; return the first broken event, or None."""
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            if event.sequence > expected_sequence:
                return ChainProblem(expected_sequence, f"event {expected_sequence} is missing")
            return ChainProblem(event.sequence, "sequence number out of order")
        if event.previous_hash != previous_hash:
            return ChainProblem(event.sequence, "does not follow the event before it (event removed or inserted)")
        if not hmac.compare_digest(event.hash, compute_hash(event)):
            return ChainProblem(event.sequence, "content does not match its hash (event changed)")
        previous_hash = event.hash
        expected_sequence += 1
    return None
