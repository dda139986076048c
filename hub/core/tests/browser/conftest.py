"""Playwright driving Debian's Chromium against pytest-django's live server,
with axe-core (from npm) run on every page a journey visits."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Playwright's sync API keeps an event loop in this thread; Django's guard
# against async-unsafe calls would otherwise refuse the tests' database work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageProblems:
    """Console errors (CSP violations among them) seen while a journey ran."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    problems = PageProblems()
    page.on("console", lambda message: message.type == "error" and problems.console_errors.append(message.text))
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()
    assert problems.console_errors == [], f"Browser console errors: {problems.console_errors}"


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical WCAG 2.2 AA violations on the page as it is now."""
    # evaluate() runs through DevTools, so the page's strict CSP need not be relaxed.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"Accessibility violations on {page.url}: {violations}"


def sign_in(page: Page, *, role: str, email: str) -> None:
    """Sign in through the real pages (password, then the TOTP code) as a new user with `role`."""
    from hub.accounts.tests.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory

    from .test_staff_sign_in import current_code

    user = UserFactory(email=email, roles=[role])
    device = TOTPDeviceFactory(user=user)
    page.goto("/account/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Security code")
    assert_accessible(page)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff pages")
    assert_accessible(page)
