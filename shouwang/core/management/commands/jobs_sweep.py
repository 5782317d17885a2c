from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.core.jobs import sweep_all
from shouwang.core.tasks import schedule_job_sweep


class Command(BaseCommand):
    help = "把后台进程已中断（进程已不存在或心跳超时）的任务（花名册导入、通报生成等）标为处理出错，以便在页面上重试；用 --schedule 安排 db_worker 每隔几分钟自动检查。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="安排由 db_worker 每隔 JOB_SWEEP_MINUTES 分钟自动检查（可重复运行，不会重复安排）",
        )

    def handle(self, *args, schedule: bool, **options):
        if schedule:
            run_at = schedule_job_sweep()
            if run_at is None:
                raise CommandError(
                    "当前任务后端不支持定时执行：请使用数据库任务后端。", returncode=2
                )
            self.stdout.write(
                f"中断任务检查已安排：下次 {timezone.localtime(run_at):%Y-%m-%d %H:%M}，之后每隔几分钟一次。"
            )
            return
        marked = sweep_all()
        found = "；".join(f"{label} {count} 项" for label, count in marked.items())
        self.stdout.write(f"已检查后台任务，标为处理出错的：{found}。")
