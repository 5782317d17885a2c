from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shouwang.reports"
    verbose_name = "统计与工作情况通报"

    def ready(self) -> None:
        # Each app declares its figures in a module of its own; importing them fills
        # the one catalogue (later apps add theirs to FIGURE_MODULES).
        from . import catalogue

        catalogue.load_figure_modules()

        from shouwang.core.jobs import register_sweep

        register_sweep(
            "工作情况通报", "shouwang.reports.services.bulletins.bulletins_fail_stale"
        )
