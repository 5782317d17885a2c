from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "shouwang.visits"
    verbose_name = "走访与动态管理"
