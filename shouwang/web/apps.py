from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shouwang.web"
    verbose_name = "界面"
