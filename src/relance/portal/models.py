"""The debtor portal: private links, what debtors tell us through them, and payment plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.ledger.models import Customer, Invoice


class PortalToken(models.Model):
    """One private link. Only the SHA-256 of the random token is kept; the link itself is never stored."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="portal_tokens", verbose_name=_("client")
    )
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64, unique=True)
    created_on = models.DateField(_("créé le"))
    expires_on = models.DateField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("révoqué par")
    )
    last_used_on = models.DateField(_("dernière visite"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lien du portail")
        verbose_name_plural = _("liens du portail")
        indexes = [models.Index(fields=["org", "customer"])]

    def __str__(self) -> str:
        return f"{self.customer} → {self.expires_on}"


class RateCounter(models.Model):
    """Requests seen for one key (IP or token) during one minute."""

    key = models.CharField(max_length=100)
    window = models.BigIntegerField()  # minutes since the epoch
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="portal_ratecounter_unique")]
        indexes = [models.Index(fields=["window"])]


class PaymentClaim(models.Model):
    """The debtor says "I have paid", optionally with a proof (kept under MEDIA_ROOT, shown to staff only)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="payment_claims", verbose_name=_("client")
    )
    paid_on = models.DateField(_("payé le"))
    amount = models.DecimalField(_("montant"), null=True, blank=True, max_digits=14, decimal_places=2)
    comment = models.TextField(_("commentaire"), blank=True)
    proof = models.FileField(_("justificatif"), upload_to="portal/proofs/%Y/%m/", blank=True)
    proof_type = models.CharField(_("type du justificatif"), max_length=40, blank=True)
    proof_name = models.CharField(_("nom d'origine"), max_length=200, blank=True)
    recorded_on = models.DateField(_("reçu le"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paiement déclaré")
        verbose_name_plural = _("paiements déclarés")


class PaymentPlan(models.Model):
    """A payment plan: requested by the debtor on the portal, or set up by the team on the customer page.

    While it is approved, its invoices get no ladder step; it ends broken (an instalment missed: the ladder
    resumes), completed (everything paid) or cancelled (by the team). See portal/plans.py.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandé")
        APPROVED = "approved", _("En cours")
        REJECTED = "rejected", _("Refusé")
        BROKEN = "broken", _("Non respecté")
        COMPLETED = "completed", _("Soldé")
        CANCELLED = "cancelled", _("Annulé")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Demande du client (portail)")
        STAFF = "staff", _("Mis en place par l'équipe")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="payment_plans", verbose_name=_("client")
    )
    instalments_requested = models.PositiveSmallIntegerField(_("échéances demandées"))
    first_date = models.DateField(_("première échéance souhaitée"))
    comment = models.TextField(_("commentaire du client"), blank=True)
    total = models.DecimalField(_("montant dû à la demande"), max_digits=14, decimal_places=2)
    invoices = models.ManyToManyField(Invoice, related_name="payment_plans", verbose_name=_("factures"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField(_("demandé le"))
    decided_on = models.DateField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("décidé par")
    )
    decision_note = models.TextField(_("note de décision"), blank=True)
    task_id = models.BigIntegerField(_("tâche"), null=True, blank=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices, default=Source.PORTAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("créé par"),
    )
    #: when it was agreed: only allocations recorded from then on pay its instalments (the total already
    #: left out what was paid before); empty on plans older than this field (their creation is used)
    started_at = models.DateTimeField(_("en place depuis"), null=True, blank=True)
    ended_on = models.DateField(_("terminé le"), null=True, blank=True)
    missed_seq = models.PositiveSmallIntegerField(_("échéance manquée"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("échéancier")
        verbose_name_plural = _("échéanciers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="requested"), name="portal_one_pending_plan_per_customer"
            ),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="approved"), name="portal_one_active_plan_per_customer"
            ),
        ]
        indexes = [models.Index(fields=["org", "status", "customer"])]

    def __str__(self) -> str:
        return f"{self.customer} — {self.instalments_requested} × ({self.get_status_display()})"


class Instalment(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments",
                             verbose_name=_("échéancier"))
    seq = models.PositiveSmallIntegerField(_("rang"))
    due_date = models.DateField(_("échéance"))
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    #: the day its courtesy reminder was queued (once per instalment)
    reminded_on = models.DateField(_("rappel envoyé le"), null=True, blank=True)
    reminder_action_id = models.BigIntegerField(_("action de rappel"), null=True, blank=True)

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["plan", "seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="portal_instalment_unique_seq")]


class PaymentIntent(models.Model):
    """A transfer set up on the pay screen whose invoice numbers do not fit the 140 characters of a SEPA
    remittance: one ISO 11649 creditor reference (RF…) stands for all of its invoices, and the bank
    matcher resolves it back to them (banking/matching.py, through portal.api.payment_intent_references)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="payment_intents", verbose_name=_("client")
    )
    reference = models.CharField(_("référence de paiement"), max_length=25)
    invoices = models.ManyToManyField(Invoice, related_name="payment_intents", verbose_name=_("factures"))
    #: SHA-256 of the sorted invoice ids: the same selection is given the same reference again
    selection = models.CharField(max_length=64)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    created_on = models.DateField(_("créé le"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("virement préparé")
        verbose_name_plural = _("virements préparés")
        constraints = [models.UniqueConstraint(fields=["org", "reference"], name="portal_intent_unique_reference")]
        indexes = [models.Index(fields=["org", "customer", "selection"])]

    def __str__(self) -> str:
        return f"{self.customer} — {self.reference}"
