from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "hub.training"
    label = "training"
    verbose_name = "Training"

    def ready(self) -> None:
        import hub.training.emails  # noqa: F401 (registers the outbox handler for booking emails)
        from hub.campaigns.sections import campaign_live_register, campaign_section_register
        from hub.training.sections import campaign_training_live, campaign_training_section

        campaign_section_register(campaign_training_section, order=20)
        campaign_live_register(campaign_training_live, order=20)
