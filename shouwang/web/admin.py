"""Third-party admin pages with Chinese column titles where upstream's come from method
names or plain strings that no catalog translates: sign-in attempts (django-axes) and
background task results (django-tasks-db). Otherwise as upstream (read-only)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(AccessAttempt)
admin.site.unregister(DBTaskResult)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description="过期时间")
    def expiration(self, obj: AccessAttempt):
        return super().expiration(obj)

    @admin.display(description="状态")
    def status(self, obj: AccessAttempt):
        return super().status(obj)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "number",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description="编号", ordering="id")
    def number(self, obj: DBTaskResult) -> str:
        return str(obj.id)

    @admin.display(description="任务")
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description="错误堆栈")
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description="最早运行时间")
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)
