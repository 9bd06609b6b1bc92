"""Send a chosen reminder now, from the customer page: preview it as the channels app renders it, then confirm.

The dunning service decides (which invoices, the rules that protect the customer, approval) and the outbox
delivers; this module only parses the form and shows the result.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.permissions import COLLECTOR, MANAGER, role_required
from relance.channels.builders import context_for_customer
from relance.channels.penalties import interest_pending_warning
from relance.channels.rendering import render_part
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.dunning import services as dunning
from relance.dunning.models import Action, Channel
from relance.ledger.models import Customer, Invoice
from relance.ledger.selectors import customer_get, scoped

#: what the preview shows for each channel: (part, shown as HTML in a sandboxed frame?)
PREVIEW_PARTS = {
    "email": (("email_subject", False), ("email_html", True)),
    "sms": (("sms", False),),
    "letter": (("letter", True),),
    "registered_letter": (("letter", True),),
}


def _customer(request: HttpRequest, pk: int) -> Customer:
    try:
        return customer_get(org=request.org, pk=pk)  # type: ignore[attr-defined]
    except ApplicationError:
        raise Http404("Client introuvable") from None


def send_now_context(org: Any, customer: Customer) -> dict[str, Any]:
    """The choices of the customer page's form: the plan's message steps and the message channels."""
    steps = dunning.send_now_steps(org=org, customer=customer)
    channels = [(c, label) for c, label in Channel.choices if c in dunning.SEND_NOW_CHANNELS]
    return {"send_now_steps": [(s.code, dunning.STEP_LABELS.get(s.code, s.code), _first_channel(s)) for s in steps],
            "send_now_channels": channels}


def _first_channel(step: Any) -> str:
    return next((c for c in step.channels if c in dunning.SEND_NOW_CHANNELS), "email")


def _preview(org: Any, customer: Customer, plan: dunning.SendNowPlan, today: Any) -> tuple[list[dict[str, Any]], str]:
    """The message parts rendered by the channels sandbox for exactly the invoices the action will list, and the
    staff warning when the interest could not be computed (a rate is missing)."""
    channel = "letter" if plan.channel == "registered_letter" else plan.channel
    invoices = scoped(Invoice, org).filter(pk__in=[i.id for i in plan.listed])
    # A placeholder link, as in the template editor: a preview must not mint a real portal token.
    ctx = context_for_customer(org=org, customer=customer, today=today, step=plan.step.code, channel=channel,
                               invoices=invoices, portal_link=f"{settings.SITE_URL}/portail/apercu/")
    labels = {"email_subject": _("Objet"), "email_html": _("E-mail"), "sms": _("SMS"), "letter": _("Courrier")}
    return ([{"label": labels[part], "html": html, "text": render_part(ctx, part, org=org)}
             for part, html in PREVIEW_PARTS[plan.channel]], interest_pending_warning(ctx))


@require_POST
@role_required(COLLECTOR)
def send_now_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: what would be sent (invoices, total, the rendered message) and why it cannot go, if so."""
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    customer = _customer(request, pk)
    step, channel = request.POST.get("step", ""), request.POST.get("channel", "")
    context: dict[str, Any] = {"customer": customer, "step": step, "channel": channel,
                               "is_manager": request.membership.can(MANAGER)}  # type: ignore[attr-defined]
    try:
        plan = dunning.send_now_plan(org=org, customer=customer, step=step, channel=channel, today=today)
    except ApplicationError as exc:
        context["problem"] = exc.message
    else:
        numbers = dict(scoped(Invoice, org).filter(pk__in=[i.id for i in plan.listed]).values_list("pk", "number"))
        parts, interest_warning = ([], "") if plan.problem else _preview(org, customer, plan, today)
        context.update(plan=plan, channel_label=dunning.CHANNEL_LABELS[plan.channel], numbers=[numbers[i.id] for i in plan.listed], problem=plan.problem,
                       parts=parts, interest_warning=interest_warning)
    template = "web/customers/_send_now_preview.html"
    if not request.headers.get("HX-Request"):  # without JavaScript: the same preview on a page of its own
        template = "web/customers/send_now_page.html"
    return render(request, template, context)


@require_POST
@role_required(COLLECTOR)
def send_now(request: HttpRequest, pk: int) -> HttpResponse:
    org, customer = request.org, _customer(request, pk)  # type: ignore[attr-defined]
    approve = request.POST.get("approve") == "1" and request.membership.can(MANAGER)  # type: ignore[attr-defined]
    try:
        action = dunning.action_send_now(org=org, customer=customer, step=request.POST.get("step", ""),
                                         channel=request.POST.get("channel", ""), today=local_today(),
                                         actor=request.user, approve=approve)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        level, text = _outcome(action)
        messages.add_message(request, level, text)
    return redirect("customer_detail", pk=customer.pk)


def _outcome(action: Action) -> tuple[int, str]:
    what = {"step": dunning.STEP_LABELS.get(action.step, action.step).capitalize(),
            "channel": dunning.CHANNEL_LABELS.get(action.channel, action.channel)}
    if action.status == Action.Status.SENT and action.channel in ("letter", "registered_letter"):
        return messages.SUCCESS, _("%(step)s par %(channel)s : le PDF est produit, il est dans le lot "
                                   "d'impression du jour.") % what
    if action.status == Action.Status.SENT:
        return messages.SUCCESS, _("%(step)s envoyée par %(channel)s.") % what
    if action.status == Action.Status.AWAITING_APPROVAL:
        return messages.INFO, _("%(step)s par %(channel)s : elle attend la validation d'un responsable.") % what
    if action.status == Action.Status.QUEUED:
        return messages.INFO, _("%(step)s par %(channel)s en file d'attente : elle partira dès que "
                                "possible.") % what
    return messages.ERROR, _("%(step)s par %(channel)s : échec de l'envoi (%(error)s).") % {
        **what, "error": action.last_error or action.get_status_display()}
