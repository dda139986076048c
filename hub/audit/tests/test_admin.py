"""The audit log in Django's admin is for reading only, superusers included."""

import pytest
from django.urls import reverse

from hub.accounts.tests.conftest import plain_verified_client
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.audit.services import audit_record

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
