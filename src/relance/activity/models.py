"""The timeline (every event, as evidence) and the team's tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.ledger.models import Customer, Invoice


class Event(models.Model):
    """Something that happened to a customer, kept as evidence; never edited."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("client")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("facture")
    )
    type = models.CharField(_("type"), max_length=40)
    date = models.DateField(_("date"))
    message = models.TextField(_("description"), blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("auteur")
    )
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        indexes = [models.Index(fields=["org", "customer", "date"]), models.Index(fields=["org", "type", "date"])]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.type}"


class Task(models.Model):
    """Work for a person: a call, a letter to post, a reply to read, a contact to fix…"""

    class Kind(models.TextChoices):
        CALL = "call", _("Appel à passer")
        LETTER = "letter", _("Courrier à poster")
        APPROVAL = "approval", _("Validation")
        REPLY = "reply", _("Réponse à lire")
        DISPUTE = "dispute", _("Litige à traiter")
        PROMISE = "promise", _("Promesse à échéance")
        CONTACT = "contact", _("Coordonnées à compléter")
        CHECK_PAYMENT = "check_payment", _("Paiement à vérifier")
        PAYMENT_PLAN = "payment_plan", _("Échéancier à valider")
        LITIGATION = "litigation", _("Contentieux")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        OPEN = "open", _("À faire")
        DONE = "done", _("Fait")
        CANCELLED = "cancelled", _("Annulé")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("client")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=300)
    body = models.TextField(_("détails"), blank=True)
    due_date = models.DateField(_("échéance"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("attribuée à")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    action_id = models.BigIntegerField(_("action liée"), null=True, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    done_on = models.DateField(_("faite le"), null=True, blank=True)
    outcome = models.TextField(_("résultat"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("tâche")
        verbose_name_plural = _("tâches")
        indexes = [models.Index(fields=["org", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title
