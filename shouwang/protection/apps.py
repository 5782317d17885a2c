from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "shouwang.protection"
    verbose_name = "强制报告与联动保护"
