from django.contrib import admin

from relance.banking.models import BankReversal, BankStatement


@admin.register(BankStatement)
class BankStatementAdmin(admin.ModelAdmin):
    list_display = ["file_name", "org", "format", "account_iban", "closing_date", "payments_created", "duplicates",
                    "reversals", "imported_at"]
    list_filter = ["format", "org"]
    search_fields = ["file_name", "account_iban", "statement_id"]


@admin.register(BankReversal)
class BankReversalAdmin(admin.ModelAdmin):
    list_display = ["date", "org", "amount", "currency", "end_to_end_id", "reason_code", "payment"]
    list_filter = ["org"]
    raw_id_fields = ["payment", "statement"]
    search_fields = ["end_to_end_id", "bank_ref"]
