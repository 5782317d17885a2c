from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "shouwang.exchange"
    verbose_name = "部门数据共享"
