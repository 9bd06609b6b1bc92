from django.contrib import admin

from relance.legal.models import EcbDecision, RateHalfYear


@admin.register(EcbDecision)
class EcbDecisionAdmin(admin.ModelAdmin):
    list_display = ("effective_date", "rate", "source")
    date_hierarchy = "effective_date"


@admin.register(RateHalfYear)
class RateHalfYearAdmin(admin.ModelAdmin):
    list_display = ("year", "half", "ecb_rate", "legal_rate_other", "legal_rate_private", "source")
    list_filter = ("year",)
