"""Debtor forms: French labels, English through gettext; errors tied to their fields for screen readers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relance.core.money import money, parse_amount
from relance.ledger.models import Dispute, Invoice
from relance.portal.uploads import MAX_PROOF_BYTES, sniff_file

# The debtor's words for ledger.Dispute.Reason.
REASONS = [
    (Dispute.Reason.NOT_RECEIVED.value, _("Je n'ai pas reçu cette facture")),
    (Dispute.Reason.AMOUNT_WRONG.value, _("Le montant est erroné")),
    (Dispute.Reason.GOODS_OR_SERVICE.value, _("Problème de marchandise ou de prestation")),
    (Dispute.Reason.ALREADY_PAID.value, _("Je l'ai déjà payée")),
    (Dispute.Reason.OTHER.value, _("Autre motif")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, *, low: date | None = None, high: date | None = None) -> None:
        attrs = {k: v.isoformat() for k, v in (("min", low), ("max", high)) if v is not None}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AccessibleForm(forms.Form):
    """Django 5.2 marks invalid fields aria-invalid and points aria-describedby at `<id>_error` and
    `<id>_helptext`; portal/field.html renders the error list and help text under those ids."""


class PaidForm(AccessibleForm):
    paid_on = forms.DateField(label=_("Date du paiement"))
    amount = forms.CharField(label=_("Montant payé (facultatif)"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    proof = forms.FileField(label=_("Justificatif (facultatif)"), required=False,
                            help_text=_("PDF, PNG ou JPEG, 5 Mo au plus."),
                            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
    comment = forms.CharField(label=_("Commentaire (facultatif)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["paid_on"].widget = DateInput(low=today - timedelta(days=366), high=today)
        self.fields["paid_on"].initial = today

    def clean_paid_on(self) -> date:
        value: date = self.cleaned_data["paid_on"]
        if value > self.today:
            raise forms.ValidationError(_("La date du paiement ne peut pas être dans le futur."))
        if value < self.today - timedelta(days=366):
            raise forms.ValidationError(_("La date du paiement est trop ancienne."))
        return value

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data["amount"].strip()
        if not text:
            return None
        try:
            value = parse_amount(text)
        except ValueError:
            raise forms.ValidationError(_("Montant illisible : écrivez par exemple 1250,00."))
        if value <= 0 or value != money(value) or value >= Decimal("1e12"):
            raise forms.ValidationError(_("Montant illisible : écrivez par exemple 1250,00."))
        return value

    def clean_proof(self) -> Any:
        proof = self.cleaned_data.get("proof")
        if not proof:
            return None
        if proof.size > MAX_PROOF_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo."))
        if sniff_file(proof.file) is None:
            raise forms.ValidationError(_("Le fichier doit être un PDF, un PNG ou un JPEG."))
        return proof


class PromiseForm(AccessibleForm):
    until = forms.DateField(label=_("Je paierai au plus tard le"))

    def __init__(self, *args: Any, today: date, max_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today, self.high = today, today + timedelta(days=max_days)
        self.fields["until"].widget = DateInput(low=today, high=self.high)
        self.fields["until"].help_text = _("Au plus tard le %(date)s.") % {"date": self.high.strftime("%d/%m/%Y")}

    def clean_until(self) -> date:
        value: date = self.cleaned_data["until"]
        if value < self.today:
            raise forms.ValidationError(_("Choisissez une date à venir."))
        if value > self.high:
            raise forms.ValidationError(_("La date ne peut pas dépasser le %(date)s.")
                                        % {"date": self.high.strftime("%d/%m/%Y")})
        return value


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Invoice) -> str:
        return f"{obj.number} — {obj.issue_date:%d/%m/%Y}"


class DisputeForm(AccessibleForm):
    invoice = InvoiceChoiceField(label=_("Facture"), queryset=Invoice.objects.none(), empty_label=None)
    reason_code = forms.ChoiceField(label=_("Motif"), choices=REASONS, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Commentaire"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, invoices: QuerySet[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the link's own customer's undisputed open invoices can be chosen.
        self.fields["invoice"].queryset = invoices  # type: ignore[attr-defined]


class PlanForm(AccessibleForm):
    instalments = forms.TypedChoiceField(label=_("Nombre de mensualités"), coerce=int)
    first_date = forms.DateField(label=_("Première échéance"))
    comment = forms.CharField(label=_("Commentaire (facultatif)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, today: date, max_instalments: int, max_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today, self.high = today, today + timedelta(days=max_days)
        self.fields["instalments"].choices = [(n, str(n)) for n in range(2, max(max_instalments, 2) + 1)]  # type: ignore[attr-defined]
        self.fields["first_date"].widget = DateInput(low=today, high=self.high)

    def clean_first_date(self) -> date:
        value: date = self.cleaned_data["first_date"]
        if not self.today <= value <= self.high:
            raise forms.ValidationError(_("Choisissez une date entre le %(low)s et le %(high)s.") % {
                "low": self.today.strftime("%d/%m/%Y"), "high": self.high.strftime("%d/%m/%Y")})
        return value


class PlanDecisionForm(forms.Form):
    """Staff side: approve (possibly adjusting) or reject a requested plan."""

    decision = forms.ChoiceField(label=_("Décision"), choices=[("approve", _("Accorder")), ("reject", _("Refuser"))])
    instalments = forms.IntegerField(label=_("Nombre de mensualités"), min_value=1, max_value=60)
    first_date = forms.DateField(label=_("Première échéance"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
