"""Bulletins as email: Markdown sanitised, the plain text version, personalisation and the footer."""

import pytest

from hub.broadcasts.rendering import SAMPLE, bulletin_render, markdown_to_html, markdown_to_text
from hub.broadcasts.tests.factories_bulletins import BulletinAudienceFactory, BulletinFactory
from hub.campaigns.tests.factories import FileResourceFactory, LinkResourceFactory

HOSTILE = """\
Hello <script>alert("owned")</script> there.

<img src="x" onerror="alert(1)">

<iframe src="https://evil.example.com/">inside the frame</iframe>

<p style="color: red" onclick="alert(2)">Styled paragraph</p>

[Click me](javascript:alert(3)) and [data](data:text/html;base64,PHNjcmlwdD4=) and [relative](/staff/)

<a href="https://ok.example.org" style="x" target="_top" onmouseover="alert(4)">Raw link</a>

<object data="x.swf"></object><embed src="x.swf"><svg onload="alert(5)"></svg>
"""


def test_scripts_handlers_frames_styles_and_bad_links_are_removed():
    html = markdown_to_html(HOSTILE)
    lowered = html.lower()
    for forbidden in (
        "<script",
        "alert",
        "onerror",
        "onclick",
        "onmouseover",
        "onload",
        "<iframe",
        "inside the frame",
        "style=",
        "javascript:",
        "data:",
        'href="/staff/"',
        "<img",
        "<object",
        "<embed",
        "<svg",
        "target=",
    ):
        assert forbidden not in lowered, forbidden
    assert "Hello" in html and "there." in html
    assert "<p>Styled paragraph</p>" in html
    assert '<a href="https://ok.example.org" rel="noopener">Raw link</a>' in html


def test_markdown_features_are_kept():
    html = markdown_to_html(
        "# Big heading\n\n## Section\n\n### Part\n\n#### Detail\n\n"
        "Some **bold**, *italic* and `code`.\n\n"
        "- one\n- two\n\n1. first\n2. second\n\n"
        "> A quotation\n\n"
        "[A guide](https://www.gov.uk/guide) or [email us](mailto:cse-hub@partnership.example.org) "
        "or [call](tel:+441234567890)\n\n"
        "| Risk | Action |\n|------|--------|\n| High | Call |\n\n"
        "```\nline one\n```\n"
    )
    assert "<h1" not in html  # the email's only <h1> is its topic
    assert "<h2>Big heading</h2>" in html and "<h2>Section</h2>" in html
    assert "<h3>Part</h3>" in html and "<h4>Detail</h4>" in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html and "<code>code</code>" in html
    assert "<ul>\n<li>one</li>" in html and "<ol>\n<li>first</li>" in html
    assert "<blockquote>" in html
    assert '<a href="https://www.gov.uk/guide" rel="noopener">A guide</a>' in html
    assert 'href="mailto:cse-hub@partnership.example.org"' in html and 'href="tel:+441234567890"' in html
    assert "<table>" in html and "<th>Risk</th>" in html and "<td>Call</td>" in html
    assert "<pre><code>line one" in html


def test_plain_text_version_is_readable():
    text = markdown_to_text(
        "## Screening tool\n\nPlease use the [screening tool](https://www.example.org/tool).\n\n"
        "- first point\n- second point\n\n1. step one\n2. step two\n\n"
        "Email [cse-hub@partnership.example.org](mailto:cse-hub@partnership.example.org) "
        "or see <https://www.example.org/cse>.\n\n<script>alert(1)</script>"
    )
    assert "<" not in text and "**" not in text and "alert" not in text
    assert "Screening tool\n==============" in text
    assert "Please use the screening tool (https://www.example.org/tool)." in text
    assert "- first point\n- second point" in text
    assert "1. step one\n2. step two" in text
    # A link whose text is its address is not repeated.
    assert "Email cse-hub@partnership.example.org or see https://www.example.org/cse." in " ".join(text.split())


def test_plain_text_wraps_long_paragraphs_without_breaking_addresses():
    address = "https://www.example.org/" + "a" * 90
    text = markdown_to_text(("word " * 40) + f"[link]({address})")
    assert all(len(line) <= 72 for line in text.splitlines() if address not in line)
    assert address in text


@pytest.mark.django_db
def test_bulletin_is_personalised_with_resources_and_footer(settings):
    schools = BulletinAudienceFactory(name="Schools")
    members = BulletinAudienceFactory(name="Elected Members")
    bulletin = BulletinFactory(
        topic="Schools Resources",
        subject="Awareness week: resources for schools",
        body_markdown="Share the **guide** with parents.",
        audiences=[schools, members],
    )
    link = LinkResourceFactory(campaign=bulletin.series.campaign, title="Keeping your child safe online")
    upload = FileResourceFactory(campaign=bulletin.series.campaign, title="Local flow chart")
    bulletin.resources.set([link, upload])

    rendered = bulletin_render(
        bulletin,
        name="Designated Safeguarding Lead",
        unsubscribe_url="https://hub.example.org/u/abc/",
        unsubscribe_all_url="https://hub.example.org/u/abc/?from=everything",
        browser_url="https://hub.example.org/bulletins/week/1/",
    )

    assert rendered.subject == "Awareness week: resources for schools"
    download = f"{settings.SITE_URL}/campaigns/{bulletin.series.campaign.slug}/resources/{upload.pk}/"
    for part in (rendered.html, rendered.text):
        assert "Dear Designated Safeguarding Lead," in part
        assert "Keeping your child safe online" in part and "https://www.example.org/guide" in part
        assert "Local flow chart" in part and download in part
        assert "https://hub.example.org/u/abc/" in part
        assert "from=everything" in part
        assert "https://hub.example.org/bulletins/week/1/" in part
        assert "mailing list for Elected Members and Schools" in part
        assert "Unsubscribe from Elected Members and Schools bulletins" in part
    assert "<strong>guide</strong>" in rendered.html
    assert "<h1>Schools Resources</h1>" in rendered.html
    assert "<script" not in rendered.html and "style=" not in rendered.html
    assert "Share the guide with parents." in rendered.text and "<" not in rendered.text


@pytest.mark.django_db
def test_greeting_without_a_name_and_the_sample_links():
    rendered = bulletin_render(BulletinFactory(), **{**SAMPLE, "name": "  "})
    assert "Dear colleague," in rendered.text
    assert "preview.invalid/preview-only/unsubscribe-from-this-audience" in rendered.html
    assert all("preview.invalid" in url for key, url in SAMPLE.items() if key.endswith("url"))


@pytest.mark.django_db
def test_a_batch_copy_is_identical_to_one_rendered_alone():
    """Sending renders the templates once per batch and fills in each recipient; the
    result must be exactly what rendering that recipient alone gives."""
    from hub.broadcasts.rendering import bulletin_parts
    from hub.broadcasts.tests.factories_bulletins import BulletinFactory

    bulletin = BulletinFactory(body_markdown="Hello **partners**, see [the guide](https://example.org/guide).")
    parts = bulletin_parts(bulletin)
    for name in ("O'Brien & <Sons>", "Designated Safeguarding Lead", ""):
        links = {
            "unsubscribe_url": "https://hub.example.org/bulletins/unsubscribe/abc-_123/",
            "unsubscribe_all_url": "https://hub.example.org/bulletins/unsubscribe/abc-_123/?from=everything",
            "browser_url": "https://hub.example.org/bulletins/week/1/",
        }
        alone = bulletin_render(bulletin, name=name, **links)
        in_batch = bulletin_render(bulletin, name=name, parts=parts, **links)
        assert in_batch == alone
        assert "\x00" not in in_batch.html + in_batch.text
