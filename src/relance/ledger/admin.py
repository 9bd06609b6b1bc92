from django.contrib import admin

from relance.ledger.models import Allocation, Contact, Customer, Dispute, Invoice, Payment, Promise


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    exclude = ["org"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["ref", "name", "kind", "org", "manual_mode", "paused"]
    list_filter = ["kind", "manual_mode", "paused", "org"]
    search_fields = ["ref", "name", "siren"]
    inlines = [ContactInline]


class AllocationInline(admin.TabularInline):
    model = Allocation
    fk_name = "invoice"
    extra = 0
    raw_id_fields = ["payment", "credit_note"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "kind", "issue_date", "due_date", "total_incl_tax", "status"]
    list_filter = ["status", "kind", "source", "org"]
    search_fields = ["number", "customer__name", "customer__ref"]
    raw_id_fields = ["customer"]
    date_hierarchy = "due_date"
    inlines = [AllocationInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["date", "amount", "currency", "payer_name", "status", "customer"]
    list_filter = ["status", "method", "org"]
    search_fields = ["reference", "payer_name", "remittance", "bank_transaction_id"]
    raw_id_fields = ["customer"]


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["invoice", "source", "amount", "date"]
    raw_id_fields = ["invoice", "payment", "credit_note"]


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = ["customer", "until", "status", "recorded_on", "source"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "invoices"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ["invoice", "reason_code", "status", "opened_on", "resolved_on"]
    list_filter = ["status", "reason_code"]
    raw_id_fields = ["invoice"]
