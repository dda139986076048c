import pytest
from django.urls import reverse

from hub.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_home_page_renders_with_skip_link_and_no_campaigns(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="govuk-skip-link"' in body
    assert "There are no campaigns running at the moment." in body


def test_unknown_page_gets_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_api_path_gets_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_staff_home_needs_sign_in(client):
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_staff_home_for_verified_coordinator_links_to_campaigns(make_staff_client):
    client, user = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 200
    assert reverse("campaigns:staff_list") in response.content.decode()
