"""Roles from DESIGN.md, each a permission group.

A role lists permissions as "app_label.codename". Permissions of capabilities
not built yet are skipped until their app exists, so the list can say the
whole intent now.
"""


class Role:
    CAMPAIGN_COORDINATOR = "Campaign coordinator"
    TRAINER = "Trainer"
    PRACTITIONER = "Practitioner"
    HUB_OFFICER = "Hub officer"
    PARTNERSHIP_ANALYST = "Partnership analyst"
    ADMINISTRATOR = "Administrator"


ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CAMPAIGN_COORDINATOR: [
        "campaigns.view_campaign",
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.delete_campaign",
        "campaigns.publish_campaign",
        "campaigns.view_reportingchannel",
        "campaigns.add_reportingchannel",
        "campaigns.change_reportingchannel",
        "campaigns.delete_reportingchannel",
        "campaigns.view_resource",
        "campaigns.add_resource",
        "campaigns.change_resource",
        "campaigns.delete_resource",
        "social.view_suggestedpost",
        "social.add_suggestedpost",
        "social.change_suggestedpost",
        "social.delete_suggestedpost",
        "social.view_socialaccount",
        "social.add_socialaccount",
        "social.change_socialaccount",
        "social.view_scheduledpost",
        "social.add_scheduledpost",
        "social.change_scheduledpost",
        "social.view_moment",
        "social.add_moment",
        "social.change_moment",
        "social.view_supporter",
        "social.view_pledge",
        "social.moderate_pledge",
        "broadcasts.view_audience",
        "broadcasts.add_audience",
        "broadcasts.change_audience",
        "broadcasts.view_contact",
        "broadcasts.add_contact",
        "broadcasts.change_contact",
        "broadcasts.delete_contact",
        "broadcasts.view_suppression",
        "broadcasts.add_suppression",
        "broadcasts.view_series",
        "broadcasts.add_series",
        "broadcasts.change_series",
        "broadcasts.view_bulletin",
        "broadcasts.add_bulletin",
        "broadcasts.change_bulletin",
        "broadcasts.send_bulletin",
        "broadcasts.view_delivery",
        "reports.view_dashboard",
    ],
    Role.TRAINER: [
        "campaigns.view_campaign",
        "training.view_course",
        "training.add_course",
        "training.change_course",
        "training.view_session",
        "training.add_session",
        "training.change_session",
        "training.view_booking",
        "training.change_booking",
        "training.view_feedback",
        "training.view_trainingrequest",
        "training.change_trainingrequest",
        "training.view_training_reports",
    ],
    # Practitioners screen children and see their own and their organisation's screenings.
    Role.PRACTITIONER: [
        "screening.view_toolversion",
        "screening.add_screening",
        "screening.change_screening",
        "screening.view_screening",
    ],
    # The hub sees every submitted screening, triages, approves lowering, reads chronologies
    # and answers subject access requests (everything held about one child).
    Role.HUB_OFFICER: [
        "screening.view_toolversion",
        "screening.view_screening",
        "screening.view_all_screenings",
        "screening.triage_screening",
        "screening.approve_lowering",
        "screening.view_chronology",
        "screening.export_subject_access",
        "screening.view_profile",
        "reports.view_dashboard",
    ],
    Role.PARTNERSHIP_ANALYST: [
        "campaigns.view_campaign",
        "training.view_training_reports",
        "reports.view_dashboard",
        # The profile of children at risk, with small counts hidden (never a child's details).
        "screening.view_profile",
    ],
    Role.ADMINISTRATOR: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "auth.view_group",
        "audit.view_auditevent",
    ],
}


def roles_sync() -> None:
    """Create each role's group and give it exactly its listed permissions."""
    from django.contrib.auth.models import Group, Permission

    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


def roles_sync_after_migrate(*, app_config, using: str = "default", **kwargs) -> None:
    from django.apps import apps

    # post_migrate is sent only for apps that have models.
    last_with_models = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if app_config is last_with_models:
        roles_sync()
