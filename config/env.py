"""Configuration comes from environment variables only (twelve-factor).

Every setting that differs between machines is read here, with a safe default
for local development where one exists; production refuses to start without
the secrets it needs.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_keys(name: str, default: str = "") -> dict[str, str]:
    """Named keys, "id1:key1,id2:key2" -> {"id1": "key1", "id2": "key2"}, in the order given."""
    keys = {}
    for item in env_list(name, default):
        key_id, separator, key = item.partition(":")
        if not separator or not key_id.strip() or not key.strip():
            raise ImproperlyConfigured(f"{name} must be a list of id:key pairs separated by commas.")
        keys[key_id.strip()] = key.strip()
    return keys
