"""A member of the public finds a training session, books it (after a first try
with nothing filled in), then cancels through their link; and someone who finds
a session full joins its waiting list. Every page on the way is scanned with axe-core."""

import pytest
from playwright.sync_api import Page, expect

from hub.training.models import Booking
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXI_COURSE = "Spotting the signs in taxis"
SCHOOL_COURSE = "Safeguarding in schools"


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def fill_booking_form(page: Page, *, name: str, email: str, sector: str, job_role: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("group", name="Which sector do you work in?").get_by_label(sector, exact=True).check()
    page.get_by_label("Job role").fill(job_role)


def test_public_books_a_session_after_fixing_errors_then_cancels(page: Page) -> None:
    taxi = SessionFactory(course=CourseFactory(title=TAXI_COURSE, target_audiences=["Taxi drivers"]), capacity=12)
    SessionFactory(course=CourseFactory(title=SCHOOL_COURSE, target_audiences=["Teachers"]))

    # --- The listing shows both sessions until filtered by audience.
    page.goto("/training/")
    expect_heading(page, "Free training sessions")
    expect(page.get_by_role("heading", name="2 upcoming sessions")).to_be_visible()
    expect(page.get_by_role("link", name=TAXI_COURSE)).to_be_visible()
    expect(page.get_by_role("link", name=SCHOOL_COURSE)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Who it is for").select_option("Taxi drivers")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 upcoming session", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=SCHOOL_COURSE)).to_have_count(0)
    expect(page.get_by_label("Who it is for")).to_have_value("Taxi drivers")
    card = page.locator(".govuk-summary-card", has=page.get_by_role("link", name=TAXI_COURSE))
    expect(card).to_contain_text("Places left: 12 of 12")
    assert "audience=Taxi+drivers" in page.url
    assert_accessible(page)

    # --- The session page.
    card.get_by_role("link", name=TAXI_COURSE).click()
    expect_heading(page, TAXI_COURSE)
    assert page.url.endswith(f"/training/sessions/{taxi.pk}/")
    assert not page.title().startswith("Error: ")
    expect(page.get_by_text("Places left: 12 of 12.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Taxi drivers")).to_be_visible()
    assert_accessible(page)

    # --- Nothing filled in: the error summary, focused, links to each field.
    page.get_by_role("button", name="Book a place").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    expected_links = {
        "Enter your full name": "#id_name",
        "Enter your email address": "#id_email",
        "Select the sector you work in": "#id_sector_0",
        "Enter your job role": "#id_job_role",
    }
    for message, href in expected_links.items():
        expect(summary.get_by_role("link", name=message, exact=True)).to_have_attribute("href", href)
    expect(summary.get_by_role("link")).to_have_count(len(expected_links))
    expect(page.locator("#id_name-error")).to_have_text("Error: Enter your full name")
    expect(page.locator("#id_sector-error")).to_have_text("Error: Select the sector you work in")
    assert Booking.objects.count() == 0
    assert_accessible(page)

    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    summary.get_by_role("link", name="Select the sector you work in").click()
    expect(page.get_by_label("School or college", exact=True)).to_be_focused()

    # --- Filled in correctly: a place is booked.
    fill_booking_form(page, name="Sam Taylor", email="Sam.Taylor@Example.org", sector="Business", job_role="Driver")
    page.get_by_label("Organisation").fill("Seaside Taxis")
    page.get_by_label("If you work in a business, what kind?").select_option(label="Taxi or private hire firm")
    page.get_by_role("button", name="Book a place").click()

    expect(page.locator(".govuk-panel--confirmation").get_by_role("heading", level=1)).to_have_text(
        "Your place is booked"
    )
    expect(page.locator(".govuk-panel__body")).to_have_text(TAXI_COURSE)
    expect(page.get_by_text("We have sent a confirmation to sam.taylor@example.org")).to_be_visible()
    assert not page.title().startswith("Error: ")
    booking = Booking.objects.get(session=taxi)
    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.email, booking.business_type, booking.organisation_name) == (
        "sam.taylor@example.org",
        "taxi",
        "Seaside Taxis",
    )
    assert page.url.endswith(f"/training/bookings/{booking.token}/")
    assert_accessible(page)

    # --- The link in the email (and on the status page) cancels.
    cancel_url = f"/training/bookings/{booking.token}/cancel/"
    expect(page.get_by_role("link", name="Cancel your booking")).to_have_attribute("href", cancel_url)
    page.goto(cancel_url)
    expect_heading(page, "Cancel your booking")
    expect(page.get_by_text("Your place will be offered to the next person on the waiting list.")).to_be_visible()
    expect(page.get_by_role("link", name="Keep my booking")).to_have_attribute(
        "href", f"/training/bookings/{booking.token}/"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Cancel booking").click()

    expect_heading(page, "Your booking is cancelled")
    expect(page.get_by_role("link", name="Cancel your booking")).to_have_count(0)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert page.url.endswith(f"/training/bookings/{booking.token}/")
    assert_accessible(page)

    # --- The cancel link again: nothing left to cancel.
    page.goto(cancel_url)
    expect(page.get_by_text("This booking is not active, so there is nothing to cancel.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel booking")).to_have_count(0)
    assert_accessible(page)

    # --- The place is free again on the listing.
    page.goto("/training/")
    expect(page.locator(".govuk-summary-card", has_text=TAXI_COURSE)).to_contain_text("Places left: 12 of 12")
    assert_accessible(page)


def test_a_full_session_offers_the_waiting_list(page: Page) -> None:
    full = SessionFactory(course=CourseFactory(title=TAXI_COURSE), capacity=1)
    BookingFactory(session=full)

    page.goto("/training/")
    card = page.locator(".govuk-summary-card", has=page.get_by_role("link", name=TAXI_COURSE))
    expect(card).to_contain_text("Full: you can join the waiting list")
    assert_accessible(page)

    card.get_by_role("link", name=TAXI_COURSE).click()
    expect_heading(page, TAXI_COURSE)
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "This session is full. Fill in the form to join the waiting list"
    )
    expect(page.get_by_role("button", name="Book a place")).to_have_count(0)
    assert_accessible(page)

    fill_booking_form(page, name="Alex Morgan", email="alex@example.org", sector="Council", job_role="Licensing")
    page.get_by_role("button", name="Join the waiting list").click()

    expect_heading(page, "You are on the waiting list")
    expect(page.get_by_text("If a place becomes free we will email alex@example.org with an offer.")).to_be_visible()
    waiting = Booking.objects.get(session=full, email="alex@example.org")
    assert waiting.status == Booking.Status.WAITLISTED
    assert full.bookings.filter(status=Booking.Status.CONFIRMED).count() == 1
    expect(page.get_by_role("link", name="Leave the waiting list")).to_have_attribute(
        "href", f"/training/bookings/{waiting.token}/cancel/"
    )
    assert_accessible(page)

    # Leaving the waiting list, through the same link.
    page.get_by_role("link", name="Leave the waiting list").click()
    expect_heading(page, "Cancel your booking")
    expect(page.get_by_text("You will leave the waiting list.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel booking").click()
    expect_heading(page, "Your booking is cancelled")
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CANCELLED
    assert_accessible(page)


def test_booking_form_identifies_the_purpose_of_personal_fields(page: Page) -> None:
    session = SessionFactory()
    page.goto(f"/training/sessions/{session.pk}/")
    expect(page.get_by_label("Full name")).to_have_attribute("autocomplete", "name")
    expect(page.get_by_label("Organisation")).to_have_attribute("autocomplete", "organization")
    expect(page.get_by_label("Email address")).to_have_attribute("autocomplete", "email", timeout=1000)
    expect(page.get_by_label("Job role")).to_have_attribute("autocomplete", "organization-title")
