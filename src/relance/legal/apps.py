from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "relance.legal"
    label = "legal"
    verbose_name = "Taux et pénalités de retard"
