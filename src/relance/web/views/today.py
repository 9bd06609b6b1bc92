"""Aujourd'hui: the signed-in person's open tasks, grouped by kind, each done in place (HTMX)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relance.accounts.permissions import COLLECTOR, MANAGER, VIEWER, role_required
from relance.activity.models import Task
from relance.activity.services import task_complete
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.dunning import services as dunning
from relance.dunning.models import Action
from relance.ledger.selectors import scoped
from relance.portal.plans import instalments_falling_due
from relance.web.selectors import DISPUTE_STALE_DAYS, GROUPS, disputes_open_long, today_tasks


@role_required(VIEWER)
def today(request: HttpRequest) -> HttpResponse:
    org, day = request.org, local_today()  # type: ignore[attr-defined]
    everyone = request.GET.get("equipe") == "1"
    tasks = today_tasks(org=org, user=request.user, today=day, everyone=everyone)
    rank = {kind: i for i, (kind, _label) in enumerate(GROUPS)}
    labels = dict(GROUPS)
    tasks.sort(key=lambda t: (rank.get(t.kind, len(rank)), t.due_date, t.id))
    groups = [(kind, labels.get(kind, kind), list(items)) for kind, items in groupby(tasks, key=lambda t: t.kind)]
    instalments = [d for d in instalments_falling_due(org=org, today=day)
                   if everyone or d.customer.account_manager_id in (None, request.user.pk)]
    disputes = list(disputes_open_long(org=org, today=day, user=None if everyone else request.user)[:100])
    for d in disputes:
        d.age = (day - d.opened_on).days  # type: ignore[attr-defined]
    return render(request, "web/today.html", {"groups": groups, "today": day, "everyone": everyone,
                                              "total": len(tasks), "instalments": instalments,
                                              "stale_disputes": disputes, "stale_days": DISPUTE_STALE_DAYS})


def _left(request: HttpRequest) -> HttpResponse:
    """Nothing where the done item was, and the new count out of band (HTMX)."""
    n = len(today_tasks(org=request.org, user=request.user, today=local_today(),  # type: ignore[attr-defined]
                        everyone=request.POST.get("equipe") == "1"))
    text = ngettext("%(n)s tâche à faire", "%(n)s tâches à faire", n) % {"n": n}
    return HttpResponse(format_html('<span id="today-total" hx-swap-oob="true">{}</span>', text))


@require_POST
@role_required(COLLECTOR)
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    task = Task.objects.filter(org=org, pk=pk).first()
    if task is None:
        raise Http404("Tâche introuvable")
    try:
        if task.kind == Task.Kind.APPROVAL and task.action_id:
            # closed only by the decision (task_decide): « Fait » would hide the action from the managers undecided
            raise ApplicationError(_("Cette validation se décide par « Valider » ou « Annuler » (responsable)."))
        task_complete(org=org, task=task, day=local_today(), outcome=request.POST.get("outcome", "").strip()[:2000])
    except ApplicationError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(format_html('<li class="error" role="alert">{}</li>', exc.message), status=409)
        messages.error(request, exc.message)
        return redirect("today")
    if request.htmx:  # type: ignore[attr-defined]
        return _left(request)  # the item leaves the list
    messages.success(request, _("« %(title)s » : fait.") % {"title": task.title})
    return redirect("today")


@require_POST
@role_required(MANAGER)
def task_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """An approval task: approve or cancel its action through the engine, in place (the task closes)."""
    org, day = request.org, local_today()  # type: ignore[attr-defined]
    task = Task.objects.filter(org=org, pk=pk, kind=Task.Kind.APPROVAL, action_id__isnull=False).first()
    action = scoped(Action, org).filter(pk=task.action_id or 0).first() if task else None
    if task is None or action is None:
        raise Http404("Validation introuvable")
    approve = request.POST.get("do") == "approve"
    try:
        (dunning.action_approve if approve else dunning.action_cancel)(org=org, action=action, today=day,
                                                                      actor=request.user)
        if task.status == Task.Status.OPEN:  # the engine closes approval tasks itself when it approves
            task_complete(org=org, task=task, day=day, outcome="Validée" if approve else "Annulée")
    except ApplicationError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(format_html('<li class="error" role="alert">{}</li>', exc.message), status=409)
        messages.error(request, exc.message)
        return redirect("today")
    if request.htmx:  # type: ignore[attr-defined]
        return _left(request)
    messages.success(request, _("Action validée.") if approve else _("Action annulée."))
    return redirect("today")
