"""Demo joint work (联席会议) and community care for the demo city (邵阳市) and its demo
county (隆回县): the member units with their duties (civil affairs the office), a year
of meetings — four of the city, six of the county — whose decisions assign tasks to
units; most reported and closed on time, some closed late, one sent back and done
again, a few still open past their deadline (one with a 督办通知), some open and not
yet due, one reported and awaiting the office; this year's responsibility letters
(the county with most of its townships and member units, some townships with their
villages: coverage below 100 %); donations (a few with ledger recipients),
volunteers paired with children of demo_zhuren's village and others (one with more
disclosure granted by the village director), activities and publicity of each kind.

Everything goes through the app's services, each run with the clock set to its day
(`clock`), so the services' checks on "today" hold as they did then: deadlines after
the meeting, notices only on overdue tasks, dates not in the future. A step whose
day has not come yet is left out (the task stays where it is). Loaded once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Unit, User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.jointwork import selectors_care, selectors_letters
from shouwang.jointwork import services_care as care
from shouwang.jointwork import services_letters as letters
from shouwang.jointwork import services_meetings as meetings
from shouwang.jointwork.models import (
    Activity,
    Donation,
    Meeting,
    MemberUnit,
    Pairing,
    PublicityItem,
    ResponsibilityLetter,
    SupervisionNotice,
    Task,
    Volunteer,
)
from shouwang.jointwork.selectors_meetings import overdue_q
from shouwang.jointwork.services_meetings import DecisionEntry, TaskEntry
from shouwang.jointwork.vocab import (
    CIVIL_AFFAIRS,
    ActivityKind,
    PairingKind,
    PublicityKind,
    TaskState,
)

from .city import CITY_CODE, COUNTY_CODES
from .clock import clock

COUNTY = COUNTY_CODES[0]
CITY_OFFICE = "demo_minzheng"
COUNTY_OFFICE = "demo_xianminzheng"

DUTIES = {
    CIVIL_AFFAIRS: "承担联席会议办公室日常工作；牵头建立留守儿童和困境儿童信息台账，"
    "落实基本生活保障和兜底监护；督促各成员单位落实议定事项。",
    Unit.EDUCATION: "控辍保学，落实教育资助；建立留守儿童学籍关爱档案；"
    "开展心理健康教育和防溺水等安全教育。",
    Unit.POLICE: "户口登记和强制报告受理；依法打击侵害儿童权益的违法犯罪；"
    "协助寻找失踪、走失儿童，加强校园周边治安。",
    Unit.COURT: "依法审理涉未成年人案件；依法撤销监护人资格并指定监护人。",
    Unit.PROCURATORATE: "监督侵害儿童权益案件的办理；开展未成年人检察和法治进校园。",
    Unit.HEALTH: "建立儿童健康档案，落实预防接种；为困境儿童提供医疗救治、"
    "康复和心理健康服务。",
    Unit.HOUSING: "优先为留守儿童和困境儿童家庭实施农村危房改造。",
    Unit.RURAL_REVITALIZATION: "将符合条件的儿童家庭纳入防返贫监测和帮扶；"
    "支持外出务工父母返乡就业。",
    Unit.WOMENS_FEDERATION: "开展家庭教育指导和亲情关爱；组织巾帼志愿者结对帮扶，"
    "实施童伴计划。",
    Unit.YOUTH_LEAGUE: "组织青年志愿者开展关爱服务和假期陪伴。",
    Unit.DISABLED_FEDERATION: "为残疾儿童提供康复救助和辅具适配；落实残疾儿童补贴。",
    Unit.JUSTICE: "提供法律援助；推送服刑在押、强制隔离戒毒人员子女信息。",
}
# The demo account that reports for each unit (county staff receive the tasks of
# their unit at the county and the city above it). The youth league has none: it
# is given no task.
REPORTERS = {
    Unit.EDUCATION: "demo_jiaoyu",
    Unit.POLICE: "demo_gongan",
    Unit.COURT: "demo_fayuan",
    Unit.PROCURATORATE: "demo_jiancha",
    Unit.HEALTH: "demo_weijian",
    Unit.HOUSING: "demo_zhujian",
    Unit.RURAL_REVITALIZATION: "demo_xiangcun",
    Unit.WOMENS_FEDERATION: "demo_fulian",
    Unit.DISABLED_FEDERATION: "demo_canlian",
    Unit.JUSTICE: "demo_sifa",
}

# What becomes of a task.
ON_TIME = "on_time"  # progress, reported done before the deadline, closed
LATE = "late"  # reported done and closed after the deadline
RETURNED = "returned"  # reported, sent back by the office, done again, closed
OVERDUE = "overdue"  # progress reported, still open past the deadline
NOTICE = "notice"  # overdue, a 督办通知 issued, progress reported since
REPORTED = "reported"  # reported done, awaiting the office
OPEN = "open"  # progress reported, not yet due


@dataclass(frozen=True)
class Job:
    unit: str
    title: str
    days: int  # the deadline: days after the meeting
    fate: str


@dataclass(frozen=True)
class Held:
    office: str
    days_ago: int
    title: str
    decisions: tuple[tuple[str, tuple[Job, ...]], ...]
    attendees: tuple[str, ...] = ()


E, P, H = Unit.EDUCATION, Unit.POLICE, Unit.HEALTH
W, R, J = Unit.WOMENS_FEDERATION, Unit.RURAL_REVITALIZATION, Unit.JUSTICE
D, HS, PR, C = (
    Unit.DISABLED_FEDERATION,
    Unit.HOUSING,
    Unit.PROCURATORATE,
    Unit.COURT,
)

MEETINGS = (
    Held(
        CITY_OFFICE,
        340,
        "邵阳市农村留守儿童关爱保护和困境儿童保障工作联席会议第一次全体会议",
        (
            (
                "部署开展全市农村留守儿童和困境儿童信息摸底排查，建立动态更新的台账。",
                (
                    Job(E, "配合摸排在校留守儿童信息，建立学籍关爱档案", 45, ON_TIME),
                    Job(P, "核查无户籍儿童并集中办理户口登记", 60, LATE),
                ),
            ),
            (
                "将符合条件的困境儿童家庭纳入防返贫监测，做到应纳尽纳。",
                (Job(R, "比对困境儿童家庭与防返贫监测对象名单", 60, ON_TIME),),
            ),
            (
                "春季开学后开展控辍保学专项行动。",
                (Job(E, "核查春季学期辍学儿童并落实劝返复学", 30, ON_TIME),),
            ),
        ),
    ),
    Held(
        CITY_OFFICE,
        250,
        "市联席会议第二次会议（六一关爱和强制报告制度落实）",
        (
            (
                "组织开展“六一”关爱农村留守儿童和困境儿童活动。",
                (Job(W, "组织六一关爱慰问和亲子视频连线活动", 40, ON_TIME),),
            ),
            (
                "落实侵害未成年人案件强制报告制度，加强儿童健康保障。",
                (
                    Job(P, "开展强制报告制度培训，覆盖全体社区民警", 50, LATE),
                    Job(H, "完善困境儿童健康档案并落实预防接种", 60, ON_TIME),
                ),
            ),
        ),
    ),
    Held(
        CITY_OFFICE,
        160,
        "市联席会议第三次会议（暑期安全和医疗救助）",
        (
            (
                "做好暑期留守儿童防溺水和安全监护工作。",
                (
                    Job(E, "开展防溺水安全教育，落实假期家校联系", 30, ON_TIME),
                    Job(P, "加强暑期水域和校园周边巡查", 30, ON_TIME),
                ),
            ),
            (
                "对患重大疾病的困境儿童开展医疗救助摸排。",
                (Job(H, "摸排患重大疾病困境儿童并落实医疗救助", 60, OVERDUE),),
            ),
            (
                "落实残疾儿童康复救助。",
                (Job(D, "完成残疾儿童康复需求评估和辅具适配", 90, ON_TIME),),
            ),
        ),
    ),
    Held(
        CITY_OFFICE,
        70,
        "市联席会议第四次会议（年终督查和冬季关爱）",
        (
            (
                "做好服刑在押、强制隔离戒毒人员子女的信息推送和帮扶。",
                (Job(J, "向县民政部门推送服刑在押人员子女信息", 30, ON_TIME),),
            ),
            (
                "开展冬季送温暖和寒假关爱，做好明年责任书签订准备。",
                (
                    Job(R, "对监测户中的困境儿童家庭开展冬季走访慰问", 90, OPEN),
                    Job(E, "落实寒假安全教育和留守儿童寒假关爱", 100, OPEN),
                ),
            ),
        ),
    ),
    Held(
        COUNTY_OFFICE,
        330,
        "隆回县联席会议第一次全体会议（部署全年工作）",
        (
            (
                "建立全县农村留守儿童和困境儿童信息台账，做到一人一档。",
                (
                    Job(E, "提供在校留守儿童名单并与台账比对", 40, ON_TIME),
                    Job(P, "核查台账儿童及父母户籍信息", 50, ON_TIME),
                ),
            ),
            (
                "加强儿童主任和儿童督导员的业务培训。",
                (Job(H, "为儿童主任开展儿童健康和急救知识培训", 60, ON_TIME),),
            ),
        ),
    ),
    Held(
        COUNTY_OFFICE,
        270,
        "隆回县联席会议第二次会议（控辍保学和强制报告）",
        (
            (
                "开展控辍保学专项行动，落实“一人一案”劝返。",
                (Job(E, "春季学期辍学儿童劝返复学", 45, LATE),),
            ),
            (
                "落实侵害未成年人案件强制报告制度。",
                (
                    Job(PR, "检查学校、医院落实强制报告制度情况", 60, ON_TIME),
                    Job(P, "建立强制报告线索受理和反馈台账", 60, RETURNED),
                ),
            ),
        ),
    ),
    Held(
        COUNTY_OFFICE,
        210,
        "隆回县联席会议第三次会议（六一关爱和危房改造）",
        (
            (
                "组织“六一”关爱留守儿童活动。",
                (Job(W, "组织“六一”关爱留守儿童和困境儿童活动", 20, ON_TIME),),
            ),
            (
                "优先为留守儿童和困境儿童家庭实施农村危房改造。",
                (Job(HS, "核查儿童家庭危房并纳入当年改造计划", 120, OVERDUE),),
            ),
            (
                "落实残疾儿童康复救助。",
                (Job(D, "为残疾儿童办理康复救助和残疾儿童补贴", 60, ON_TIME),),
            ),
        ),
    ),
    Held(
        COUNTY_OFFICE,
        150,
        "隆回县联席会议第四次会议（暑期安全和法律援助）",
        (
            (
                "做好暑期防溺水和安全监护。",
                (
                    Job(E, "开展防溺水安全教育和暑期家访", 30, ON_TIME),
                    Job(P, "加强暑期重点水域巡查", 30, ON_TIME),
                ),
            ),
            (
                "为困境儿童提供法律援助。",
                (Job(J, "为监护缺失儿童提供法律援助", 45, LATE),),
            ),
            (
                "将符合条件的困境儿童家庭纳入防返贫监测。",
                (Job(R, "将符合条件的困境儿童家庭纳入防返贫监测", 60, ON_TIME),),
            ),
        ),
    ),
    Held(
        COUNTY_OFFICE,
        90,
        "隆回县联席会议第五次会议（秋季学期和户籍核查）",
        (
            (
                "开展秋季学期控辍保学。",
                (Job(E, "核查秋季学期辍学儿童并落实劝返", 30, ON_TIME),),
            ),
            (
                "解决无户籍儿童的户口登记问题。",
                (Job(P, "为台账中无户籍儿童办理户口登记", 60, NOTICE),),
            ),
            (
                "推进心理健康服务进校园、进村。",
                (Job(H, "为留守儿童较多的学校配备心理辅导室", 65, OVERDUE),),
            ),
        ),
    ),
    Held(
        COUNTY_OFFICE,
        30,
        "隆回县联席会议第六次会议（寒假关爱和明年责任书）",
        (
            (
                "开展寒假及春节期间留守儿童关爱。",
                (
                    Job(W, "组织寒假亲情陪伴和春节慰问活动", 45, OPEN),
                    Job(E, "落实寒假安全教育和返乡父母家长会", 60, OPEN),
                ),
            ),
            (
                "做好明年责任书签订准备，将儿童关爱纳入帮扶考核。",
                (Job(R, "将儿童关爱保护纳入乡村振兴帮扶考核", 50, REPORTED),),
            ),
            (
                "依法处置监护人严重失职的案件。",
                (Job(C, "审结撤销监护人资格案件并指定监护人", 20, ON_TIME),),
            ),
        ),
    ),
)


def _at(day: date, hour: int, now: datetime) -> datetime:
    """The moment of a demo step: that day at the hour, never after now."""
    moment = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
    return min(moment, now)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _version(task_id: int) -> int:
    return Task.objects.values_list("version", flat=True).get(pk=task_id)


class _Timeline:
    """Demo steps in the order of their days; a step of a day to come is left out
    with every later step of its chain (a task stays where it is today)."""

    def __init__(self, today: date, now: datetime) -> None:
        self.today, self.now = today, now
        self.steps: list[tuple[date, int, int, str, Callable[[], None]]] = []

    def add(self, day: date, hour: int, chain: str, step: Callable[[], None]) -> None:
        self.steps.append((day, hour, len(self.steps), chain, step))

    def run(self) -> None:
        stopped: set[str] = set()
        for day, hour, _, chain, step in sorted(self.steps, key=lambda s: s[:3]):
            if chain in stopped or day > self.today:
                stopped.add(chain)
                continue
            with clock(_at(day, hour, self.now)):
                step()


# ---- member units ------------------------------------------------------------------


def _units_load(when: datetime) -> None:
    for username in (CITY_OFFICE, COUNTY_OFFICE):
        office = _user(username)
        for unit, duties in DUTIES.items():
            contacts = meetings.contact_candidates(area_code=office.area_id, unit=unit)
            with clock(when):
                meetings.member_unit_save(
                    actor=office,
                    unit=unit,
                    duties=duties,
                    is_office=unit == CIVIL_AFFAIRS,
                    contact_ids=list(contacts.values_list("pk", flat=True)),
                    expected_version=0,
                )


# ---- meetings and tasks ------------------------------------------------------------


def _meetings_plan(timeline: _Timeline) -> None:
    today = timeline.today
    first_of_year = today.replace(month=1, day=1)
    for index, held in enumerate(MEETINGS):
        held_on = today - timedelta(days=held.days_ago)
        if index == len(MEETINGS) - 1:
            # The latest county meeting falls in the current year even in January:
            # this year's figures have a meeting.
            held_on = max(held_on, first_of_year)
        office = _user(held.office)
        chain = f"meeting{index}"
        tasks: dict[tuple[int, int], int] = {}

        def record(held=held, held_on=held_on, office=office, tasks=tasks):
            meeting = meetings.meeting_record(
                actor=office,
                title=held.title,
                held_on=held_on,
                attendees=[
                    CIVIL_AFFAIRS,
                    *{j.unit for _, js in held.decisions for j in js},
                ],
                notes="会议由分管副市（县）长主持，各成员单位分管负责人参会。",
                decisions=[
                    DecisionEntry(
                        slot=f"d{d}",
                        text=text,
                        tasks=[
                            TaskEntry(
                                slot=f"d{d}_t{t}",
                                unit=job.unit,
                                title=job.title,
                                deadline=held_on + timedelta(days=job.days),
                            )
                            for t, job in enumerate(jobs, start=1)
                        ],
                    )
                    for d, (text, jobs) in enumerate(held.decisions, start=1)
                ],
                minutes=None,
            )
            for decision in meeting.decisions.all():
                for t, task in enumerate(decision.tasks.order_by("pk"), start=1):
                    tasks[(decision.number, t)] = task.pk

        recorded_on = min(held_on + timedelta(days=1), today)
        timeline.add(recorded_on, 8, chain, record)
        for d, (_, jobs) in enumerate(held.decisions, start=1):
            for t, job in enumerate(jobs, start=1):
                _task_plan(
                    timeline,
                    job,
                    office=office,
                    recorded_on=recorded_on,
                    deadline=held_on + timedelta(days=job.days),
                    task_id=lambda key=(d, t), tasks=tasks: tasks[key],
                    chain=f"{chain}.{d}.{t}",
                )


def _task_plan(
    timeline: _Timeline,
    job: Job,
    *,
    office: User,
    recorded_on: date,
    deadline: date,
    task_id: Callable[[], int],
    chain: str,
) -> None:
    """The steps of one task by its fate (days counted from the meeting)."""
    unit_user = _user(REPORTERS[job.unit])
    today = timeline.today

    def progress(percent: int, text: str):
        def step():
            meetings.task_report(
                actor=unit_user,
                task_id=task_id(),
                text=text,
                percent=percent,
                done=False,
                uploads=[],
            )

        return step

    def done(text: str):
        def step():
            meetings.task_report(
                actor=unit_user,
                task_id=task_id(),
                text=text,
                percent=100,
                done=True,
                uploads=[],
            )

        return step

    def close():
        meetings.task_close(
            actor=office, task_id=task_id(), expected_version=_version(task_id())
        )

    def send_back():
        meetings.task_return(
            actor=office,
            task_id=task_id(),
            reason="台账缺少线索的反馈时间和处理结果，请补充完整后再报办结。",
            expected_version=_version(task_id()),
        )

    def day(offset: int) -> date:
        return max(
            recorded_on + timedelta(days=1), recorded_on + timedelta(days=offset)
        )

    span = (deadline - recorded_on).days
    steps: list[tuple[date, int, Callable[[], None]]] = []
    started = "已召开专题会议部署，正在组织实施。"
    if job.fate in (ON_TIME, LATE, OVERDUE, NOTICE, OPEN, REPORTED):
        steps.append((day(span * 2 // 5), 15, progress(40, started)))
    if job.fate == ON_TIME:
        steps.append((deadline - timedelta(days=3), 16, done(f"已完成：{job.title}。")))
        steps.append((deadline - timedelta(days=1), 10, close))
    elif job.fate == LATE:
        steps.append(
            (deadline + timedelta(days=10), 16, done(f"已完成（逾期）：{job.title}。"))
        )
        steps.append((deadline + timedelta(days=12), 10, close))
    elif job.fate == RETURNED:
        steps += [
            (deadline - timedelta(days=8), 16, done("台账已建立，报请办结。")),
            (deadline - timedelta(days=6), 10, send_back),
            (deadline - timedelta(days=3), 16, done("已补充反馈时间和处理结果。")),
            (deadline - timedelta(days=1), 10, close),
        ]
    elif job.fate == OVERDUE:
        steps.append(
            (
                deadline + timedelta(days=7),
                15,
                progress(60, "资金尚未落实，已报请县政府协调，正在推进。"),
            )
        )
    elif job.fate == NOTICE:
        notice_on = max(deadline + timedelta(days=1), today - timedelta(days=5))

        def notice():
            meetings.notice_issue(
                actor=office,
                task_id=task_id(),
                new_deadline=notice_on + timedelta(days=20),
                text=f"“{job.title}”已超过办理期限仍未办结，请于限期内办结并书面报告；"
                "逾期仍未办结的，将提请县人民政府约谈。",
            )

        steps.append((notice_on, 11, notice))
        steps.append(
            (
                notice_on + timedelta(days=2),
                15,
                progress(70, "收到督办通知后已抽调专人集中办理，预计限期内办结。"),
            )
        )
    elif job.fate == REPORTED:
        steps.append((today - timedelta(days=2), 16, done(f"已完成：{job.title}。")))
    for when, hour, step in steps:
        # Never before the meeting is recorded (at 8 o'clock that day).
        timeline.add(max(when, recorded_on), hour, chain, step)


# ---- responsibility letters --------------------------------------------------------


def _letters_plan(timeline: _Timeline) -> None:
    """This year's letters: the county with its townships but the last, its member
    units but two; the first three townships with their villages (one missing); the
    city with the demo counties and its member units but one. From 1 December, two
    townships have signed next year's already (the reminder shows the rest)."""
    today = timeline.today
    year = today.year
    county_office = _user(COUNTY_OFFICE)
    city_office = _user(CITY_OFFICE)

    def signed(month: int, day: int) -> date:
        return min(date(year, month, day), today)

    def letter(actor: User, government: str, on: date, *, area="", unit="", y=year):
        def step():
            letters.letter_record(
                actor=actor,
                values={
                    "year": y,
                    "area": government,
                    "party_area": area,
                    "party_unit": unit,
                    "signed_on": on,
                },
            )

        timeline.add(on, 9, f"letter{government}{area}{unit}{y}", step)

    townships = list(Area.objects.filter(parent_id=COUNTY).order_by("code"))
    for township in townships[:-1]:
        letter(county_office, COUNTY, signed(2, 26), area=township.code)
    unsigned = {Unit.YOUTH_LEAGUE, Unit.COURT}
    units = [u for u in DUTIES if u != CIVIL_AFFAIRS and u not in unsigned]
    for i, unit in enumerate(units):
        letter(county_office, COUNTY, signed(3, 2 + i // 4), unit=unit)
    for t, township in enumerate(townships[:3]):
        villages = Area.objects.filter(parent=township).order_by("code")
        for v, village in enumerate(villages):
            if t == 1 and v == len(villages) - 1:
                continue
            letter(county_office, township.code, signed(3, 15 + t), area=village.code)
    for county in COUNTY_CODES:
        letter(city_office, CITY_CODE, signed(2, 20), area=county)
    for unit in DUTIES:
        if unit not in (CIVIL_AFFAIRS, Unit.YOUTH_LEAGUE):
            letter(city_office, CITY_CODE, signed(2, 22), unit=unit)
    if selectors_letters.is_reminder(year + 1, today):
        for township in townships[:2]:
            letter(
                county_office,
                COUNTY,
                today - timedelta(days=3),
                area=township.code,
                y=year + 1,
            )


# ---- community care ----------------------------------------------------------------

VOLUNTEERS = (
    (COUNTY_OFFICE, "刘晓燕", "隆回县青年志愿者协会", "13807390101"),
    (COUNTY_OFFICE, "陈志刚", "隆回县第一中学", "13807390102"),
    (COUNTY_OFFICE, "谢春梅", "隆回县妇联巾帼志愿服务队", "13807390103"),
    (COUNTY_OFFICE, "罗建国", "退休教师", "13807390104"),
    (COUNTY_OFFICE, "唐丽华", "隆回县人民医院", "13807390105"),
    (COUNTY_OFFICE, "黄海燕", "邵阳学院志愿服务队", "13807390106"),
    (COUNTY_OFFICE, "梁永刚", "隆回县农村商业银行", "13807390107"),
    ("demo_dudao", "宋玉兰", "镇中心小学", "13807390108"),
    ("demo_zhuren", "王秀英", "村妇女主任", "13807390109"),
    ("demo_zhuren", "王德明", "村小学教师", "13807390110"),
)
# (days ago, what, which volunteer by index, home village?, ended days ago)
PAIRINGS = (
    (300, PairingKind.STUDY, 9, True, None),
    (200, PairingKind.FAMILY, 8, True, None),
    (40, PairingKind.PSYCHOLOGY, 0, True, None),
    (280, PairingKind.STUDY, 1, False, 60),
    (240, PairingKind.FAMILY, 2, False, None),
    (150, PairingKind.PSYCHOLOGY, 4, False, None),
    (20, PairingKind.STUDY, 3, False, None),
)


def _care_plan(timeline: _Timeline) -> None:
    today = timeline.today
    first_of_year = today.replace(month=1, day=1)

    def ago(days: int, *, this_year: bool = False) -> date:
        on = today - timedelta(days=days)
        return max(on, first_of_year) if this_year else on

    def june_first() -> date:
        on = date(today.year, 6, 1)
        return on if on <= today else date(today.year - 1, 6, 1)

    county_office = _user(COUNTY_OFFICE)
    director = _user("demo_zhuren")
    pairable = selectors_care.children_to_pair(viewer=county_office).exclude(
        id_number=None
    )
    home = list(pairable.filter(village_id=director.area_id).order_by("pk")[:3])
    others = list(pairable.exclude(village_id=director.area_id).order_by("pk")[:12])

    def add(on: date, actor: User, record, values: dict, chain: str = "care") -> None:
        def step():
            record(actor=actor, values=values)

        timeline.add(on, 14, f"{chain}{len(timeline.steps)}", step)

    def ids(children) -> str:
        return "\n".join(c.id_number for c in children)

    for days, donor, amount, purpose, recipients in (
        (300, "隆回县慈善总会", "50000", "童伴之家建设和玩具图书购置", []),
        (200, "邵阳市宝庆爱心商会", "30000", "困境儿童助学金", others[:4]),
        (190, "隆回县红十字会", "12000", "“六一”关爱慰问品", []),
        (100, "爱心人士刘先生", "2000.00", "为困境儿童购买学习用品", home[:1]),
        (60, "隆回县教育基金会", "8000.50", "留守儿童心理辅导室建设", []),
        (10, "隆回县农村商业银行", "20000", "冬季送温暖（棉衣、棉被）", others[4:7]),
    ):
        on = ago(days, this_year=days == 10)
        add(
            on,
            county_office,
            care.donation_record,
            {
                "donor": donor,
                "amount": amount,
                "donated_on": on,
                "purpose": purpose,
                "recipients": ids(recipients),
            },
        )
    on = ago(150)
    add(
        on,
        _user(CITY_OFFICE),
        care.donation_record,
        {
            "donor": "邵阳市慈善总会",
            "amount": "100000",
            "donated_on": on,
            "purpose": "市级困境儿童关爱基金",
            "recipients": "",
        },
    )
    for index, (username, name, organisation, phone) in enumerate(VOLUNTEERS):
        add(
            ago(340 - index * 3),
            _user(username),
            care.volunteer_record,
            {"name": name, "organisation": organisation, "phone": phone},
        )
    for days, kind, who, at_home, ended in PAIRINGS:
        pool = home if at_home else others[7:]
        if not pool:
            continue
        child = pool.pop(0)
        actor = director if at_home else county_office
        starts_on = ago(days, this_year=days <= 40)

        def pair(actor=actor, child=child, kind=kind, who=who, s=starts_on, e=ended):
            volunteer = Volunteer.objects.get(name=VOLUNTEERS[who][1])
            pairing = care.pairing_record(
                actor=actor,
                values={
                    "volunteer": volunteer.pk,
                    "child": child.pk,
                    "kind": kind,
                    "starts_on": s,
                    "ends_on": today - timedelta(days=e) if e else None,
                },
            )
            if actor == director and who == 9:
                care.pairing_disclose(actor=director, pk=pairing.pk, grant=True)

        timeline.add(starts_on, 15, "pairings", pair)
    for days, username, title, kind, participants, reached in (
        (320, COUNTY_OFFICE, "童伴计划·童伴妈妈业务培训", ActivityKind.TONGBAN, 60, 0),
        (
            None,
            "demo_fulian",
            "“六一”关爱留守儿童慰问活动",
            ActivityKind.CHILDRENS_DAY,
            300,
            260,
        ),
        (
            170,
            "demo_jiaoyu",
            "暑期防溺水安全教育进村入户",
            ActivityKind.SAFETY,
            1200,
            950,
        ),
        (120, "demo_weijian", "心理健康讲座进校园", ActivityKind.MENTAL, 450, 400),
        (
            80,
            "demo_jiancha",
            "法治进校园：预防性侵害教育",
            ActivityKind.OTHER,
            600,
            540,
        ),
        (45, COUNTY_OFFICE, "童伴之家周末陪伴", ActivityKind.TONGBAN, 40, 35),
        (5, COUNTY_OFFICE, "寒假前留守儿童集中关爱", ActivityKind.HOLIDAY, 150, 120),
    ):
        on = june_first() if days is None else ago(days, this_year=days == 5)
        add(
            on,
            _user(username),
            care.activity_record,
            {
                "title": title,
                "held_on": on,
                "organiser": CIVIL_AFFAIRS,
                "kind": kind,
                "participants": participants,
                "children_reached": reached,
            },
        )
    for days, username, kind, quantity, note in (
        (
            310,
            COUNTY_OFFICE,
            PublicityKind.HANDBOOK,
            5000,
            "《农村留守儿童关爱保护政策问答》",
        ),
        (
            250,
            COUNTY_OFFICE,
            PublicityKind.SIGNBOARD,
            120,
            "村级儿童之家和儿童主任公示牌",
        ),
        (165, "demo_jiaoyu", PublicityKind.LEAFLET, 20000, "防溺水安全告家长书"),
        (90, "demo_fulian", PublicityKind.OTHER, 300, "家庭教育宣传帆布袋"),
        (15, "demo_gongan", PublicityKind.LEAFLET, 8000, "强制报告制度宣传单"),
    ):
        on = ago(days, this_year=days == 15)
        add(
            on,
            _user(username),
            care.publicity_record,
            {"kind": kind, "quantity": quantity, "made_on": on, "note": note},
        )


def demo_jointwork_load() -> dict[str, object]:
    """Set up the city's and county's joint meetings and a year of their work and of
    community care, unless the county's member units are there."""
    if MemberUnit.objects.filter(area_id=COUNTY).exists():
        return demo_jointwork_summary()
    now = timezone.now()
    today = timezone.localdate()
    _units_load(_at(today - timedelta(days=360), 9, now))
    timeline = _Timeline(today, now)
    _meetings_plan(timeline)
    _letters_plan(timeline)
    _care_plan(timeline)
    timeline.run()
    return demo_jointwork_summary()


def demo_jointwork_summary() -> dict[str, object]:
    """The demo's meetings and tasks (closed on time, late, overdue, notices), this
    year's county coverage of letters, and the county's community care."""
    today = timezone.localdate()
    county = Area.objects.get(code=COUNTY)
    prefix = codes.prefix_of(CITY_CODE)
    tasks = Task.objects.filter(access.prefix_q("area_id", prefix))
    closed = tasks.filter(state=TaskState.CLOSED)
    on_time = sum(1 for c, d in closed.values_list("closed_on", "deadline") if c <= d)
    townships = Area.objects.filter(parent=county).count()
    signed = ResponsibilityLetter.objects.filter(
        year=today.year,
        area=county,
        party_area__parent=county,
        voided_at__isnull=True,
    ).count()
    in_county = access.prefix_q("area_id", codes.prefix_of(COUNTY))
    amount = sum(
        Donation.objects.filter(in_county, voided_at__isnull=True).values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    return {
        "会议": Meeting.objects.filter(access.prefix_q("area_id", prefix)).count(),
        "任务": tasks.count(),
        "按期办结": on_time,
        "逾期办结": closed.count() - on_time,
        "逾期未办结": tasks.filter(overdue_q(today)).count(),
        "督办": SupervisionNotice.objects.filter(task__in=tasks).count(),
        "乡镇责任书": f"{signed}/{townships}",
        "捐款": amount,
        "志愿者": Volunteer.objects.filter(in_county).count(),
        "结对": Pairing.objects.filter(
            access.prefix_q("child__village_id", codes.prefix_of(COUNTY))
        ).count(),
        "活动": Activity.objects.filter(in_county).count(),
        "宣传品": PublicityItem.objects.filter(in_county).count(),
    }
