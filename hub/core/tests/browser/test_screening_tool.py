"""The screening tool's staff page in Chromium, scanned with axe-core."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from hub.accounts.roles import Role

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_reads_the_tool_and_its_flow_chart(page: Page) -> None:
    call_command("screening_tool_load", stdout=StringIO())
    sign_in(page, role=Role.PRACTITIONER, email="practitioner@school.example.org")
    page.get_by_role("link", name="The CSE screening tool: indicators, scoring and the local flow chart").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What to do next: the local flow chart")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Operation Kite")
    assert_accessible(page)
