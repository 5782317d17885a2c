"""The leak-walker's third axis: relationships inside ONE county.

Role and jurisdiction are not enough once member units see only what was referred to
them: this walk builds, in a single county, a case for each relationship the issue
names, and a user on the wrong side of it:

- same county, other unit: the women's federation vs a case referred to education;
- case not referred to me: education (which has a referral of its own elsewhere) vs a
  case referred to the women's federation;
- referral revoked: the court, whose accepted referral was revoked;
- sensitive case, not a handler: a county civil-affairs worker, not on the county's
  protection desk (the county names one) and not a handler of a 高度敏感 case.

Every protection route is walked as that user: pages named protection:* and API
operations under /api/protection. A route with parameters is pointed at the case (its
referral, action, break-the-glass grant) through the samples the leak-walker uses,
tests/leak_samples.py's FOREIGN_KWARGS, with the foreign records swapped for this
relationship's; GET and POST must answer 403/404. A route without parameters (a list,
an inbox) must not show the case's words. Routes are discovered, so pages added later
are walked too.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role, Unit, User
from shouwang.protection import services
from shouwang.protection.models import BreakGlass, Case, CaseAction, Referral
from shouwang.protection.tests.factories import County, file_report, make_county
from shouwang.protection.vocab import Situation

from .factories import make_user
from .leakwalk import Route, foreign_kwargs, reverse_route, routes

pytestmark = pytest.mark.django_db

DENIED = {403, 404, 405}


@dataclass
class Relationship:
    """A case, its records, the user who must find none of them, and one who may."""

    name: str
    user: User
    rightful: User
    case: Case
    referral: Referral
    action: CaseAction
    glass: BreakGlass | None  # None: the user's role reviews grants (not walked)
    markers: list[str] = field(default_factory=list)


def _case(home: County, tag: str, **overrides) -> Case:
    case = file_report(
        home.director,
        found_place=f"{tag}地点标记",
        observed=f"{tag}案情标记",
        child_name=f"{tag}儿童",
        **overrides,
    )
    services.case_police_decide(actor=home.police, case_id=case.pk, decision="accepted")
    return case


def _refer(home: County, case: Case, unit: str, tag: str, actor=None) -> Referral:
    return services.referral_send(
        actor=actor or home.civil,
        case_id=case.pk,
        unit=unit,
        service="other",
        reason=f"{tag}转介原因标记",
        timeframe=72,
    )


def _act(actor, case: Case) -> CaseAction:
    values = {
        "kind": "service",
        "service": "other",
        "occurred_on": timezone.localdate(),
    }
    return services.action_record(actor=actor, case_id=case.pk, values=values)


def _glass(home: County, case: Case, tag: str) -> BreakGlass:
    # Someone else's grant on the case: the walked user must not review or read it.
    return services.break_glass(
        actor=home.units[Unit.PROCURATORATE],
        number=case.number,
        reason=f"{tag}紧急查看理由标记",
    )


def build() -> tuple[County, dict[str, Relationship]]:
    """One county, a case per relationship (see the module's docstring)."""
    home = make_county()
    education = home.units[Unit.EDUCATION]
    federation = home.units[Unit.WOMENS_FEDERATION]
    court = home.units[Unit.COURT]
    # The county names its protection desk: other civil-affairs workers are not on it.
    services.desk_member_set(actor=home.civil, user=home.civil, active=True)
    outsider = make_user(
        Role.CIVIL_AFFAIRS,
        home.county,
        username="rel_civil_not_desk",
        full_name="非专岗民政",
    )
    found: dict[str, Relationship] = {}

    case = _case(home, "他单位")
    referral = _refer(home, case, Unit.EDUCATION, "他单位")
    services.referral_accept(actor=education, referral_id=referral.pk)
    found["other_unit"] = Relationship(
        "同县其他单位",
        federation,
        education,
        case,
        referral,
        _act(education, case),
        _glass(home, case, "他单位"),
    )

    case = _case(home, "未转介")
    referral = _refer(home, case, Unit.WOMENS_FEDERATION, "未转介")
    found["not_referred"] = Relationship(
        "未转介给本单位",
        education,
        federation,
        case,
        referral,
        _act(home.civil, case),
        _glass(home, case, "未转介"),
    )

    case = _case(home, "已撤回")
    referral = _refer(home, case, Unit.COURT, "已撤回")
    services.referral_accept(actor=court, referral_id=referral.pk)
    action = _act(court, case)
    services.referral_revoke(actor=home.civil, referral_id=referral.pk, reason="误转")
    found["revoked"] = Relationship(
        "转介已撤回",
        court,
        home.civil,
        case,
        referral,
        action,
        _glass(home, case, "已撤回"),
    )

    case = _case(home, "高敏感", situation=Situation.GIRL_UNDER_14, child_sex="女")
    assert case.sensitivity == "high"
    referral = _refer(home, case, Unit.PROCURATORATE, "高敏感")
    found["sensitive"] = Relationship(
        "高度敏感案件的非经办人",
        outsider,
        home.civil,
        case,
        referral,
        _act(home.civil, case),
        None,  # civil affairs reviews the county's grants: that is its job, not a leak
    )

    for relationship in found.values():
        tag = relationship.case.found_place.removesuffix("地点标记")
        relationship.markers = [
            relationship.case.number,
            f"{tag}地点标记",
            f"{tag}案情标记",
            f"{tag}儿童",
            f"{tag}转介原因标记",
            f"{tag}紧急查看理由标记",
        ]
    return home, found


# The walk ----------------------------------------------------------------------------


class _NotWalked(Exception):
    """The relationship has no record of this kind (see Relationship.glass)."""


class _Records(Mapping):
    """The foreign records the leak samples name, as this relationship's records."""

    def __init__(self, relationship: Relationship, home: County, route: Route):
        self.route = route
        self.records = {
            "foreign_case": relationship.case,
            "foreign_referral": relationship.referral,
            "foreign_case_action": relationship.action,
            "foreign_glass": relationship.glass,
            "foreign_police": home.police,
        }

    def __getitem__(self, key: str):
        if key not in self.records:
            pytest.fail(
                f"{self.route.name} 的外辖区样例用到了记录 {key}，关系走查还没有"
                "对应的记录：请在 tests/test_leak_relationships.py 的 "
                "_Records 中加入它（指向该关系的案件的同类记录）。"
            )
        if self.records[key] is None:
            raise _NotWalked(key)
        return self.records[key]

    def __iter__(self):
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def protection_routes() -> list[Route]:
    """Every page of the protection app and every operation of its API."""
    return [
        route
        for route in routes()
        if route.name.startswith(("protection:", "api:protection-"))
    ]


def _kwargs(
    route: Route,
    samples: dict[str, Callable],
    relationship: Relationship,
    home: County,
) -> dict | None:
    """The route's kwargs pointing at the relationship's records (None: not walked)."""
    if route.name not in samples:
        pytest.fail(
            f"保护路由 {route.name}（{route.prefix}{route.pattern.pattern}）有参数 "
            f"{', '.join(route.params)}，但没有样例：请在 "
            "shouwang/protection/tests/leak_samples.py 的 FOREIGN_KWARGS 中加入它"
            "（关系走查把其中的 foreign_case、foreign_referral 等记录换成本县的记录）。"
        )
    world = SimpleNamespace(records=_Records(relationship, home, route))
    try:
        return samples[route.name](world)
    except _NotWalked:
        return None


@pytest.fixture
def relationships():
    return build()


@pytest.mark.parametrize("name", ["other_unit", "not_referred", "revoked", "sensitive"])
def test_nothing_of_a_case_leaks_across_a_relationship(relationships, name):
    home, found = relationships
    relationship = found[name]
    samples = foreign_kwargs()
    client = Client()
    client.force_login(relationship.user)
    walked = []
    for route in protection_routes():
        if not route.params:
            response = client.get(reverse_route(route, {}))
            assert response.status_code < 500, route.name
            body = response.content.decode("utf-8", errors="replace")
            leaked = [marker for marker in relationship.markers if marker in body]
            assert not leaked, (
                f"{relationship.name}：{relationship.user.username} 在 "
                f"{route.name} 看到了不该看到的案件内容：{leaked}"
            )
            continue
        kwargs = _kwargs(route, samples, relationship, home)
        if kwargs is None:
            continue
        url = reverse_route(route, kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            assert response.status_code in DENIED, (
                f"{relationship.name}：{relationship.user.username} {method.upper()} "
                f"{url}（{route.name}）应得到 403/404，实际 {response.status_code}"
            )
        walked.append(route.name)
    # The API alone has twelve operations on a case or a referral.
    assert len(walked) >= 12, walked
    assert "api:protection-case-detail" in walked


@pytest.mark.parametrize("name", ["other_unit", "not_referred", "revoked", "sensitive"])
def test_the_rightful_user_sees_the_case(relationships, name):
    """The control: the same records are open to the one the relationship admits, so
    the walk's 404s come from the relationship, not from a wrong record."""
    relationship = relationships[1][name]
    client = Client()
    client.force_login(relationship.rightful)
    response = client.get(f"/api/protection/cases/{relationship.case.pk}")
    assert response.status_code == 200
    assert response.json()["child_name"] == relationship.markers[3]
    listed = client.get("/api/protection/cases?limit=200").content.decode()
    assert relationship.case.number in listed
