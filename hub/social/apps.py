from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "hub.social"
    label = "social"
    verbose_name = "Social"
