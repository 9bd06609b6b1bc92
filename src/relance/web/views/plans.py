"""Payment plans from the customer page: set one up (chosen invoices, instalments with their own dates and
amounts, the equal monthly split as a start), or cancel it. The services are in portal/plans.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from relance.accounts.permissions import COLLECTOR, role_required
from relance.core.dates import add_months, local_today
from relance.core.errors import ApplicationError
from relance.core.money import NBSP, ZERO, format_eur, money, parse_amount
from relance.ledger.models import Customer, Invoice
from relance.ledger.selectors import customer_get
from relance.portal import plans, schedule
from relance.web.forms import DateInput

DEFAULT_COUNT = 3


class PlanSetupForm(forms.Form):
    invoices = forms.MultipleChoiceField(label=_("Factures de l'échéancier"), widget=forms.CheckboxSelectMultiple)
    count = forms.IntegerField(label=_("Nombre d'échéances"), min_value=1, max_value=schedule.MAX_INSTALMENTS)
    first_date = forms.DateField(label=_("Première échéance"), widget=DateInput())
    note = forms.CharField(label=_("Note (facultative)"), required=False, max_length=2000)

    def __init__(self, *args: Any, invoices: list[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoices"].choices = [  # type: ignore[attr-defined]
            (str(i.pk), f"{i.number} — {_t('échéance')} {i.due_date:%d/%m/%Y} — {format_eur(i.outstanding)}")  # type: ignore[attr-defined]
            for i in invoices]


class AmountInput(forms.TextInput):
    """An amount written the French way ("1 710,34"): a number input would show and want "1710.34"."""

    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (Decimal, int)):
            return format_eur(Decimal(value)).removesuffix(f"{NBSP}€")
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """Reads "1 710,34", "1710,34" or "1710.34" (core.money.parse_amount)."""

    widget = AmountInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}  # no min/step: they belong to a number input


class InstalmentRowForm(forms.Form):
    due_date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = AmountField(label=_("Montant (€)"), min_value=Decimal("0.01"), decimal_places=2, max_digits=14)


RowFormSet = forms.formset_factory(InstalmentRowForm, extra=0, max_num=schedule.MAX_INSTALMENTS,
                                   validate_max=True)


def _customer(request: HttpRequest, pk: int) -> Customer:
    try:
        return customer_get(org=request.org, pk=pk)  # type: ignore[attr-defined]
    except ApplicationError:
        raise Http404("Client introuvable")


def _chosen(setup: PlanSetupForm, invoices: list[Invoice]) -> list[Invoice]:
    wanted = set(setup.cleaned_data["invoices"])
    return [i for i in invoices if str(i.pk) in wanted]


def _rows(chosen: list[Invoice], count: int, first: date) -> Any:
    total = money(sum((i.outstanding for i in chosen), ZERO))  # type: ignore[attr-defined]
    if total <= 0:
        return RowFormSet(prefix="ech")
    split = schedule.split(total=total, count=count, first_date=first)
    return RowFormSet(prefix="ech", initial=[{"due_date": d, "amount": a} for d, a in split])


@require_http_methods(["GET", "POST"])
@role_required(COLLECTOR)
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the equal monthly split of every plannable invoice; POST "compute": the split of the chosen
    invoices; POST "create": the (possibly edited) instalments become the plan."""
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    customer = _customer(request, pk)
    invoices = plans.plannable_invoices(org=org, customer=customer)
    if request.method == "GET":
        first = add_months(today, 1)
        setup = PlanSetupForm(invoices=invoices, initial={
            "invoices": [str(i.pk) for i in invoices], "count": DEFAULT_COUNT, "first_date": first})
        rows = _rows(invoices, DEFAULT_COUNT, first)
        return _page(request, customer, setup, rows, invoices, today)
    setup = PlanSetupForm(request.POST, invoices=invoices)
    if request.POST.get("do") != "create":
        rows = RowFormSet(prefix="ech")
        if setup.is_valid():
            d = setup.cleaned_data
            rows = _rows(_chosen(setup, invoices), d["count"], d["first_date"])
        return _page(request, customer, setup, rows, invoices, today)
    rows = RowFormSet(request.POST, prefix="ech")
    if setup.is_valid() and rows.is_valid():
        instalments = [(r["due_date"], r["amount"]) for r in rows.cleaned_data if r]
        try:
            plans.payment_plan_create(org=org, customer=customer, invoices=_chosen(setup, invoices),
                                      instalments=instalments, today=today, actor=request.user,
                                      note=setup.cleaned_data["note"].strip())
        except ApplicationError as exc:
            setup.add_error(None, exc.message)
        else:
            messages.success(request, _t("Échéancier mis en place : les relances de ses factures sont suspendues "
                                         "tant qu'il est respecté."))
            return redirect(reverse("customer_detail", args=[customer.pk]) + "#payment-plan")
    return _page(request, customer, setup, rows, invoices, today, status=400)


def _page(request: HttpRequest, customer: Customer, setup: PlanSetupForm, rows: Any, invoices: list[Invoice],
          today: date, status: int = 200) -> HttpResponse:
    return render(request, "web/customers/plan_new.html", {
        "customer": customer, "setup": setup, "rows": rows, "invoices": invoices, "today": today,
        "existing": plans.customer_plan(org=request.org, customer=customer, today=today),  # type: ignore[attr-defined]
    }, status=status)


@require_POST
@role_required(COLLECTOR)
def plan_cancel(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    customer = _customer(request, pk)
    try:
        plan = plans.plan_get(org=org, customer=customer, pk=plan_pk)
    except ApplicationError:
        raise Http404("Échéancier introuvable")
    try:
        plans.payment_plan_cancel(org=org, plan=plan, today=local_today(), actor=request.user,
                                  reason=request.POST.get("reason", "").strip()[:500])
        messages.success(request, _t("Échéancier annulé : la relance reprend pour ses factures impayées."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("customer_detail", args=[customer.pk]) + "#payment-plan")
