from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.channels.models import CourtChoice, Document, Mailbox, SentMessage, Template, UnfiledReply
from relance.channels.replies import unfiled_file, unfiled_ignore
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.ledger.models import Contact, Customer


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    """Template.clean() validates the source in the sandbox: unknown variables are refused in French."""

    list_display = ["org", "step", "part", "language", "updated_at", "updated_by"]
    list_filter = ["org", "step", "part", "language"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):  # noqa: ANN001, ANN201
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "step", "customer", "org", "pages", "tracking_number", "acknowledged_on"]
    list_filter = ["kind", "org"]
    raw_id_fields = ["customer"]


@admin.register(SentMessage)
class SentMessageAdmin(admin.ModelAdmin):
    list_display = ["day", "channel", "step", "customer", "message_id", "failed"]
    list_filter = ["channel", "failed", "org"]
    raw_id_fields = ["customer"]


@admin.register(CourtChoice)
class CourtChoiceAdmin(admin.ModelAdmin):
    list_display = ["customer", "court", "commercial", "postcode", "chosen_on", "chosen_by", "org"]
    list_filter = ["commercial", "org"]
    raw_id_fields = ["customer"]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Only the variable's name is stored; whether it is set is shown as seen by this (web) process."""

    list_display = ["org", "url_env", "active", "variable_set"]
    list_filter = ["active"]

    @admin.display(boolean=True, description=_("variable définie"))
    def variable_set(self, obj: Mailbox) -> bool:
        return bool(os.environ.get(obj.url_env))


class UnfiledFileForm(forms.Form):
    """Which customer a kept mail goes to: an organisation the mail pointed to (any when it pointed to none),
    then one of its customers by code."""

    org = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none(),
                                 error_messages={"invalid_choice": "Cette organisation n'est pas une des "
                                                                   "organisations possibles pour cette réponse."})
    customer_ref = forms.CharField(label="Code client", max_length=64)

    def __init__(self, *args: Any, unfiled: UnfiledReply, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.order_by("name")
        if unfiled.candidate_orgs:
            orgs = orgs.filter(pk__in=unfiled.candidate_orgs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org, ref = data.get("org"), (data.get("customer_ref") or "").strip()
        if org is not None and ref:
            data["customer"] = Customer.objects.filter(org=org, ref=ref).select_related("org").first()
            if data["customer"] is None:
                self.add_error("customer_ref", f"Aucun client de code « {ref} » chez {org}.")
        return data


@admin.register(UnfiledReply)
class UnfiledReplyAdmin(admin.ModelAdmin):
    """Mails no organisation may see without a person's decision, for the install operator: read-only, then
    filed on one customer ("Classer sur un client…") or set aside ("Ignorer"). The admin shows them to whoever
    holds the model's view permission (superusers: the install operator); deciding takes a superuser."""

    list_display = ["day", "status", "reason", "from_address", "subject", "mailbox_org", "candidate_names",
                    "customer"]
    list_filter = ["status", "reason", "mailbox_org"]
    search_fields = ["from_address", "subject", "message_id"]
    readonly_fields = ["status", "mailbox_org", "reason", "day", "message_id", "from_address", "from_name",
                       "subject", "text", "candidate_orgs", "created_at", "customer", "handled_by", "handled_at"]
    exclude = ["details"]
    actions = ["file_action", "ignore_action"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        # The row is what stops a mail read again from the mailbox from being kept (or filed) a second
        # time: "Ignorer" sets it aside, nothing removes it (this also drops the "Supprimer" bulk action).
        return False

    def has_file_permission(self, request: HttpRequest) -> bool:
        """Filing shows a mail to an organisation: only the install operator decides, never an organisation's
        staff user even if given the model's permissions."""
        return bool(request.user.is_active and request.user.is_superuser)

    @admin.display(description=_("organisations possibles"))
    def candidate_names(self, obj: UnfiledReply) -> str:
        names = getattr(obj, "candidate_org_names", None)
        if names is None:
            names = list(Organisation.objects.filter(pk__in=obj.candidate_orgs).values_list("name", flat=True))
        return ", ".join(sorted(names))

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        """The page's organisation names in one query, not one per row."""
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        names = dict(Organisation.objects.filter(pk__in={pk for r in rows for pk in r.candidate_orgs})
                     .values_list("pk", "name"))
        for row in rows:
            row.candidate_org_names = [names[pk] for pk in row.candidate_orgs if pk in names]
        return changelist

    def get_urls(self) -> list[URLPattern]:
        # Before the default ones: "<path:object_id>/" would swallow ".../classer/".
        return [
            path("<path:object_id>/classer/", self.admin_site.admin_view(self.file_view),
                 name="channels_unfiledreply_file"),
            path("<path:object_id>/ignorer/", self.admin_site.admin_view(self.ignore_view),
                 name="channels_unfiledreply_ignore"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_file": self.has_file_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Classer sur un client…", permissions=["file"])
    def file_action(self, request: HttpRequest, queryset: QuerySet[UnfiledReply]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Choisissez une seule réponse à classer.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:channels_unfiledreply_file", args=[queryset.get().pk]))

    @admin.action(description="Ignorer (courriel indésirable)", permissions=["file"])
    def ignore_action(self, request: HttpRequest, queryset: QuerySet[UnfiledReply]) -> HttpResponse | None:
        if request.POST.get("post") != "yes":
            return self._ignore_confirmation(request, list(queryset), action="ignore_action")
        return self._ignore(request, list(queryset))

    def file_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        unfiled = self._decidable(request, object_id)
        if not isinstance(unfiled, UnfiledReply):
            return unfiled
        form = UnfiledFileForm(request.POST or None, unfiled=unfiled)
        if request.method == "POST" and form.is_valid():
            customer = form.cleaned_data["customer"]
            try:
                unfiled_file(unfiled=unfiled, customer=customer, by=request.user, today=local_today())
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(request, f"Réponse classée sur {customer.name} ({customer.ref}) chez {customer.org}.",
                              messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:channels_unfiledreply_changelist"))
        return TemplateResponse(request, "admin/channels/unfiledreply/file.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": unfiled, "form": form,
            "title": "Classer la réponse sur un client", "suggestions": self._suggestions(unfiled)})

    def ignore_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        unfiled = self._decidable(request, object_id)
        if not isinstance(unfiled, UnfiledReply):
            return unfiled
        if request.method == "POST":
            return self._ignore(request, [unfiled])
        return self._ignore_confirmation(request, [unfiled], action="")

    def _decidable(self, request: HttpRequest, object_id: str) -> UnfiledReply | HttpResponse:
        """The mail to decide on, or where to go instead (refused, unknown, already decided)."""
        if not self.has_file_permission(request):
            raise PermissionDenied
        unfiled = self.get_object(request, unquote(object_id))
        if unfiled is None:
            raise Http404("Réponse non classée introuvable.")
        if unfiled.status != UnfiledReply.Status.PENDING:
            self.message_user(request, f"Cette réponse est déjà {unfiled.get_status_display()}.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:channels_unfiledreply_change", args=[unfiled.pk]))
        return unfiled

    def _ignore(self, request: HttpRequest, replies: list[UnfiledReply]) -> HttpResponse:
        done, refused = 0, []
        for unfiled in replies:
            try:
                unfiled_ignore(unfiled=unfiled, by=request.user, today=local_today())
                done += 1
            except ApplicationError as error:
                refused.append(f"{unfiled} : {error.message}")
        if done:
            self.message_user(request, f"{done} réponse(s) ignorée(s) (courriel indésirable).", messages.SUCCESS)
        for problem in refused:
            self.message_user(request, problem, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:channels_unfiledreply_changelist"))

    def _ignore_confirmation(self, request: HttpRequest, replies: list[UnfiledReply], *,
                             action: str) -> TemplateResponse:
        return TemplateResponse(request, "admin/channels/unfiledreply/ignore.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "replies": replies, "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME, "title": "Ignorer ces réponses (courriel indésirable) ?"})

    def _suggestions(self, unfiled: UnfiledReply) -> list[Customer]:
        """Customers the mail points to: its thread's, then those with a contact at the sender's address."""
        found: list[Customer] = []
        thread = [i for i in [unfiled.details.get("in_reply_to", ""), *unfiled.details.get("references", []),
                              unfiled.details.get("original_message_id", "")] if i]
        for sent in SentMessage.objects.filter(message_id__in=thread).select_related("customer__org")[:10]:
            found.append(sent.customer)
        if unfiled.from_address:
            contacts = Contact.objects.filter(email__iexact=unfiled.from_address).select_related("customer__org")
            found += [contact.customer for contact in contacts.order_by("customer__name")[:20]]
        allowed = set(unfiled.candidate_orgs)
        return list({c.pk: c for c in found if not allowed or c.org_id in allowed}.values())
