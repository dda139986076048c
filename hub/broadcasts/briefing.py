"""The partnership briefing of a campaign (after the CSEDay18 briefing): what the
day is, the theme and local commitment, what the partnership is doing, free
training, ways to get involved, suggested posts, how to report and the point of
contact. Composed in Markdown from the campaign's own data, then shown as a web
page, printed to PDF, or saved as a draft bulletin to send to partners.

Campaign text is escaped before it goes into the Markdown, so a post that starts
with a hashtag stays a line of text rather than becoming a heading. Every link
is absolute: the same Markdown is read in a browser, in a PDF and in an inbox.
"""

import datetime
import re
from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone

from hub.broadcasts.models import Bulletin, Series
from hub.campaigns.models import Campaign
from hub.core.errors import ApplicationError

BRIEFING_TOPIC = "Partnership briefing"
NOT_PUBLISHED_MESSAGE = "Only a published campaign has a partnership briefing"
SESSIONS_LISTED = 20

# The headings, in the order of the seed briefing.
HEADINGS = (
    "What is it?",
    "The national theme and our local commitment",
    "What the partnership is doing",
    "Free training",
    "Other ways to get involved",
    "Suggested posts",
    "How to report a concern",
    "Point of contact",
)


# --- Markdown helpers ---------------------------------------------------------------------

# Python-Markdown's backslash escapes cover these; "<" (raw HTML) becomes an entity instead.
_INLINE = re.compile(r"([\\`*_\[\]])")
_LINE_START = re.compile(r"^([#>+\-])")
_ORDERED = re.compile(r"^(\d+)\.(\s|$)")


def _escape_line(line: str) -> str:
    """One line of campaign text as literal Markdown text."""
    line = _INLINE.sub(r"\\\1", line.strip()).replace("<", "&lt;")
    line = _ORDERED.sub(r"\1\\.\2", line)
    return _LINE_START.sub(r"\\\1", line)


def _within_line(text: str) -> str:
    """Text that never starts a line (a hashtag in a sentence): only the inline escapes."""
    return _INLINE.sub(r"\\\1", " ".join((text or "").split())).replace("<", "&lt;")


def _inline(text: str) -> str:
    """Campaign text on one line (list items, quoted posts): whitespace collapsed."""
    return _escape_line(" ".join((text or "").split()))


def _paragraphs(text: str) -> list[str]:
    """Campaign text as Markdown paragraphs: blank lines separate them, single line
    breaks inside a paragraph are kept as spaces."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return [" ".join(_escape_line(line) for line in block.splitlines() if line.strip()) for block in blocks if block]


def _url(url: str) -> str:
    """An address safe inside Markdown's (...) or <...>."""
    return quote(url, safe=":/?#&=%+@,;~!$'*")


def _link(label: str, url: str) -> str:
    return f"[{_inline(label)}]({_url(url)})"


def _site(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "l j F Y")


def _time(value: datetime.datetime) -> str:
    return dateformat.format(timezone.localtime(value), "H:i")


def _local_day(value: datetime.datetime) -> str:
    return _day(timezone.localtime(value).date())


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- The sections -------------------------------------------------------------------------


def _section(heading: str, blocks: Iterable[str]) -> str:
    return "\n\n".join([f"## {heading}", *[block for block in blocks if block]])


def _what_it_is(campaign: Campaign) -> list[str]:
    blocks = _paragraphs(campaign.summary)
    name = _inline(campaign.name)
    if campaign.awareness_day:
        blocks.append(f"The awareness day is **{_day(campaign.awareness_day)}**.")
    if campaign.starts_on == campaign.ends_on:
        blocks.append(f"{name} runs on {_day(campaign.starts_on)}.")
    else:
        blocks.append(f"{name} runs from {_day(campaign.starts_on)} to {_day(campaign.ends_on)}.")
    blocks.extend(_paragraphs(campaign.about_cse))
    return blocks


def _theme(campaign: Campaign) -> list[str]:
    theme = _paragraphs(campaign.theme)
    blocks = []
    if theme:
        blocks.append(f"**The national theme:** {theme[0]}")
        blocks.extend(theme[1:])
    commitment = _paragraphs(campaign.local_commitment)
    if commitment:
        blocks.append(f"**Our local commitment:** {commitment[0]}")
        blocks.extend(commitment[1:])
    return blocks


def _open_moment(campaign: Campaign):
    from hub.social.models import Moment

    return Moment.objects.filter(campaign=campaign, status=Moment.Status.OPEN).first()


def _moment_line(moment) -> str:
    url = _site("social:moment", slug=moment.campaign.slug)
    return f"Join the moment on {_local_day(moment.moment_at)} at {_time(moment.moment_at)}: <{_url(url)}>"


def _doing(campaign: Campaign, *, moment, has_sessions: bool, has_posts: bool) -> list[str]:
    from hub.broadcasts.rendering import resource_url

    items = [f"Promoting the campaign page: <{_url(_site('campaigns:public_detail', slug=campaign.slug))}>"]
    for resource in campaign.resources.order_by("position", "pk"):
        line = f"Sharing {_link(resource.title, resource_url(resource))}"
        if resource.summary:
            line += f": {_inline(resource.summary)}"
        items.append(line)
    series_list = Series.objects.filter(campaign=campaign).order_by("created_at", "pk")
    for series in series_list:
        bulletins = [b for b in series.bulletins.order_by("day", "pk") if b.topic != BRIEFING_TOPIC]
        line = f"Sending the {_inline(series.name)} bulletins to partners"
        if bulletins:
            topics = "; ".join(f"{_day(b.day)}: {_inline(b.topic)}" for b in bulletins)
            line += f" ({topics})"
        line += f". Read the sent bulletins at <{_url(_site('broadcasts:archive_series', series=series.slug))}>"
        items.append(line)
    if has_posts or campaign.scheduled_posts.exists():
        items.append("Posting on social media in the run-up to the day and on the day itself")
    if has_sessions:
        items.append("Running free training sessions: see Free training below")
    if moment is not None:
        items.append(_moment_line(moment))
    return ["\n".join(f"- {item}" for item in items)]


def _sessions(campaign: Campaign) -> list:
    from hub.training.selectors import sessions_upcoming

    return list(sessions_upcoming().filter(course__campaign=campaign)[:SESSIONS_LISTED])


def _training(sessions: list) -> list[str]:
    all_sessions = f"<{_url(_site('training:session_list'))}>"
    if not sessions:
        return [
            "There are no training sessions booked for this campaign at the moment. "
            f"See all training sessions at {all_sessions}"
        ]
    blocks = [
        "Free sessions for anyone who works with, or around, children and young people. "
        "Share them with your teams and networks."
    ]
    items = []
    for session in sessions:
        if session.mode == session.Mode.ONLINE:
            place = "online"
        else:
            parts = [session.venue_name, *session.venue_address.splitlines()]
            place = ", ".join(part.strip() for part in parts if part.strip()) or "venue to be confirmed"
        left = session.places_left
        places = f"{left} place{'s' if left != 1 else ''} left" if left else "full: join the waiting list"
        book = _site("training:session_detail", pk=session.pk)
        items.append(
            f"- **{_inline(session.course.title)}**: {_local_day(session.starts_at)}, "
            f"{_time(session.starts_at)} to {_time(session.ends_at)}, {_inline(place)}. "
            f"{places[0].upper()}{places[1:]}. Book a place: <{_url(book)}>"
        )
    blocks.append("\n".join(items))
    blocks.append(f"See all training sessions at {all_sessions}")
    return blocks


def _involved(campaign: Campaign, *, moment, has_posts: bool, has_channels: bool) -> list[str]:
    pledge = _site("social:pledge_create", slug=campaign.slug)
    wall = _site("social:pledge_wall", slug=campaign.slug)
    items = [
        "Show your support: write a pledge on your hand, take a photo and add it to the pledge wall "
        f"at <{_url(pledge)}>. See everyone's pledges at <{_url(wall)}>"
    ]
    if moment is not None:
        items.append(_moment_line(moment))
    if campaign.hashtags:
        tags = _and_list([_within_line(f"#{tag}") for tag in campaign.hashtags])
        items.append(f"Join the conversation on social media using {tags}")
    if has_posts:
        items.append("Post your support throughout the day using the suggested posts below")
    if has_channels:
        items.append("Raise awareness of the ways to report a concern, below")
    return ["\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))]


def _posts(campaign: Campaign, posts: list) -> list[str]:
    if not posts:
        url = _site("campaigns:public_detail", slug=campaign.slug)
        return [f"There are no suggested posts yet. Share the campaign page: <{_url(url)}>"]
    return ["Copy these, or share them from the campaign page:"] + [f"> {_inline(post.text)}" for post in posts]


def _channel_line(channel) -> str:
    line = f"- **{_inline(channel.label)}**"
    if channel.is_emergency:
        line += " (in an emergency)"
    if channel.when_to_use.strip():
        line += f": {_inline(channel.when_to_use)}"
    ways = []
    if channel.phone:
        ways.append(f"Phone {_link(channel.phone, channel.phone_href)}")
    if channel.text_number:
        ways.append(f"Text {_inline(channel.text_number)}")
    if channel.email:
        ways.append(f"Email {_link(channel.email, 'mailto:' + channel.email)}")
    if channel.url:
        ways.append(f"Online <{_url(channel.url)}>")
    if ways:
        line += (" " if line.endswith((".", "!", "?")) else ". ") + ". ".join(ways) + "."
    return line


def _report(campaign: Campaign, channels: list) -> list[str]:
    page = f"<{_url(_site('campaigns:public_detail', slug=campaign.slug) + '#how-to-report')}>"
    if not channels:
        return [f"See how to report a concern about a child on the campaign page: {page}"]
    return [
        "If you are worried about a child, report it. Share these with your teams and networks:",
        "\n".join(_channel_line(channel) for channel in channels),
    ]


def _contact(campaign: Campaign) -> list[str]:
    return [
        f"{_inline(campaign.contact_name)}: {_link(campaign.contact_email, 'mailto:' + campaign.contact_email)}",
        "This mailbox is not for reporting concerns about a child.",
    ]


def briefing_markdown(campaign: Campaign) -> str:
    """The campaign's partnership briefing in Markdown (## headings, in HEADINGS order)."""
    if campaign.status != Campaign.Status.PUBLISHED:
        raise ApplicationError(NOT_PUBLISHED_MESSAGE, code="not_published")
    moment = _open_moment(campaign)
    sessions = _sessions(campaign)
    posts = list(campaign.suggested_posts.order_by("order", "pk"))
    channels = list(campaign.reporting_channels.order_by("-is_emergency", "position", "pk"))
    sections = [
        _what_it_is(campaign),
        _theme(campaign),
        _doing(campaign, moment=moment, has_sessions=bool(sessions), has_posts=bool(posts)),
        _training(sessions),
        _involved(campaign, moment=moment, has_posts=bool(posts), has_channels=bool(channels)),
        _posts(campaign, posts),
        _report(campaign, channels),
        _contact(campaign),
    ]
    return "\n\n".join(_section(heading, blocks) for heading, blocks in zip(HEADINGS, sections, strict=True)) + "\n"


# --- As a PDF and as a bulletin -----------------------------------------------------------


def _refuse_fetch(url: str, *args, **kwargs):
    """The briefing has no pictures or stylesheets to fetch: WeasyPrint fetches nothing."""
    raise ValueError(f"Not fetched: {url[:80]}")


def briefing_pdf(campaign: Campaign, *, now: datetime.datetime | None = None) -> bytes:
    """The briefing as an A4 PDF. WeasyPrint is imported here so the rest of the
    hub runs on a machine that lacks Pango."""
    from django.template.loader import render_to_string
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's "load truncated images" for the whole
    # process; pledge photos must not be padded (as in hub.training.attendance).
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    from hub.broadcasts.rendering import markdown_to_html

    now = timezone.localtime(now or timezone.now())
    html = render_to_string(
        "broadcasts/briefing_pdf.html",
        {
            "campaign": campaign,
            "body_html": markdown_to_html(briefing_markdown(campaign)),
            "generated_on": now,
            "page_url": _site("broadcasts:briefing", slug=campaign.slug),
            "site_name": settings.SITE_NAME,
        },
    )
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def briefing_subject(campaign: Campaign) -> str:
    return f"{campaign.name}: partnership briefing"[:200]


def briefing_to_bulletin(
    *, campaign: Campaign, series: Series, day: datetime.date, audiences: Iterable, actor, request=None
) -> Bulletin:
    """A draft bulletin of `series` holding the briefing, saved through bulletin_save so
    every rule of bulletins applies (one a day in a series, audiences that exist)."""
    from hub.broadcasts.bulletins import bulletin_save

    body = briefing_markdown(campaign)
    return bulletin_save(
        bulletin=None,
        series=series,
        data={
            "day": day,
            "topic": BRIEFING_TOPIC,
            "subject": briefing_subject(campaign),
            "body_markdown": body,
            "send_at": None,
        },
        audience_ids=[getattr(audience, "pk", audience) for audience in audiences],
        actor=actor,
        request=request,
    )
