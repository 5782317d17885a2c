from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shouwang.core"
    verbose_name = "公共"
