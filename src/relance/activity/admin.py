from django.contrib import admin

from relance.activity.models import Event, Task


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["date", "type", "customer", "invoice", "message"]
    list_filter = ["type", "org"]
    search_fields = ["message", "customer__name"]
    raw_id_fields = ["customer", "invoice"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["due_date", "kind", "title", "customer", "assignee", "status"]
    list_filter = ["kind", "status", "org"]
    raw_id_fields = ["customer"]
