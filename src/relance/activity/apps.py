from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "relance.activity"
    label = "activity"
