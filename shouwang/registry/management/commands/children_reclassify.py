from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.registry.tasks import (
    reclassify_children,
    schedule_nightly_reclassification,
)


class Command(BaseCommand):
    help = "按指定日期（默认今天）重新认定在册儿童的类别和风险等级，并把年满16、18周岁的儿童列入待复核退出清单；用 --schedule 安排每天凌晨自动运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="as_of", default="", help="认定日期 YYYY-MM-DD，默认今天"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="交给后台 db_worker 执行，而不是在本进程执行",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="安排每天凌晨1点由 db_worker 自动重新认定（可重复运行，不会重复安排）",
        )

    def handle(self, *args, as_of: str, enqueue: bool, schedule: bool, **options):
        if schedule:
            run_at = schedule_nightly_reclassification()
            if run_at is None:
                raise CommandError(
                    "当前任务后端不支持定时执行：请使用数据库任务后端。", returncode=2
                )
            self.stdout.write(
                f"每日重新认定已安排：下次 {timezone.localtime(run_at):%Y-%m-%d %H:%M}。"
            )
            return
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
