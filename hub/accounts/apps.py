from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hub.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hub.accounts.roles import roles_sync_after_migrate

        # Roles are permission groups; keep them in step with the code after every
        # migrate (and every test flush). Permissions are created app by app, so
        # the handler waits for the last app's signal.
        post_migrate.connect(roles_sync_after_migrate)
