from django.apps import AppConfig


class JointworkConfig(AppConfig):
    name = "shouwang.jointwork"
    verbose_name = "联席会议与社会关爱"
