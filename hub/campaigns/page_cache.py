"""The public campaign page as Django serves it to anonymous visitors, kept for a few seconds.

nginx serves most visitors the pre-rendered file (prerender.py). Some still reach Django:
a link with a query string (posts shared on social networks carry ?utm_source= or
?fbclid=, and nginx sends any query string to the app), a stack without nginx in front,
or the moment before a file is first written. A full render costs some 30 ms of CPU
(Python and PostgreSQL), so on awareness day those visitors alone could use up the web
server (bench/spike.py: about 70 renders a second on 2 cores). The web processes therefore
answer them from a copy of the anonymous page rendered at most CAMPAIGN_PAGE_CACHE_SECONDS
before (0.5 to 0.7 ms a request); the middleware still runs on every answer (security
headers, Content-Security-Policy).

Who gets the copy: the rule of nginx's $hub_prerendered (deploy/nginx/snippets/hub-http.conf)
without the query string: GET or HEAD with no session cookie (signed-in staff) and no
messages cookie (a flash message after a form). The copy is keyed by the page's path, so
?utm_source=x and ?fbclid=y share it. What is stored must hold nothing per-visitor: the
same check as a pre-rendered file (`per_visitor_reason`).

Freshness: the copies are files that the machine's web processes share (the
"campaign_pages" cache, settings.CACHES), and a change drops its campaign's copy once it
has committed (campaign_prerender, which services schedule for every change to what the
page shows). Numbers that move without such a change (supporters, reach, places left) are
at most CAMPAIGN_PAGE_CACHE_SECONDS old, as live.json's are.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

KEY_PREFIX = "campaigns:page:"
CACHE_ALIAS = "campaign_pages"  # files shared by the machine's web processes (settings.CACHES)


def per_visitor_reason(request: HttpRequest, response: HttpResponse) -> str | None:
    """Why a page's response may not be served to other visitors (None when it may): it
    asked for a CSRF token, set a cookie or said it must not be cached."""
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return f"it says it must not be cached ({cache_control})"
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or b"csrfmiddlewaretoken" in response.content:
        return "it holds a form or a cookie"
    return None


def anonymous_reader(request: HttpRequest) -> bool:
    """A GET or HEAD from someone not signed in and with no flash message waiting."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def page_cache_drop(url_path: str) -> None:
    caches[CACHE_ALIAS].delete(KEY_PREFIX + url_path)


def anonymous_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve anonymous readers this process's copy of the page when it is fresh enough."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.CAMPAIGN_PAGE_CACHE_SECONDS
        if seconds <= 0 or not anonymous_reader(request):
            return view(request, *args, **kwargs)
        key = KEY_PREFIX + request.path
        cache = caches[CACHE_ALIAS]
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            # As the rendered answer says (the session middleware adds it there): a shared
            # cache must not give this anonymous page to someone signed in.
            patch_vary_headers(response, ("Cookie",))
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and per_visitor_reason(request, response) is None:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return cached_view
