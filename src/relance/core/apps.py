from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "relance.core"
    label = "core"
