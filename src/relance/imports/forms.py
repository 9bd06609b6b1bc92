from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

FORMAT_CHOICES = [
    ("auto", _("Détection automatique")), ("csv", "CSV"), ("xlsx", "Excel (.xlsx)"),
    ("fec", _("FEC (fichier des écritures comptables)")), ("facturx", "Factur-X (PDF)"),
    ("cii", "CII (XML)"), ("ubl", "UBL 2.1 (XML)"),
]


class InvoiceUploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier de factures"))
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
