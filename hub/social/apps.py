from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "hub.social"
    label = "social"
    verbose_name = "Social"

    def ready(self) -> None:
        import hub.social.moments  # noqa: F401 (registers the outbox handler for supporter emails)
        from hub.campaigns.sections import campaign_section_register
        from hub.social.sections import campaign_moment_section, campaign_social_section

        campaign_section_register(campaign_moment_section, order=5)
        campaign_section_register(campaign_social_section, order=10)
