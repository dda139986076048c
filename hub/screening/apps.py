from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "hub.screening"
    label = "screening"
    verbose_name = "Screening"
