from django.apps import AppConfig


class DunningConfig(AppConfig):
    name = "relance.dunning"
    label = "dunning"
    verbose_name = "Relances"

    def ready(self) -> None:
        from relance.dunning import plans  # noqa: F401 - registers the default plan for new organisations
