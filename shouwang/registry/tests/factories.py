"""Children for the registry tests: a county with two townships, a foreign county, a
user of every role, and children registered through the service (classified, with
their history), each with a valid ID number from make_id_number."""

import itertools
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.areas.models import Area
from shouwang.core.idnumber import make_id_number
from shouwang.registry import services
from shouwang.registry.models import Child
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

_sequence = itertools.count(1)

# Valid numbers for parents and guardians (not unique in the ledger).
FATHER_ID = make_id_number("430524", date(1988, 1, 1), 5, male=True)
GUARDIAN_ID = next(  # one whose check character is X
    number
    for number in (
        make_id_number("430524", date(1960, 1, 5), n, male=False) for n in range(500)
    )
    if number.endswith("X")
)

# Facts of a child whose parents both work away, cared for by a grandmother.
LEFT_BEHIND = {
    "father_name": "张建国",
    "father_status": "外出务工",
    "father_work_place": "广东省深圳市",
    "mother_name": "李丽",
    "mother_status": "外出务工",
    "mother_work_place": "浙江省杭州市",
    "guardian_name": "王桂兰",
    "guardian_relation": "祖父母",
}
# Parents at home: a child in no category.
AT_HOME = {
    "father_status": "在家",
    "father_work_place": "",
    "mother_status": "在家",
    "mother_work_place": "",
    "guardian_name": "",
    "guardian_relation": "",
}
# Father in prison, mother out of contact: de facto unsupported.
DE_FACTO = {
    "father_status": "服刑在押",
    "father_work_place": "",
    "mother_status": "失联",
    "mother_work_place": "",
    "guardian_name": "张德明",
    "guardian_relation": "祖父母",
}
# Both parents dead: an orphan.
ORPHAN = {
    "father_status": "死亡",
    "father_work_place": "",
    "mother_status": "死亡",
    "mother_work_place": "",
    "guardian_name": "刘秀英",
    "guardian_relation": "外祖父母",
}


def years_ago(years: int, *, days: int = 0, today: date | None = None) -> date:
    """The date `years` years (and `days` days further) before today."""
    today = today or timezone.localdate()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - years, day=28)
    return date.fromordinal(then.toordinal() - days)


def id_for(village: Area | str, born: date, sex: str = "男") -> str:
    """A fresh valid ID number of the village's county, birth date and sex."""
    code = village if isinstance(village, str) else village.code
    return make_id_number(code[:6], born, next(_sequence) % 500, male=sex == "男")


def child_data(village: Area, **overrides) -> dict:
    """Service data (Child attribute names) of a left-behind boy of 9 with an ID number;
    id_number=None gives a child without one (hukou not registered)."""
    born = overrides.get("birth_date") or years_ago(9, days=40)
    sex = overrides.get("sex", "男")
    data = {
        "name": "张晓明",
        "sex": sex,
        "ethnicity": "汉族",
        "birth_date": born,
        "id_number": id_for(village, born, sex),
        "hukou_registered": True,
        "hukou_nature": "农村",
        "village_id": village.code,
        "address": "",
        "health": "健康",
        "disability_category": "",
        "disability_grade": "",
        "serious_illness": False,
        "schooling": "小学",
        "school": "",
        "boarding": None,
        "father_id_number": "",
        "father_phone": "",
        "mother_id_number": "",
        "mother_phone": "",
        "guardian_id_number": "",
        "guardian_phone": "",
        "guardian_capacity": "一般",
        "family_assistance": [],
        "confirmation_signed": False,
        "confirmation_date": None,
        "lives_alone": False,
        "notes": "",
        "responsible_director_id": None,
        "liaison_cadre_name": "",
        "liaison_cadre_phone": "",
        **LEFT_BEHIND,
    }
    data.update(overrides)
    if not data["id_number"]:
        data["id_number"] = None
        if "hukou_registered" not in overrides:
            data["hukou_registered"] = False
    return data


def registrar(village: Area) -> User:
    """The civil-affairs worker of the village's county (made on first use)."""
    username = f"registrar_{village.code[:6]}"
    return User.objects.filter(username=username).first() or make_user(
        Role.CIVIL_AFFAIRS,
        make_area(village.code[:6] + "000000"),
        username=username,
        full_name="登记员",
    )


def make_child(
    village: Area, *, actor: User | None = None, as_of: date | None = None, **overrides
) -> Child:
    """A child registered through services.child_register (see child_data)."""
    return services.child_register(
        actor=actor or registrar(village),
        data=child_data(village, **overrides),
        as_of=as_of,
    )


@dataclass
class Place:
    """A home county (two townships, three villages), a foreign county, every role."""

    county: Area
    township: Area
    village: Area
    other_village: Area  # same township
    other_township: Area
    far_village: Area  # in the other township
    foreign_county: Area
    foreign_village: Area
    director: User
    other_director: User
    supervisor: User
    civil: User
    leader: User
    department: User
    admin: User
    foreign_director: User
    foreign_civil: User


def make_place() -> Place:
    """The areas and users the registry tests share (see Place)."""
    make_area("430000000000", "湖南省")
    make_area("430500000000", "邵阳市")
    county = make_area(HOME_COUNTY, "隆回县")
    township = make_area("430524911000", "守望镇")
    village = make_area("430524911001", "守望村")
    other_village = make_area("430524911002", "向阳村")
    other_township = make_area("430524912000", "青石镇")
    far_village = make_area("430524912001", "青石村")
    foreign_county = make_area(FOREIGN_COUNTY, "洞口县")
    make_area("430525911000", "外县镇")
    foreign_village = make_area("430525911001", "外县村")
    return Place(
        county=county,
        township=township,
        village=village,
        other_village=other_village,
        other_township=other_township,
        far_village=far_village,
        foreign_county=foreign_county,
        foreign_village=foreign_village,
        director=make_user(
            Role.DIRECTOR, village, username="zhuren", full_name="主任张"
        ),
        other_director=make_user(
            Role.DIRECTOR, other_village, username="zhuren2", full_name="主任向"
        ),
        supervisor=make_user(
            Role.SUPERVISOR, township, username="dudao", full_name="督导李"
        ),
        civil=make_user(
            Role.CIVIL_AFFAIRS, county, username="minzheng", full_name="民政王"
        ),
        leader=make_user(Role.LEADER, county, username="lingdao", full_name="领导陈"),
        department=make_user(
            Role.DEPARTMENT, county, username="jiaoyu", full_name="教育刘"
        ),
        admin=make_user(Role.ADMIN, None, username="guanli", full_name="管理员赵"),
        foreign_director=make_user(
            Role.DIRECTOR, foreign_village, username="waixian", full_name="外县主任"
        ),
        foreign_civil=make_user(
            Role.CIVIL_AFFAIRS,
            foreign_county,
            username="waixian_minzheng",
            full_name="外县民政",
        ),
    )


def post_data(village: Area, **overrides) -> dict:
    """The child form's POST data for child_data(village, **overrides)."""
    data = child_data(village, **overrides)
    form: dict = {}
    for key, value in data.items():
        name = (
            key.removesuffix("_id")
            if key.endswith(("village_id", "director_id"))
            else key
        )
        if key == "hukou_registered":
            form[name] = "1" if value else "0"
        elif key == "boarding":
            form[name] = {None: "unknown", True: "true", False: "false"}[value]
        elif isinstance(value, bool):
            if value:
                form[name] = "on"
        elif isinstance(value, date):
            form[name] = value.isoformat()
        elif value is None:
            form[name] = ""
        else:
            form[name] = value
    return form


def make_ledger(place: Place) -> None:
    """Children of every kind in the home county, and one who has left (see
    LEDGER_FILTERS for who each filter finds)."""
    make_child(place.village, name="留守", birth_date=years_ago(9), schooling="小学")
    make_child(
        place.other_village,
        name="事实",
        birth_date=years_ago(4),
        schooling="幼儿园",
        **DE_FACTO,
    )
    make_child(
        place.far_village,
        name="孤儿",
        birth_date=years_ago(13),
        schooling="初中",
        **ORPHAN,
    )
    make_child(
        place.village,
        name="低保",
        birth_date=years_ago(1),
        schooling="",
        family_assistance=["低保"],
        **AT_HOME,
    )
    make_child(
        place.village,
        name="残疾",
        birth_date=years_ago(16, days=1),
        schooling="辍学",
        health="残疾",
        disability_category="肢体",
        disability_grade="二级",
        **AT_HOME,
    )
    make_child(
        place.village, name="无类", birth_date=years_ago(6), schooling="小学", **AT_HOME
    )
    gone = make_child(place.village, name="退出", birth_date=years_ago(7))
    services.child_exit(
        actor=place.director,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=timezone.localdate(),
    )


ACTIVE = {"留守", "事实", "孤儿", "低保", "残疾", "无类"}
# (filters, the names of make_ledger's children they find, as the county sees them)
LEDGER_FILTERS = [
    ({}, ACTIVE),
    ({"status": "exited"}, {"退出"}),
    ({"status": ""}, ACTIVE | {"退出"}),
    ({"area": "430524911000"}, {"留守", "事实", "低保", "残疾", "无类"}),
    ({"area": "430524911002"}, {"事实"}),
    ({"area": "430524912001"}, {"孤儿"}),
    ({"area": "430525911001"}, set()),  # foreign: narrows, never widens
    ({"category": "孤儿"}, {"孤儿"}),
    ({"category": "事实无人抚养儿童"}, {"事实"}),
    ({"category": "农村留守儿童"}, {"留守"}),
    ({"category": "困境儿童"}, {"事实", "孤儿", "低保", "残疾"}),
    ({"category": "无类别"}, {"无类"}),
    ({"difficulty": "生活困境"}, {"低保"}),
    ({"difficulty": "自身困境"}, {"残疾"}),
    ({"difficulty": "监护困境"}, {"事实", "孤儿"}),
    ({"weakness": "③-CB"}, {"事实"}),
    ({"weakness": "①-A"}, set()),
    ({"risk": "高"}, {"事实", "孤儿"}),
    ({"risk": "中"}, {"留守", "低保", "残疾"}),
    ({"risk": "无"}, {"无类"}),
    ({"age_band": "0-2"}, {"低保"}),
    ({"age_band": "3-5"}, {"事实"}),
    ({"age_band": "6-11"}, {"留守", "无类"}),
    ({"age_band": "12-15"}, {"孤儿"}),
    ({"age_band": "16-17"}, {"残疾"}),
    ({"schooling": "幼儿园"}, {"事实"}),
    ({"schooling": "小学"}, {"留守", "无类"}),
    ({"schooling": "辍学"}, {"残疾"}),
    ({"category": "困境儿童", "area": "430524911001"}, {"低保", "残疾"}),
]
