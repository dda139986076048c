"""A trainer on a tablet: signs in, opens today's session, takes the register by
touch, and the attendee then checks their certificate and gives feedback.
Every page on the way is scanned with axe-core."""

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from hub.accounts.roles import Role
from hub.training.models import Booking, Certificate, Feedback
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tablet(browser: Browser, live_server) -> Iterator[Page]:
    """A portrait tablet with a touch screen (iPad Air size)."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 820, "height": 1180}, has_touch=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert errors == [], f"Browser console errors: {errors}"


def test_trainer_takes_the_register_on_a_tablet(tablet: Page, page: Page) -> None:
    starts = timezone.now() - datetime.timedelta(minutes=15)
    session = SessionFactory(
        course=CourseFactory(title="Spotting the signs"),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        booking_deadline=starts,
        capacity=10,
    )
    came = BookingFactory(session=session, name="Alex Came", access_needs="Hearing loop")
    absent = BookingFactory(session=session, name="Bo Absent")
    BookingFactory(session=session, name="Cy Waiting", status=Booking.Status.WAITLISTED)

    sign_in(tablet, role=Role.TRAINER, email="training@partnership.example.org")
    tablet.get_by_role("link", name="Training: sessions, registers and community requests").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Training")
    assert_accessible(tablet)
    tablet.get_by_role("link", name="Spotting the signs").first.click()
    expect(tablet.get_by_role("heading", name="Confirmed (2)")).to_be_visible()
    expect(tablet.get_by_role("heading", name="Waiting list (1)")).to_be_visible()
    assert_accessible(tablet)

    tablet.get_by_role("link", name="Take the register").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Register")
    expect(tablet.locator("#register-counts")).to_have_text("0 attended, 0 did not attend, 2 not marked yet.")
    expect(tablet.get_by_text("Cy Waiting")).to_have_count(0)  # only confirmed places are on the register
    assert_accessible(tablet)
    # Each choice is a large touch target (GOV.UK radios: 44 by 44 CSS pixels or more).
    attended = tablet.get_by_role("group", name="Alex Came").get_by_label("Attended")
    box = tablet.locator(f"label[for='{attended.get_attribute('id')}']").bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 44
    attended.tap()
    tablet.get_by_role("group", name="Bo Absent").get_by_label("Did not attend").tap()
    tablet.get_by_role("button", name="Save register").tap()
    expect(tablet.locator(".govuk-notification-banner--success")).to_contain_text("Register saved: 2 changes.")
    expect(tablet.locator("#register-counts")).to_have_text("1 attended, 1 did not attend, 0 not marked yet.")
    expect(tablet.get_by_role("group", name="Alex Came").get_by_label("Attended")).to_be_checked()
    assert_accessible(tablet)
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attendance, absent.attendance) == ("attended", "no_show")
    code = Certificate.objects.get(booking=came).code

    # The attendee (another browser) checks the certificate and gives feedback.
    page.goto("/training/certificates/verify/")
    assert_accessible(page)
    page.get_by_label("Certificate code").fill(code.lower())
    page.get_by_role("button", name="Check certificate").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("This certificate is genuine")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Alex Came")
    assert_accessible(page)

    page.goto(f"/training/bookings/{came.token}/feedback/")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_role("group", name="How confident were you").get_by_label("2", exact=True).check()
    page.get_by_role("group", name="How confident are you now?").get_by_label("5 – very confident").check()
    page.get_by_label("What was most useful?").fill("The case studies")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Thank you for your feedback")
    assert_accessible(page)
    feedback = Feedback.objects.get()
    assert (feedback.confidence_before, feedback.confidence_after) == (2, 5)


def test_reports_and_requests_pages_are_accessible(page: Page) -> None:
    starts = timezone.now() - datetime.timedelta(hours=3)
    session = SessionFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), booking_deadline=starts)
    BookingFactory(session=session, attendance="attended", business_type="taxi", organisation_name="Seaside Cars")
    BookingFactory(session=session, attendance="attended", business_type="hotel", organisation_name="Promenade")
    page.goto("/training/suggest/")
    assert_accessible(page)
    page.get_by_label("Taxi or private hire firm").check()
    page.get_by_label("Name of the business or group").fill("Night Cabs")
    page.get_by_label("Town or area").fill("Seaside Town")
    page.get_by_label("Why should they be trained?").fill("Drivers take young people home late at night.")
    page.get_by_label("Your name").fill("Dispatcher")
    page.get_by_label("Your email address").fill("dispatch@nightcabs.example.org")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Suggestion sent")

    sign_in(page, role=Role.TRAINER, email="training@partnership.example.org")
    page.goto(f"/staff/training/reports/?year={timezone.localtime(starts).year}")
    expect(page.locator("body")).to_contain_text("the partnership trained 2 people")
    assert_accessible(page)
    page.goto("/staff/training/requests/")
    page.get_by_role("link", name="Night Cabs").click()
    assert_accessible(page)
    page.get_by_label("Contacted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Request updated.")
    assert_accessible(page)
