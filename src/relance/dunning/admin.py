from django.contrib import admin

from relance.dunning.models import Action, ActionInvoice, DunningRun, LadderMark, Plan, Step


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ("order", "code", "anchor", "days", "channels", "template", "needs_approval")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "is_default", "customer_kinds")
    list_filter = ("org",)
    filter_horizontal = ("customers",)
    inlines = [StepInline]


class ActionInvoiceInline(admin.TabularInline):
    model = ActionInvoice
    extra = 0
    raw_id_fields = ("invoice",)
    readonly_fields = ("invoice", "amount", "advanced")


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("date", "customer", "step", "channel", "status", "amount_due", "attempts")
    list_filter = ("org", "status", "channel", "step")
    search_fields = ("customer__ref", "customer__name", "message_id", "tracking_number")
    raw_id_fields = ("customer", "approved_by")
    date_hierarchy = "date"
    inlines = [ActionInvoiceInline]


@admin.register(LadderMark)
class LadderMarkAdmin(admin.ModelAdmin):
    list_display = ("invoice", "step", "day", "skipped")
    list_filter = ("org", "step", "skipped")
    raw_id_fields = ("invoice", "customer", "action")
    search_fields = ("invoice__number",)


@admin.register(DunningRun)
class DunningRunAdmin(admin.ModelAdmin):
    list_display = ("org", "date", "dry_run", "started_at", "finished_at", "actions_created")
    list_filter = ("org", "dry_run")
