"""Django's admin: only for is_staff users who passed the second factor."""

import pytest
from django.test import Client
from django.urls import reverse

from hub.accounts.models import User
from hub.accounts.tests.conftest import plain_verified_client, sign_in
from hub.accounts.tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
SIGN_IN = reverse("accounts:sign_in")


def _final(client: Client, url: str, limit: int = 10):
    """Follow redirects by hand (so a redirect loop fails the test)."""
    seen = []
    response = client.get(url)
    while response.status_code in (301, 302) and len(seen) < limit:
        seen.append(response["Location"])
        response = client.get(response["Location"])
    assert len(seen) < limit, f"redirect loop: {seen}"
    return response, seen


@pytest.fixture
def administrator(db) -> User:
    return UserFactory(is_staff=True, is_superuser=True, email="admin@hub.example.org")


def test_staff_signed_in_without_second_factor_is_sent_to_our_sign_in(administrator):
    client = Client()  # the admin's markup is Django's, not ours: no page check
    client.force_login(administrator)

    response, redirects = _final(client, ADMIN)

    assert redirects[-1].startswith(SIGN_IN)
    assert response.status_code == 200
    assert b'action="/account/sign-in/"' in response.content


def test_anonymous_visitor_is_sent_to_our_sign_in():
    response, redirects = _final(Client(), ADMIN)
    assert redirects[-1].startswith(SIGN_IN)


def test_admin_login_url_goes_to_our_sign_in():
    response = Client().get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_verified_staff_reaches_the_admin(administrator):
    client = plain_verified_client(administrator)
    response = client.get(ADMIN)
    assert response.status_code == 200
    assert b"Safeguarding Partnership Hub administration" in response.content


def test_signing_in_from_the_admin_lands_in_the_admin(administrator):
    device = TOTPDeviceFactory(user=administrator)
    client = Client()
    _, redirects = _final(client, ADMIN)
    assert redirects[-1] == f"{SIGN_IN}?next={ADMIN}"

    response = sign_in(client, administrator, device, next_url=ADMIN)
    final, _ = _final(client, response["Location"])

    assert final.status_code == 200
    assert final.request["PATH_INFO"] == ADMIN


def test_verified_staff_visiting_the_admin_login_goes_to_the_admin(administrator):
    client = plain_verified_client(administrator)
    final, _ = _final(client, reverse("admin:login") + "?next=" + reverse("admin:accounts_user_changelist"))
    assert final.status_code == 200
    assert final.request["PATH_INFO"] == reverse("admin:accounts_user_changelist")


def test_verified_non_staff_user_cannot_reach_the_admin():
    client = plain_verified_client(UserFactory(is_staff=False))

    response, _ = _final(client, ADMIN)

    assert response.status_code == 403
    assert b"You do not have permission to see this page" in response.content


def test_inactive_staff_cannot_reach_the_admin(administrator):
    client = plain_verified_client(administrator)
    User.objects.filter(pk=administrator.pk).update(is_active=False)
    response, redirects = _final(client, ADMIN)
    assert redirects[-1].startswith(SIGN_IN)
    assert b"Safeguarding Partnership Hub administration" not in response.content


def test_admin_user_list_and_add_form_work(administrator):
    client = plain_verified_client(administrator)
    UserFactory(email="someone@partner.example.org")
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert listing.status_code == 200
    assert b"someone@partner.example.org" in listing.content
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_admin_stores_a_new_users_email_normalised(administrator):
    client = plain_verified_client(administrator)
    organisation = administrator.organisation

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "  New.Person@Partner.Example.ORG ",
            "full_name": "New Person",
            "organisation": organisation.pk,
            "password1": "violet-harbour-lantern-42",
            "password2": "violet-harbour-lantern-42",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(full_name="New Person")
    assert user.email == "new.person@partner.example.org"
    assert user.password.startswith("argon2")


def test_admin_refuses_a_second_account_for_the_same_address_in_another_case(administrator):
    client = plain_verified_client(administrator)
    UserFactory(email="taken@partner.example.org")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "TAKEN@partner.example.org",
            "full_name": "Copy",
            "password1": "violet-harbour-lantern-42",
            "password2": "violet-harbour-lantern-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert User.objects.filter(email__iexact="taken@partner.example.org").count() == 1


def test_changes_in_the_admin_are_audited_without_values(administrator):
    from hub.accounts.tests.factories import OrganisationFactory
    from hub.audit.models import AuditEvent

    organisation = OrganisationFactory(name="Seaside Academy")
    client = plain_verified_client(administrator)
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])

    response = client.post(url, {"name": "Seaside Academy Trust", "sector": "school"})

    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="accounts.organisation.update").get()
    assert event.actor == administrator
    assert event.object_id == str(organisation.pk)
    assert event.detail == {"via": "admin", "fields": ["Name", "Sector"]}
    assert "Seaside Academy Trust" not in str(event.detail)
