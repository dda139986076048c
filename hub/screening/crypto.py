"""Identifying details of children, encrypted at rest with AES-256-GCM.

Each stored value is "<key id>$<base64url(nonce || ciphertext+tag)>", so the
key that encrypted it is known without trying every key, and values can be
re-encrypted under a new key (`screening_reencrypt`). The field's own name is
bound in as associated data: a ciphertext copied into another column fails to
decrypt instead of showing a name as a date of birth.

Keys come from the environment (settings.SCREENING_ENCRYPTION_KEYS, a mapping
of key id -> 32 bytes in url-safe base64); settings.SCREENING_ENCRYPTION_KEY_ID
names the one that encrypts. Repeat screenings of one child are linked by a
keyed hash (blind index) of the normalised name and date of birth, with its own
key, never by searching plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

SEPARATOR = "$"
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(ImproperlyConfigured):
    """A stored value that no configured key decrypts (a missing key, or tampering)."""


def _key_bytes(key_id: str, encoded: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(encoded.encode() + b"=" * (-len(encoded) % 4))
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"Screening key {key_id!r} is not url-safe base64.") from error
    if len(key) != 32:
        raise ImproperlyConfigured(f"Screening key {key_id!r} must be 32 bytes (AES-256), not {len(key)}.")
    return key


@lru_cache(maxsize=4)
def _keyring(items: tuple[tuple[str, str], ...], current: str) -> tuple[str, dict[str, AESGCM]]:
    if not items:
        raise ImproperlyConfigured("Set SCREENING_ENCRYPTION_KEYS to store screenings.")
    ring = {}
    for key_id, encoded in items:
        if not KEY_ID_PATTERN.match(key_id):
            raise ImproperlyConfigured(f"Screening key id {key_id!r}: use letters, digits, - or _ (at most 32).")
        ring[key_id] = AESGCM(_key_bytes(key_id, encoded))
    if current not in ring:
        raise ImproperlyConfigured(f"SCREENING_ENCRYPTION_KEY_ID {current!r} is not in SCREENING_ENCRYPTION_KEYS.")
    return current, ring


def keyring() -> tuple[str, dict[str, AESGCM]]:
    keys = settings.SCREENING_ENCRYPTION_KEYS
    current = settings.SCREENING_ENCRYPTION_KEY_ID or (next(iter(keys)) if keys else "")
    return _keyring(tuple(sorted(keys.items())), current)


def current_key_id() -> str:
    return keyring()[0]


def encrypt(plaintext: str, *, context: str) -> str:
    key_id, ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring[key_id].encrypt(nonce, plaintext.encode(), context.encode())
    return f"{key_id}{SEPARATOR}{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(stored: str) -> str:
    return stored.split(SEPARATOR, 1)[0]


def decrypt(stored: str, *, context: str) -> str:
    key_id, _, body = stored.partition(SEPARATOR)
    ring = keyring()[1]
    if key_id not in ring or not body:
        raise DecryptionError(f"No screening key with id {key_id!r} is configured (or the value is damaged).")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        return ring[key_id].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except (InvalidTag, ValueError) as error:
        raise DecryptionError(f"A value encrypted with key {key_id!r} failed its integrity check.") from error


class AesGcmTextField(models.TextField):
    """Text stored encrypted with AES-256-GCM. The model attribute is plaintext.

    Not searchable or sortable in the database, by design: lookups other than
    isnull would compare ciphertexts, so they are refused. Empty text is stored
    as empty text."""

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.context = f"{cls._meta.label_lower}.{name}"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value, context=self.context)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value, context=self.context)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # Django then raises FieldError: "Unsupported lookup"
        return super().get_lookup(lookup_name)


def encrypted_fields(model: type[models.Model]) -> list[AesGcmTextField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, AesGcmTextField)]


# --- Blind index --------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing do not make a different child:
    "Siân O'Neil-Smith" and "sian oneil smith" give the same text."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = re.findall(r"[^\W_]+", letters.replace("'", "").replace("\u2019", ""))
    return " ".join(words)


def blind_index(*, name: str, date_of_birth: date) -> str:
    key = settings.SCREENING_BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("Set SCREENING_BLIND_INDEX_KEY to link repeat screenings.")
    message = f"{normalise_name(name)}|{date_of_birth.isoformat()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def models_with_encrypted_fields() -> list[tuple[type[models.Model], list[AesGcmTextField]]]:
    from django.apps import apps

    found = [(model, encrypted_fields(model)) for model in apps.get_models()]
    return [(model, fields) for model, fields in found if fields]


def reencrypt_all(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every value not under the current key; returns rows changed per model.

    Safe to run while the service is up and to run again after an interruption:
    each row is locked, re-read and rewritten in its own transaction, and rows
    already under the current key are skipped."""
    from django.db import transaction
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    current = current_key_id()
    prefix = f"{current}{SEPARATOR}"
    changed: dict[str, int] = {}
    for model, fields in models_with_encrypted_fields():
        # The stored text itself (a plain TextField cast skips decryption), to pick rows under an old key.
        raw = {f"raw_{field.name}": Cast(field.name, output_field=TextField()) for field in fields}
        stale = Q()
        for name in raw:
            stale |= ~Q(**{f"{name}__startswith": prefix}) & ~Q(**{name: ""}) & Q(**{f"{name}__isnull": False})
        pks = list(model._default_manager.annotate(**raw).filter(stale).values_list("pk", flat=True))
        count = 0
        for start in range(0, len(pks), batch_size):
            for pk in pks[start : start + batch_size]:
                with transaction.atomic():
                    row = model._default_manager.select_for_update().filter(pk=pk).first()
                    if row is None:
                        continue
                    values = {field.name: getattr(row, field.name) for field in fields}
                    model._default_manager.filter(pk=pk).update(**values)
                    count += 1
        changed[model._meta.label] = count
    return changed


def key_ids_in_use() -> dict[str, int]:
    """How many stored values each key id encrypts, across every encrypted field."""
    from collections import Counter

    from django.db.models import TextField
    from django.db.models.functions import Cast

    counts: Counter[str] = Counter()
    for model, fields in models_with_encrypted_fields():
        for field in fields:
            values = model._default_manager.annotate(raw=Cast(field.name, output_field=TextField())).values_list(
                "raw", flat=True
            )
            counts.update(key_id_of(value) for value in values.iterator() if value)
    return dict(counts)
