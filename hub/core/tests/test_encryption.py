"""Fields encrypted at rest: ciphertext in the database, plain text on the model,
keys rotated without losing old values, and no silent fallback to ciphertext."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from hub.core.encryption import decrypt_text, encrypt_text
from hub.social.models import SocialAccount

pytestmark = pytest.mark.django_db

TOKEN = "mastodon-access-token-0123456789"


def stored_secret(account: SocialAccount) -> str:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(SocialAccount._meta.db_table)
        cursor.execute(f"SELECT secret FROM {table} WHERE id = %s", [account.pk])  # noqa: S608 (table name from the model)
        return cursor.fetchone()[0]


def test_secret_is_ciphertext_in_the_database_and_text_on_the_model():
    account = SocialAccount.objects.create(network="mastodon", name="Ours", handle="@ours", secret=TOKEN)
    raw = stored_secret(account)
    assert TOKEN not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert SocialAccount.objects.get(pk=account.pk).secret == TOKEN


def test_each_encryption_differs():
    assert encrypt_text(TOKEN) != encrypt_text(TOKEN)


def test_rotation_keeps_old_values_readable(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    account = SocialAccount.objects.create(network="bluesky", name="Ours", handle="ours.example", secret=TOKEN)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert SocialAccount.objects.get(pk=account.pk).secret == TOKEN
    account.save()  # re-encrypted with the new first key
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert SocialAccount.objects.get(pk=account.pk).secret == TOKEN


def test_a_value_no_key_can_read_raises_instead_of_leaking_ciphertext(settings):
    token = encrypt_text(TOKEN)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="could not be decrypted"):
        decrypt_text(token)


def test_no_keys_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="Set FIELD_ENCRYPTION_KEYS"):
        encrypt_text(TOKEN)
