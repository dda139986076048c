from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "hub.social"
    label = "social"
    verbose_name = "Social"

    def ready(self) -> None:
        import hub.social.moments  # noqa: F401 (registers the outbox handler for supporter emails)
        from hub.campaigns.prerender import prerender_page_register
        from hub.campaigns.sections import campaign_live_register, campaign_section_register
        from hub.social.sections import campaign_moment_section, campaign_social_live, campaign_social_section

        campaign_section_register(campaign_moment_section, order=5)
        campaign_section_register(campaign_social_section, order=10)
        campaign_live_register(campaign_social_live, order=10)
        # The pledge wall has no form (reporting one is a page of its own): pre-rendered too.
        prerender_page_register("social:pledge_wall")
