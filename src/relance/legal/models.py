"""Rate tables: global reference data (the law is the same for every organisation), editable.

`EcbDecision` is the record (ECB main refinancing rate by date of effect); `RateHalfYear` is what the
computations read: the ECB rate in force on the half-year's first day and both legal interest rates.
A half-year without its row (or with an empty column) is unknown: computations refuse to guess.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EcbDecision(models.Model):
    effective_date = models.DateField(_("date d'effet"), unique=True)
    rate = models.DecimalField(_("taux de refinancement (%)"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("lien vers la source"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("décision de taux BCE")
        verbose_name_plural = _("décisions de taux BCE")
        ordering = ["-effective_date"]

    def __str__(self) -> str:
        return f"{self.effective_date.isoformat()} : {self.rate} %"


class RateHalfYear(models.Model):
    class Half(models.IntegerChoices):
        FIRST = 1, _("1er semestre")
        SECOND = 2, _("2e semestre")

    year = models.PositiveSmallIntegerField(_("année"))
    half = models.PositiveSmallIntegerField(_("semestre"), choices=Half.choices)
    ecb_rate = models.DecimalField(_("taux BCE au premier jour (%)"), null=True, blank=True, max_digits=6, decimal_places=2)
    legal_rate_private = models.DecimalField(
        _("taux légal, créancier particulier (%)"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    legal_rate_other = models.DecimalField(_("taux légal, autres cas (%)"), null=True, blank=True, max_digits=6, decimal_places=2)
    source = models.TextField(_("source"), blank=True)
    source_url = models.URLField(_("lien vers la source"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("taux du semestre")
        verbose_name_plural = _("taux par semestre")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["year", "half"], name="rate_half_year_unique"),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="rate_half_year_half_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_half_display()} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def b2b_rate(self) -> Decimal | None:
        """Statutory B2B rate: ECB + 10 points (Code de commerce L441-10 II)."""
        return None if self.ecb_rate is None else self.ecb_rate + 10

    @property
    def public_rate(self) -> Decimal | None:
        """Public buyers: ECB + 8 points (Code de la commande publique R2192-31)."""
        return None if self.ecb_rate is None else self.ecb_rate + 8

    @property
    def contract_floor(self) -> Decimal | None:
        """The lowest lawful contractual rate: 3 × the legal rate "autres cas"."""
        return None if self.legal_rate_other is None else self.legal_rate_other * 3
