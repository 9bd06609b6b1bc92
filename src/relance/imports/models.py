"""The import history: who imported which files, when, and with what result (invoices and bank statements)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        INVOICES = "invoices", _("Factures")
        BANK = "bank", _("Relevés bancaires")

    class Outcome(models.TextChoices):
        OK = "ok", _("Importé")
        REFUSED = "refused", _("Refusé")

    class Origin(models.TextChoices):
        WEB = "web", _("Application")
        CLI = "cli", _("Ligne de commande")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="import_runs",
                            verbose_name=_("organisation"))
    #: None for a command run without --user (the system operator)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("utilisateur"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    origin = models.CharField(_("origine"), max_length=3, choices=Origin.choices)
    #: one {"name", "size", "sha256"} per file, in the order given (size None when the file was unreadable)
    files = models.JSONField(_("fichiers"), default=list)
    started_at = models.DateTimeField(_("commencé à"))
    finished_at = models.DateTimeField(_("terminé à"))
    outcome = models.CharField(_("résultat"), max_length=8, choices=Outcome.choices)
    created = models.PositiveIntegerField(_("créés"), default=0)
    updated = models.PositiveIntegerField(_("mis à jour"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangés"), default=0)
    payments_matched = models.PositiveIntegerField(_("paiements rapprochés"), default=0)
    terms_exceeded = models.PositiveIntegerField(_("délais au-delà du maximum légal"), default=0)
    errors = models.PositiveIntegerField(_("erreurs"), default=0)
    error_summary = models.TextField(_("résumé des erreurs"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("historique des imports")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["org", "-started_at"])]

    def __str__(self) -> str:
        names = ", ".join(f["name"] for f in self.files)
        return f"{self.get_kind_display()} {names} ({self.get_outcome_display()})"

    @property
    def file_names(self) -> str:
        return ", ".join(f["name"] for f in self.files)
