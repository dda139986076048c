"""Public campaign pages pre-rendered to static HTML for the front web server.

The page at /campaigns/<slug>/ is written to PRERENDER_ROOT/campaigns/<slug>/index.html;
nginx serves that file to GET/HEAD without touching Python and falls back to Django
when there is none. Every page is rendered by its own view, called with an anonymous
request: there is one way a page is drawn, so the file is what Django would serve a
visitor who is not signed in.

Nothing per-visitor may be baked in. These pages hold no forms (they link to the
sign-up, pledge and booking pages, which Django serves with a fresh CSRF token), no
messages and no signed-in navigation. A page that asked for a CSRF token, set a cookie
or said it must not be cached is refused: its file is removed and Django serves it.

When it happens:
- after a change commits: services call `campaign_prerender_schedule(campaign)`;
  the page is re-rendered once the transaction has committed, and a failure is logged
  without touching the person's change (the file is removed, so Django serves the page);
- every minute: `manage.py prerender_refresh` re-renders every published campaign (so
  numbers and dates stay at most a minute old for visitors without JavaScript), writes
  only files whose content changed, and removes files of campaigns no longer published;
- the numbers that move (supporters, reach, places left) are also fetched from
  /campaigns/<slug>/live.json by campaigns/live.js.
"""

import contextlib
import fcntl
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import resolve, reverse

from hub.campaigns.models import Campaign
from hub.campaigns.page_cache import page_cache_drop, per_visitor_reason
from hub.campaigns.selectors import campaigns_published

logger = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
INDEX = "index.html"

# The campaign's pages that are pre-rendered (URL names taking the campaign's slug).
# Later capabilities add theirs with `prerender_page_register`; only pages without
# forms or anything per-visitor belong here.
_pages: list[str] = ["campaigns:public_detail"]

WRITTEN, UNCHANGED, REMOVED, ABSENT, REFUSED, FAILED = (
    "written",
    "unchanged",
    "removed",
    "absent",
    "refused",
    "failed",
)


class NotPrerenderable(Exception):
    """The page holds something per-visitor (a CSRF token, a cookie) or says it must not be cached."""


def prerender_page_register(url_name: str) -> str:
    if url_name not in _pages:
        _pages.append(url_name)
    return url_name


def prerender_root() -> Path:
    return Path(settings.PRERENDER_ROOT)


def prerender_path(url_path: str) -> Path:
    """Where the file of a page lives: /campaigns/x/ -> PRERENDER_ROOT/campaigns/x/index.html."""
    parts = [part for part in url_path.split("/") if part]
    if not url_path.startswith("/") or not url_path.endswith("/") or any(part in {".", ".."} for part in parts):
        raise ValueError(f"Not a pre-renderable path: {url_path!r}")
    return prerender_root().joinpath(*parts, INDEX)


# --- Rendering -------------------------------------------------------------------------


def page_render(url_path: str) -> bytes | None:
    """The page's HTML as its view serves an anonymous visitor; None when there is no
    such page (404, 403, a redirect). Raises NotPrerenderable for per-visitor pages."""
    from django.test import RequestFactory  # here: web processes need not load django.test at start

    site = urlsplit(settings.SITE_URL)
    request = RequestFactory().get(url_path, HTTP_HOST=site.netloc or "localhost", secure=site.scheme == "https")
    request.user = AnonymousUser()
    match = resolve(url_path)
    request.resolver_match = match
    try:
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    except (Http404, PermissionDenied):
        return None
    if response.status_code != 200 or response.streaming:
        return None
    reason = per_visitor_reason(request, response)
    if reason is not None:
        raise NotPrerenderable(f"{url_path}: {reason}; Django serves it")
    return response.content


# --- Files -----------------------------------------------------------------------------


def _write(path: Path, content: bytes) -> str:
    """Atomically replace the file (readers see the old page or the new, never half);
    nothing is written when the content is the same, so the file's mtime is kept."""
    try:
        if path.read_bytes() == content:
            return UNCHANGED
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{INDEX}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)  # the web server reads it as another user
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return WRITTEN


def _remove(path: Path) -> str:
    try:
        path.unlink()
    except FileNotFoundError:
        return ABSENT
    return REMOVED


def _prune(directory: Path) -> None:
    """Remove a campaign's folder once it holds no more pages (leftover temporary files go too)."""
    if not directory.is_dir():
        return
    for folder, _subfolders, files in os.walk(directory, topdown=False):
        for name in files:
            if name == INDEX or (name.startswith(f".{INDEX}.") and name.endswith(".tmp")):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, name))
        with contextlib.suppress(OSError):
            os.rmdir(folder)


@contextlib.contextmanager
def _campaign_lock(slug: str) -> Iterator[None]:
    """One render and write of a campaign at a time across processes, so an older render
    (the minute refresh) cannot overwrite a newer one (after a change)."""
    locks = prerender_root() / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{slug}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def campaign_prerender(slug: str, *, keep_on_error: bool = False) -> dict[str, str]:
    """Bring the files of one campaign's pages up to date: written (or unchanged) when it is
    published, removed when it is not (or no longer exists). Returns {url path: outcome}.

    A page that fails to render is logged; its old file is removed, so Django serves the
    page, unless `keep_on_error` (the minute refresh: the old file was right a minute ago)."""
    if not SLUG_PATTERN.match(slug):
        raise ValueError(f"Not a campaign slug: {slug!r}")
    outcomes: dict[str, str] = {}
    with _campaign_lock(slug):
        published = campaigns_published().filter(slug=slug).exists()
        for url_name in list(_pages):
            url_path = reverse(url_name, kwargs={"slug": slug})
            path = prerender_path(url_path)
            page_cache_drop(url_path)  # this process's copy for Django's visitors (page_cache.py)
            if not published:
                outcomes[url_path] = _remove(path)
                continue
            try:
                content = page_render(url_path)
            except NotPrerenderable as error:
                logger.warning("Not pre-rendered: %s", error)
                _remove(path)
                outcomes[url_path] = REFUSED
                continue
            except Exception:
                logger.exception("Pre-rendering %s failed", url_path)
                if not keep_on_error:
                    _remove(path)
                outcomes[url_path] = FAILED
                continue
            outcomes[url_path] = _write(path, content) if content is not None else _remove(path)
        if not published:
            _prune(prerender_path(reverse("campaigns:public_detail", kwargs={"slug": slug})).parent)
    return outcomes


def campaign_prerender_after_change(slug: str) -> None:
    """Re-render after a change has committed; never raises (the change stands either way)."""
    try:
        campaign_prerender(slug)
    except Exception:
        logger.exception("Pre-rendering campaign %s after a change failed; prerender_refresh will retry", slug)


def campaign_prerender_schedule(campaign: Campaign | None) -> None:
    """Re-render the campaign's public pages once the current transaction commits (at once
    outside one). Services call this for any change to what the pages show."""
    if campaign is None or not campaign.slug:
        return
    slug = campaign.slug  # taken now: the row may be gone (deleted) by the time it runs
    transaction.on_commit(lambda: campaign_prerender_after_change(slug))


def prerender_refresh() -> dict[str, int]:
    """Every published campaign re-rendered (files written only when changed), and the
    files of campaigns that are no longer published removed. Counts of each outcome."""
    counts: dict[str, int] = {}
    slugs = list(campaigns_published().order_by("slug").values_list("slug", flat=True))
    for slug in slugs:
        for outcome in campaign_prerender(slug, keep_on_error=True).values():
            counts[outcome] = counts.get(outcome, 0) + 1
    campaigns_folder = prerender_root() / "campaigns"
    if campaigns_folder.is_dir():
        published = set(slugs)
        for folder in campaigns_folder.iterdir():
            if folder.is_dir() and folder.name not in published and SLUG_PATTERN.match(folder.name):
                for outcome in campaign_prerender(folder.name).values():
                    counts[outcome] = counts.get(outcome, 0) + 1
    return counts
