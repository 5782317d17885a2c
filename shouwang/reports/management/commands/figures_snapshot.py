from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...periods import BadPeriod, parse_date
from ...services import snapshots_refresh
from ...tasks import schedule_nightly_snapshots, snapshot_figures
from .stats import area_arg


class Command(BaseCommand):
    help = "计算某一天（默认昨天）各区划的统计快照；--schedule 安排每晚自动计算当天的快照。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", default="", help="日期 YYYY-MM-DD，默认昨天"
        )
        parser.add_argument(
            "--area", default="", help="只算某个区划（12位代码），默认全部"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="交给后台 db_worker 执行"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="安排每天 23:55 由 db_worker 计算当天的快照并重算近期有补录的日子（可重复运行，不会重复安排）",
        )

    def handle(self, *args, day: str, area: str, enqueue: bool, schedule: bool, **o):
        if schedule:
            run_at = schedule_nightly_snapshots()
            if run_at is None:
                raise CommandError(
                    "当前任务后端不支持定时执行：请使用数据库任务后端。", returncode=2
                )
            self.stdout.write(
                f"每日统计快照已安排：下次 {timezone.localtime(run_at):%Y-%m-%d %H:%M}。"
            )
            return
        try:
            when = parse_date(day, field="date", label="日期")
        except BadPeriod as error:
            raise CommandError(error.message, returncode=2) from None
        today = timezone.localdate()
        when = when or today - timedelta(days=1)
        if when > today:
            raise CommandError(
                f"日期 {when:%Y-%m-%d} 在今天之后：只能计算今天或以前的快照。",
                returncode=2,
            )
        the_area = area_arg(area) if area else None
        if enqueue:
            result = snapshot_figures.enqueue(
                day=when.isoformat(), area_code=the_area.code if the_area else ""
            )
            self.stdout.write(f"已排入后台队列（任务 {result.id}），日期 {when}。")
            return
        rows = snapshots_refresh(day=when, area=the_area, only_stale=False)
        self.stdout.write(
            self.style.SUCCESS(f"{when}：已计算 {rows} 个区划的统计快照。")
        )
