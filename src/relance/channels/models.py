"""Channels: per-organisation template overrides, the documents produced, and messages sent."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.ledger.models import Customer

STEP_CHOICES = [
    ("pre_due", _("Avant échéance")),
    ("reminder_1", _("Relance 1 (amicale)")),
    ("reminder_2", _("Relance 2 (ferme)")),
    ("reminder_3", _("Relance 3 (courrier)")),
    ("formal_notice", _("Mise en demeure")),
    ("litigation", _("Contentieux")),
]
PART_CHOICES = [
    ("email_subject", _("Objet de l'e-mail")),
    ("email_text", _("E-mail (texte)")),
    ("email_html", _("E-mail (HTML)")),
    ("sms", _("SMS")),
    ("letter", _("Courrier (HTML, PDF)")),
]
LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]


class Template(models.Model):
    """An organisation's version of one part of a message; the shipped file is used when absent."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    step = models.CharField(_("étape"), max_length=20, choices=STEP_CHOICES)
    part = models.CharField(_("partie"), max_length=20, choices=PART_CHOICES)
    language = models.CharField(_("langue"), max_length=5, choices=LANGUAGE_CHOICES, default="fr")
    source = models.TextField(_("modèle (Jinja2)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("modifié par")
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de message")
        constraints = [
            models.UniqueConstraint(fields=["org", "step", "part", "language"], name="template_unique_part")
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} — {self.get_part_display()} ({self.language})"

    def clean(self) -> None:
        from relance.channels.rendering import is_html, template_validate

        problems = template_validate(self.source, html=is_html(self.part))
        if problems:
            raise ValidationError({"source": problems})


class Document(models.Model):
    """A PDF Relance produced: letters (for the print batch), statements, litigation files."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Courrier")
        REGISTERED_LETTER = "registered_letter", _("Lettre recommandée")
        STATEMENT = "statement", _("Relevé de compte")
        LITIGATION = "litigation", _("Dossier contentieux")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="documents", verbose_name=_("client")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    step = models.CharField(_("étape"), max_length=20, blank=True)
    day = models.DateField(_("date"))
    path = models.CharField(_("fichier"), max_length=300, help_text=_("relatif à MEDIA_ROOT"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    action_id = models.BigIntegerField(_("action liée"), null=True, blank=True)
    tracking_number = models.CharField(_("numéro de suivi postal"), max_length=40, blank=True)
    acknowledged_on = models.DateField(_("accusé de réception le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["org", "kind", "day"])]
        ordering = ["day", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer} {self.day}"


class SentMessage(models.Model):
    """Every e-mail or SMS sent: the Message-ID lets replies and bounces find their way back."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="sent_messages", verbose_name=_("client")
    )
    action_id = models.BigIntegerField(_("action liée"), null=True, blank=True)
    channel = models.CharField(_("canal"), max_length=10)
    step = models.CharField(_("étape"), max_length=20, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    provider_id = models.CharField(_("identifiant chez le prestataire"), max_length=300, blank=True, db_index=True)
    recipients = models.JSONField(_("destinataires"), default=list)
    day = models.DateField(_("date"))
    failed = models.BooleanField(_("en échec"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message envoyé")
        verbose_name_plural = _("messages envoyés")

    def __str__(self) -> str:
        return f"{self.channel} {self.message_id}"


class CourtChoice(models.Model):
    """The court a person chose for a customer's "injonction de payer" when the département has several."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, verbose_name=_("organisation"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="court_choices", verbose_name=_("client")
    )
    commercial = models.BooleanField(_("juridiction commerciale"))
    court = models.CharField(_("juridiction"), max_length=200)
    postcode = models.CharField(_("code postal au moment du choix"), max_length=10)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("choisie par")
    )
    chosen_on = models.DateField(_("choisie le"))

    class Meta:
        verbose_name = _("juridiction choisie")
        verbose_name_plural = _("juridictions choisies")
        constraints = [
            models.UniqueConstraint(fields=["customer", "commercial"], name="court_choice_one_per_customer_kind")
        ]

    def __str__(self) -> str:
        return f"{self.customer} — {self.court}"


class Mailbox(models.Model):
    """An organisation's own reply mailbox: what is read there is filed only within that organisation.

    The IMAP URL carries a password, so the database holds only the name of the environment variable that
    holds the URL, and only names starting with IMAP_URL_ (never SECRET_KEY or DATABASE_URL). Edited by the
    install operator in the administration, not by the organisation's users.
    """

    org = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="mailbox", verbose_name=_("organisation")
    )
    url_env = models.CharField(
        _("variable d'environnement de l'URL IMAP"), max_length=100, unique=True,
        validators=[RegexValidator(r"^IMAP_URL_[A-Z0-9_]+$", _("Un nom de variable IMAP_URL_… en majuscules "
                                                                "(par exemple IMAP_URL_DURAND)."))],
        help_text=_("La variable contient imaps://utilisateur:motdepasse@hôte:993/INBOX ; le mot de passe "
                    "n'est jamais enregistré en base."),
    )
    active = models.BooleanField(_("relevée"), default=True)

    class Meta:
        verbose_name = _("boîte de réponse")
        verbose_name_plural = _("boîtes de réponse")

    def __str__(self) -> str:
        return f"{self.org} ({self.url_env})"


class UnfiledReply(models.Model):
    """A mail read from a reply mailbox that could not safely be put on one customer's timeline.

    Kept for the install operator: filing it on a guess could pause another organisation's ladder or show
    a message to the wrong organisation. The operator files it on a customer or ignores it in the
    administration; the row stays (who decided, when) so the same mail read again is not kept twice.
    """

    class Reason(models.TextChoices):
        UNKNOWN_SENDER = "unknown_sender", _("Expéditeur inconnu")
        SEVERAL_ORGANISATIONS = "several_orgs", _("Adresse connue de plusieurs organisations")
        FOREIGN_THREAD = "foreign_thread", _("Fil d'un envoi d'une autre organisation")
        UNMATCHED_BOUNCE = "unmatched_bounce", _("Non-distribution sans envoi correspondant")

    class Status(models.TextChoices):
        PENDING = "pending", _("à classer")
        FILED = "filed", _("classée")
        IGNORED = "ignored", _("ignorée")

    mailbox_org = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("boîte de l'organisation"),
        help_text=_("vide : la boîte commune (IMAP_URL)"),
    )
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    day = models.DateField(_("reçue le"))
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    from_address = models.CharField(_("expéditeur"), max_length=300, blank=True)
    from_name = models.CharField(_("nom de l'expéditeur"), max_length=300, blank=True)
    subject = models.CharField(_("objet"), max_length=500, blank=True)
    text = models.TextField(_("texte"), blank=True)
    #: ids of the organisations the sender address or thread pointed to
    candidate_orgs = models.JSONField(_("organisations possibles"), default=list, blank=True)
    #: the threading and bounce details of the parsed mail, to file it later as it would have been filed
    details = models.JSONField(_("détails du message"), default=dict, blank=True)
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("classée sur le client"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("traitée par"),
    )
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réponse non classée")
        verbose_name_plural = _("réponses non classées")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.from_address} — {self.subject}"
