from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "hub.screening"
    label = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from hub.screening import checks  # noqa: F401 (registers the system checks)
