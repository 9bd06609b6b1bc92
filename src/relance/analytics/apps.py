from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "relance.analytics"
    label = "analytics"

    def ready(self) -> None:
        from relance.analytics import signals  # noqa: F401 - connects the cache invalidation
