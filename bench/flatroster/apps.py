from django.apps import AppConfig


class FlatRosterConfig(AppConfig):
    name = "bench.flatroster"
    label = "flatroster"
    verbose_name = "花名册（基准测试用的平表）"
