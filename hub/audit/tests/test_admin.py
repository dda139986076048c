"""The audit log in Django's admin is for reading only, superusers included;
changes made through the admin to other models are recorded in it."""

import pytest
from django.urls import reverse

from hub.accounts.models import Organisation
from hub.accounts.tests.conftest import plain_verified_client
from hub.accounts.tests.factories import OrganisationFactory, UserFactory
from hub.audit.models import AuditEvent
from hub.audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    user = UserFactory(is_staff=True, is_superuser=True)
    return plain_verified_client(user)


def test_superuser_can_read_but_not_add_change_or_delete(superuser_client):
    event = audit_record(action="test.readable")
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert superuser_client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    page = superuser_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(change_url, {"action": "test.changed"}).status_code == 403
    assert superuser_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert (
        superuser_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    bulk = superuser_client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    event.refresh_from_db()
    assert event.action == "test.readable"
    assert AuditEvent.objects.count() >= 1


# --- AuditedAdminMixin: changes made in the admin go into the chain ---------------------


@pytest.fixture
def administrator():
    return UserFactory(is_staff=True, is_superuser=True)


def admin_events(prefix: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("sequence"))


def test_adding_in_the_admin_is_recorded(administrator):
    client = plain_verified_client(administrator)
    response = client.post(reverse("admin:accounts_organisation_add"), {"name": "Hillside School", "sector": "school"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Hillside School")
    [event] = admin_events("accounts.organisation.")
    assert event.action == "accounts.organisation.create"
    assert event.actor == administrator
    assert (event.object_type, event.object_id) == ("accounts.organisation", str(organisation.pk))
    assert event.ip_address == "127.0.0.1"
    assert event.detail == {"via": "admin"}
    assert audit_verify_chain() is None


def test_deleting_in_the_admin_is_recorded_with_the_deleted_id(administrator):
    organisation = OrganisationFactory(name="Closing Nursery")
    organisation_id = organisation.pk
    client = plain_verified_client(administrator)
    response = client.post(reverse("admin:accounts_organisation_delete", args=[organisation_id]), {"post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=organisation_id).exists()
    [event] = admin_events("accounts.organisation.")
    assert event.action == "accounts.organisation.delete"
    assert event.actor == administrator
    assert event.object_id == str(organisation_id)
    assert "Closing Nursery" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


def test_bulk_deleting_in_the_admin_records_one_event_per_object(administrator):
    organisations = [OrganisationFactory(name=f"Merged Trust {n}") for n in range(3)]
    client = plain_verified_client(administrator)
    response = client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in organisations], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(name__startswith="Merged Trust").exists()
    deleted = admin_events("accounts.organisation.")
    assert [event.action for event in deleted] == ["accounts.organisation.delete"] * 3
    assert sorted(event.object_id for event in deleted) == sorted(str(o.pk) for o in organisations)
    assert audit_verify_chain() is None


def test_a_change_that_fails_validation_records_nothing(administrator):
    organisation = OrganisationFactory(name="Riverside College")
    client = plain_verified_client(administrator)
    response = client.post(
        reverse("admin:accounts_organisation_change", args=[organisation.pk]), {"name": "", "sector": "school"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert admin_events("accounts.organisation.") == []
