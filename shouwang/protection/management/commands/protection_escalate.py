from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.protection.services import escalations_sweep
from shouwang.protection.tasks import ESCALATION_MINUTES, schedule_escalations


class Command(BaseCommand):
    help = (
        "检查保护案件的办理期限：把新逾期的事项（公安受理、反馈、民政评估、转介接收）"
        "记入案件进程并提请上级督办；用 --schedule 安排 db_worker 每隔几分钟自动检查。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=f"安排由 db_worker 每隔 {ESCALATION_MINUTES} 分钟自动检查"
            "（可重复运行，不会重复安排）",
        )

    def handle(self, *args, schedule: bool, **options):
        if schedule:
            run_at = schedule_escalations()
            if run_at is None:
                raise CommandError(
                    "当前任务后端不支持定时执行：请使用数据库任务后端。", returncode=2
                )
            self.stdout.write(
                f"逾期督办检查已安排：下次 {timezone.localtime(run_at):%Y-%m-%d %H:%M}，"
                f"之后每隔 {ESCALATION_MINUTES} 分钟一次。"
            )
            return
        count = escalations_sweep()
        self.stdout.write(f"已检查办理期限：新提请督办 {count} 项。")
