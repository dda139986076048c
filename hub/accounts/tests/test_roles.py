import pytest
from django.contrib.auth.models import Group, Permission

from hub.accounts.roles import ROLE_PERMISSIONS, Role, roles_sync
from hub.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DESIGN_ROLES = {
    "Campaign coordinator",
    "Trainer",
    "Practitioner",
    "Hub officer",
    "Partnership analyst",
    "Administrator",
}


def _permissions(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_in_the_design_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= DESIGN_ROLES
    assert set(ROLE_PERMISSIONS) == DESIGN_ROLES


def test_each_group_has_exactly_its_listed_permissions_that_exist():
    for role, names in ROLE_PERMISSIONS.items():
        existing = {
            name
            for name in names
            if Permission.objects.filter(
                content_type__app_label=name.split(".")[0], codename=name.split(".")[1]
            ).exists()
        }
        assert _permissions(role) == existing, role


def test_coordinator_can_publish_campaigns():
    assert "campaigns.publish_campaign" in _permissions(Role.CAMPAIGN_COORDINATOR)
    coordinator = UserFactory(roles=[Role.CAMPAIGN_COORDINATOR])
    assert coordinator.has_perm("campaigns.publish_campaign")


def test_administrator_has_no_campaign_permissions():
    assert not any(name.startswith("campaigns.") for name in _permissions(Role.ADMINISTRATOR))
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    assert not administrator.has_module_perms("campaigns")
    assert administrator.has_perm("accounts.change_user")


def test_practitioner_and_analyst_cannot_change_campaigns():
    for role in [Role.PRACTITIONER, Role.PARTNERSHIP_ANALYST, Role.TRAINER, Role.HUB_OFFICER]:
        user = UserFactory(roles=[role])
        assert not user.has_perm("campaigns.publish_campaign"), role
        assert not user.has_perm("campaigns.change_campaign"), role


def test_roles_sync_is_idempotent():
    before = {role: _permissions(role) for role in ROLE_PERMISSIONS}
    group_ids = set(Group.objects.values_list("pk", flat=True))
    roles_sync()
    roles_sync()
    assert {role: _permissions(role) for role in ROLE_PERMISSIONS} == before
    assert set(Group.objects.values_list("pk", flat=True)) == group_ids


def test_roles_sync_removes_a_permission_added_by_hand():
    group = Group.objects.get(name=Role.ADMINISTRATOR)
    publish = Permission.objects.get(content_type__app_label="campaigns", codename="publish_campaign")
    group.permissions.add(publish)

    roles_sync()

    assert "campaigns.publish_campaign" not in _permissions(Role.ADMINISTRATOR)


def test_roles_sync_recreates_a_deleted_role_and_keeps_its_members_elsewhere():
    Group.objects.filter(name=Role.TRAINER).delete()
    roles_sync()
    assert _permissions(Role.TRAINER) == set(ROLE_PERMISSIONS[Role.TRAINER])
    assert "training.change_booking" in _permissions(Role.TRAINER)


def test_roles_sync_leaves_other_groups_alone():
    extra = Group.objects.create(name="Local working group")
    view_user = Permission.objects.get(content_type__app_label="accounts", codename="view_user")
    extra.permissions.add(view_user)
    roles_sync()
    assert list(Group.objects.get(name="Local working group").permissions.all()) == [view_user]
