"""Bulletins as email: Markdown made safe HTML and readable plain text, and the
personalised message (greeting, linked resources, a footer with why they get it,
the browser link and both unsubscribe links).

Markdown is rendered with Python-Markdown, then every byte of its output passes
through nh3 with an explicit allow-list: raw HTML in the Markdown is allowed
through the renderer only to be stripped by the sanitiser, so scripts, event
handlers, iframes, style attributes and non-web links never reach an inbox.
"""

import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import markdown
import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from markdown.treeprocessors import Treeprocessor

from hub.broadcasts.models import Bulletin
from hub.campaigns.models import Resource

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Tags removed together with everything inside them (not just unwrapped).
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "title"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Markdown extensions: no raw-HTML ones (md_in_html), none that set attributes (attr_list).
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]

# For previews and test sends: clearly placeholders, on a domain that can never resolve (RFC 2606).
SAMPLE = {
    "name": "Sample Recipient",
    "unsubscribe_url": "https://preview.invalid/preview-only/unsubscribe-from-this-audience",
    "unsubscribe_all_url": "https://preview.invalid/preview-only/unsubscribe-from-everything",
    "browser_url": "https://preview.invalid/preview-only/view-in-your-browser",
}

TEXT_WIDTH = 72


class _HeadingLevels(Treeprocessor):
    """The email's own <h1> is the topic: '#' and '##' give <h2>, '###' <h3>, deeper <h4>."""

    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                element.tag = f"h{min(max(int(element.tag[1]), 2), 4)}"
        return None


@lru_cache(maxsize=64)
def markdown_to_html(text: str) -> str:
    """Markdown to an HTML fragment holding only the allow-listed tags and safe links."""
    renderer = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    renderer.treeprocessors.register(_HeadingLevels(renderer), "heading_levels", 1)
    html = renderer.convert(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",  # a relative link means nothing in an inbox
        link_rel="noopener",
        strip_comments=True,
    ).strip()


@lru_cache(maxsize=64)
def markdown_to_text(text: str) -> str:
    """Markdown to plain text: links as 'text (url)', lists with '- ', lines wrapped."""
    writer = _TextWriter()
    writer.feed(markdown_to_html(text))
    writer.close()
    return writer.text()


class _TextWriter(HTMLParser):
    """Walks sanitised HTML (only ALLOWED_TAGS) and writes readable plain text."""

    BLOCKS = {"p", "h2", "h3", "h4", "pre", "table", "blockquote", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.lists: list[list] = []  # [tag, items so far]
        self.marker = ""  # the "- " or "2. " the next line of a list item starts with
        self.quote = 0
        self.pre = 0
        self.heading = ""
        self.links: list[tuple[str, int]] = []
        self.cells: list[str] = []

    # Output helpers ---------------------------------------------------------------------

    def _gap(self) -> None:
        if self.lines and self.lines[-1].strip(" >"):
            self.lines.append(">" * self.quote)

    def _prefixes(self) -> tuple[str, str]:
        quote = "> " * self.quote
        if not self.lists:
            return quote, quote
        base = quote + "  " * (len(self.lists) - 1)
        if self.marker:
            return base + self.marker, base + " " * len(self.marker)
        return base + "  ", base + "  "

    def _flush(self) -> None:
        text, self.buffer = "".join(self.buffer), []
        first, rest = self._prefixes()
        if self.pre:
            for line in text.strip("\n").split("\n"):
                self.lines.append(f"{first}    {line}".rstrip())
            return
        text = " ".join(text.split())
        if not text:
            return
        wrapped = textwrap.wrap(
            text,
            width=TEXT_WIDTH,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,  # never split a web address
            break_on_hyphens=False,
        )
        self.lines.extend(wrapped)
        self.marker = ""
        if self.heading:
            self.lines.append(first + ("=" if self.heading == "h2" else "-") * min(len(text), TEXT_WIDTH))

    # Parser events ----------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._flush()
            if not self.lists:
                self._gap()
        if tag in {"h2", "h3", "h4"}:
            self.heading = tag
        elif tag in {"ul", "ol"}:
            self._flush()
            if not self.lists:
                self._gap()
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            self._flush()
            current = self.lists[-1]
            current[1] += 1
            self.marker = "- " if current[0] == "ul" else f"{current[1]}. "
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "br":
            self._flush()
        elif tag == "hr":
            self.lines.append("-" * 20)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.buffer)))
        elif tag == "tr":
            self.cells = []
        elif tag in {"td", "th"}:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"p", "h2", "h3", "h4"}:
            self._flush()
            self.heading = ""
            if not self.lists:
                self._gap()
        elif tag == "li":
            self._flush()
            self.marker = ""
        elif tag in {"ul", "ol"} and self.lists:
            self._flush()
            self.lists.pop()
            if not self.lists:
                self._gap()
        elif tag == "blockquote":
            self._flush()
            self.quote = max(self.quote - 1, 0)
            if self.lines and not self.lines[-1].strip(" >"):
                self.lines[-1] = ">" * self.quote  # the quote's own blank line, now outside it
            else:
                self._gap()
        elif tag == "pre":
            self._flush()
            self.pre = max(self.pre - 1, 0)
            self._gap()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = " ".join("".join(self.buffer[start:]).split())
            shown = re.sub(r"^(mailto|tel):", "", href)
            if href and label not in {href, shown}:
                self.buffer.append(f" ({shown})" if label else shown)
        elif tag in {"td", "th"}:
            self.cells.append(" ".join("".join(self.buffer).split()))
            self.buffer = []
        elif tag == "tr":
            first, _ = self._prefixes()
            self.lines.append(first + " | ".join(self.cells))
            self.cells = []
        elif tag == "table":
            self._gap()

    def handle_data(self, data: str) -> None:
        self.buffer.append(data)

    def text(self) -> str:
        self._flush()
        text = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n(>?\n)+", lambda match: "\n" + match.group(1), text).strip("\n")


# --- The personalised email --------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class LinkedResource:
    title: str
    summary: str
    url: str


def resource_url(resource: Resource) -> str:
    """An absolute address for a resource: its own link, or the hub's download address."""
    if resource.url:
        return resource.url
    path = reverse("campaigns:resource_download", kwargs={"slug": resource.campaign.slug, "pk": resource.pk})
    return settings.SITE_URL + path


def greeting_name(name: str) -> str:
    """The name after 'Dear': the contact's name as staff entered it. Many contacts are role
    mailboxes ("Designated Safeguarding Lead"), so a guessed first name would read badly."""
    return " ".join((name or "").split()) or "colleague"


@dataclass
class BulletinParts:
    """What every recipient's copy shares: worked out once per batch, not per message.
    `skeleton` is the rendered email with placeholders where each copy differs."""

    audiences: list[str]
    resources: list[LinkedResource]
    body_html: str
    body_text: str
    skeleton: tuple[str, str] | None = None


# Stand-ins for what differs per recipient; NUL cannot occur in a name, a URL or a template.
_SLOTS = {
    "name": "\x00name\x00",
    "unsubscribe_url": "\x00unsubscribe\x00",
    "unsubscribe_all_url": "\x00unsubscribe-all\x00",
    "browser_url": "\x00browser\x00",
}


def bulletin_parts(bulletin: Bulletin) -> BulletinParts:
    return BulletinParts(
        audiences=[audience.name for audience in bulletin.audiences.all()],
        resources=[
            LinkedResource(title=resource.title, summary=resource.summary, url=resource_url(resource))
            for resource in bulletin.resources.select_related("campaign").order_by("position", "pk")
        ],
        body_html=markdown_to_html(bulletin.body_markdown),
        body_text=markdown_to_text(bulletin.body_markdown),
    )


def bulletin_render(
    bulletin: Bulletin,
    *,
    name: str,
    unsubscribe_url: str,
    unsubscribe_all_url: str,
    browser_url: str,
    parts: BulletinParts | None = None,
) -> RenderedEmail:
    """One recipient's copy. Given the batch's `parts`, the templates are rendered once
    with stand-ins and each copy only fills them in (the same result, much faster)."""
    values = {
        "name": greeting_name(name),
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_all_url": unsubscribe_all_url,
        "browser_url": browser_url,
    }
    if parts is None:
        html, text = _render_templates(bulletin, bulletin_parts(bulletin), values)
        return RenderedEmail(subject=bulletin.subject, html=html, text=text)
    if parts.skeleton is None:
        parts.skeleton = _render_templates(bulletin, parts, _SLOTS)
    html, text = parts.skeleton
    for key, slot in _SLOTS.items():
        html = html.replace(slot, escape(values[key]))
        text = text.replace(slot, values[key])
    return RenderedEmail(subject=bulletin.subject, html=html, text=text)


def _render_templates(bulletin: Bulletin, parts: BulletinParts, values: dict) -> tuple[str, str]:
    audience_text = _and_list(parts.audiences)
    context = {
        "subject": bulletin.subject,
        "series_name": bulletin.series.name,
        "day": bulletin.day,
        "topic": bulletin.topic,
        "body_html": parts.body_html,
        "body_text": parts.body_text,
        "resources": parts.resources,
        "why": (
            f"You are getting this email because you are on the {settings.SITE_NAME}'s "
            + (f"mailing list for {audience_text}." if parts.audiences else "partner mailing list.")
        ),
        "unsubscribe_label": f"Unsubscribe from {audience_text} bulletins" if parts.audiences else "Unsubscribe",
        "site_name": settings.SITE_NAME,
        **values,
    }
    html = render_to_string("broadcasts/email/bulletin.html", context)
    text = render_to_string("broadcasts/email/bulletin.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return html, text


def _and_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
