"""Third-party apps under Chinese names in the admin site (settings.INSTALLED_APPS
names these classes instead of the apps' own); their models' and fields' names are
translated in shouwang/web/locale."""

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录保护"


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"
