from django.apps import AppConfig


class SchoolingConfig(AppConfig):
    name = "shouwang.schooling"
    verbose_name = "控辍保学"
