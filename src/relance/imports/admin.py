from django.contrib import admin

from relance.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Read-only: the history is evidence of who imported what."""

    list_display = ["started_at", "org", "kind", "origin", "user", "outcome", "created", "updated", "unchanged",
                    "payments_matched", "terms_exceeded", "errors"]
    list_filter = ["kind", "outcome", "origin", "org"]
    search_fields = ["files", "user__email", "error_summary"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
