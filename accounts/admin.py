from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import SignInFailure, Unit, User
from accounts.services import unit_save


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "sort_order")
    list_filter = ("kind",)
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "unit", "is_tier3_inspector", "is_active")
    list_filter = ("role", "unit", "is_tier3_inspector", "is_active")
    search_fields = ("username", "full_name", "phone")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Campaign"), {"fields": ("full_name", "role", "unit", "title", "phone", "is_tier3_inspector")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Campaign"), {"fields": ("full_name", "role", "unit", "is_tier3_inspector")}),
    )


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    """Read-only list of recent failed sign-ins; deleting rows lifts a lockout early."""

    list_display = ("username", "address", "created")
    search_fields = ("username", "address")
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
