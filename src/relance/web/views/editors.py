"""Plans and message templates (managers and owners): steps, kinds, and a live preview on a real customer."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.permissions import MANAGER, role_required
from relance.channels import rendering
from relance.channels.context import STEPS
from relance.channels.services import template_save
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.dunning.models import Channel, Plan
from relance.dunning.services import STEP_LABELS
from relance.ledger.models import Customer, CustomerKind
from relance.ledger.selectors import scoped
from relance.web.services import StepChange, plan_update

LANGUAGES = (("fr", "Français"), ("en", "English"))


@role_required(MANAGER)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = scoped(Plan, request.org).prefetch_related("steps").order_by("-is_default", "name")  # type: ignore[attr-defined]
    return render(request, "web/plan_list.html", {"plans": plans, "labels": STEP_LABELS})


@role_required(MANAGER)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    plan = scoped(Plan, org).filter(pk=pk).first()
    if plan is None:
        raise Http404("Plan introuvable")
    steps = list(plan.steps.order_by("order"))
    if request.method == "POST":
        try:
            changes = [StepChange(
                step_id=s.pk, anchor=request.POST.get(f"anchor-{s.pk}", s.anchor),
                days=int(request.POST.get(f"days-{s.pk}", "")),
                channels=tuple(request.POST.getlist(f"channels-{s.pk}")),
                needs_approval=request.POST.get(f"approval-{s.pk}") == "on",
            ) for s in steps]
            kinds = [k for k in request.POST.getlist("kinds") if k in CustomerKind.values]
            plan_update(org=org, plan=plan, changes=changes, kinds=kinds)
            messages.success(request, _("Plan « %(name)s » enregistré.") % {"name": plan.name})
            return redirect("plan_edit", pk=plan.pk)
        except ValueError:
            messages.error(request, _("Le nombre de jours doit être un entier (négatif avant l'échéance)."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        steps = list(plan.steps.order_by("order"))  # show what is saved, with the message
    return render(request, "web/plan_edit.html", {
        "plan": plan, "steps": steps, "labels": STEP_LABELS, "channels": Channel.choices,
        "kinds": CustomerKind.choices,
    })


def _template_key(step: str, part: str, language: str) -> None:
    if step not in STEPS or part not in rendering.PARTS or language not in dict(LANGUAGES):
        raise Http404("Modèle inconnu")


@role_required(MANAGER)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/template_list.html", {
        "steps": [(s, STEP_LABELS.get(s, s)) for s in STEPS], "parts": rendering.PART_LABELS.items(),
        "languages": LANGUAGES,
    })


@role_required(MANAGER)
def template_edit(request: HttpRequest, step: str, part: str, language: str) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    _template_key(step, part, language)
    source = rendering.template_source(org, step=step, part=part, language=language) or ""
    if request.method == "POST":
        source = request.POST.get("source", "")
        try:
            template_save(org=org, step=step, part=part, language=language, source=source, user=request.user)
            messages.success(request, _("Modèle enregistré."))
            return redirect("template_edit", step=step, part=part, language=language)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    customers = scoped(Customer, org).order_by("name").only("pk", "name", "ref")[:200]
    return render(request, "web/template_edit.html", {
        "step": step, "part": part, "language": language, "source": source, "customers": customers,
        "step_label": STEP_LABELS.get(step, step), "part_label": rendering.PART_LABELS.get(part, part),
        "variables": sorted(rendering.VARIABLES.items()),
    })


@require_POST
@role_required(MANAGER)
def template_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: the source rendered by the channels sandbox for the chosen customer (or its French errors)."""
    org = request.org  # type: ignore[attr-defined]
    step, part = request.POST.get("step", ""), request.POST.get("part", "")
    _template_key(step, part, request.POST.get("language", "fr"))
    customer_id = request.POST.get("customer", "")
    customer = scoped(Customer, org).filter(pk=customer_id).first() if customer_id.isdigit() else None
    if customer is None:
        return render(request, "web/_template_preview.html", {"error": _("Choisissez un client pour l'aperçu.")})
    source = request.POST.get("source", "")
    problems = rendering.template_validate(source, html=rendering.is_html(part))
    if problems:
        return render(request, "web/_template_preview.html", {"problems": problems})
    html = rendering.template_render_preview(org=org, template_source=source, customer=customer,
                                             today=local_today(), step=step, part=part)
    return render(request, "web/_template_preview.html", {"rendered": html, "is_html": rendering.is_html(part)})
