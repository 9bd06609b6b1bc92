"""The receivables ledger: customers, invoices, payments and what settles what.

Outstanding amounts are derived from allocations (see ledger.selectors), never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relance.accounts.models import Organisation
from relance.core.validators import validate_iban, validate_siren, validate_vat

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class CustomerKind(models.TextChoices):
    B2B = "b2b", _("Entreprise")
    B2C = "b2c", _("Particulier")
    PUBLIC = "public", _("Acheteur public")


class Customer(models.Model):
    # no index of its own: the (org, …) unique constraint and indexes below serve every org-scoped query
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="customers", verbose_name=_("organisation"),
                            db_index=False)
    ref = models.CharField(_("code client"), max_length=64)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.B2B)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("n° TVA"), max_length=20, blank=True, validators=[validate_vat])
    address = models.TextField(_("adresse"), blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    language = models.CharField(_("langue"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")])
    payment_terms_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), null=True, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="managed_customers", verbose_name=_("chargé de compte"),
    )
    manual_mode = models.BooleanField(_("mode manuel"), default=False)
    paused = models.BooleanField(_("relances suspendues"), default=False)
    pause_reason = models.CharField(_("motif de la suspension"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    payer_ibans = models.JSONField(_("IBAN payeurs connus"), default=list, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [models.UniqueConstraint(fields=["org", "ref"], name="customer_unique_ref")]
        indexes = [models.Index(fields=["org", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"


class Contact(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    name = models.CharField(_("nom"), max_length=200, blank=True)
    role = models.CharField(_("fonction"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone (E.164)"), max_length=20, blank=True)
    is_billing = models.BooleanField(_("contact facturation"), default=True)
    refused_channels = models.JSONField(_("canaux refusés"), default=list, blank=True)
    email_invalid = models.BooleanField(_("e-mail en échec"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or self.email or self.phone


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Facture")
        CREDIT_NOTE = "credit_note", _("Avoir")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        PAID = "paid", _("Payée")
        CANCELLED = "cancelled", _("Annulée")

    # no index of its own: the (org, …) unique constraint and indexes below serve every org-scoped query
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invoices", verbose_name=_("organisation"),
                            db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("client"))
    number = models.CharField(_("numéro"), max_length=64)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    issue_date = models.DateField(_("date de facture"))
    due_date = models.DateField(_("date d'échéance"))
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    total_incl_tax = models.DecimalField(_("montant TTC"), **MONEY)
    total_excl_tax = models.DecimalField(_("montant HT"), null=True, blank=True, **MONEY)
    sent_date = models.DateField(_("date d'envoi"), null=True, blank=True)
    po_number = models.CharField(_("bon de commande"), max_length=64, blank=True)
    payment_reference = models.CharField(_("référence de paiement"), max_length=64, blank=True)
    #: EN 16931 BT-84, the account the invoice asks to be paid to (compact form; blank when not given)
    payee_iban = models.CharField(_("IBAN du bénéficiaire"), max_length=34, blank=True, validators=[validate_iban])
    source = models.CharField(_("source"), max_length=20, default="manual")
    source_ref = models.CharField(_("référence source"), max_length=200, blank=True)
    document = models.FileField(_("document original"), upload_to="invoices/%Y/%m/", blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    terms_exceeded = models.BooleanField(_("délai de paiement au-delà du maximum légal"), default=False)
    einvoice_status = models.CharField(_("statut e-facture"), max_length=30, blank=True)
    content_hash = models.CharField(_("empreinte des données importées"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="invoice_unique_number"),
            models.CheckConstraint(condition=Q(total_incl_tax__gte=0), name="invoice_total_not_negative"),
        ]
        indexes = [
            models.Index(fields=["org", "status", "due_date"]),
            models.Index(fields=["org", "customer", "status"]),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Virement")
        DIRECT_DEBIT = "direct_debit", _("Prélèvement")
        CHEQUE = "cheque", _("Chèque")
        CARD = "card", _("Carte")
        CASH = "cash", _("Espèces")
        ACCOUNTING = "accounting", _("Comptabilité")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("À rapprocher")
        MATCHED = "matched", _("Rapproché")
        REVERSED = "reversed", _("Annulé (contre-passation)")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="payments", verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="payments", verbose_name=_("client")
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("montant"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    method = models.CharField(pgettext_lazy("moyen de paiement", "moyen"), max_length=20, choices=Method.choices, default=Method.TRANSFER)
    reference = models.CharField(_("référence"), max_length=200, blank=True)
    bank_transaction_id = models.CharField(_("identifiant bancaire"), max_length=200, null=True, blank=True)
    payer_name = models.CharField(_("nom du payeur"), max_length=200, blank=True)
    payer_iban = models.CharField(_("IBAN du payeur"), max_length=34, blank=True)
    remittance = models.TextField(_("libellé"), blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.UNMATCHED)
    match_reason = models.CharField(_("motif du rapprochement"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "bank_transaction_id"], name="payment_unique_bank_tx",
                condition=Q(bank_transaction_id__isnull=False),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.currency}"


class Allocation(models.Model):
    """What settles an invoice: a payment, a credit note, or the accounting system's word for it."""

    class Source(models.TextChoices):
        PAYMENT = "payment", _("Paiement")
        CREDIT_NOTE = "credit_note", _("Avoir")
        ACCOUNTING = "accounting", _("Comptabilité (import)")

    # no index of its own: the (org, …) unique constraint and indexes below serve every org-scoped query
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"),
                            db_index=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("facture"))
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices)
    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, null=True, blank=True, related_name="allocations", verbose_name=_("paiement")
    )
    credit_note = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, null=True, blank=True, related_name="credit_allocations",
        verbose_name=_("avoir"),
    )
    amount = models.DecimalField(_("montant"), **MONEY)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(source="payment", payment__isnull=False, credit_note__isnull=True)
                    | Q(source="credit_note", payment__isnull=True, credit_note__isnull=False)
                    | Q(source="accounting", payment__isnull=True, credit_note__isnull=True)
                ),
                name="allocation_source_consistent",
            ),
        ]
        indexes = [models.Index(fields=["org", "invoice"])]


class Promise(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("En cours")
        KEPT = "kept", _("Tenue")
        BROKEN = "broken", _("Non tenue")
        CANCELLED = "cancelled", _("Annulée")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="promises", verbose_name=_("client"))
    invoices = models.ManyToManyField(Invoice, related_name="promises", verbose_name=_("factures"))
    until = models.DateField(_("paiement promis au plus tard le"))
    recorded_on = models.DateField(_("enregistrée le"))
    amount = models.DecimalField(_("montant promis"), null=True, blank=True, **MONEY)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("origine"), max_length=20, default="staff")
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("saisie par")
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("promesse de paiement")
        verbose_name_plural = _("promesses de paiement")


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        RESOLVED = "resolved", _("Résolu")

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("Facture non reçue")
        AMOUNT_WRONG = "amount_wrong", _("Montant erroné")
        GOODS_OR_SERVICE = "goods_or_service", _("Problème de marchandise ou de prestation")
        ALREADY_PAID = "already_paid", _("Déjà payée")
        OTHER = "other", _("Autre")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="disputes", verbose_name=_("facture"))
    opened_on = models.DateField(_("ouvert le"))
    reason_code = models.CharField(_("motif"), max_length=20, choices=Reason.choices, default=Reason.OTHER)
    reason = models.TextField(_("description"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_on = models.DateField(_("résolu le"), null=True, blank=True)
    resolution = models.TextField(_("résolution"), blank=True)
    source = models.CharField(_("origine"), max_length=20, default="staff")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("litige")
        verbose_name_plural = _("litiges")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(status="open"), name="dispute_one_open_per_invoice"
            )
        ]
