"""What each role's home page puts first: the signed-in user's work for today, every
count read through the owning app's selectors and so cut to the user's jurisdiction.

Directors and supervisors (a village, a township) read their live worklists;
civil-affairs staff and leaders read the figure catalogue's stored figures of today
(reports.selectors.report_for, counted within STATS_TODAY_MAX_MINUTES) as the
statistics page does, and the page says when they were counted. Protection work
(强制报告 and linkage cases) is read through protection.selectors: the police and member
units see what waits in their inbox, civil-affairs staff the cases awaiting assessment
and the overdue items; whoever files reports gets the button that files one. The
system administrator sees accounts and areas."""

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.accounts.models import Role, Unit
from shouwang.accounts.selectors import user_counts_by_role_for
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.areas.selectors import area_counts_by_level_for
from shouwang.exchange.alerts import alert_counts_for
from shouwang.jointwork import selectors_letters as letters
from shouwang.jointwork import selectors_meetings as meetings
from shouwang.jointwork.vocab import TaskState
from shouwang.protection import access as protection_access
from shouwang.protection import selectors as protection_selectors
from shouwang.protection.timing import due_words
from shouwang.protection.vocab import ReferralStatus
from shouwang.registry.selectors import exit_review_list_for
from shouwang.reports.periods import default_period
from shouwang.reports.selectors import home_figures_for, report_for
from shouwang.schooling.enrolment import enrolment_list_for
from shouwang.schooling.selectors import comparison_for
from shouwang.visits.models import (
    CycleStatus,
    ReviewCycle,
    VillageReview,
    VillageReviewStatus,
)
from shouwang.visits.selectors.care import coverage_for
from shouwang.visits.selectors.cycle import (
    Progress,
    ProgressRow,
    can_see_cycles,
    cycle_list_for,
    cycle_progress_for,
    cycle_villages_for,
)
from shouwang.visits.selectors.schedule import (
    DUE_SOON_DAYS,
    due_label,
    due_worklist_for,
    followups_for,
    overdue_rates_for,
)

from .navigation import inbox_count, supervision_count

DUE_SHOWN = 5  # children of the visit worklist listed on the home page
CASES_SHOWN = 5  # protection items of the inbox listed on the home page
CYCLES_SHOWN = 3  # open review cycles read for the home page, newest first
REVIEW_NOTES = {
    VillageReviewStatus.PENDING: "本村尚未提交：逐一确认儿童后提交",
    VillageReviewStatus.RETURNED: "已被退回：按审核意见修改后重新提交",
    VillageReviewStatus.SUBMITTED: "已提交，等待乡镇审核",
    VillageReviewStatus.APPROVED: "已审核通过",
}


def percent(value: float | None) -> str:
    """A rate as the pages print it: 12.5%, or — when there is nothing to divide."""
    return "—" if value is None else f"{value:.1f}%"


@dataclass(frozen=True)
class Task:
    """One line of 今天要做的事: what, how many, and the list that shows them."""

    key: str
    label: str
    count: int
    url: str
    note: str = ""
    urgent: bool = False


@dataclass
class VillageBehind:
    """A village of a supervisor's township with overdue visits, unsigned
    confirmations or a review not yet submitted."""

    code: str
    name: str
    overdue: int = 0
    overdue_rate: float | None = None
    missing: int = 0
    review: VillageReview | None = None

    @property
    def overdue_rate_text(self) -> str:
        return percent(self.overdue_rate)

    @property
    def review_open(self) -> bool:
        return self.review is not None and self.review.status in (
            VillageReviewStatus.PENDING,
            VillageReviewStatus.RETURNED,
        )

    @property
    def behind(self) -> bool:
        return bool(self.overdue or self.missing or self.review_open)

    @property
    def overdue_url(self) -> str:
        return f"{reverse('visits:overdue-children')}?{urlencode({'area': self.code})}"

    @property
    def missing_url(self) -> str:
        return f"{reverse('visits:coverage')}?{urlencode({'area': self.code})}"

    @property
    def review_url(self) -> str:
        if self.review is None:
            return ""
        return reverse("visits:village-review", kwargs={"pk": self.review.pk})


@dataclass
class AreaRow:
    """An area's key rates for civil-affairs staff and leaders, with its links."""

    area: Area
    overdue: int = 0
    overdue_rate: float | None = None
    missing: int = 0
    signed_rate: float | None = None
    review: ProgressRow | None = None
    lagging: list[str] = field(default_factory=list)
    dashboard_url: str = ""
    overdue_url: str = ""
    coverage_url: str = ""

    @property
    def overdue_rate_text(self) -> str:
        return percent(self.overdue_rate)

    @property
    def signed_rate_text(self) -> str:
        return percent(self.signed_rate)

    @property
    def approved_text(self) -> str:
        if self.review is None or not self.review.villages:
            return "—"
        return f"{self.review.approved}/{self.review.villages}"


@dataclass
class Overview:
    area: Area
    total: AreaRow
    rows: list[AreaRow]
    counted_at: datetime | None
    reviews: bool  # whether the viewer follows review cycles


# What each member unit does in 守望 now, and what later versions add, said plainly.
REFERRALS = (
    "接收转介：民政部门把需要{unit}处置的个案转给本单位，本单位接收（或说明理由退回）、"
    "处置并登记结果；个案只在待接收和处置期间对本单位可见，只显示处置所需的信息。"
)
REPORTING = (
    "强制报告：发现儿童疑似受到侵害或面临危险时，立即点“强制报告”提交，"
    "县公安和民政部门同时收到，您会得到受理编号，可在“案件”中查看办理情况。"
)
UNIT_WORK: dict[str, tuple[str, ...]] = {
    Unit.POLICE: (
        "受理强制报告：学校、医院、村（居）委会等报告的儿童疑似受侵害线索即时出现在“待办”中，"
        "立即受理，受案后 3 日内把受案情况告知报告单位。",
        "登记为无户籍儿童登记户口、立案等处置措施，供工作情况通报汇总。",
    ),
    Unit.EDUCATION: (
        "失学辍学的报告同时送到教育部门，出现在“待办”中。",
        "控辍保学：上传本辖区的学籍名单，与儿童台账比对找出疑似失学辍学的适龄儿童；"
        "登记辍学，落实包保责任人、一人一案和劝返记录，返校后凭结果销号。"
        "孤儿、事实无人抚养、残疾、留守和困境儿童标明优先。",
    ),
    Unit.COURT: ("登记受理和审结的侵害儿童案件（按罪名和判处），供工作情况通报汇总。",),
    Unit.PROCURATORATE: (
        "登记批捕、起诉阶段侵害儿童案件的件数和人数以及检察建议，供工作情况通报汇总。",
    ),
    Unit.DISABLED_FEDERATION: ("接收残疾儿童康复、救助方面的转介，并登记处置结果。",),
}
UNIT_PLANS: dict[str, tuple[str, ...]] = {
    Unit.POLICE: ("查找走失、被拐卖、身份不明儿童和弃婴的父母。",),
    Unit.PROCURATORATE: ("监督强制报告制度的落实：查看本辖区报告的受理和办理时限。",),
    Unit.HEALTH: ("填报儿童健康档案建立和预防接种的情况。",),
    Unit.HOUSING: ("填报纳入农村危房改造的儿童家庭户数，供工作情况通报汇总。",),
    Unit.RURAL_REVITALIZATION: (
        "填报纳入帮扶政策的儿童家庭户数；为控辍保学提供建档立卡、防返贫监测户名单的比对。",
    ),
    Unit.WOMENS_FEDERATION: (
        "关爱帮扶：填报募集捐款、资助儿童、结对志愿者和开展活动的情况，供工作情况通报汇总。",
    ),
    Unit.YOUTH_LEAGUE: (
        "关爱帮扶：组织志愿者与儿童结对，填报志愿服务和开展活动的情况。",
    ),
}


def unit_work(unit: str) -> list[str]:
    """What a member unit does in 守望 now: reports and referrals, then its own."""
    label = Unit(unit).label if unit in Unit.values else "本单位"
    return [REPORTING, REFERRALS.format(unit=label), *UNIT_WORK.get(unit, ())]


def unit_plan(unit: str) -> list[str]:
    """What later versions add for a member unit (may be empty)."""
    return list(UNIT_PLANS.get(unit, ()))


def home_for(*, viewer) -> dict:
    """The parts of the viewer's home page (a template context), by role."""
    today = timezone.localdate()
    if viewer.role == Role.ADMIN:
        return _admin(viewer)
    if viewer.role == Role.DEPARTMENT:
        return _member_unit(viewer)
    if not viewer.area_id:  # no jurisdiction: nothing to count
        return {}
    if viewer.role in (Role.DIRECTOR, Role.SUPERVISOR):
        return {
            **_caseworker(viewer, today),
            "report_button": protection_access.can(viewer, protection_access.Do.REPORT),
        }
    if access.has_perm(viewer, Perm.VIEW_REPORTS):
        context = _overview_page(viewer)
        if protection_access.is_civil(viewer):
            context["protection"] = _civil_protection(viewer)
        if joint := _joint_tasks(viewer, today):
            context["tasks"] = [*context.get("tasks", []), *joint]
        return context
    return {}


# Protection work ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """One item waiting in a protection inbox: the case, what waits, and its deadline."""

    number: str
    what: str
    place: str
    url: str
    due_text: str = ""
    overdue: bool = False


@dataclass
class ProtectionPanel:
    """A protection summary on the home page: counts linked to their lists, the first
    items waiting, and the links to the inbox and the report form."""

    title: str
    total: int  # the inbox count the navigation shows
    tasks: list[Task]
    items: list[CaseLine] = field(default_factory=list)
    can_report: bool = False

    @property
    def inbox_url(self) -> str:
        return reverse("protection:inbox")


def _case_url(case_id: int) -> str:
    return reverse("protection:case-detail", kwargs={"pk": case_id})


def _member_unit(viewer) -> dict:
    """A member unit (police included): what waits in its inbox, dropout control for
    the education unit, then what the unit does in 守望 now and later."""
    context = {
        "protection": _unit_protection(viewer),
        "unit_work": unit_work(viewer.unit),
        "unit_plan": unit_plan(viewer.unit),
    }
    today = timezone.localdate()
    tasks = [
        *_schooling_tasks(viewer, today, unit=True),
        *_joint_tasks(viewer, today),
    ]
    if tasks:
        context["tasks"] = tasks
    return context


def _joint_tasks(viewer, today: date) -> list[Task]:
    """Joint work: a unit's tasks from joint meetings (the overdue ones urgent); the
    office's overdue tasks; from 1 December, next year's letters not yet signed."""
    found: list[Task] = []
    url = reverse("jointwork:tasks")
    if meetings.is_unit_user(viewer):
        waiting = meetings.task_list_for(viewer).exclude(state=TaskState.CLOSED)
        if count := waiting.count():
            late = waiting.filter(meetings.overdue_q(today)).count()
            found.append(
                Task(
                    "joint_tasks",
                    "联席会议督办任务",
                    count,
                    url,
                    f"其中 {late} 项已超过办理期限" if late else "按期报告办理情况",
                    urgent=bool(late),
                )
            )
    elif meetings.is_office(viewer):
        late = meetings.overdue_count_for(viewer)
        if late:
            found.append(
                Task(
                    "joint_tasks",
                    "逾期的督办任务",
                    late,
                    f"{url}?filter=overdue",
                    "联席会议派出、超过办理期限仍未办结的任务：可发督办通知",
                    urgent=True,
                )
            )
    if reminder := letters.reminder_for(viewer=viewer, today=today):
        year, missing = reminder
        found.append(
            Task(
                "letters",
                f"{year}年度责任书未签",
                missing,
                reverse("jointwork:letters"),
                "新年度开始前签订责任书",
            )
        )
    return found


def _unit_protection(viewer) -> ProtectionPanel:
    now = timezone.now()
    inbox = reverse("protection:inbox")
    tasks, items = [], []
    if protection_access.is_police(viewer):
        waiting = protection_selectors.police_inbox_for(viewer)
        late = waiting.filter(police_due_at__lt=now).count()
        tasks.append(
            Task(
                "police",
                "待受理的报告",
                waiting.count(),
                inbox,
                f"其中 {late} 件已超过受理时限" if late else "报告提交后请立即受理",
                urgent=bool(late),
            )
        )
        for case in waiting[:CASES_SHOWN]:
            overdue, words = due_words(case.police_due_at, now)
            items.append(
                CaseLine(
                    case.number,
                    case.get_situation_display(),
                    case.area.name,
                    _case_url(case.pk),
                    f"受理{words}",
                    overdue,
                )
            )
    referrals = protection_selectors.referral_inbox_for(viewer)
    pending = referrals.filter(status=ReferralStatus.PENDING)
    late = pending.filter(respond_by__lt=now).count()
    tasks.append(
        Task(
            "referrals",
            "待接收的转介",
            pending.count(),
            inbox,
            f"其中 {late} 件已超过响应时限"
            if late
            else "请在响应时限内接收或说明理由退回",
            urgent=bool(late),
        )
    )
    tasks.append(
        Task(
            "accepted",
            "办理中的转介",
            referrals.filter(status=ReferralStatus.ACCEPTED).count(),
            inbox,
            "处置后登记措施和结果",
        )
    )
    if viewer.unit == Unit.EDUCATION:
        tasks.append(
            Task(
                "school",
                "失学辍学的报告",
                protection_selectors.school_notices_for(viewer).count(),
                inbox,
                "未结案的失学辍学报告，教育部门同时知悉",
            )
        )
    for referral in referrals[: max(CASES_SHOWN - len(items), 0)]:
        if referral.status == ReferralStatus.PENDING:
            overdue, words = due_words(referral.respond_by, now)
            due = f"接收{words}"
        else:
            overdue, due = False, "办理中"
        items.append(
            CaseLine(
                referral.case.number,
                f"转介：{referral.get_service_display()}",
                referral.case.area.name,
                _case_url(referral.case_id),
                due,
                overdue,
            )
        )
    return ProtectionPanel(
        title=f"{viewer.get_unit_display()}的保护案件待办",
        total=inbox_count(viewer),
        tasks=tasks,
        items=items,
        can_report=protection_access.can(viewer, protection_access.Do.REPORT),
    )


def _civil_protection(viewer) -> ProtectionPanel:
    """Civil-affairs staff: cases awaiting assessment, overdue items (督办) and
    break-the-glass grants awaiting review."""
    tasks = [
        Task(
            "assessment",
            "待评估的案件",
            inbox_count(viewer),
            reverse("protection:inbox"),
            "报告提交后由民政部门评估风险和需求，再转介成员单位",
        ),
    ]
    overdue = supervision_count(viewer)
    tasks.append(
        Task(
            "supervision",
            "逾期事项（督办）",
            overdue,
            reverse("protection:supervision"),
            "超过受理、反馈、评估或转介响应时限的事项",
            urgent=bool(overdue),
        )
    )
    if protection_access.can(viewer, protection_access.Do.REVIEW_GLASS):
        tasks.append(
            Task(
                "glass",
                "待复核的紧急查看",
                protection_selectors.glass_list_for(viewer)
                .filter(reviewed_at=None)
                .count(),
                reverse("protection:glass-list"),
                "核对每一次紧急查看的理由",
            )
        )
    return ProtectionPanel(
        title="保护案件",
        total=tasks[0].count,
        tasks=tasks,
        can_report=protection_access.can(viewer, protection_access.Do.REPORT),
    )


# Directors and supervisors -------------------------------------------------------------


def _caseworker(viewer, today: date) -> dict:
    worklist = due_worklist_for(viewer=viewer, as_of=today)
    due_children = list(worklist.children[:DUE_SHOWN])
    for child in due_children:
        child.due_kind, child.due_text = due_label(child.next_visit_due, today)
    area = viewer.area
    coverage = coverage_for(viewer=viewer, area=area)
    cycles = _open_cycles(viewer)
    tasks = [
        Task(
            "followups",
            "待跟进",
            followups_for(viewer=viewer).count(),
            reverse("visits:followups"),
            "最近一次走访要求跟进的儿童",
        ),
        *_cycle_tasks(viewer, cycles),
        Task(
            "confirmations",
            "未签委托监护责任确认书",
            coverage.total.missing,
            reverse("visits:coverage"),
            f"需签 {coverage.total.needing} 名，已签 {coverage.total.signed} 名",
        ),
        Task(
            "exit_reviews",
            "待复核退出",
            exit_review_list_for(viewer=viewer).count(),
            reverse("registry:child-review"),
            "年满16或18周岁的儿童，确认是否退出",
        ),
        _alert_task(viewer, today),
        *_schooling_tasks(viewer, today),
    ]
    context = {
        "due": worklist.counts,
        "due_children": due_children,
        "soon_days": DUE_SOON_DAYS,
        "tasks": tasks,
        "child_figures": home_figures_for(viewer=viewer),
    }
    if area.level == AreaLevel.TOWNSHIP:
        context["villages_behind"] = _villages_behind(viewer, coverage, cycles)
    return context


def _alert_task(viewer, today: date) -> Task:
    """The open alerts (比对提示) of the viewer's villages, the overdue ones urgent."""
    counts = alert_counts_for(viewer=viewer, today=today)
    return Task(
        "alerts",
        "待核实的比对提示",
        counts.open,
        reverse("exchange:alerts"),
        f"其中 {counts.overdue} 条已超过核实时限"
        if counts.overdue
        else "部门名单与儿童信息不一致：核实后采纳或不采纳",
        urgent=bool(counts.overdue),
    )


def _schooling_tasks(viewer, today: date, *, unit: bool = False) -> list[Task]:
    """The school-age children not in school by the latest school list (三比对); for
    the education unit (unit=True) also the dropouts being persuaded and the lists."""
    found = comparison_for(viewer=viewer, as_of=today)
    if found is None:
        return []
    if found.uncovered_villages and not (found.suspected or found.discrepancies):
        note = "本辖区还没有学籍名单可比对"
    else:
        note = f"与学籍名单比对；另有不一致 {len(found.discrepancies)} 名，劝返中 {found.dropouts_open} 名"
    tasks = [
        Task(
            "schooling",
            "疑似失学辍学",
            len(found.suspected),
            reverse("schooling:worklist"),
            note,
        )
    ]
    if not unit:
        return tasks
    latest = enrolment_list_for(viewer=viewer).first()
    tasks += [
        Task(
            "dropouts",
            "劝返中的辍学儿童",
            found.dropouts_open,
            f"{reverse('schooling:dropout-list')}?status=open",
            "落实包保责任人、一人一案，记录每次劝返，返校后凭结果销号",
        ),
        Task(
            "enrolment",
            "学籍名单",
            enrolment_list_for(viewer=viewer).count(),
            reverse("schooling:enrolment-lists"),
            (
                f"最新一份：{latest.area.name} {latest.listed_on:%Y-%m-%d}，"
                f"{latest.row_count} 名学生；学期变动后请上传新名单"
                if latest
                else "还没有上传学籍名单：上传后才能比对"
            ),
            urgent=latest is None,
        ),
    ]
    return tasks


def _open_cycles(viewer) -> list[tuple[ReviewCycle, Progress]]:
    """The open review cycles the viewer takes part in (newest first, at most
    CYCLES_SHOWN), each with its progress in the viewer's jurisdiction."""
    if not can_see_cycles(viewer):
        return []
    cycles = cycle_list_for(viewer=viewer).filter(status=CycleStatus.OPEN)
    return [
        (cycle, cycle_progress_for(viewer=viewer, cycle=cycle))
        for cycle in cycles[:CYCLES_SHOWN]
    ]


def _cycle_tasks(viewer, cycles) -> list[Task]:
    """A director: the own village's children still to confirm in each open cycle;
    anyone else: the villages submitted and waiting for review."""
    tasks = []
    for cycle, progress in cycles:
        total = progress.total
        if not total.villages:
            continue
        if viewer.role == Role.DIRECTOR:
            review = next(iter(cycle_villages_for(viewer=viewer, cycle=cycle)), None)
            url = (
                reverse("visits:village-review", kwargs={"pk": review.pk})
                if review
                else reverse("visits:cycle-detail", kwargs={"pk": cycle.pk})
            )
            note = REVIEW_NOTES.get(review.status, "") if review else ""
            tasks.append(
                Task(
                    f"cycle-{cycle.pk}",
                    f"{cycle.name}摸排：待确认的儿童",
                    total.to_confirm,
                    url,
                    note,
                    urgent=bool(review)
                    and review.status == VillageReviewStatus.RETURNED,
                )
            )
            continue
        tasks.append(
            Task(
                f"cycle-{cycle.pk}",
                f"{cycle.area.name}{cycle.name}摸排：待审核的村",
                total.submitted,
                reverse("visits:cycle-detail", kwargs={"pk": cycle.pk}),
                f"已通过 {total.approved}/{total.villages} 个村，"
                f"还有 {total.to_confirm} 名儿童待确认",
            )
        )
    return tasks


def _villages_behind(viewer, coverage, cycles) -> list[VillageBehind]:
    """The township's villages with anything overdue, unsigned or not submitted,
    the most overdue first."""
    rows = {
        row.code: VillageBehind(
            code=row.code,
            name=row.name,
            overdue=row.overdue,
            overdue_rate=row.rate,
        )
        for row in overdue_rates_for(viewer=viewer).rows
    }
    for row in coverage.rows:
        village = rows.setdefault(
            row.area.code, VillageBehind(code=row.area.code, name=row.area.name)
        )
        village.missing = row.missing
    for cycle, _ in cycles:
        for review in cycle_villages_for(viewer=viewer, cycle=cycle):
            if review.village_id in rows:
                rows[review.village_id].review = review
    behind = [row for row in rows.values() if row.behind]
    return sorted(behind, key=lambda r: (-r.overdue, -r.missing, r.code))


# Civil-affairs staff and leaders -------------------------------------------------------


def _overview_page(viewer) -> dict:
    try:
        report = report_for(viewer=viewer, area=viewer.area, period=default_period())
    except Http404:  # an area the viewer may no longer read: nothing to show
        return {}
    cycles = _open_cycles(viewer)
    overview = _overview(viewer, report, cycles)
    context = {
        "overview": overview,
        "child_figures": home_figures_for(viewer=viewer, values=report.values),
    }
    if can_see_cycles(viewer):
        context["tasks"] = [
            *_cycle_tasks(viewer, cycles),
            Task(
                "exit_reviews",
                "待复核退出",
                exit_review_list_for(viewer=viewer).count(),
                reverse("registry:child-review"),
                "年满16或18周岁的儿童，确认是否退出",
            ),
        ]
    return context


def _area_row(viewer, area: Area, values: dict) -> AreaRow:
    query = urlencode({"area": area.code})
    can_list = access.has_perm(viewer, Perm.VIEW_CHILDREN)
    return AreaRow(
        area=area,
        overdue=values.get("visits.overdue") or 0,
        overdue_rate=values.get("visits.overdue_rate"),
        missing=(values.get("confirmations.needed") or 0)
        - (values.get("confirmations.signed") or 0),
        signed_rate=values.get("confirmations.rate"),
        dashboard_url=f"{reverse('reports:dashboard')}?{query}",
        overdue_url=f"{reverse('visits:overdue')}?{query}",
        coverage_url=f"{reverse('visits:coverage')}?{query}" if can_list else "",
    )


def _review_by_area(
    cycles, areas: list[Area]
) -> tuple[dict[str, ProgressRow], ProgressRow] | None:
    """The open cycles' progress summed per area (townships grouped by the area
    their code starts with) and in total; None when no cycle is open."""
    if not cycles:
        return None
    by_area = {area.code: ProgressRow(code=area.code, name=area.name) for area in areas}
    prefixes = {codes.prefix_of(area.code): area.code for area in areas}
    total = ProgressRow(code="", name="合计")
    for _, progress in cycles:
        total.add(progress.total)
        for row in progress.rows:
            code = next((c for p, c in prefixes.items() if row.code.startswith(p)), "")
            if code:
                by_area[code].add(row)
    return by_area, total


def _overview(viewer, report, cycles) -> Overview:
    """The jurisdiction's overdue rate, signing rate and review progress, and each
    area one level below, those behind the whole first."""
    area = viewer.area
    total = _area_row(viewer, area, report.values)
    rows = [_area_row(viewer, sub, values) for sub, values in report.rows]
    reviews = can_see_cycles(viewer)
    progress = _review_by_area(cycles, [r.area for r in rows])
    if progress is not None:
        by_area, total.review = progress
        for row in rows:
            row.review = by_area[row.area.code]
    for row in rows:
        row.lagging = _lagging(row, total)
    rows.sort(
        key=lambda r: (
            not r.lagging,
            -(r.overdue_rate or 0),
            r.signed_rate if r.signed_rate is not None else 101,
            r.area.code,
        )
    )
    return Overview(
        area=area,
        total=total,
        rows=rows,
        counted_at=report.counted_at,
        reviews=reviews,
    )


def _lagging(row: AreaRow, total: AreaRow) -> list[str]:
    """Why an area is behind the whole jurisdiction (empty when it is not)."""
    reasons = []
    if (
        row.overdue_rate is not None
        and total.overdue_rate is not None
        and row.overdue_rate > total.overdue_rate
    ):
        reasons.append("逾期率偏高")
    if (
        row.signed_rate is not None
        and total.signed_rate is not None
        and row.signed_rate < total.signed_rate
    ):
        reasons.append("签订率偏低")
    if (
        row.review is not None
        and total.review is not None
        and row.review.villages
        and row.review.approved_percent < total.review.approved_percent
    ):
        reasons.append("摸排进度落后")
    return reasons


# The system administrator -------------------------------------------------------------


def _admin(viewer) -> dict:
    users = user_counts_by_role_for(viewer=viewer)
    role_of = {role.label: role.value for role in Role}
    return {
        "areas_by_level": area_counts_by_level_for(viewer=viewer),
        "accounts": [
            (
                label,
                n,
                f"{reverse('accounts:user-list')}?"
                f"{urlencode({'role': role_of[label], 'active': '1'})}",
            )
            for label, n in users.items()
        ],
    }
