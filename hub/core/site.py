"""Facts about this site that several capabilities need."""

from urllib.parse import urlparse

from django.conf import settings


def site_host() -> str:
    """The host name of SITE_URL, for Message-IDs and calendar UIDs."""
    return urlparse(settings.SITE_URL).hostname or "localhost"
