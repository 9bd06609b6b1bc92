"""Forms of the staff pages: French labels, validation only (the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from relance.channels.phone import CALL_OUTCOMES as CALL_REASON_CODES
from relance.ledger.models import CustomerKind, Dispute

CALL_OUTCOMES = [
    ("reached", _("Joint")),
    ("voicemail", _("Messagerie, message laissé")),
    ("no_answer", _("Pas de réponse")),
    ("wrong_number", _("Mauvais numéro")),
]
#: Why the customer has not paid: the channels app's reason codes (one list for the script and the form).
CALL_REASONS = [("", _("—")), *((code, _(label)) for code, label in CALL_REASON_CODES)]


class FastSelect(forms.Select):
    """A <select> built in Python: a customer with hundreds of open invoices would otherwise cost half a
    second of template rendering per form (one template per <option>)."""

    def render(self, name: str, value: object, attrs: dict[str, object] | None = None,
               renderer: object = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None}
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (v, mark_safe(" selected") if str(v) in selected else "", label) for v, label in self.choices))
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(final), options)


def form_errors(form: Any) -> str:
    """A form's errors in one sentence for a flash message: « Motif : Ce champ est obligatoire. »."""
    return " ".join(f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}".strip(" :")
                    for f, e in form.errors.items())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False)
    overdue = forms.BooleanField(label=_("En retard uniquement"), required=False)
    min_amount = forms.DecimalField(label=_("Encours minimum (€)"), required=False, min_value=0, decimal_places=2)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous"))] + list(CustomerKind.choices))
    manager = forms.ChoiceField(label=_("Chargé de compte"), required=False)
    state = forms.ChoiceField(label=_("État"), required=False, choices=[
        ("", _("Tous")), ("paused", _("Relances suspendues")), ("manual", _("Mode manuel")),
        ("active", _("Relances actives")),
    ])
    risk = forms.ChoiceField(label=_("Risque"), required=False, choices=[
        ("", _("Tous")), ("high", _("Élevé")), ("medium", _("Moyen")), ("low", _("Faible")),
    ])
    # Sorting by name or code reads an index and computes balances for one page only; sorting by
    # amounts or risk computes every customer's figures first (seconds with a million invoices).
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=[
        ("name", _("Nom")), ("ref", _("Code client")),
        ("-overdue", _("Échu décroissant")), ("-outstanding", _("Encours décroissant")),
        ("-risk", _("Risque décroissant")),
    ])

    def __init__(self, *args: object, managers: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["manager"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tous")), ("none", _("Sans chargé de compte")), *managers]


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Résultat de l'appel"), choices=CALL_OUTCOMES)
    reason = forms.ChoiceField(label=_("Motif du retard"), choices=CALL_REASONS, required=False)
    note = forms.CharField(label=_("Compte rendu"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000)
    promise_until = forms.DateField(label=_("Promesse de paiement au plus tard le"), required=False, widget=DateInput())
    promise_amount = forms.DecimalField(label=_("Montant promis (€)"), required=False, min_value=0, decimal_places=2)
    dispute_invoice = forms.ChoiceField(label=_("Facture contestée"), required=False, widget=FastSelect)
    dispute_reason = forms.CharField(label=_("Motif du litige"), required=False, max_length=2000)

    def __init__(self, *args: object, invoices: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["dispute_invoice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Aucune")), *invoices]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("dispute_invoice") and not (data.get("dispute_reason") or "").strip():
            self.add_error("dispute_reason", _("Indiquez le motif du litige."))
        return data


class PromiseForm(forms.Form):
    until = forms.DateField(label=_("Paiement promis au plus tard le"), widget=DateInput())
    amount = forms.DecimalField(label=_("Montant promis (€)"), required=False, min_value=0, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class DisputeForm(forms.Form):
    invoice = forms.ChoiceField(label=_("Facture"), widget=FastSelect)
    reason_code = forms.ChoiceField(label=_("Motif"), choices=Dispute.Reason.choices)
    reason = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, invoices: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["invoice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(invoices)


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la suspension"), required=False, max_length=200)


class OrganisationForm(forms.ModelForm):
    class Meta:
        from relance.accounts.models import Organisation

        model = Organisation
        fields = ["name", "siren", "siret", "vat_number", "address", "postcode", "city", "phone", "iban", "bic",
                  "sender_name", "sender_email", "reply_to", "legal_mentions", "payment_terms_days", "contract_rate"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2}), "legal_mentions": forms.Textarea(attrs={"rows": 3})}


class ContactRulesForm(forms.ModelForm):
    class Meta:
        from relance.accounts.models import Organisation

        model = Organisation
        fields = ["contact_spacing_days", "min_reminder_amount", "dunning_time", "sending_hours_start",
                  "sending_hours_end", "holidays_region", "bank_staleness_days", "pause_on_reply"]
        widgets = {f: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for f in ("dunning_time", "sending_hours_start", "sending_hours_end")}

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("sending_hours_start"), data.get("sending_hours_end")
        if start and end and start >= end:  # type: ignore[operator]
            self.add_error("sending_hours_end", _("La fin des envois doit être après leur début."))
        return data


class MemberForm(forms.Form):
    from relance.accounts.models import Role

    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    password = forms.CharField(label=_("Mot de passe initial (nouveaux utilisateurs)"), required=False,
                               widget=forms.PasswordInput, min_length=8)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Nom"), required=False, max_length=200)
    role = forms.CharField(label=_("Fonction"), required=False, max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=30,
                            help_text=_("Format français accepté : 06 12 34 56 78"))

    def clean_phone(self) -> str:
        from relance.ledger.services import phone_to_e164

        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return phone_to_e164(raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc).capitalize())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not self.errors and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(_("Indiquez au moins un e-mail ou un téléphone."))
        return data
