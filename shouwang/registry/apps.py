from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shouwang.registry"
    verbose_name = "儿童信息库"
