from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "shouwang.roster"
    verbose_name = "花名册导入导出"

    def ready(self) -> None:
        from shouwang.core.jobs import register_sweep

        register_sweep("花名册导入", "shouwang.roster.services.import_jobs_fail_stale")
