from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from relance.accounts.models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "language")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "siren", "payment_terms_days"]
    search_fields = ["name", "slug", "siren"]
    inlines = [MembershipInline]


admin.site.site_header = "Relance — administration"
admin.site.site_title = "Relance"
admin.site.index_title = "Administration"
