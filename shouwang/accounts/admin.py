from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record

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

    def save_model(self, request, obj, form, change):
        # Django admin saves the account itself; the audit trail must still hear of it.
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.USER_UPDATE if change else AuditAction.USER_CREATE,
            obj=obj,
            area=obj.area,
            details={"via": "admin", "fields": sorted(form.changed_data)},
        )
