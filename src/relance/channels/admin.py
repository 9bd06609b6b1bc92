from django.contrib import admin

from relance.channels.models import CourtChoice, Document, SentMessage, Template


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
