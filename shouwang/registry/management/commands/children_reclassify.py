from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.registry.tasks import reclassify_children


class Command(BaseCommand):
    help = "按指定日期（默认今天）重新认定在册儿童的类别和风险等级；每天运行一次（如 cron 凌晨1点）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="as_of", default="", help="认定日期 YYYY-MM-DD，默认今天"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="交给后台 db_worker 执行，而不是在本进程执行",
        )

    def handle(self, *args, as_of: str, enqueue: bool, **options):
        as_of = date_arg(as_of)
        if enqueue:
            result = reclassify_children.enqueue(as_of.isoformat())
            self.stdout.write(f"已排入后台队列（任务 {result.id}），认定日期 {as_of}。")
            return
        changed = reclassify_children.call(as_of.isoformat())
        self.stdout.write(
            self.style.SUCCESS(f"认定日期 {as_of}：{changed} 名儿童的认定结果有变化。")
        )


def date_arg(value: str) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"日期“{value}”格式不对，应为 YYYY-MM-DD。", returncode=2
        ) from None
