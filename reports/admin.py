from django.contrib import admin

from reports import models


@admin.register(models.Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ("campaign", "number", "iso_year", "iso_week", "version", "is_current", "published_at")
    list_filter = ("campaign", "is_current")
    readonly_fields = ("figures",)


class AgendaItemInline(admin.TabularInline):
    model = models.AgendaItem
    extra = 0


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "status")
    inlines = [AgendaItemInline]


@admin.register(models.MeetingPack)
class MeetingPackAdmin(admin.ModelAdmin):
    list_display = ("meeting", "status", "progress", "requested_at", "finished_at")


@admin.register(models.Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "day", "message", "read_at", "emailed_at")
    list_filter = ("kind", "day")


@admin.register(models.Robot)
class RobotAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "kind", "enabled")
    list_filter = ("kind", "enabled")
    exclude = ("recent_sends",)  # the delivery job's pacing window, written under the robot's row lock


@admin.register(models.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("key", "channel", "robot", "user", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("key", "answer")
    readonly_fields = [field.name for field in models.Delivery._meta.fields]

    def has_add_permission(self, request):
        return False  # deliveries are planned by hand-offs, never typed in
