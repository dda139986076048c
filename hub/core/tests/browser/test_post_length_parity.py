"""The editor's live count (static/social/post-length.js) agrees with the
server's refusal (hub.social.lengths) on every text of the Python test corpus."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from hub.social.lengths import (
    bluesky_bytes,
    bluesky_graphemes,
    mastodon_length,
    post_length_checks,
    x_weighted_length,
)
from hub.social.tests.test_lengths import CORPUS, FAMILY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_LENGTH_JS = Path(settings.BASE_DIR) / "hub" / "social" / "static" / "social" / "post-length.js"


def load_script(page: Page) -> None:
    page.goto("/")
    # evaluate() runs through DevTools, so the page's strict CSP need not be relaxed.
    page.evaluate(POST_LENGTH_JS.read_text() + "\n;undefined")


def test_browser_counts_exactly_as_the_server(page: Page):
    load_script(page)
    browser_counts = page.evaluate(
        """texts => texts.map(text => [
            hubPostLength.xWeightedLength(text),
            hubPostLength.mastodonLength(text),
            hubPostLength.blueskyGraphemes(text),
            hubPostLength.blueskyBytes(text),
        ])""",
        CORPUS,
    )
    server_counts = [
        [x_weighted_length(text), mastodon_length(text), bluesky_graphemes(text), bluesky_bytes(text)]
        for text in CORPUS
    ]
    differences = [
        (text[:60], server, browser)
        for text, server, browser in zip(CORPUS, server_counts, browser_counts, strict=True)
        if server != browser
    ]
    assert len(CORPUS) >= 40
    assert differences == []


def test_browser_checks_match_the_server_with_a_mastodon_limit(page: Page):
    load_script(page)
    text = "a" * 520 + " " + FAMILY * 121
    checks = page.evaluate(
        "([text, limit]) => hubPostLength.checks(text, ['bluesky', 'facebook', 'x', 'mastodon'], limit)", [text, 600]
    )
    expected = post_length_checks(text, ["bluesky", "facebook", "x", "mastodon"], mastodon_limit=600)
    assert checks == [
        {"network": c.network, "length": c.length, "limit": c.limit, "unit": c.unit, "ok": c.ok} for c in expected
    ]


def test_textarea_shows_a_live_count_for_each_checked_network(page: Page):
    page.goto("/")
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.innerHTML = `
              <textarea id="post" data-post-length data-networks-name="networks"
                data-post-length-output="post-length"></textarea>
              <input type="checkbox" name="networks" value="x" id="n-x" checked>
              <input type="checkbox" name="networks" value="mastodon" id="n-m">
              <input type="checkbox" name="networks" value="bluesky" id="n-b" checked>
              <input type="checkbox" name="networks" value="facebook" id="n-f" checked>
              <div id="post-length" aria-live="polite"></div>`;
            (document.querySelector("main") || document.body).append(form);
        }"""
    )
    page.evaluate(POST_LENGTH_JS.read_text() + "\n;undefined")
    lines = page.locator("#post-length .hub-length")
    expect(lines).to_have_text(["X: 0 of 280", "Bluesky: 0 of 300"])

    page.locator("#post").fill("Hello https://www.westsussex.gov.uk/cse " + "日" * 130)
    expect(lines).to_have_text(["X: 290 of 280 – 10 too many", "Bluesky: 170 of 300"])
    expect(lines.first).to_have_class("hub-length hub-length--over")
    expect(lines.nth(1)).to_have_class("hub-length")

    page.locator("#n-m").check()
    expect(lines).to_have_text(["X: 290 of 280 – 10 too many", "Mastodon: 160 of 500", "Bluesky: 170 of 300"])

    page.locator("#n-x").uncheck()
    page.locator("#post").fill(FAMILY * 121)
    expect(lines).to_have_text(["Mastodon: 121 of 500", "Bluesky: 121 of 300; 3025 of 3000 bytes – 25 too many"])
    expect(lines.nth(1)).to_have_class("hub-length hub-length--over")
