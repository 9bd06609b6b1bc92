from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relance.core.validators import validate_bic, validate_iban, validate_siren, validate_siret, validate_vat


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """People sign in with their e-mail address."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150, blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")])
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.full_name or self.email


class Organisation(models.Model):
    """The creditor: a company whose receivables Relance collects."""

    class HolidaysRegion(models.TextChoices):
        NATIONAL = "national", _("France (liste nationale)")
        ALSACE_MOSELLE = "alsace_moselle", _("Alsace-Moselle")

    name = models.CharField(_("raison sociale"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(_("n° TVA intracommunautaire"), max_length=20, blank=True, validators=[validate_vat])
    address = models.TextField(_("adresse"), blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    sender_name = models.CharField(_("nom de l'expéditeur"), max_length=200, blank=True)
    sender_email = models.EmailField(_("e-mail d'envoi"), blank=True)
    reply_to = models.EmailField(_("adresse de réponse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    legal_mentions = models.TextField(_("mentions légales"), blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    payment_terms_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    min_reminder_amount = models.DecimalField(
        _("montant minimum à relancer"), max_digits=12, decimal_places=2, default=Decimal("10.00")
    )
    contact_spacing_days = models.PositiveSmallIntegerField(_("espacement minimal des contacts (jours)"), default=3)
    holidays_region = models.CharField(
        _("jours fériés"), max_length=20, choices=HolidaysRegion.choices, default=HolidaysRegion.NATIONAL
    )
    bank_staleness_days = models.PositiveSmallIntegerField(_("ancienneté maximale du relevé bancaire (jours)"), default=3)
    dunning_time = models.TimeField(_("heure de la relance quotidienne"), default=time(8, 30))
    sending_hours_start = models.TimeField(_("début des envois SMS et appels"), default=time(9, 0))
    sending_hours_end = models.TimeField(_("fin des envois SMS et appels"), default=time(19, 0))
    contract_rate = models.DecimalField(
        _("taux de pénalité contractuel (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    promise_grace_days = models.PositiveSmallIntegerField(_("délai de grâce après une promesse (jours)"), default=2)
    pause_on_reply = models.BooleanField(_("suspendre les relances à chaque réponse"), default=True)
    portal_token_days = models.PositiveSmallIntegerField(_("validité du lien du portail (jours)"), default=90)
    portal_max_promise_days = models.PositiveSmallIntegerField(_("promesse maximale sur le portail (jours)"), default=30)
    portal_max_instalments = models.PositiveSmallIntegerField(_("nombre maximal d'échéances"), default=6)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.siret and self.siren and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": _("Le SIRET doit commencer par le SIREN.")})


class Role(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    MANAGER = "manager", _("Responsable")
    COLLECTOR = "collector", _("Chargé de recouvrement")
    VIEWER = "viewer", _("Lecture seule")


ROLE_RANK = {Role.VIEWER: 0, Role.COLLECTOR: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur"))
    org = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [models.UniqueConstraint(fields=["user", "org"], name="membership_unique_user_org")]

    def __str__(self) -> str:
        return f"{self.user} — {self.org} ({self.get_role_display()})"

    def can(self, role: str) -> bool:
        """True when this membership's role is at least `role`."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]
