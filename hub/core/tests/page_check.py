"""Checks every HTML page a test client receives (after GOV.UK Notify's
`client_request` fixture): a title, unique ids, forms with an action, labels
that point at real fields, and no inline scripts (the CSP forbids them)."""

from collections import Counter
from html.parser import HTMLParser

from django.http import HttpResponse
from django.test import Client


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.forms_without_action = 0
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.title_text = ""
        self.h1_count = 0
        self._in_title = False
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        # onclick= and the like are inline scripts too, refused by the CSP.
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag == "html":
            self.html_lang = attributes.get("lang") or ""
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "form" and not attributes.get("action"):
            self.forms_without_action += 1
        elif tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.inline_scripts += 1
        elif tag == "label" and attributes.get("for"):
            self.label_targets.append(attributes["for"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_text += data


def page_problems(html: str) -> list[str]:
    parser = _PageParser()
    parser.feed(html)
    problems = []
    if not parser.title_text.strip():
        problems.append("page has no <title>")
    if not parser.html_lang:
        problems.append("<html> has no lang")
    if parser.h1_count != 1:
        problems.append(f"page has {parser.h1_count} <h1> elements, not one")
    duplicates = [value for value, count in Counter(parser.ids).items() if count > 1]
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    if parser.forms_without_action:
        problems.append(f"{parser.forms_without_action} form(s) without an action")
    if parser.inline_scripts:
        problems.append(f"{parser.inline_scripts} inline script(s)")
    if parser.inline_handlers:
        problems.append(f"inline event handler attribute(s): {sorted(set(parser.inline_handlers))}")
    missing = sorted(set(parser.label_targets) - set(parser.ids))
    if missing:
        problems.append(f"labels for missing ids: {missing}")
    return problems


class CheckedClient(Client):
    """A test client that fails the test on any HTML page with a problem above."""

    def request(self, **request) -> HttpResponse:
        response = super().request(**request)
        content_type = response.get("Content-Type", "")
        streaming = getattr(response, "streaming", False)
        path = request.get("PATH_INFO", "")
        # Django's admin is Django's markup, not ours: it is left out.
        ours = not path.startswith("/django-admin/")
        checkable = content_type.startswith("text/html") and not streaming and response.status_code != 302
        if ours and checkable and response.content:
            problems = page_problems(response.content.decode())
            assert not problems, f"Page check failed for {path}: {problems}"
        return response
