"""Bank statements as imported, and reversals (returned payments) as evidence.

Incoming payments themselves are `ledger.Payment` rows (bank_transaction_id unique per organisation).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.ledger.models import Payment


class BankStatement(models.Model):
    class Format(models.TextChoices):
        CAMT053 = "camt053", "camt.053"
        CAMT054 = "camt054", "camt.054"
        CAMT052 = "camt052", "camt.052"
        OFX = "ofx", "OFX"
        CSV = "csv", "CSV"

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="bank_statements",
                            verbose_name=_("organisation"))
    file_name = models.CharField(_("fichier"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    content_hash = models.CharField(_("empreinte du fichier"), max_length=64)
    statement_id = models.CharField(_("identifiant du relevé"), max_length=200, blank=True)
    account_iban = models.CharField(_("IBAN du compte"), max_length=34, blank=True)
    account_id = models.CharField(_("compte"), max_length=100, blank=True)
    opening_date = models.DateField(_("début de période"), null=True, blank=True)
    closing_date = models.DateField(_("date d'arrêté"), null=True, blank=True)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    payments_created = models.PositiveIntegerField(_("paiements créés"), default=0)
    duplicates = models.PositiveIntegerField(_("transactions déjà connues"), default=0)
    debits_ignored = models.PositiveIntegerField(_("débits ignorés"), default=0)
    reversals = models.PositiveIntegerField(_("contre-passations"), default=0)
    imported_on = models.DateField(_("importé le"))
    imported_at = models.DateTimeField(_("importé à"), auto_now_add=True)

    class Meta:
        verbose_name = _("relevé bancaire")
        verbose_name_plural = _("relevés bancaires")
        indexes = [models.Index(fields=["org", "closing_date"])]
        constraints = [
            models.UniqueConstraint(fields=["org", "content_hash", "statement_id"], name="bank_statement_unique_file"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.closing_date})"


class BankReversal(models.Model):
    """A debit that cancels an earlier incoming payment (ISO 20022 RvslInd, SEPA return/recall)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="reversal_rows",
                                  verbose_name=_("relevé"))
    bank_ref = models.CharField(_("identifiant bancaire"), max_length=200)
    end_to_end_id = models.CharField(_("référence de bout en bout"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    reason_code = models.CharField(_("motif bancaire"), max_length=10, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="reversals", verbose_name=_("paiement annulé"))

    class Meta:
        verbose_name = _("contre-passation")
        verbose_name_plural = _("contre-passations")
        constraints = [models.UniqueConstraint(fields=["org", "bank_ref"], name="bank_reversal_unique_ref")]

    def __str__(self) -> str:
        return f"{self.date} −{self.amount} {self.currency}"
