"""Dunning plans, the ladder state of each invoice, and the actions (outbox) the daily run creates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.ledger.models import MONEY, Customer, Invoice

ANCHOR_DUE = "due_date"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Courrier")
    REGISTERED_LETTER = "registered_letter", _("Lettre recommandée")
    PHONE = "phone", _("Appel téléphonique")
    TASK = "task", _("Tâche")


class Plan(models.Model):
    """A dunning plan: which customers it applies to and its steps."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="dunning_plans",
                            verbose_name=_("organisation"))
    name = models.CharField(_("nom"), max_length=100)
    customer_kinds = models.JSONField(
        _("types de clients concernés"), default=list, blank=True,
        help_text=_("b2b, b2c, public ; vide = tous les types (plan par défaut)."),
    )
    customers = models.ManyToManyField(Customer, blank=True, related_name="dunning_plans",
                                       verbose_name=_("clients concernés (choix explicite)"))
    is_default = models.BooleanField(_("plan par défaut"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan de relance")
        verbose_name_plural = _("plans de relance")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="dunning_plan_unique_name")]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps", verbose_name=_("plan"))
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("ordre"))
    anchor = models.CharField(_("ancrage"), max_length=40, default=ANCHOR_DUE,
                              help_text=_("« due_date » (échéance) ou le code d'une étape précédente."))
    days = models.SmallIntegerField(_("jours après l'ancrage"), help_text=_("négatif : avant l'échéance."))
    channels = models.JSONField(_("canaux"), default=list)
    template = models.CharField(_("modèle de message"), max_length=100, blank=True)
    needs_approval = models.BooleanField(_("validation requise"), default=False)

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="dunning_step_unique_code"),
            models.UniqueConstraint(fields=["plan", "order"], name="dunning_step_unique_order"),
        ]

    def __str__(self) -> str:
        return self.code


class Action(models.Model):
    """One message, task or approval for a customer, step, channel and day; its listed invoices are frozen."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En file d'attente")
        SENDING = "sending", _("Envoi en cours (incertain)")
        SENT = "sent", _("Envoyée")
        AWAITING_APPROVAL = "awaiting_approval", _("À valider")
        TASK = "task", _("Tâche créée")
        FAILED = "failed", _("Échec")
        CANCELLED = "cancelled", _("Annulée")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="dunning_actions",
                                 verbose_name=_("client"))
    step = models.CharField(_("étape"), max_length=40)
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    date = models.DateField(_("date"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    carried_out_on = models.DateField(_("effectuée le"), null=True, blank=True)
    invoices = models.ManyToManyField(Invoice, through="ActionInvoice", related_name="dunning_actions",
                                      verbose_name=_("factures"))
    amount_due = models.DecimalField(_("montant dû"), **MONEY)  # type: ignore[arg-type]
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    message_id = models.CharField(_("identifiant du message"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    verbose_name=_("validée par"))
    approved_on = models.DateField(_("validée le"), null=True, blank=True)
    tracking_number = models.CharField(_("numéro de suivi"), max_length=60, blank=True)
    acknowledged_on = models.DateField(_("accusé de réception le"), null=True, blank=True)
    document = models.CharField(_("document"), max_length=300, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("action de relance")
        verbose_name_plural = _("actions de relance")
        constraints = [
            models.UniqueConstraint(fields=["org", "customer", "step", "channel", "date"],
                                    name="dunning_action_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["org", "status", "next_attempt_at"]),
            models.Index(fields=["org", "customer", "carried_out_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.step} {self.channel} ({self.status})"


class ActionInvoice(models.Model):
    """An invoice an action lists, with its outstanding amount frozen when the action was created."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="lines", verbose_name=_("action"))
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="dunning_lines",
                                verbose_name=_("facture"))
    amount = models.DecimalField(_("restant dû à la création"), **MONEY)  # type: ignore[arg-type]
    advanced = models.BooleanField(_("fait avancer la facture"), default=False)

    class Meta:
        verbose_name = _("facture relancée")
        verbose_name_plural = _("factures relancées")
        constraints = [models.UniqueConstraint(fields=["action", "invoice"], name="dunning_line_unique")]


class LadderMark(models.Model):
    """The ladder state of an invoice: one row per step carried out (or skipped), never two (rule 13)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, verbose_name=_("client"))
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="ladder_marks",
                                verbose_name=_("facture"))
    step = models.CharField(_("étape"), max_length=40)
    day = models.DateField(_("effectuée le"))
    skipped = models.BooleanField(_("sautée"), default=False)
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("action"))

    class Meta:
        verbose_name = _("étape effectuée")
        verbose_name_plural = _("étapes effectuées")
        constraints = [models.UniqueConstraint(fields=["invoice", "step"], name="dunning_mark_once")]
        # The day's run reads the marks by customer range: covering, so they come from the index alone.
        indexes = [models.Index(fields=["org", "customer"]),
                   models.Index(fields=["customer", "invoice", "step", "day", "skipped"], name="dunning_mark_covering")]


class DunningRun(models.Model):
    """A run of the day's dunning (real or dry); real runs date-order the ladder (rule 13)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    date = models.DateField(_("date"))
    dry_run = models.BooleanField(_("simulation"), default=False)
    started_at = models.DateTimeField(_("démarrée à"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminée à"), null=True, blank=True)
    actions_created = models.PositiveIntegerField(_("actions créées"), default=0)
    warnings = models.JSONField(_("avertissements"), default=list, blank=True)

    class Meta:
        verbose_name = _("passage de relance")
        verbose_name_plural = _("passages de relance")
        indexes = [models.Index(fields=["org", "dry_run", "date"])]


class ScheduledRun(models.Model):
    """The worker's claim on an organisation's day, so a restart or a second worker never runs it twice."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    date = models.DateField(_("date"))
    enqueued_at = models.DateTimeField(_("programmée à"), auto_now_add=True)

    class Meta:
        verbose_name = _("passage programmé")
        verbose_name_plural = _("passages programmés")
        constraints = [models.UniqueConstraint(fields=["org", "date"], name="dunning_scheduled_once")]
