from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "hub.training"
    label = "training"
    verbose_name = "Training"
