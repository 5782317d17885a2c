from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs, read-only, for following up a stuck or failed import; the file,
    the errors and the samples hold children's data and stay out of the admin."""

    list_display = (
        "id",
        "created_at",
        "user",
        "area",
        "original_name",
        "status",
        "stage",
        "error_count",
        "finished_at",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "sha256", "task_id", "user__username")
    date_hierarchy = "created_at"
    fields = (
        "user",
        "area",
        "original_name",
        "size",
        "sha256",
        "partial",
        "status",
        "stage",
        "progress_done",
        "progress_total",
        "total_rows",
        "counts",
        "error_count",
        "message",
        "task_id",
        "committed_by",
        "created_at",
        "started_at",
        "checked_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
