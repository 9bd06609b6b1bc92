from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relance.legal.models import RateHalfYear


def rate_field(label: Any) -> forms.DecimalField:
    # localize: French input 2,15 (2.15 is accepted too)
    return forms.DecimalField(label=label, max_digits=6, decimal_places=2, min_value=Decimal("-10"),
                              max_value=Decimal("100"), localize=True)


class EcbDecisionForm(forms.Form):
    effective_date = forms.DateField(label=_("Date d'effet"),
                                     widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    rate = rate_field(_("Taux de refinancement (%)"))
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    source_url = forms.URLField(label=_("Lien vers la source"), required=False, assume_scheme="https")


class RateHalfYearForm(forms.ModelForm):
    source_url = forms.URLField(label=_("Lien vers la source"), required=False, assume_scheme="https")

    class Meta:
        model = RateHalfYear
        fields = ["year", "half", "ecb_rate", "legal_rate_other", "legal_rate_private", "source", "source_url"]
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}
        localized_fields = ["ecb_rate", "legal_rate_other", "legal_rate_private"]
        help_texts = {
            "ecb_rate": _("Taux BCE en vigueur le 1er janvier ou le 1er juillet ; vide = inconnu."),
            "legal_rate_other": _("Créancier professionnel (cas de Relance) ; vide = inconnu."),
        }

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Année invalide."))
        return year
