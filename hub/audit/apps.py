from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hub.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from hub.audit import signals  # noqa: F401  (connects sign-in events)
