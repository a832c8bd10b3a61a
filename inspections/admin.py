"""Read-only views of inspections and findings for administrators.

The closed loop's history is append-only and every change goes through the
services (rules, timestamps, rebound links), so the admin shows, never edits.
"""

from django.contrib import admin

from inspections.models import CheckResult, Finding, FindingPhoto, Inspection, Rectification, Verification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckResultInline(ReadOnlyInline):
    model = CheckResult
    fields = ("site", "check_item", "passed", "note", "checked_by")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("date", "tier", "topic", "created_by", "squad", "status")
    list_filter = ("tier", "status", "campaign")
    search_fields = ("topic",)
    date_hierarchy = "date"
    inlines = [CheckResultInline]


class PhotoInline(ReadOnlyInline):
    model = FindingPhoto
    fields = ("phase", "original_name", "size", "captured_at", "latitude", "longitude", "uploaded_by")


class RectificationInline(ReadOnlyInline):
    model = Rectification
    fields = ("at", "by", "note")


class VerificationInline(ReadOnlyInline):
    model = Verification
    fields = ("at", "by", "result", "note", "new_deadline")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "reported_at", "tier", "category", "responsible_unit", "status", "deadline",
                    "rework_count", "is_rebound")
    list_filter = ("tier", "status", "is_rebound", "severity", "responsible_unit", "campaign")
    search_fields = ("description", "address")
    date_hierarchy = "reported_at"
    list_select_related = ("category__parent", "responsible_unit")
    inlines = [PhotoInline, RectificationInline, VerificationInline]
