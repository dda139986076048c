"""The screening journey in Chromium: a practitioner screens a child (errors
first), sees the category, the rules that gave it and what to do next; the
hub officer finds it in the queue and records a decision. axe on every page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from hub.accounts.roles import Role
from hub.screening.models import HubDecision, Screening
from hub.screening.selectors import tool_definition, tool_version_current

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_screens_a_child_and_the_hub_triages_it(page: Page) -> None:
    call_command("screening_tool_load", stdout=StringIO())
    indicators = tool_definition(tool_version_current()).indicators

    sign_in(page, role=Role.PRACTITIONER, email="practitioner@school.example.org")
    page.get_by_role("link", name="CSE screenings: screen a child and see your organisation's screenings").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start a new screening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a new screening")

    # Submitting with nothing filled in lists what is missing, and saves nothing.
    page.get_by_role("button", name="Submit screening").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the child's full name")
    assert_accessible(page)
    assert not Screening.objects.exists()

    born = timezone.localdate().replace(year=timezone.localdate().year - 14)
    page.get_by_label("Full name").fill("Jordan Browsertest")
    date_of_birth = page.get_by_role("group", name="Date of birth")
    date_of_birth.get_by_role("textbox", name="Day").fill(str(born.day))
    date_of_birth.get_by_role("textbox", name="Month").fill(str(born.month))
    date_of_birth.get_by_role("textbox", name="Year").fill(str(born.year))
    page.get_by_role("group", name="Gender").get_by_label("Girl").check()
    page.get_by_role("group", name="Ethnic group").get_by_label("White").check()
    page.get_by_label("First part of the postcode").fill("bn11")
    page.get_by_role("group", name="Type of school or setting").get_by_label("Secondary school").check()
    page.get_by_role("group", name="Is the child looked after?").get_by_label("No").check()
    page.get_by_role("group", name="Does the child have a learning disability?").get_by_label("No").check()
    for indicator in indicators:
        answer = {"disclosure": "yes_current", "hotels": "not_known"}.get(indicator.id, "no")
        page.locator(f"input[name='answer_{indicator.id}'][value='{answer}']").check()
    # Save first, as a practitioner interrupted would; then submit the draft.
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening draft")
    assert Screening.objects.get().status == "draft"
    page.get_by_role("button", name="Submit screening").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Category 3: Serious risk")
    main = page.locator("main")
    expect(main).to_contain_text("Disclosure of sexual exploitation")
    expect(main).to_contain_text("999")
    expect(main).to_contain_text("Operation Kite")
    expect(page.get_by_role("heading", name="Gaps to follow up")).to_be_visible()
    expect(main).to_contain_text("This tool supports professional judgement; it does not replace it.")
    assert_accessible(page)
    screening = Screening.objects.get()
    assert (screening.status, screening.category) == ("submitted", 3)

    # The hub officer.
    page.context.clear_cookies()
    sign_in(page, role=Role.HUB_OFFICER, email="hub-officer@police.example.org")
    page.get_by_role("link", name="CSE hub: triage queue, lowering requests and reviews due").click()
    expect(page.get_by_role("heading", name="Waiting for triage (1)")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Jordan")  # no names in the queue
    assert_accessible(page)
    page.locator(f"a[href$='/staff/screening/{screening.public_id}/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Category 3: Serious risk")
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the decision")
    assert_accessible(page)
    page.get_by_label("Strategy discussion").check()
    page.get_by_label("Outcome").fill("Strategy discussion held; police and MASH involved.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", name="Hub decisions")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Strategy discussion held")
    assert HubDecision.objects.get().decision == "strategy_discussion"
    page.goto("/staff/screening/hub/")
    expect(page.get_by_role("heading", name="Waiting for triage (0)")).to_be_visible()
    assert_accessible(page)
