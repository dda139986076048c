"""Social handles as people type them, checked and normalised per network, so one
account counts once in the estimated reach however it was written."""

import re

from hub.core.errors import ApplicationError
from hub.social.models import Network

# The networks a supporter can post from at the moment, in the order the form asks.
MOMENT_NETWORKS = [Network.X, Network.FACEBOOK, Network.LINKEDIN, Network.MASTODON, Network.BLUESKY]

_RULES: dict[str, tuple[re.Pattern, str]] = {
    Network.X: (
        re.compile(r"^@?([a-z0-9_]{1,15})$"),
        "an X handle like @name: letters, numbers and _ only, 15 at most",
    ),
    Network.FACEBOOK: (
        re.compile(r"^(?:@)?([a-z0-9.]{5,50})$"),
        "a Facebook username like jo.bloggs: 5 to 50 letters, numbers or full stops",
    ),
    Network.LINKEDIN: (
        re.compile(r"^(?:@)?([a-z0-9-]{3,100})$"),
        "a LinkedIn profile name like jo-bloggs, as in your profile's address",
    ),
    Network.MASTODON: (
        re.compile(r"^@?([a-z0-9_]{1,30}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$"),
        "a Mastodon handle with its server, like @name@mastodon.social",
    ),
    Network.BLUESKY: (
        re.compile(r"^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$"),
        "a Bluesky handle like name.bsky.social",
    ),
}
_PREFIX = {Network.X: "@", Network.MASTODON: "@"}


def handle_normalise(network: str, text: str) -> str:
    """The handle in one canonical form, or an ApplicationError saying what is expected."""
    raw = (text or "").strip().lower()
    for prefix in (
        "https://x.com/",
        "https://twitter.com/",
        "https://bsky.app/profile/",
        "https://www.linkedin.com/in/",
    ):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :].strip("/")
    pattern, expected = _RULES[network]
    match = pattern.match(raw)
    if not match:
        raise ApplicationError(f"Enter {expected}", field=f"{network}_handle", code="invalid_handle")
    return _PREFIX.get(network, "") + match[1]
