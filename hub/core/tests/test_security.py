"""An unauthenticated crawl of every URL pattern: no staff page answers anyone
not signed in, no page errors, and every answer carries the security headers."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Placeholder values by path converter: a protected view must refuse before it looks anything up.
CONVERTER_VALUES = {"int": "1", "slug": "placeholder", "str": "placeholder", "uuid": str(uuid.uuid4()), "path": "x"}
STAFF_PREFIXES = ("/staff/", "/account/api-tokens/", "/account/recovery-codes/")


def script_sources(policy: str) -> str:
    """The sources scripts may come from: script-src, else default-src. (An email preview may allow
    inline styles, which emails need; no page may allow inline scripts.)"""
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    return directives.get("script-src") or directives.get("default-src", "")


def every_route(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str]]:
    """(route with placeholders filled, pattern name) for every pattern, includes followed."""
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        converters = getattr(pattern.pattern, "converters", {})
        for name, converter in converters.items():
            kind = {v: k for k, v in {
                "int": "IntConverter", "slug": "SlugConverter", "str": "StringConverter",
                "uuid": "UUIDConverter", "path": "PathConverter",
            }.items()}.get(type(converter).__name__, "str")  # fmt: skip
            route = route.replace(f"<{kind}:{name}>", CONVERTER_VALUES[kind]).replace(f"<{name}>", "placeholder")
        if isinstance(pattern, URLResolver):
            routes += every_route(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            routes.append((prefix + route, pattern.name or ""))
    return routes


def crawlable() -> list[tuple[str, str]]:
    routes = []
    for route, name in every_route():
        if route.startswith(("^", "api/v1/")) or "(?P" in route:  # regex patterns: the API has its own tests
            continue
        routes.append(("/" + route, name))
    return routes


def test_the_crawl_reaches_every_app():
    paths = [path for path, _ in crawlable()]
    for prefix in ("/staff/screening/", "/staff/training/", "/staff/campaigns/", "/campaigns/", "/training/"):
        assert any(path.startswith(prefix) for path in paths), prefix


def test_no_staff_page_answers_anyone_not_signed_in(client):
    call_command("load_demo", stdout=StringIO())
    answered = {}
    for path, name in crawlable():
        response = client.get(path)
        answered[path] = response.status_code
        assert response.status_code < 500, f"{path} ({name}) answered {response.status_code}"
        if response.status_code == 405:  # POST-only: what matters is that a POST is refused too
            response = client.post(path)
        if path.startswith(STAFF_PREFIXES):
            assert response.status_code == 302, f"staff page {path} ({name}) answered {response.status_code}"
            assert response["Location"].startswith(reverse("accounts:sign_in")), path
        policy = response.get("Content-Security-Policy", "")
        scripts = script_sources(policy)
        assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, (path, policy)
        assert response["X-Content-Type-Options"] == "nosniff", path
    assert sum(path.startswith("/staff/") for path in answered) > 50
