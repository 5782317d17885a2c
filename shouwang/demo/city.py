"""The demo city: generated townships and villages under real counties, one user a role.

Everything here is synthetic and made by this code; the codes of the city and its
counties are the real statistical codes of 湖南省邵阳市, which ship with the product.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from shouwang.accounts.models import Role, Unit, User
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel

from .history import staff_joined

CITY_CODE = "430500000000"  # 湖南省邵阳市
COUNTY_CODES = ("430524000000", "430525000000")  # 隆回县, 洞口县
TOWNSHIPS_PER_COUNTY = 6
VILLAGES_PER_TOWNSHIP = 8
DEMO_PASSWORD = "Shouwang-2026"

_TOWNSHIP_STEMS = [
    "桃花",
    "石门",
    "金龙",
    "清水",
    "白马",
    "青山",
    "长乐",
    "高坪",
    "马鞍",
    "柳塘",
    "荷田",
    "罗洪",
]
_VILLAGE_STEMS = [
    "新田",
    "大坪",
    "东山",
    "枫树",
    "井塘",
    "兰溪",
    "茶园",
    "竹林",
    "松坡",
    "杨家",
    "李家",
    "双江",
    "上湾",
    "下湾",
    "石桥",
    "龙泉",
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    area_name: str
    password: str


def _area(code: str, name: str, parent: Area) -> Area:
    area, _ = Area.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": codes.level_of(code), "parent": parent},
    )
    return area


@transaction.atomic
def demo_city_load(*, seed: int = 2026) -> list[DemoLogin]:
    """Create (or complete) the demo townships, villages and users; safe to run again."""
    rng = random.Random(seed)
    city = Area.objects.get(code=CITY_CODE)
    first_township = first_village = None
    for county_code in COUNTY_CODES:
        county = Area.objects.get(code=county_code)
        stems = rng.sample(_TOWNSHIP_STEMS, TOWNSHIPS_PER_COUNTY)
        for t, stem in enumerate(stems, start=1):
            township = _area(f"{county_code[:6]}{100 + t:03d}000", f"{stem}镇", county)
            first_township = first_township or township
            for v, vstem in enumerate(
                rng.sample(_VILLAGE_STEMS, VILLAGES_PER_TOWNSHIP), 1
            ):
                village = _area(
                    f"{township.code[:9]}{200 + v:03d}", f"{vstem}村", township
                )
                first_village = first_village or village
    county = Area.objects.get(code=COUNTY_CODES[0])
    accounts = [
        ("demo_admin", "演示管理员", Role.ADMIN, None, ""),
        ("demo_minzheng", "周民政", Role.CIVIL_AFFAIRS, city, ""),
        ("demo_xianminzheng", "吴县民政", Role.CIVIL_AFFAIRS, county, ""),
        # A second county account: a preparer never approves their own allowance
        # application or payment batch, so the demo county needs two.
        ("demo_xianshenpi", "林县民政", Role.CIVIL_AFFAIRS, county, ""),
        ("demo_dudao", "郑督导", Role.SUPERVISOR, first_township, ""),
        ("demo_zhuren", "王主任", Role.DIRECTOR, first_village, ""),
        ("demo_jiaoyu", "冯教育", Role.DEPARTMENT, county, Unit.EDUCATION),
        ("demo_gongan", "赵公安", Role.DEPARTMENT, county, Unit.POLICE),
        ("demo_fulian", "孙妇联", Role.DEPARTMENT, county, Unit.WOMENS_FEDERATION),
        ("demo_fayuan", "钱法官", Role.DEPARTMENT, county, Unit.COURT),
        ("demo_jiancha", "何检察", Role.DEPARTMENT, county, Unit.PROCURATORATE),
        # The units that send department lists (部门名单) to the exchange.
        ("demo_sifa", "蒋司法", Role.DEPARTMENT, county, Unit.JUSTICE),
        ("demo_weijian", "韩卫健", Role.DEPARTMENT, county, Unit.HEALTH),
        ("demo_zhujian", "曹住建", Role.DEPARTMENT, county, Unit.HOUSING),
        ("demo_xiangcun", "彭振兴", Role.DEPARTMENT, county, Unit.RURAL_REVITALIZATION),
        ("demo_canlian", "曾残联", Role.DEPARTMENT, county, Unit.DISABLED_FEDERATION),
        ("demo_lingdao", "陈领导", Role.LEADER, city, ""),
    ]
    joined = staff_joined()
    _staff_load(rng, skip={first_township.code, first_village.code}, joined=joined)
    logins = []
    for username, full_name, role, area, unit in accounts:
        user = User.objects.filter(username=username).first() or User(
            username=username, date_joined=joined
        )
        user.full_name, user.role, user.area, user.unit = full_name, role, area, unit
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        label = (
            f"{Role(role).label}（{Unit(unit).label}）" if unit else Role(role).label
        )
        logins.append(
            DemoLogin(username, label, area.name if area else "全国", DEMO_PASSWORD)
        )
    return logins


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_GIVEN = "建国秀英桂兰志强海燕丽华春梅德明晓红国庆玉兰红梅永刚军"


def _staff_load(rng: random.Random, *, skip: set[str], joined) -> None:
    """A child director for every demo village and a supervisor for every township,
    except those the demo logins hold (`skip`), appointed at `joined` (before the
    first demo child was registered); they cannot log in."""
    low, high = codes.prefix_bounds(CITY_CODE[:4])
    for area in Area.objects.filter(
        level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE], code__gte=low, code__lte=high
    ).order_by("code"):
        role = Role.DIRECTOR if area.level == AreaLevel.VILLAGE else Role.SUPERVISOR
        username = f"{'zr' if role == Role.DIRECTOR else 'dd'}_{area.code}"
        if area.code in skip or User.objects.filter(username=username).exists():
            continue
        name = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, 2))
        user = User(
            username=username,
            full_name=name,
            role=role,
            area=area,
            date_joined=joined,
        )
        user.set_unusable_password()
        user.save()


def demo_area_count() -> int:
    """How many demo townships and villages exist."""
    return Area.objects.filter(
        level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE],
        code__range=codes.prefix_bounds(CITY_CODE[:4]),
    ).count()
