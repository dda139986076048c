"""The social pages in Chromium: a coordinator writes a suggested post (with the
live length count) and sets up a moment; the public shares and copies a post,
joins and leaves the moment, and sends, sees and reports a #HelpingHands pledge.
Every page on the way is scanned with axe-core."""

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from hub.accounts.roles import Role
from hub.campaigns.tests.factories import CampaignFactory
from hub.social.models import Moment, Pledge, SuggestedPost, Supporter
from hub.social.tests.factories import MomentFactory, SuggestedPostFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR_EMAIL = "campaigns@partnership.example.org"
SHARED_TEXT = "Know the signs of child sexual exploitation and how to report a concern. #CSEDay26"


def _context_page(browser: Browser, live_server, **options) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    visitor = context.new_page()
    errors: list[str] = []
    visitor.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield visitor
    context.close()
    assert errors == [], f"Browser console errors seen by the visitor: {errors}"


@pytest.fixture
def visitor(browser: Browser, live_server) -> Iterator[Page]:
    """A member of the public: a browser context of its own, never signed in."""
    yield from _context_page(browser, live_server)


@pytest.fixture
def copier(browser: Browser, live_server) -> Iterator[Page]:
    """A member of the public whose browser lets the page use the clipboard."""
    yield from _context_page(browser, live_server, permissions=["clipboard-read", "clipboard-write"])


def fill_date(page: Page, legend: str, date: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def error_summary_links(page: Page) -> dict[str, str]:
    links = page.locator(".govuk-error-summary__list a")
    return {links.nth(i).inner_text(): links.nth(i).get_attribute("href") or "" for i in range(links.count())}


def pledge_png(tmp_path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (236, 200, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 120, 440, 420), fill=(222, 180, 150))
    draw.text((240, 250), "I pledge to listen", fill=(20, 20, 120))
    path = tmp_path / "my-pledge.png"
    image.save(path, format="PNG")
    return path


def image_loaded(page: Page, selector: str) -> None:
    """The image is in view, has finished loading and has pixels."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_function(
        "sel => { const img = document.querySelector(sel); return img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
    )
    assert page.locator(selector).first.evaluate("img => img.naturalWidth") > 0


# --- 1. The coordinator: a suggested post, then a moment ----------------------------------------

TOO_LONG_FOR_X = ("Spot the signs of child sexual exploitation. " * 7)[:280] + " #CSEDay26"  # 290 characters
SHORT_POST = "Spot the signs of child sexual exploitation. Report a concern: call 101. #CSEDay26"


def open_new_suggested_post(page: Page, slug: str) -> None:
    """From the campaign's staff page, through the social overview, to "Add a suggested post"."""
    page.goto(f"/staff/campaigns/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CSE Awareness Day 2026")
    assert_accessible(page)
    page.get_by_role("link", name="Social: posts, moment and pledges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Social")
    assert_accessible(page)
    page.get_by_role("link", name="Add a suggested post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a suggested post")
    assert_accessible(page)


def test_live_count_marks_a_post_too_long_for_x(page: Page) -> None:
    campaign = CampaignFactory(published=True, name="CSE Awareness Day 2026", slug="cseday26")
    sign_in(page, role=Role.CAMPAIGN_COORDINATOR, email=COORDINATOR_EMAIL)
    open_new_suggested_post(page, campaign.slug)
    networks = page.get_by_role("group", name="Which networks does it suit?")
    # GOV.UK checkboxes, several of them ticked to start with (X, Facebook and Bluesky).
    expect(networks.get_by_role("checkbox")).to_have_count(7, timeout=2000)
    expect(networks.get_by_role("checkbox", name="X (Twitter)")).to_be_checked()
    expect(networks.get_by_role("checkbox", name="Bluesky")).to_be_checked()

    page.get_by_label("Message").fill(TOO_LONG_FOR_X)
    x_line = page.locator("#post-length .hub-length").filter(has_text="X:")
    expect(x_line).to_have_text("X: 290 of 280 – 10 too many")
    expect(x_line).to_have_class("hub-length hub-length--over")
    expect(page.locator("#post-length .hub-length").filter(has_text="Bluesky:")).to_have_text("Bluesky: 290 of 300")
    assert_accessible(page)
    page.get_by_role("button", name="Save suggested post").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("X allows 280 characters; this post is 290")
    expect(x_line).to_have_class("hub-length hub-length--over")  # counted again as the page comes back
    page.get_by_label("Message").fill(SHORT_POST)
    expect(x_line).to_have_text(f"X: {len(SHORT_POST)} of 280")
    expect(x_line).not_to_have_class("hub-length hub-length--over")


def test_coordinator_adds_a_suggested_post_and_sets_up_a_moment(page: Page) -> None:
    campaign = CampaignFactory(published=True, name="CSE Awareness Day 2026", slug="cseday26")
    sign_in(page, role=Role.CAMPAIGN_COORDINATOR, email=COORDINATOR_EMAIL)
    open_new_suggested_post(page, campaign.slug)

    # --- Too long for X: refused on the server, with the GOV.UK error summary.
    # (The live count before submitting is test_live_count_marks_a_post_too_long_for_x.)
    assert len(TOO_LONG_FOR_X) == 290
    page.get_by_label("Message").fill(TOO_LONG_FOR_X)
    page.get_by_label("X (Twitter)").check()
    page.get_by_role("button", name="Save suggested post").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("X allows 280 characters; this post is 290")
    assert error_summary_links(page) == {"X allows 280 characters; this post is 290": "#id_text"}
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("Message")).to_have_value(TOO_LONG_FOR_X)
    expect(page.locator("#id_text-error")).to_contain_text("X allows 280 characters; this post is 290")
    assert_accessible(page)
    summary.get_by_role("link", name="X allows 280 characters; this post is 290").click()
    expect(page.get_by_label("Message")).to_be_focused()

    # --- Shortened: saved and listed.
    page.get_by_label("Message").fill(SHORT_POST)
    page.get_by_role("button", name="Save suggested post").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Suggested post saved.")
    expect(page.get_by_role("table", name="Suggested posts")).to_contain_text(SHORT_POST)
    assert_accessible(page)
    assert list(SuggestedPost.objects.values_list("text", flat=True)) == [SHORT_POST]

    # --- The moment: sign-ups closing after the moment is refused, then it is set up.
    page.get_by_role("link", name="Set up a moment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a moment")
    assert_accessible(page)
    day = timezone.localdate() + datetime.timedelta(days=14)
    fill_date(page, "Date of the moment", day)
    page.get_by_label("Time of the moment").fill("11:00")
    fill_date(page, "Sign-ups close on", day + datetime.timedelta(days=1))
    page.get_by_label("Sign-ups close at").fill("5pm")
    page.get_by_label("Goal: how many supporters?").fill("50")
    page.get_by_role("button", name="Save moment").click()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Sign-ups must close before the moment")
    assert error_summary_links(page) == {"Sign-ups must close before the moment": "#id_deadline_date_0"}
    assert_accessible(page)
    assert not Moment.objects.exists()

    fill_date(page, "Sign-ups close on", day - datetime.timedelta(days=1))
    page.get_by_label("All or nothing").check()
    page.get_by_role("button", name="Save moment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Moment saved. Supporters can sign up on the campaign page."
    )
    expect(page.locator("#moment-progress-label")).to_have_text("0 of 50 supporters (0%)")
    expect(page.get_by_text("(all or nothing)")).to_be_visible()
    assert_accessible(page)
    moment = Moment.objects.get()
    assert timezone.localtime(moment.moment_at).replace(tzinfo=None) == datetime.datetime.combine(
        day, datetime.time(11, 0)
    )
    assert timezone.localtime(moment.signup_deadline).replace(tzinfo=None) == datetime.datetime.combine(
        day - datetime.timedelta(days=1), datetime.time(17, 0)
    )
    assert (moment.goal, moment.all_or_nothing) == (50, True)


# --- 2. The public shares a suggested post and copies it ------------------------------------------


def test_public_shares_and_copies_a_suggested_post(copier: Page) -> None:
    campaign = CampaignFactory(published=True, name="CSE Awareness Day 2026", slug="cseday26")
    SuggestedPostFactory(campaign=campaign, text=SHARED_TEXT, order=1)

    copier.goto(f"/campaigns/{campaign.slug}/")
    expect(copier.get_by_role("heading", name="Share the message")).to_be_visible()
    assert_accessible(copier)

    # Chromium names it "Share on X : message 1 (opens in a new tab)": the hidden span is a box of its own.
    x_link = copier.get_by_role("link", name=re.compile(r"^Share on X\s*: message 1 \(opens in a new tab\)$"))
    href = x_link.get_attribute("href") or ""
    assert href.startswith("https://twitter.com/intent/tweet?")
    query = parse_qs(urlsplit(href).query)
    assert query["text"] == [SHARED_TEXT]
    assert query["url"][0].endswith(f"/campaigns/{campaign.slug}/")
    assert "hashtags" not in query  # the post already carries #CSEDay26
    expect(x_link).to_have_attribute("target", "_blank")
    expect(copier.get_by_role("link", name=re.compile(r"^Share on Bluesky\s*: message 1"))).to_be_visible()

    # http://localhost is a secure context, so the Copy button is offered.
    assert copier.evaluate("window.isSecureContext") is True
    copy = copier.get_by_role("button", name="Copy message 1")
    expect(copy).to_be_visible()
    status = copier.locator("#copy-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")
    copy.click()
    expect(status).to_have_text("Message copied. You can now paste it into a post.")
    # The button says "Copied" for three seconds (so it is found by its target, not its name).
    expect(copier.locator("button[data-copy-target]")).to_have_accessible_name("Copied message 1")
    assert copier.evaluate("navigator.clipboard.readText()") == SHARED_TEXT
    assert_accessible(copier)


# --- 3. The public joins the moment, then withdraws -----------------------------------------------


def test_public_joins_the_moment_and_withdraws(visitor: Page) -> None:
    campaign = CampaignFactory(published=True, name="CSE Awareness Day 2026", slug="cseday26")
    MomentFactory(campaign=campaign, goal=10)

    visitor.goto(f"/campaigns/{campaign.slug}/")
    expect(visitor.locator("#moment-progress-label")).to_have_text("0 of 10 supporters (0%)")
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Join the moment").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Join the moment")
    assert_accessible(visitor)

    # --- Nothing filled in: the error summary takes the focus and links to each field.
    visitor.get_by_role("button", name="Sign up").click()
    summary = visitor.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert visitor.title().startswith("Error: ")
    assert error_summary_links(visitor) == {
        "Enter your first name": "#id_first_name",
        "Enter your email address": "#id_email",
    }
    assert_accessible(visitor)
    summary.get_by_role("link", name="Enter your email address").click()
    expect(visitor.get_by_label("Email address")).to_be_focused()

    # --- Name and email but no account to post from.
    visitor.get_by_label("First name").fill("Robin")
    visitor.get_by_label("Email address").fill("robin@example.org")
    visitor.get_by_role("button", name="Sign up").click()
    expect(summary).to_be_focused()
    assert error_summary_links(visitor) == {"Enter at least one account you will post from": "#id_x_handle"}
    assert_accessible(visitor)

    visitor.get_by_label("X (Twitter) handle").fill("@robin_helps")
    visitor.get_by_label("X (Twitter) followers").fill("1200")
    visitor.get_by_role("button", name="Sign up").click()
    expect(visitor.locator(".govuk-panel__title")).to_have_text("You're signed up")
    expect(visitor.get_by_role("list").filter(has_text="X (Twitter): @robin_helps")).to_be_visible()
    assert_accessible(visitor)
    status_url = visitor.url
    supporter = Supporter.objects.get()
    assert (supporter.email, supporter.withdrawn_at) == ("robin@example.org", None)

    # --- The progress, on the campaign page and the moment page. The campaign page's copy for
    # anonymous readers and live.json's numbers are up to ten seconds old by design
    # (hub/campaigns/page_cache.py): here those seconds have passed.
    for cache in caches.all():
        cache.clear()
    visitor.get_by_role("link", name="Back to CSE Awareness Day 2026").click()
    expect(visitor.locator("#moment-progress-label")).to_have_text("1 of 10 supporters (10%)")
    expect(visitor.locator(".hub-moment-progress")).to_contain_text("Estimated reach: 1,200 people.")
    assert_accessible(visitor)
    visitor.goto(f"/campaigns/{campaign.slug}/moment/")
    expect(visitor.locator("#moment-progress-label")).to_have_text("1 of 10 supporters (10%)")
    expect(visitor.locator(".hub-moment-progress")).to_contain_text("Estimated reach: 1,200 people.")
    assert_accessible(visitor)

    # --- Withdrawing: one click on the status page.
    visitor.goto(status_url)
    visitor.get_by_role("button", name="Withdraw from the moment").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("You have withdrawn")
    assert_accessible(visitor)
    supporter.refresh_from_db()
    assert supporter.withdrawn_at is not None
    visitor.goto(f"/campaigns/{campaign.slug}/moment/")
    expect(visitor.locator("#moment-progress-label")).to_have_text("0 of 10 supporters (0%)")
    expect(visitor.locator(".hub-moment-progress")).to_contain_text("Estimated reach: 0 people.")


# --- 4. A pledge: sent, moderated, on the wall, reported ------------------------------------------


def test_pledge_is_sent_approved_shown_and_reported(page: Page, visitor: Page, tmp_path: Path) -> None:
    campaign = CampaignFactory(published=True, name="CSE Awareness Day 2026", slug="cseday26")
    wall = f"/campaigns/{campaign.slug}/pledges/"
    wall_image = "ul.hub-pledge-wall img"

    visitor.goto(wall)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("#HelpingHands pledges")
    expect(visitor.get_by_text("No pledges have been published yet.")).to_be_visible()
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Add your pledge").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Add your pledge")
    assert_accessible(visitor)
    visitor.get_by_label("Photo of your pledge").set_input_files(pledge_png(tmp_path))
    visitor.get_by_label("First name", exact=True).fill("Sam")
    visitor.get_by_label("Your message").fill("I will listen")
    visitor.get_by_label("I agree that the partnership may show my photo").check()
    visitor.get_by_label("The photo does not show a child's face or a school uniform").check()
    visitor.get_by_role("button", name="Send pledge").click()
    expect(visitor.locator(".govuk-panel__title")).to_have_text("Pledge sent")
    assert_accessible(visitor)
    pledge = Pledge.objects.get()
    assert (pledge.status, pledge.width, pledge.height) == (Pledge.Status.PENDING, 640, 480)

    # Not on the wall until a coordinator has looked at it.
    visitor.get_by_role("link", name="See the pledges").click()
    expect(visitor.get_by_text("No pledges have been published yet.")).to_be_visible()
    expect(visitor.locator(wall_image)).to_have_count(0)

    # --- The coordinator approves it.
    sign_in(page, role=Role.CAMPAIGN_COORDINATOR, email=COORDINATOR_EMAIL)
    page.goto(f"/staff/campaigns/{campaign.slug}/social/")
    page.get_by_role("link", name="Moderate #HelpingHands pledges").click()
    expect(page.get_by_role("heading", name="Waiting for moderation (1)")).to_be_visible()
    image_loaded(page, "ul.hub-pledge-wall img")
    assert_accessible(page)
    page.get_by_role("link", name=f"Review pledge {pledge.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review pledge {pledge.pk}")
    image_loaded(page, "img.hub-report-photo")
    assert_accessible(page)
    page.get_by_label("Approve: show it on the wall").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Pledge approved.")
    assert_accessible(page)

    # --- Now on the wall, and the photo loads for the public.
    visitor.goto(wall)
    expect(visitor.locator(wall_image)).to_have_count(1)
    expect(visitor.locator(wall_image)).to_have_attribute("alt", "A hand with a written pledge, from Sam")
    expect(visitor.locator("ul.hub-pledge-wall")).to_contain_text("“I will listen” – Sam")
    image_loaded(visitor, wall_image)
    assert_accessible(visitor)

    # --- The public reports it: it is hidden at once.
    visitor.get_by_role("link", name="Report this pledge from Sam").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Report a pledge")
    image_loaded(visitor, "img.hub-report-photo")
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Report pledge").click()
    expect(visitor.locator(".govuk-error-summary")).to_be_focused()
    assert error_summary_links(visitor) == {"Enter what is wrong with this pledge": "#id_reason"}
    assert_accessible(visitor)
    visitor.get_by_label("What is wrong with this pledge?").fill("It shows a phone number")
    visitor.get_by_role("button", name="Report pledge").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Back to the pledges").click()
    expect(visitor.get_by_text("No pledges have been published yet.")).to_be_visible()
    expect(visitor.locator(wall_image)).to_have_count(0)
    pledge.refresh_from_db()
    assert pledge.hidden_by_report is True
