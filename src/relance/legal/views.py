"""/parametres/taux/: the rate tables. Anyone in the organisation reads; only install administrators edit.

The tables are shared by every organisation of the install (the law is the same for all), so no role inside one
organisation may change them: a manager of any organisation would otherwise change the penalties of all the others.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.permissions import VIEWER, role_required
from relance.core.errors import ApplicationError
from relance.legal.forms import EcbDecisionForm, RateHalfYearForm
from relance.legal.models import EcbDecision, RateHalfYear
from relance.legal.selectors import ecb_decision_list, rate_half_year_list
from relance.legal.services import ecb_decision_add, rate_half_year_save, rates_editor


def install_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A member of the current organisation who is also an administrator of the install (staff or superuser)."""

    @role_required(VIEWER)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rates_editor(request.user):
            raise PermissionDenied("Seuls les administrateurs de l'installation peuvent modifier les taux.")
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, *, ecb_form: EcbDecisionForm | None = None,
          half_form: RateHalfYearForm | None = None, status: int = 200) -> HttpResponse:
    can_edit = rates_editor(request.user)
    return render(request, "legal/rates.html", {
        "rows": rate_half_year_list(), "decisions": ecb_decision_list(), "can_edit": can_edit,
        "ecb_form": ecb_form or EcbDecisionForm(), "half_form": half_form or RateHalfYearForm(),
    }, status=status)


@role_required(VIEWER)
def rate_tables(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@install_admin_required
def ecb_decision_create(request: HttpRequest) -> HttpResponse:
    form = EcbDecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, ecb_form=form, status=400)
    try:
        decision, rows = ecb_decision_add(**form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _page(request, ecb_form=form, status=400)
    halves = ", ".join(str(r) for r in rows) or _("aucun semestre")
    messages.success(request, _("Décision BCE du %(day)s enregistrée (%(halves)s).") % {
        "day": f"{decision.effective_date:%d/%m/%Y}", "halves": halves})
    return redirect("legal:rates")


@install_admin_required
def ecb_decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(EcbDecision, pk=pk)
    initial = {"effective_date": decision.effective_date, "rate": decision.rate, "source": decision.source,
               "source_url": decision.source_url}
    form = EcbDecisionForm(request.POST or None, initial=initial)
    form.fields["effective_date"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            ecb_decision_add(**form.cleaned_data)
            messages.success(request, _("Décision BCE modifiée."))
            return redirect("legal:rates")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "legal/edit.html", {"form": form, "title": _("Décision BCE du %(day)s") % {"day": decision}},
                  status=400 if request.method == "POST" else 200)


@require_POST
@install_admin_required
def half_year_create(request: HttpRequest) -> HttpResponse:
    form = RateHalfYearForm(request.POST)
    if not form.is_valid():
        return _page(request, half_form=form, status=400)
    try:
        row = rate_half_year_save(row=form.save(commit=False))
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _page(request, half_form=form, status=400)
    messages.success(request, _("Taux du %(half)s enregistrés.") % {"half": row})
    return redirect("legal:rates")


@install_admin_required
def half_year_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(RateHalfYear, pk=pk)
    form = RateHalfYearForm(request.POST or None, instance=row)
    form.fields["year"].disabled = form.fields["half"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            rate_half_year_save(row=form.save(commit=False))
            messages.success(request, _("Taux du %(half)s modifiés.") % {"half": row})
            return redirect("legal:rates")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "legal/edit.html", {"form": form, "title": _("Taux du %(half)s") % {"half": row}},
                  status=400 if request.method == "POST" else 200)
