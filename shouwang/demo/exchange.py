"""Demo department lists (部门名单) for the demo county: one list of each kind, made
from the demo's own children and parents (a few rows naming them, some naming no one
in the ledger), sent by the member units' demo accounts (civil affairs for 低保 and
特困供养) through exchange.lists — checked, committed and matched as an upload is —
each with the clock set to the day it was sent, so that the alerts' deadlines fall
as they would have: some past (overdue), some to come. Two alerts are then handled
by their village's director (one on time, one late). At least one open alert lies in
demo_zhuren's village. The school list (学籍) is the schooling demo's. Loaded once.
"""

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.core.idnumber import make_id_number
from shouwang.exchange import alerts as alert_services
from shouwang.exchange.lists import COLUMNS, exchange_check, exchange_commit
from shouwang.exchange.models import Alert, DepartmentList, Measure
from shouwang.exchange.vocab import AlertState, ListKind
from shouwang.registry.models import Child, ChildStatus

from .city import COUNTY_CODES
from .clock import clock

COUNTY = COUNTY_CODES[0]
SEED = 2026
# Non-matching rows are people of another county (永州市零陵区): no one in the demo.
ELSEWHERE = "431102"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "建国秀英桂兰志强海燕丽华春梅德明晓红国庆玉兰红梅永刚军"


@dataclass(frozen=True)
class Sent:
    """One demo list: its kind, sender, how many days ago it was sent, and its rows
    (made from the demo's people by `rows`)."""

    kind: str
    sender: str
    days_ago: int
    filename: str
    rows: Callable[["_People", date], list[dict]]


class _People:
    """The demo county's active children with ID numbers, drawn without repeats."""

    def __init__(self, rng: random.Random, home_village: str) -> None:
        self.rng = rng
        children = list(
            Child.objects.filter(
                access.prefix_q("village_id", codes.prefix_of(COUNTY)),
                status=ChildStatus.ACTIVE,
            )
            .exclude(id_number=None)
            .order_by("pk")
        )
        self.home = [c for c in children if c.village_id == home_village]
        self.others = [c for c in children if c.village_id != home_village]
        rng.shuffle(self.others)
        self.used: set[int] = set()
        self.sequence = 0
        self.on = date.max  # the day of the list being made: born before it

    def take(self, n: int, test=lambda c: True, *, home: bool = False) -> list[Child]:
        found = []
        for child in self.home if home else self.others:
            if len(found) == n:
                break
            if child.pk not in self.used and child.birth_date < self.on and test(child):
                self.used.add(child.pk)
                found.append(child)
        return found

    def share(self, fraction: float) -> list[Child]:
        """A share of all the children (a service list: repeats allowed)."""
        everyone = self.home + self.others
        return [
            c
            for c in everyone
            if self.rng.random() < fraction and c.birth_date < self.on
        ]

    def stranger(self, *, born: date | None = None, male: bool = True) -> dict:
        """A person of another county: name and ID number."""
        self.sequence += 1
        born = born or date(1985, 1, 1) + timedelta(days=self.rng.randrange(5000))
        name = self.rng.choice(_SURNAMES) + "".join(self.rng.sample(_GIVEN, 2))
        number = make_id_number(ELSEWHERE, born, self.sequence % 500, male=male)
        return {"姓名": name, "公民身份号码": number}

    def day_before(self, on: date, most: int, least: int = 1) -> str:
        return (on - timedelta(days=self.rng.randint(least, most))).isoformat()


def _has(field: str):
    return lambda c: bool(getattr(c, field))


def _parent_free(who: str):
    return lambda c: (
        bool(getattr(c, f"{who}_id_number"))
        and getattr(c, f"{who}_status") in ("外出务工", "在家")
    )


def _prison(people: _People, on: date) -> list[dict]:
    rows = []
    fathers = people.take(1, _parent_free("father"), home=True) + people.take(
        2, _parent_free("father")
    )
    for child in fathers:
        rows.append(
            {
                "姓名": child.father_name,
                "公民身份号码": child.father_id_number,
                "开始日期": people.day_before(on, 60, 10),
                "结束日期": "",
                "场所": "邵阳监狱",
            }
        )
    for child in people.take(1, _parent_free("mother")):
        rows.append(
            {
                "姓名": child.mother_name,
                "公民身份号码": child.mother_id_number,
                "开始日期": people.day_before(on, 60, 10),
                "结束日期": "",
                "场所": "湖南省女子监狱",
            }
        )
    for _ in range(3):
        rows.append(
            {
                **people.stranger(),
                "开始日期": people.day_before(on, 300, 30),
                "结束日期": "",
                "场所": "邵阳监狱",
            }
        )
    return rows


def _rehab(people: _People, on: date) -> list[dict]:
    rows = [
        {
            "姓名": child.father_name,
            "公民身份号码": child.father_id_number,
            "开始日期": people.day_before(on, 30, 5),
            "结束日期": "",
            "场所": "邵阳市强制隔离戒毒所",
        }
        for child in people.take(1, _parent_free("father"))
    ]
    rows.append(
        {
            **people.stranger(),
            "开始日期": people.day_before(on, 90, 30),
            "结束日期": "",
            "场所": "邵阳市强制隔离戒毒所",
        }
    )
    return rows


def _death(people: _People, on: date) -> list[dict]:
    rows = [
        {
            "姓名": child.father_name,
            "公民身份号码": child.father_id_number,
            "死亡日期": people.day_before(on, 20, 3),
        }
        for child in people.take(2, _parent_free("father"))
    ]
    rows.append({**people.stranger(), "死亡日期": people.day_before(on, 20, 3)})
    return rows


def _migration(people: _People, on: date) -> list[dict]:
    rows = []
    moved = people.take(2)
    villages = list(
        Area.objects.filter(
            access.prefix_q("code", codes.prefix_of(COUNTY)), level="village"
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    if moved:
        child = moved[0]
        to = next(v for v in villages if v != child.village_id)
        rows.append(_moved(people, child, to, on))
    if len(moved) > 1:
        rows.append(_moved(people, moved[1], "430525101201", on))  # 洞口县
    rows.append(
        {
            **people.stranger(born=date(2016, 5, 1)),
            "迁出地区划代码": f"{ELSEWHERE}001001",
            "迁入地区划代码": f"{ELSEWHERE}001002",
            "迁移日期": people.day_before(on, 20),
        }
    )
    return rows


def _moved(people: _People, child: Child, to: str, on: date) -> dict:
    return {
        "姓名": child.name,
        "公民身份号码": child.id_number,
        "迁出地区划代码": child.village_id,
        "迁入地区划代码": to,
        "迁移日期": people.day_before(on, 20),
    }


def _birth(people: _People, on: date) -> list[dict]:
    rows = []
    for child in people.take(1, _has("mother_id_number")):
        born = on - timedelta(days=12)
        number = ""
        for sequence in range(480, 500):  # a number no demo child holds
            number = make_id_number(COUNTY[:6], born, sequence, male=False)
            if not Child.objects.filter(id_number=number).exists():
                break
        rows.append(
            {
                "姓名": child.name[0] + "小妹",
                "公民身份号码": number,
                "出生日期": born.isoformat(),
                "父亲公民身份号码": child.father_id_number,
                "母亲公民身份号码": child.mother_id_number,
            }
        )
    stranger = people.stranger(born=on - timedelta(days=20), male=True)
    rows.append(
        {
            **stranger,
            "出生日期": (on - timedelta(days=20)).isoformat(),
            "父亲公民身份号码": "",
            "母亲公民身份号码": "",
        }
    )
    return rows


def _disability(people: _People, on: date) -> list[dict]:
    rows = [
        {
            "姓名": child.name,
            "公民身份号码": child.id_number,
            "残疾类别": "肢体",
            "残疾等级": "三级",
            "发证日期": people.day_before(on, 60, 5),
        }
        for child in people.take(1, lambda c: c.health == "健康")
    ]
    rows += [
        {
            "姓名": child.father_name,
            "公民身份号码": child.father_id_number,
            "残疾类别": "视力",
            "残疾等级": "一级",
            "发证日期": people.day_before(on, 60, 5),
        }
        for child in people.take(1, _parent_free("father"))
    ]
    rows.append(
        {
            **people.stranger(),
            "残疾类别": "听力",
            "残疾等级": "二级",
            "发证日期": people.day_before(on, 60, 5),
        }
    )
    return rows


def _poverty(count: int, *, ended: int = 0, home: bool = False):
    def rows(people: _People, on: date) -> list[dict]:
        out = []
        chosen = people.take(1, _has("father_id_number"), home=True) if home else []
        chosen += people.take(count - len(chosen), _has("father_id_number"))
        for i, child in enumerate(chosen):
            start = people.day_before(on, 40, 5)
            end = people.day_before(on, 4) if i < ended else ""
            for name, number in (
                (child.father_name, child.father_id_number),
                (child.name, child.id_number),
            ):
                out.append(
                    {
                        "户主公民身份号码": child.father_id_number,
                        "姓名": name,
                        "公民身份号码": number,
                        "开始日期": start,
                        "结束日期": end,
                    }
                )
        stranger = people.stranger()
        out.append(
            {
                "户主公民身份号码": stranger["公民身份号码"],
                **stranger,
                "开始日期": people.day_before(on, 40, 5),
                "结束日期": "",
            }
        )
        return out

    return rows


def _housing(people: _People, on: date) -> list[dict]:
    heads = [c.father_id_number for c in people.take(5, _has("father_id_number"))]
    heads += [people.stranger()["公民身份号码"] for _ in range(2)]
    return [{"户主公民身份号码": number, "年度": str(on.year)} for number in heads]


def _records(fraction: float, most_days: int):
    def rows(people: _People, on: date) -> list[dict]:
        out = [
            {
                "姓名": child.name,
                "公民身份号码": child.id_number,
                "建档日期": people.day_before(on, most_days),
            }
            for child in people.share(fraction)
        ]
        for _ in range(3):
            out.append({**people.stranger(), "建档日期": people.day_before(on, 60)})
        return out

    return rows


def _hukou(people: _People, on: date) -> list[dict]:
    rows = [
        {
            "姓名": child.name,
            "公民身份号码": child.id_number,
            "登记日期": people.day_before(on, 80),
        }
        for child in people.take(5)
    ]
    rows.append({**people.stranger(), "登记日期": people.day_before(on, 30)})
    return rows


LISTS = (
    Sent(ListKind.PRISON, "demo_sifa", 40, "服刑在押人员名单.csv", _prison),
    Sent(ListKind.REHAB, "demo_sifa", 5, "强制隔离戒毒人员名单.csv", _rehab),
    Sent(ListKind.DEATH, "demo_gongan", 22, "死亡人员名单.csv", _death),
    Sent(ListKind.MIGRATION, "demo_gongan", 12, "户籍迁移名单.csv", _migration),
    Sent(ListKind.BIRTH, "demo_gongan", 3, "出生登记名单.csv", _birth),
    Sent(ListKind.DISABILITY, "demo_canlian", 8, "残疾证名单.csv", _disability),
    Sent(
        ListKind.SUBSISTENCE,
        "demo_xianminzheng",
        50,
        "低保对象名单.csv",
        _poverty(4, home=True),
    ),
    Sent(
        ListKind.EXTREME_POVERTY,
        "demo_xianminzheng",
        30,
        "特困供养人员名单.csv",
        _poverty(1),
    ),
    Sent(
        ListKind.MONITORING, "demo_xiangcun", 25, "防返贫监测对象名单.csv", _poverty(2)
    ),
    Sent(
        ListKind.REGISTERED_POOR,
        "demo_xiangcun",
        25,
        "建档立卡户名单.csv",
        _poverty(2, ended=1),
    ),
    Sent(ListKind.HOUSING, "demo_zhujian", 15, "农村危房改造名单.csv", _housing),
    Sent(
        ListKind.HEALTH_RECORD,
        "demo_weijian",
        35,
        "儿童健康档案名单.csv",
        _records(0.6, 300),
    ),
    Sent(
        ListKind.VACCINATION, "demo_weijian", 35, "预防接种名单.csv", _records(0.5, 200)
    ),
    Sent(ListKind.HUKOU, "demo_gongan", 6, "户口登记名单.csv", _hukou),
)


def _csv(kind: str, rows: list[dict]) -> bytes:
    headers = [c.header for c in COLUMNS[kind]]
    headers += [h for h in (rows[0] if rows else {}) if h not in headers]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def demo_exchange_load() -> dict[str, int]:
    """Send the demo county's lists and handle two alerts, unless lists are there."""
    county = Area.objects.get(code=COUNTY)
    if DepartmentList.objects.filter(area=county).exists():
        return demo_exchange_summary()
    today = timezone.localdate()
    home_village = User.objects.get(username="demo_zhuren").area_id
    people = _People(random.Random(SEED), home_village)
    for sent in sorted(LISTS, key=lambda s: -s.days_ago):
        on = today - timedelta(days=sent.days_ago)
        actor = User.objects.get(username=sent.sender)
        people.on = on
        data = _csv(sent.kind, sent.rows(people, on))
        with clock(_at(on, 10)):
            plan = exchange_check(
                actor=actor,
                kind=sent.kind,
                data=data,
                filename=f"隆回县{sent.filename}",
                today=on,
            )
            if plan.unusable or plan.errors:  # the demo's own rows: a bug here
                raise RuntimeError(
                    f"demo {sent.kind}: {plan.unusable} "
                    f"{[e.as_dict() for e in plan.errors[:5]]}"
                )
            exchange_commit(actor=actor, plan=plan, listed_on=on, today=on)
    _handle(today)
    return demo_exchange_summary()


def _handle(today: date) -> None:
    """One prison alert rejected on time, one death alert accepted late: each by the
    director of its village, outside demo_zhuren's village."""
    home = User.objects.get(username="demo_zhuren").area_id
    open_alerts = Alert.objects.filter(state=AlertState.OPEN).exclude(village_id=home)
    prison = open_alerts.filter(department_list__kind=ListKind.PRISON).first()
    if prison is not None:
        with clock(_at(prison.due_on - timedelta(days=3), 16)):
            alert_services.alert_reject(
                actor=_director(prison.village_id),
                alert_id=prison.pk,
                expected_version=prison.version,
                reason="经入户核实，其已于名单日期前刑满释放，现在家照料儿童。",
            )
    death = open_alerts.filter(department_list__kind=ListKind.DEATH).first()
    if death is not None:
        with clock(_at(today - timedelta(days=1), 9)):
            alert_services.alert_accept(
                actor=_director(death.village_id),
                alert_id=death.pk,
                expected_version=death.version,
            )


def _director(village: str) -> User:
    return User.objects.filter(role=Role.DIRECTOR, area_id=village).order_by("pk")[0]


def demo_exchange_summary() -> dict[str, int]:
    """The demo county's lists, its alerts by state (open ones overdue), measures."""
    prefix = access.prefix_q("village_id", codes.prefix_of(COUNTY))
    alerts = Alert.objects.filter(prefix)
    today = timezone.localdate()
    return {
        "名单": DepartmentList.objects.filter(area_id=COUNTY).count(),
        "待核实": alerts.filter(state=AlertState.OPEN).count(),
        "逾期": alerts.filter(state=AlertState.OPEN, due_on__lt=today).count(),
        "已处理": alerts.exclude(state=AlertState.OPEN).count(),
        "措施": Measure.objects.filter(prefix).count(),
    }
