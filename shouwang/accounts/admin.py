from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "full_name",
        "role",
        "area",
        "unit",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "unit", "is_active")
    search_fields = ("username", "full_name", "phone", "area__code", "area__name")
    raw_id_fields = ("area",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("守望", {"fields": ("full_name", "phone", "role", "area", "unit")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("守望", {"fields": ("full_name", "role", "area", "unit")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted
