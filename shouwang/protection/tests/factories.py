"""A county with every protection role, and reports filed through the services."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from shouwang.accounts.models import Role, Unit, User
from shouwang.areas.models import Area
from shouwang.protection import services
from shouwang.protection.models import Case
from shouwang.protection.vocab import Situation
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

UNITS = (
    Unit.POLICE,
    Unit.EDUCATION,
    Unit.WOMENS_FEDERATION,
    Unit.COURT,
    Unit.PROCURATORATE,
)


@dataclass
class County:
    county: Area
    township: Area
    village: Area
    civil: User
    director: User
    supervisor: User
    units: dict[str, User] = field(default_factory=dict)

    @property
    def police(self) -> User:
        return self.units[Unit.POLICE]


def make_county(code: str = HOME_COUNTY, label: str = "保护") -> County:
    """A county, one township and village, a civil-affairs worker (the desk: the county
    names no one), the village director, the supervisor, and a user of each unit."""
    county = make_area(code)
    township = make_area(code[:6] + "902000", f"{label}镇")
    village = make_area(code[:6] + "902001", f"{label}村")
    tag = code[:6]
    world = County(
        county=county,
        township=township,
        village=village,
        civil=make_user(
            Role.CIVIL_AFFAIRS,
            county,
            username=f"p{tag}_civil",
            full_name=f"{label}民政",
        ),
        director=make_user(
            Role.DIRECTOR,
            village,
            username=f"p{tag}_director",
            full_name=f"{label}主任",
        ),
        supervisor=make_user(
            Role.SUPERVISOR, township, username=f"p{tag}_sup", full_name=f"{label}督导"
        ),
    )
    for unit in UNITS:
        world.units[unit] = make_user(
            Role.DEPARTMENT,
            county,
            unit=unit,
            username=f"p{tag}_{unit}",
            full_name=f"{label}{Unit(unit).label}",
        )
    return world


def make_foreign() -> County:
    return make_county(FOREIGN_COUNTY, "外县")


def report_values(**overrides) -> dict:
    values = {
        "situation": Situation.LIVING_ALONE,
        "urgency": "urgent",
        "found_at": timezone.now() - timedelta(hours=2),
        "found_place": "村委会旁的老屋",
        "observed": "孩子一个人在家，三天没有大人回来。",
        "child_name": "小明",
        "child_sex": "男",
        "child_age": 9,
        "child_description": "",
    }
    values.update(overrides)
    return values


def file_report(actor: User, **overrides) -> Case:
    return services.report_file(actor=actor, values=report_values(**overrides))
