from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "shouwang.assistance"
    verbose_name = "救助保障"
