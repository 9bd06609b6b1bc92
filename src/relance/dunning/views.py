"""The approvals list (/relances/): actions awaiting approval, approved by a manager (rule 12)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.permissions import MANAGER, VIEWER, role_required
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.dunning.models import Action
from relance.dunning.selectors import actions_awaiting_approval
from relance.dunning.services import STEP_LABELS, action_approve
from relance.ledger.selectors import scoped


@role_required(VIEWER)
def approval_list(request: HttpRequest) -> HttpResponse:
    actions = list(actions_awaiting_approval(org=request.org))  # type: ignore[attr-defined]
    for action in actions:
        action.label = STEP_LABELS.get(action.step, action.step)  # type: ignore[attr-defined]
        action.sorted_lines = sorted(action.lines.all(), key=lambda ln: (ln.invoice.due_date,  # type: ignore[attr-defined]
                                                                         ln.invoice.number))
    can_approve = request.membership.can(MANAGER)  # type: ignore[attr-defined]
    return render(request, "dunning/approvals.html", {"actions": actions, "can_approve": can_approve})


@require_POST
@role_required(MANAGER)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    action = scoped(Action, request.org).filter(pk=pk).first()  # type: ignore[attr-defined]
    if action is None:
        raise Http404("Action introuvable.")
    try:
        action = action_approve(org=request.org, action=action, today=local_today(),  # type: ignore[attr-defined]
                                actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        label = STEP_LABELS.get(action.step, action.step)
        if action.status == Action.Status.CANCELLED:
            messages.info(request, _("%(step)s annulée : toutes les factures sont réglées.") % {"step": label.capitalize()})
        else:
            messages.success(request, _("%(step)s validée pour %(customer)s.") % {"step": label.capitalize(),
                                                                                 "customer": action.customer.name})
    return redirect("dunning:approvals")
