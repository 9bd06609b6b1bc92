import os

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from relance.channels.models import CourtChoice, Document, Mailbox, SentMessage, Template, UnfiledReply


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


@admin.register(UnfiledReply)
class UnfiledReplyAdmin(admin.ModelAdmin):
    """Mails no organisation may see without a person's decision: read-only, for the install operator."""

    list_display = ["day", "reason", "from_address", "subject", "mailbox_org", "candidate_orgs"]
    list_filter = ["reason", "mailbox_org"]
    search_fields = ["from_address", "subject", "message_id"]
    readonly_fields = ["mailbox_org", "reason", "day", "message_id", "from_address", "from_name", "subject", "text",
                       "candidate_orgs", "created_at"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
