"""Django admin for tasks: read-mostly. Changes go through the pages, which keep the history."""

from django.contrib import admin

from tasks.models import Attachment, Task, TaskUpdate


class TaskUpdateInline(admin.TabularInline):
    model = TaskUpdate
    extra = 0
    can_delete = False
    fields = ("at", "kind", "by", "status_before", "status_after", "progress_before", "progress_after", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """History is append-only and versions guard concurrent edits, so the admin only reads."""

    list_display = ("seq", "content", "level", "unit", "responsible", "deadline", "status", "progress")
    list_filter = ("campaign", "level", "status", "unit")
    search_fields = ("content", "criteria", "responsible__full_name", "responsible__username")
    raw_id_fields = ("parent",)
    inlines = [TaskUpdateInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "update", "content_type", "size", "uploaded_by", "uploaded_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
