from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "shouwang.backup"
    verbose_name = "备份与恢复"
