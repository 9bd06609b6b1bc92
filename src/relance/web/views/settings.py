"""Settings: the organisation, contact rules (managers and owners), users and roles (owners)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.models import Membership, Organisation
from relance.accounts.permissions import MANAGER, OWNER, role_required
from relance.accounts.services import member_add
from relance.core.errors import ApplicationError
from relance.web.forms import ContactRulesForm, MemberForm, OrganisationForm
from relance.web.services import member_remove, member_role_set


@role_required(MANAGER)
def settings_page(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    org_form, rules_form = OrganisationForm(instance=org, prefix="org"), ContactRulesForm(instance=org, prefix="rules")
    if request.method == "POST":
        section = request.POST.get("section")
        form: forms.ModelForm[Organisation] = org_form
        if section == "org":
            form = org_form = OrganisationForm(request.POST, instance=org, prefix="org")
        elif section == "rules":
            form = rules_form = ContactRulesForm(request.POST, instance=org, prefix="rules")
        if section in ("org", "rules") and form.is_valid():
            form.save()
            messages.success(request, _("Paramètres enregistrés."))
            return redirect("settings")
        messages.error(request, _("Paramètres non enregistrés : corrigez les champs signalés."))
    members = Membership.objects.filter(org=org).select_related("user").order_by("user__email")
    return render(request, "web/settings.html", {
        "org_form": org_form, "rules_form": rules_form, "members": members, "member_form": MemberForm(),
        "roles": Membership._meta.get_field("role").choices,
    })


@require_POST
@role_required(OWNER)
def member_save(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    try:
        if membership_id := request.POST.get("membership", "").strip():
            if request.POST.get("remove"):
                member_remove(org=org, membership_id=int(membership_id), actor=request.user)
                messages.success(request, _("Membre retiré."))
            else:
                member_role_set(org=org, membership_id=int(membership_id), role=request.POST.get("role", ""))
                messages.success(request, _("Rôle modifié."))
        else:
            form = MemberForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Membre non ajouté :") + " " + " ".join(str(m) for e in form.errors.values() for m in e))
            d = form.cleaned_data
            member_add(org=org, email=d["email"].lower(), password=d["password"] or None, role=d["role"])
            messages.success(request, _("%(email)s ajouté.") % {"email": d["email"]})
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("settings")
