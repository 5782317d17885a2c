from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shouwang.demo.assistance import (
    DREAM,
    STANDARDS,
    WINTER,
    demo_allowances_load,
    demo_foundlings_load,
    demo_programmes_load,
    demo_standards_load,
)
from shouwang.demo.children import (
    DEMO_CHILDREN,
    demo_children_count,
    demo_children_load,
)
from shouwang.demo.city import demo_area_count, demo_city_load
from shouwang.demo.cycles import demo_cycles_load
from shouwang.demo.exchange import demo_exchange_load
from shouwang.demo.figures import demo_snapshot_days, demo_snapshots_load
from shouwang.demo.jointwork import demo_jointwork_load
from shouwang.demo.protection import demo_cases_load, demo_cases_summary
from shouwang.demo.schooling import demo_schooling_load
from shouwang.demo.visits import (
    demo_confirmations_load,
    demo_patch_leaders_load,
    demo_visits_count,
    demo_visits_load,
)
from shouwang.registry.services import exit_reviews_detect


class Command(BaseCommand):
    help = "载入演示城市和演示儿童（全部为程序生成的虚构数据），可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--children",
            type=int,
            default=DEMO_CHILDREN,
            help=f"第一次载入时生成多少名演示儿童（默认 {DEMO_CHILDREN}）",
        )

    def handle(self, *args, **options):
        if options["children"] < 1:
            raise CommandError("--children 应为正整数。")
        logins = demo_city_load()
        self.stdout.write(
            self.style.SUCCESS(f"演示城市已就绪：{demo_area_count()} 个乡镇和村。")
        )
        demo_children_load(count=options["children"])
        self.stdout.write(
            self.style.SUCCESS(
                f"演示儿童已就绪：{demo_children_count()} 名（虚构，再次运行不会重复添加）。"
            )
        )
        demo_visits_load()
        # What the nightly task would find: children who turned 16 or 18.
        exit_reviews_detect(as_of=timezone.localdate())
        demo_confirmations_load()
        demo_patch_leaders_load()
        demo_cycles_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示走访记录已就绪：{demo_visits_count()} 条（近十五个月，部分儿童已逾期）；"
                "隆回县已完成两次季度摸排，本季度的摸排已发起。"
            )
        )
        # Before the snapshots: the figures of past days count the cases.
        demo_cases_load()
        summary = demo_cases_summary()
        states = "、".join(
            f"{label} {n}" for label, n in summary.items() if label != "合计"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"演示保护案件已就绪：隆回县 {summary['合计']} 件（{states}；"
                "部分逾期，经与页面相同的服务写入）。"
            )
        )
        schooling = demo_schooling_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示学籍名单已就绪：隆回县 {schooling['名单人数']} 人（部分适龄儿童未列入、"
                f"部分为辍学）；辍学登记劝返中 {schooling['劝返中']} 件、已返校 "
                f"{schooling['已返校']} 件。"
            )
        )
        demo_standards_load()
        scattered = STANDARDS["社会散居孤儿"]
        self.stdout.write(
            self.style.SUCCESS(
                "演示基本生活保障标准已就绪：邵阳市社会散居孤儿每人每月 "
                f"{' → '.join(scattered)} 元（近两年各提高一次），集中养育孤儿同样。"
            )
        )
        allowances = demo_allowances_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示基本生活保障发放已就绪：隆回县保障中 {allowances['保障中']} 人，"
                f"近 12 个月已审批发放批次 {allowances['批次']} 个（增员 "
                f"{allowances['增员']}、减员 {allowances['减员']}、标准调整 "
                f"{allowances['标准调整']}、补发 {allowances['补发']} 人次）；"
                f"应保未保 {allowances['应保未保']} 人、应停未停 "
                f"{allowances['应停未停']} 人。"
            )
        )
        programmes = demo_programmes_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示救助项目已就绪：{DREAM}已发放 {programmes[DREAM]} 人，"
                f"{WINTER}（棉衣）已送达 {programmes[WINTER]} 人。"
            )
        )
        foundlings = demo_foundlings_load()
        years = "、".join(f"{year} 年 {n} 名" for year, n in foundlings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"演示弃婴登记已就绪：隆回县 {years}（被收养、机构养育、寻回父母、"
                "公告中各有）。"
            )
        )
        # Before the snapshots: the figures of past days count alerts and measures.
        exchange = demo_exchange_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示部门名单已就绪：隆回县 {exchange['名单']} 份（每类一份，经与上传相同的"
                f"检查和比对）；比对提示待核实 {exchange['待核实']} 条（其中逾期 "
                f"{exchange['逾期']} 条）、已处理 {exchange['已处理']} 条，帮扶措施 "
                f"{exchange['措施']} 条。"
            )
        )
        # Before the snapshots: the figures of past days count meetings and care.
        joint = demo_jointwork_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示联席会议和社会关爱已就绪：市县联席会议 {joint['会议']} 次、任务 "
                f"{joint['任务']} 项（按期办结 {joint['按期办结']}、逾期办结 "
                f"{joint['逾期办结']}、逾期未办结 {joint['逾期未办结']}，督办通知 "
                f"{joint['督办']} 份）；隆回县今年与乡镇签订责任书 "
                f"{joint['乡镇责任书']}；捐款 {joint['捐款']} 元、志愿者 "
                f"{joint['志愿者']} 名、结对 {joint['结对']} 对、关爱活动 "
                f"{joint['活动']} 场、宣传品 {joint['宣传品']} 批。"
            )
        )
        demo_snapshots_load()
        days = demo_snapshot_days(timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"演示统计快照已就绪：{days[0]:%Y-%m-%d} 至 {days[-1]:%Y-%m-%d} 间的 "
                f"{len(days)} 天（近 12 个月末、上季度末和昨天）。"
            )
        )
        self.stdout.write("演示账号（密码相同）：")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<20} {login.password}  {login.role}·{login.area_name}"
            )
