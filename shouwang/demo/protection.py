"""A demo set of protection cases in the demo county, in every state, written through
protection.services as they would have happened over the last months.

Each case is a story: a report, then steps hours or days after it (police acceptance,
feedback, assessment, referrals and the units' answers, actions, closing, reopening).
The steps of all stories run in the order they happened, each with the clock set to its
moment (`_clock`), so that numbers, deadlines, timelines and overdue items are those
the services would have written on the day; the escalation sweep runs just after each
deadline, as the every-few-minutes job would have. The cases closed last quarter hold
an action of every kind, so the last quarter's bulletin counts each figure; the open
ones sit in every state, some overdue. Audit rows and the children's history rows are
dated when the demo is loaded (they take the time from their own defaults)."""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import count
from typing import Any

from django.db import transaction
from django.utils import timezone

from shouwang.accounts.models import Role, Unit, User
from shouwang.protection import services
from shouwang.protection.models import Case, Referral
from shouwang.protection.vocab import (
    CaseStatus,
    Channel,
    PoliceDecision,
    ReferralStatus,
    Situation,
)
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.services import children_reclassify
from shouwang.reports.periods import last_quarter

from .city import COUNTY_CODES
from .clock import clock

DEMO_SEED = 2026
COUNTY = COUNTY_CODES[0]
DAY = 24.0
DUE_FIELDS = ("police_due_at", "feedback_due_at", "assessment_due_at")
# The unit users by their key in the stories.
UNIT_KEYS = {
    "police": Unit.POLICE,
    "education": Unit.EDUCATION,
    "federation": Unit.WOMENS_FEDERATION,
    "court": Unit.COURT,
    "procuratorate": Unit.PROCURATORATE,
}


@dataclass(frozen=True)
class Story:
    """One case: when it was reported (hours before now, or days into last quarter),
    who reported it about which child, and its steps (hours after the report)."""

    key: str
    situation: str
    observed: str
    steps: tuple[tuple[float, str, dict], ...] = ()
    hours_ago: float | None = None
    quarter_day: float | None = None
    urgency: str = "normal"
    child: dict[str, Any] = field(default_factory=dict)  # which ledger child
    stranger: dict[str, Any] | None = None  # a child not in the ledger
    reporter: str = "director"  # director (of the child's village), education, civil
    phone: bool = False


def _act(kind: str, **values) -> dict:
    return {"kind": kind, **values}


STORIES: tuple[Story, ...] = (
    # Closed last quarter, through the courts: every civil-affairs, procuratorate and
    # court action.
    Story(
        "abuse",
        Situation.VIOLENCE,
        "孩子身上多处淤青，手臂有烫伤痕迹，说是继父打的，不敢回家。",
        quarter_day=4.4,
        urgency="critical",
        child={"sex": "男", "age": (8, 14)},
        steps=(
            (5, "decide", {"decision": PoliceDecision.FILED, "reason": "已立案侦查"}),
            (6, "act:police", _act("police_case", note="继父涉嫌虐待，已刑事拘留")),
            (
                20,
                "assess",
                {
                    "risk": "high",
                    "needs": ["safety", "guardianship", "legal", "psychological"],
                    "safety_plan": "立即与继父隔离，由民政临时监护；\n安排心理疏导。",
                },
            ),
            (22, "act:civil", _act("temporary_guardianship", ground="harmed")),
            (30, "feedback", {"note": "已立案，犯罪嫌疑人已被刑事拘留。"}),
            (48, "act:civil", _act("placement", placement="foster")),
            (
                50,
                "refer:procuratorate",
                {
                    "service": "legal",
                    "reason": "提前介入引导侦查，依法惩处虐待行为",
                    "timeframe": 72,
                },
            ),
            (60, "accept:procuratorate", {}),
            (20 * DAY, "act:procuratorate", _act("arrest", cases=1, persons=1)),
            (45 * DAY, "act:procuratorate", _act("prosecution", cases=1, persons=1)),
            (
                46 * DAY,
                "act:procuratorate",
                _act("recommendation", note="向村委会制发检察建议，加强监护监督"),
            ),
            (
                47 * DAY,
                "refer:court",
                {
                    "service": "legal",
                    "reason": "已提起公诉，请依法审理",
                    "timeframe": 168,
                },
            ),
            (
                47.5 * DAY,
                "act:civil",
                _act("revoke_petition", note="申请撤销继父监护资格"),
            ),
            (48 * DAY, "accept:court", {}),
            (48.2 * DAY, "act:court", _act("court_accepted", charge="abuse")),
            (
                70 * DAY,
                "act:court",
                _act("court_judged", charge="abuse", sentence="fixed_term"),
            ),
            (71 * DAY, "done:court", {"successful": True, "note": "判处有期徒刑二年"}),
            (
                71.5 * DAY,
                "done:procuratorate",
                {"successful": True, "note": "案件已审结，检察建议已回复"},
            ),
            (75 * DAY, "act:civil", _act("long_term_guardianship")),
            (
                76 * DAY,
                "close",
                {
                    "outcome": "transferred",
                    "note": "已移交司法程序，儿童由民政长期监护",
                },
            ),
        ),
    ),
    # Closed last quarter: entered by phone for an anonymous reporter; a begging child
    # not in the ledger, rescued, placed, registered and sent to school.
    Story(
        "begging",
        Situation.BEGGING,
        "集市上有成年人带着两个小孩乞讨，孩子衣着单薄，说不清家在哪里。",
        quarter_day=12.6,
        urgency="urgent",
        reporter="civil",
        phone=True,
        stranger={
            "child_name": "",
            "child_sex": "男",
            "child_age": 9,
            "child_description": "约9岁男孩，与约6岁的弟弟一起，衣着单薄，说外地口音",
        },
        steps=(
            (1, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": "已受案"}),
            (2, "act:civil", _act("rescue", persons=2, note="救助兄弟二人")),
            (
                3,
                "assess",
                {
                    "risk": "high",
                    "needs": ["safety", "living", "hukou", "education"],
                    "safety_plan": "送未成年人救助保护机构临时照料，公安查找监护人。",
                },
            ),
            (5, "act:civil", _act("placement", placement="protection_institution")),
            (30, "feedback", {"note": "报告人匿名，处理情况已记录备查。"}),
            (
                3 * DAY,
                "refer:education",
                {"service": "schooling", "reason": "安排就近入学", "timeframe": 72},
            ),
            (4 * DAY, "accept:education", {}),
            (10 * DAY, "act:police", _act("hukou", persons=2)),
            (20 * DAY, "act:education", _act("service", service="schooling")),
            (
                21 * DAY,
                "done:education",
                {"successful": True, "note": "兄弟二人已入学"},
            ),
            (
                25 * DAY,
                "close",
                {"outcome": "placed", "note": "两名儿童已由救助保护机构照料并入学"},
            ),
        ),
    ),
    # Closed last quarter: a child living alone; the family helped, one referral done,
    # one rejected.
    Story(
        "alone",
        Situation.LIVING_ALONE,
        "孩子一个人在家，父母外出务工，已经一周没有大人照看。",
        quarter_day=20.4,
        urgency="urgent",
        child={"lives_alone": True},
        steps=(
            (6, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": ""}),
            (DAY, "feedback", {"note": "已上门核实，儿童暂由邻居照看。"}),
            (
                36,
                "assess",
                {
                    "risk": "medium",
                    "needs": ["guardianship", "living"],
                    "safety_plan": "联系父母返乡或委托亲属照料，村主任每日探望。",
                },
            ),
            (2 * DAY, "act:civil", _act("family_help", families=1, persons=1)),
            (
                2 * DAY + 1,
                "refer:federation",
                {
                    "service": "family_education",
                    "reason": "指导父母履行监护职责",
                    "timeframe": 168,
                },
            ),
            (
                2 * DAY + 2,
                "refer:education",
                {"service": "schooling", "reason": "了解在校情况", "timeframe": 72},
            ),
            (3 * DAY, "accept:federation", {}),
            (
                3 * DAY + 4,
                "reject:education",
                {"reason": "儿童已在本校寄宿就读，学校已安排老师关注"},
            ),
            (10 * DAY, "act:federation", _act("service", service="family_education")),
            (12 * DAY, "done:federation", {"successful": True, "note": "父亲已返乡"}),
            (
                15 * DAY,
                "close",
                {
                    "outcome": "resolved",
                    "note": "父亲返乡照料，已签订委托监护责任确认书",
                },
            ),
        ),
    ),
    # Closed last quarter: an abandoned baby; the police accepted late (escalated).
    Story(
        "foundling",
        Situation.ABANDONED,
        "卫生院门口发现一名女婴，约三个月大，身边有奶粉和一张写着生日的纸条。",
        quarter_day=30.8,
        urgency="critical",
        stranger={
            "child_name": "",
            "child_sex": "女",
            "child_age": 0,
            "child_description": "女婴，约3个月，包着红色小被",
        },
        steps=(
            (
                40,
                "decide",
                {"decision": PoliceDecision.FILED, "reason": "立案查找生父母"},
            ),
            (41, "act:civil", _act("temporary_guardianship", ground="unknown_parents")),
            (
                2 * DAY,
                "assess",
                {
                    "risk": "high",
                    "needs": ["guardianship", "medical"],
                    "safety_plan": "送儿童福利机构抚养，发布寻亲公告。",
                },
            ),
            (3 * DAY, "act:police", _act("police_case", note="查找生父母")),
            (4 * DAY, "feedback", {"note": "已立案查找生父母。"}),
            (5 * DAY, "act:civil", _act("placement", placement="welfare_institution")),
            (
                30 * DAY,
                "refer:court",
                {"service": "legal", "reason": "生父母涉嫌遗弃罪", "timeframe": 168},
            ),
            (31 * DAY, "accept:court", {}),
            (31.2 * DAY, "act:court", _act("court_accepted", charge="abandonment")),
            (
                45 * DAY,
                "act:court",
                _act("court_judged", charge="abandonment", sentence="detention"),
            ),
            (46 * DAY, "done:court", {"successful": True, "note": "已审结"}),
            (
                48 * DAY,
                "close",
                {"outcome": "placed", "note": "女婴由儿童福利机构抚养"},
            ),
        ),
    ),
    # Closed last quarter: the police found nothing to file.
    Story(
        "unfounded",
        Situation.OTHER_SERIOUS,
        "邻居听到孩子夜里哭喊，怀疑家长打骂。",
        quarter_day=50.5,
        steps=(
            (
                10,
                "decide",
                {
                    "decision": PoliceDecision.NOT_FILED,
                    "reason": "经核实系家长正常管教，未发现侵害行为",
                },
            ),
            (DAY, "feedback", {"note": "经核实不构成违法犯罪，已对家长进行教育。"}),
            (
                2 * DAY,
                "assess",
                {
                    "risk": "low",
                    "needs": ["living"],
                    "safety_plan": "村主任一个月内再探访一次。",
                },
            ),
            (
                3 * DAY,
                "close",
                {"outcome": "unfounded", "note": "经公安和民政核实，报告情况不属实"},
            ),
        ),
    ),
    # Closed, then reopened two days ago: the assessment is due again.
    Story(
        "reopened",
        Situation.GUARDIAN_FAILING,
        "孩子的奶奶长期卧床，无力照料，孩子经常吃不上饭。",
        hours_ago=60 * DAY,
        steps=(
            (8, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": ""}),
            (DAY, "feedback", {"note": "已上门核实。"}),
            (
                2 * DAY,
                "assess",
                {
                    "risk": "medium",
                    "needs": ["guardianship", "living"],
                    "safety_plan": "联系在外务工的父亲，协调亲属照料。",
                },
            ),
            (3 * DAY, "act:civil", _act("family_help", families=1, persons=2)),
            (
                20 * DAY,
                "close",
                {"outcome": "resolved", "note": "姑姑已接孩子同住照料"},
            ),
            (
                58 * DAY,
                "reopen",
                {"reason": "姑姑外出务工，孩子又回到奶奶家无人照料，村主任再次报告"},
            ),
        ),
    ),
    # Highly sensitive, open: referred to the procuratorate and the women's federation.
    Story(
        "sensitive",
        Situation.GIRL_UNDER_14,
        "女孩在学校哭诉被邻居成年男子猥亵，班主任告知儿童主任。",
        hours_ago=20 * DAY,
        urgency="critical",
        child={"sex": "女", "age": (8, 13)},
        steps=(
            (3, "decide", {"decision": PoliceDecision.FILED, "reason": "已立案侦查"}),
            (
                DAY,
                "assess",
                {
                    "risk": "high",
                    "needs": ["safety", "medical", "psychological", "legal"],
                    "safety_plan": "隔离嫌疑人，一站式询问，安排心理疏导。",
                },
            ),
            (DAY + 2, "act:police", _act("police_case", note="嫌疑人已被刑事拘留")),
            (2 * DAY, "feedback", {"note": "已立案侦查，嫌疑人已被控制。"}),
            (
                2 * DAY + 2,
                "refer:procuratorate",
                {
                    "service": "legal",
                    "reason": "提前介入，开展司法救助",
                    "timeframe": 72,
                },
            ),
            (
                3 * DAY,
                "refer:federation",
                {
                    "service": "psychological",
                    "reason": "长期心理陪伴",
                    "timeframe": 168,
                },
            ),
            (2.5 * DAY, "accept:procuratorate", {}),
            (4 * DAY, "accept:federation", {}),
            (10 * DAY, "act:procuratorate", _act("arrest", cases=1, persons=1)),
        ),
    ),
    # Referred: education has not answered within its timeframe (overdue); the
    # women's federation's referral is still within its week.
    Story(
        "dropout",
        Situation.OUT_OF_SCHOOL,
        "孩子开学一个月没有到校，家长说孩子不愿读书，跟亲戚外出打工。",
        hours_ago=12 * DAY,
        child={"age": (12, 15)},
        steps=(
            (5, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": ""}),
            (DAY, "feedback", {"note": "已联系家长，孩子在县城亲戚家。"}),
            (
                2 * DAY,
                "assess",
                {
                    "risk": "medium",
                    "needs": ["education"],
                    "safety_plan": "劝返复学，家访做家长工作。",
                },
            ),
            (
                4 * DAY,
                "refer:education",
                {"service": "schooling", "reason": "劝返复学", "timeframe": 72},
            ),
            (
                9 * DAY,
                "refer:federation",
                {
                    "service": "family_education",
                    "reason": "家庭教育指导",
                    "timeframe": 168,
                },
            ),
        ),
    ),
    # Referred and accepted: the school is helping.
    Story(
        "bullied",
        Situation.VIOLENCE,
        "孩子在学校多次被高年级学生殴打，身上有伤，不愿上学。",
        hours_ago=30 * DAY,
        urgency="urgent",
        child={"age": (9, 15)},
        steps=(
            (2, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": ""}),
            (
                DAY,
                "assess",
                {
                    "risk": "medium",
                    "needs": ["psychological", "education"],
                    "safety_plan": "学校调整班级，安排心理老师跟进。",
                },
            ),
            (DAY + 3, "feedback", {"note": "已约谈涉事学生家长。"}),
            (
                2 * DAY,
                "refer:education",
                {"service": "psychological", "reason": "校园欺凌干预", "timeframe": 72},
            ),
            (2.5 * DAY, "accept:education", {}),
            (10 * DAY, "act:education", _act("service", service="psychological")),
        ),
    ),
    # Referred: one rejected, one revoked, one done without success.
    Story(
        "self_harm",
        Situation.ABNORMAL_HARM,
        "孩子手腕有多处划伤，同学说他经常说不想活了。",
        hours_ago=45 * DAY,
        urgency="urgent",
        child={"age": (11, 17)},
        steps=(
            (
                4,
                "decide",
                {
                    "decision": PoliceDecision.ACCEPTED,
                    "reason": "经查系自伤，不涉及他人",
                },
            ),
            (DAY, "feedback", {"note": "经查系自伤，已告知家长送医。"}),
            (
                DAY + 4,
                "assess",
                {
                    "risk": "medium",
                    "needs": ["psychological", "medical"],
                    "safety_plan": "家长陪护，学校心理老师每周谈话。",
                },
            ),
            (
                2 * DAY,
                "refer:court",
                {"service": "legal", "reason": "咨询监护责任", "timeframe": 72},
            ),
            (
                2 * DAY + 1,
                "refer:education",
                {"service": "psychological", "reason": "心理危机干预", "timeframe": 72},
            ),
            (
                2 * DAY + 2,
                "refer:federation",
                {
                    "service": "family_education",
                    "reason": "家庭教育指导",
                    "timeframe": 168,
                },
            ),
            (
                3 * DAY,
                "reject:court",
                {"reason": "不属于法院受理范围，建议由司法行政部门提供法律援助"},
            ),
            (4 * DAY, "accept:federation", {}),
            (
                5 * DAY,
                "revoke:education",
                {"reason": "儿童已转学到外县，改由转入学校跟进"},
            ),
            (
                25 * DAY,
                "done:federation",
                {"successful": False, "note": "家长多次拒绝参加家庭教育指导"},
            ),
        ),
    ),
    # Accepted by the police two days ago; the assessment is due tomorrow.
    Story(
        "missing",
        Situation.MISSING,
        "孩子前天放学后没有回家，家人四处寻找未果。",
        hours_ago=2 * DAY,
        urgency="critical",
        steps=(
            (
                3,
                "decide",
                {"decision": PoliceDecision.ACCEPTED, "reason": "已布控查找"},
            ),
        ),
    ),
    # Accepted six days ago: the feedback and the assessment are overdue.
    Story(
        "threat",
        Situation.OTHER_SERIOUS,
        "有陌生人多次在校门口拦住孩子索要财物，并威胁不准告诉家长。",
        hours_ago=6 * DAY,
        urgency="urgent",
        steps=((4, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": ""}),),
    ),
    # Assessed, not yet referred.
    Story(
        "no_hukou",
        Situation.NO_HUKOU,
        "孩子一直没有上户口，快到上学年龄了。",
        hours_ago=10 * DAY,
        child={"hukou_registered": False},
        steps=(
            (6, "decide", {"decision": PoliceDecision.ACCEPTED, "reason": ""}),
            (DAY, "feedback", {"note": "已告知家长办理户口登记所需材料。"}),
            (
                2 * DAY,
                "assess",
                {
                    "risk": "low",
                    "needs": ["hukou"],
                    "safety_plan": "协助家长准备出生医学证明，办理户口登记。",
                },
            ),
        ),
    ),
    # Waiting for the police: two overdue, one just reported by a school.
    Story(
        "alone_new",
        Situation.LIVING_ALONE,
        "孩子独自在家，爷爷住院了，没有其他大人。",
        hours_ago=40,
        urgency="urgent",
    ),
    Story(
        "hurt",
        Situation.VIOLENCE,
        "孩子脸上有明显掌印，说是喝醉的父亲打的。",
        hours_ago=80,
        urgency="urgent",
        child={"age": (6, 14)},
    ),
    Story(
        "truant",
        Situation.OUT_OF_SCHOOL,
        "学生连续两周未到校，电话联系不上家长。",
        hours_ago=3,
        reporter="education",
        stranger={
            "child_name": "杨小军",
            "child_sex": "男",
            "child_age": 13,
            "child_description": "七年级学生，家住村西头",
        },
    ),
)


@dataclass
class _Cast:
    """The demo county's accounts the stories act as."""

    civil: User
    units: dict[str, User]
    directors: dict[str, User]

    def actor(self, key: str) -> User:
        return self.civil if key == "civil" else self.units[key]


def _cast() -> _Cast | None:
    civil = (
        User.objects.filter(role=Role.CIVIL_AFFAIRS, area_id=COUNTY, is_active=True)
        .order_by("id")
        .first()
    )
    units = {}
    for key, unit in UNIT_KEYS.items():
        units[key] = (
            User.objects.filter(
                role=Role.DEPARTMENT, unit=unit, area_id=COUNTY, is_active=True
            )
            .order_by("id")
            .first()
        )
    directors: dict[str, User] = {}
    for user in User.objects.filter(
        role=Role.DIRECTOR, area__code__startswith=COUNTY[:6], is_active=True
    ).order_by("id"):
        directors.setdefault(user.area_id, user)
    if civil is None or None in units.values() or not directors:
        return None
    return _Cast(civil, units, directors)


def _years_before(today: date, years: int) -> date:
    return date(today.year - years, today.month, min(today.day, 28))


def _born_between(today: date, ages: tuple[int, int]) -> dict:
    """Aged youngest to oldest (about: the 29th to 31st count as the 28th)."""
    youngest, oldest = ages
    return {
        "birth_date__lte": _years_before(today, youngest),
        "birth_date__gt": _years_before(today, oldest + 1),
    }


def _child(
    story: Story, cast: _Cast, used: set[int], rng: random.Random, today: date
) -> Child | None:
    """An active ledger child of the demo county fitting the story, not used before,
    in a village with a director; None when the ledger holds none."""
    wanted = dict(story.child)
    ages = wanted.pop("age", None)
    if ages:
        wanted.update(_born_between(today, ages))
    candidates = list(
        Child.objects.filter(
            status=ChildStatus.ACTIVE,
            village_id__in=list(cast.directors),
            **wanted,
        )
        .exclude(pk__in=used)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not candidates:
        return None
    return Child.objects.get(pk=rng.choice(candidates))


def _report_values(story: Story, child: Child | None, found_at: datetime) -> dict:
    values = {
        "situation": story.situation,
        "urgency": story.urgency,
        "found_at": found_at,
        "found_place": "村里" if child is None else f"{child.village.name}家中",
        "observed": story.observed,
    }
    if child is not None:
        values["child_id"] = child.pk
    else:
        values.update(
            story.stranger
            or {
                "child_name": "",
                "child_description": "报告人未能说出儿童姓名，约十岁，男孩",
                "child_sex": "男",
                "child_age": 10,
            }
        )
    if story.phone:
        values.update(channel=Channel.PHONE, anonymous=True)
    return values


class _Run:
    """The stories' steps and the escalation sweeps, in the order they happened."""

    def __init__(self, cast: _Cast, now: datetime) -> None:
        self.cast, self.now = cast, now
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.order = count()
        self.cases: dict[str, Case] = {}
        self.referrals: dict[tuple[str, str], Referral] = {}
        # Deadlines not met yet: (case pk, field or referral pk) → due.
        self.open: dict[tuple[int, str | int], datetime] = {}

    def at(self, moment: datetime, step: Callable[[], None]) -> None:
        if moment < self.now:
            heapq.heappush(self.queue, (moment, next(self.order), step))

    def run(self) -> None:
        while self.queue:
            moment, _, step = heapq.heappop(self.queue)
            with clock(moment):
                step()

    def sweep_after_deadlines(self, case: Case) -> None:
        """The every-few-minutes sweep, just after each deadline of the case that is
        still open then and not escalated yet (a sweep that would find nothing new is
        skipped: the load stays quick)."""
        row = Case.objects.values(*DUE_FIELDS, "escalated_at").get(pk=case.pk)
        dues = {}
        if row["escalated_at"] is None:
            dues = {(case.pk, f): row[f] for f in DUE_FIELDS if row[f] is not None}
        for pk, respond_by in Referral.objects.filter(
            case=case, status=ReferralStatus.PENDING, escalated_at=None
        ).values_list("pk", "respond_by"):
            dues[case.pk, pk] = respond_by
        for key in [k for k in self.open if k[0] == case.pk and k not in dues]:
            del self.open[key]
        for key, due in dues.items():
            if self.open.get(key) != due:
                self.open[key] = due
                self.at(due + timedelta(minutes=5), partial(self._sweep, key, due))

    def _sweep(self, key: tuple, due: datetime) -> None:
        if self.open.get(key) != due:
            return
        moment = due + timedelta(minutes=5)
        services.escalations_sweep(now=moment)
        # What the sweep escalated is escalated once only.
        for case in {k[0] for k, d in self.open.items() if d < moment}:
            self.sweep_after_deadlines(Case(pk=case))


def _step(run: _Run, story: Story, kind: str, values: dict) -> Callable[[], None]:
    cast = run.cast

    def step() -> None:
        case = run.cases[story.key]
        verb, _, who = kind.partition(":")
        if verb == "decide":
            services.case_police_decide(
                actor=cast.units["police"], case_id=case.pk, **values
            )
        elif verb == "feedback":
            services.case_feedback(
                actor=cast.units["police"], case_id=case.pk, **values
            )
        elif verb == "assess":
            case.refresh_from_db()
            services.case_assess(
                actor=cast.civil,
                case_id=case.pk,
                expected_version=case.version,
                **values,
            )
        elif verb == "refer":
            run.referrals[story.key, who] = services.referral_send(
                actor=cast.civil, case_id=case.pk, unit=UNIT_KEYS[who], **values
            )
        elif verb in ("accept", "reject", "done", "revoke"):
            referral = run.referrals[story.key, who]
            if verb == "revoke":
                services.referral_revoke(
                    actor=cast.civil, referral_id=referral.pk, **values
                )
            else:
                write = {
                    "accept": services.referral_accept,
                    "reject": services.referral_reject,
                    "done": services.referral_done,
                }[verb]
                write(actor=cast.units[who], referral_id=referral.pk, **values)
        elif verb == "act":
            services.action_record(
                actor=cast.actor(who),
                case_id=case.pk,
                values={**values, "occurred_on": timezone.localdate()},
            )
        elif verb == "close":
            services.case_close(actor=cast.civil, case_id=case.pk, **values)
        elif verb == "reopen":
            services.case_reopen(actor=cast.civil, case_id=case.pk, **values)
        else:
            raise ValueError(kind)
        if verb not in ("act", "done"):  # the others move a deadline
            run.sweep_after_deadlines(case)

    return step


def _started(story: Story, now: datetime, today: date) -> datetime:
    if story.hours_ago is not None:
        return now - timedelta(hours=story.hours_ago)
    start = timezone.make_aware(datetime.combine(last_quarter(today).start, time(8, 0)))
    return start + timedelta(days=story.quarter_day)


@transaction.atomic
def demo_cases_load(*, seed: int = DEMO_SEED) -> int:
    """Write the demo county's protection cases once; returns how many were written
    (0 when the county already has cases, or lacks the demo accounts)."""
    if Case.objects.filter(county_id=COUNTY).exists():
        return 0
    cast = _cast()
    if cast is None:
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    run = _Run(cast, now)
    used: set[int] = set()
    for story in STORIES:
        reported = _started(story, now, today)
        child = None if story.stranger else _child(story, cast, used, rng, today)
        if child is not None:
            used.add(child.pk)
        if story.reporter == "director":
            village = child.village_id if child else rng.choice(sorted(cast.directors))
            reporter = cast.directors[village]
        else:
            reporter = cast.actor(story.reporter)

        def report(story=story, child=child, reporter=reporter, reported=reported):
            values = _report_values(story, child, reported - timedelta(hours=2))
            if child is None and reporter.role != Role.DIRECTOR:
                # A unit or the county reports a place: a village of the county.
                values["area_id"] = sorted(cast.directors)[0]
            run.cases[story.key] = services.report_file(actor=reporter, values=values)
            run.sweep_after_deadlines(run.cases[story.key])

        run.at(reported, report)
        for hours, kind, values in story.steps:
            run.at(
                reported + timedelta(hours=hours), _step(run, story, kind, dict(values))
            )
    run.run()
    services.escalations_sweep(now=now)
    # A step's reclassification was as of its day: bring the children to today.
    children_reclassify(as_of=today, children=Child.objects.filter(pk__in=used))
    return len(run.cases)


def demo_cases_summary() -> dict[str, int]:
    """How many demo cases there are in each state (and overall)."""
    cases = Case.objects.filter(county_id=COUNTY)
    summary = {label: 0 for label in CaseStatus.labels}
    for status in cases.values_list("status", flat=True):
        summary[CaseStatus(status).label] += 1
    summary["合计"] = cases.count()
    return summary
