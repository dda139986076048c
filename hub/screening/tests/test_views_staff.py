"""The screening tool's staff page: who may see it and what it shows."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from hub.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_tool_page_for_practitioners_and_the_hub_only(client, make_staff_client):
    call_command("screening_tool_load", stdout=StringIO())
    url = reverse("screening:tool")
    assert client.get(url).status_code == 302
    for role in (Role.CAMPAIGN_COORDINATOR, Role.TRAINER, Role.PARTNERSHIP_ANALYST):
        other, _ = make_staff_client(role)
        assert other.get(url).status_code == 403, role
    for role in (Role.PRACTITIONER, Role.HUB_OFFICER):
        allowed, _ = make_staff_client(role)
        body = allowed.get(url).content.decode()
        assert "Version 2026.1 (in use)" in body, role
        assert "Operation Kite" in body and "999" in body
        assert "supports, not replaces" in body or "professional judgement" in body


def test_tool_page_says_when_no_tool_is_loaded(make_staff_client):
    practitioner, _ = make_staff_client(Role.PRACTITIONER)
    response = practitioner.get(reverse("screening:tool"))
    assert response.status_code == 404
    assert "screening_tool_load" in response.content.decode()
    assert practitioner.get(reverse("screening:tool_version", kwargs={"version": "9.9"})).status_code == 404
