from django.contrib import admin

from campaign import models


class StandardInline(admin.TabularInline):
    model = models.Standard
    extra = 0
    fields = ("number", "code", "text", "bureau_scope")
    readonly_fields = ("code",)


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "edition", "loaded_at")


@admin.register(models.FrameworkItem)
class FrameworkItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "framework")
    list_filter = ("framework",)


@admin.register(models.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "item")
    list_filter = ("framework",)


@admin.register(models.Content)
class ContentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "indicator", "bureau_scope")
    list_filter = ("framework", "bureau_scope")
    search_fields = ("code", "name")
    inlines = [StandardInline]


@admin.register(models.Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "bureau_scope")
    list_filter = ("framework", "bureau_scope")
    search_fields = ("code", "text")
    readonly_fields = ("code",)
    exclude = ("framework",)


@admin.register(models.NegativeListItem)
class NegativeListItemAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "framework")


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "start_date", "end_date", "evaluation_date")


class CheckItemInline(admin.TabularInline):
    model = models.CheckItem
    extra = 1
    autocomplete_fields = ("content", "standard")


@admin.register(models.PointType)
class PointTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order", "is_active")
    inlines = [CheckItemInline]


@admin.register(models.Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "point_type", "unit", "latitude", "longitude", "is_active")
    list_filter = ("unit", "point_type")
    search_fields = ("name", "address")


@admin.register(models.EventCategory)
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "time_limit_hours", "is_active")
    list_filter = ("parent",)
    search_fields = ("name",)


@admin.register(models.JobHeartbeat)
class JobHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "runs")
