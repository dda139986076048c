"""`staff_required`: a verified sign-in, then the permission."""

import pytest
from django.urls import reverse

from hub.accounts.roles import Role
from hub.accounts.tests.conftest import plain_verified_client, submit_password
from hub.accounts.tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = reverse("campaigns:staff_list")  # needs campaigns.view_campaign
SIGN_IN = reverse("accounts:sign_in")


def test_anonymous_visitor_is_sent_to_sign_in_with_next(client):
    response = client.get(CAMPAIGNS + "?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=/staff/campaigns/%3Fpage%3D2"


def test_signed_in_without_second_factor_is_sent_to_sign_in(client):
    user = UserFactory(roles=[Role.CAMPAIGN_COORDINATOR])
    client.force_login(user)
    response = client.get(CAMPAIGNS)
    assert response["Location"] == f"{SIGN_IN}?next={CAMPAIGNS}"


def test_password_step_alone_is_not_enough(client):
    user = UserFactory(roles=[Role.CAMPAIGN_COORDINATOR])
    TOTPDeviceFactory(user=user)
    submit_password(client, user.email)
    assert client.get(CAMPAIGNS)["Location"] == f"{SIGN_IN}?next={CAMPAIGNS}"


def test_verified_without_the_permission_gets_a_styled_403(make_staff_client):
    client, _ = make_staff_client(Role.PRACTITIONER)

    response = client.get(CAMPAIGNS)

    assert response.status_code == 403
    body = response.content.decode()
    assert "You do not have permission to see this page" in body
    assert 'class="govuk-heading-l"' in body
    assert "<title>" in body


def test_verified_with_the_permission_gets_the_page(make_staff_client):
    # A plain client: only the access decision is under test here, and the
    # campaigns page (another app's) has tests of its own.
    client = plain_verified_client(UserFactory(roles=[Role.CAMPAIGN_COORDINATOR]))
    assert client.get(CAMPAIGNS).status_code == 200


def test_verified_without_any_role_reaches_pages_that_need_no_permission(make_staff_client):
    client, _ = make_staff_client()
    assert client.get(reverse("core:staff_home")).status_code == 200
    assert client.get(CAMPAIGNS).status_code == 403
