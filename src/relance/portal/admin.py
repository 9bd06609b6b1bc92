from django.contrib import admin

from relance.portal.models import Instalment, PaymentClaim, PaymentIntent, PaymentPlan, PortalToken


@admin.register(PortalToken)
class PortalTokenAdmin(admin.ModelAdmin):
    list_display = ("customer", "org", "created_on", "expires_on", "revoked_at", "last_used_on")
    list_filter = ("org",)
    search_fields = ("customer__name", "customer__ref")
    readonly_fields = ("token_hash", "org", "customer", "created_on", "last_used_on", "revoked_by")


@admin.register(PaymentClaim)
class PaymentClaimAdmin(admin.ModelAdmin):
    list_display = ("customer", "paid_on", "amount", "proof_type", "recorded_on")
    list_filter = ("org",)
    readonly_fields = ("proof", "proof_type", "proof_name")


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0


@admin.register(PaymentPlan)
class PaymentPlanAdmin(admin.ModelAdmin):
    list_display = ("customer", "source", "instalments_requested", "total", "status", "decided_on", "ended_on")
    list_filter = ("org", "status", "source")
    # Decisions go through /portail/echeanciers/<id>/ and the customer page (services create the instalments;
    # the daily run breaks or completes the plan).
    readonly_fields = ("status", "source", "decided_on", "decided_by", "created_by", "task_id", "total", "ended_on",
                       "missed_seq")
    inlines = [InstalmentInline]


@admin.register(PaymentIntent)
class PaymentIntentAdmin(admin.ModelAdmin):
    list_display = ("customer", "reference", "amount", "created_on")
    list_filter = ("org",)
    search_fields = ("reference", "customer__name", "customer__ref")
    # Evidence of what the pay screen asked for: the bank matcher reads it, nobody edits it.
    readonly_fields = ("org", "customer", "reference", "invoices", "selection", "amount", "created_on")
