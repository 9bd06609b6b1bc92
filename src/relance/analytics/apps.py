from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "relance.analytics"
    label = "analytics"
