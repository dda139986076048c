from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    name = "hub.broadcasts"
    label = "broadcasts"
    verbose_name = "Broadcasts"
