"""The worklist and policy pages through HTTP: who may open them, what they show."""

import re

import pytest
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.registry.models import VisitPolicy
from shouwang.registry.tests.factories import make_place

from .test_schedule_selectors import build_ledger

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
PAGES = [
    "/visits/due/",
    "/visits/overdue/",
    "/visits/overdue/children/",
    "/visits/policy/",
]


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def ledger(place):
    return build_ledger(place)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(place):
    for url in PAGES:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_the_department_and_the_administrator_are_refused_every_page(place, ledger):
    for who in (place.department, place.admin):
        client = _client(who)
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 403, url
            assert FORBIDDEN in _text(response)
            assert "逾期十" not in _text(response)


def test_a_leader_sees_rates_but_no_child(place, ledger):
    client = _client(place.leader)
    assert client.get("/visits/due/").status_code == 403
    assert client.get("/visits/overdue/children/").status_code == 403
    response = client.get("/visits/overdue/", {"area": place.township.code})
    assert response.status_code == 200
    text = _text(response)
    assert "守望村" in text and "33.3%" in text
    assert "逾期儿童" not in text  # no link to the list of children
    assert "逾期十" not in text
    policy = client.get("/visits/policy/")
    assert policy.status_code == 200
    assert 'data-testid="policy-form"' not in _text(policy)
    assert client.post("/visits/policy/", {"high_days": "3"}).status_code == 403


def test_my_worklist_in_order_with_counts_and_links(place, ledger):
    response = _client(place.director).get("/visits/due/")
    assert response.status_code == 200
    text = _text(response)
    table = text[text.index('data-testid="due-table"') : text.index("</table>")]
    order = re.findall(r">(逾期十|逾期三|今天|五天后|七天后)</a>", table)
    assert order == ["逾期十", "逾期三", "今天", "五天后", "七天后"]
    for name in ("八天后", "无类", "退出", "邻村逾期"):
        assert f">{name}</a>" not in text
    assert re.search(r'data-testid="count-overdue">2<', text)
    assert re.search(r'data-testid="count-today">1<', text)
    assert re.search(r'data-testid="count-soon">2<', text)
    assert "逾期10天" in text and "5天后" in text
    assert f'href="/visits/children/{ledger["逾期十"].pk}/new/"' in text
    assert f'href="/children/{ledger["逾期十"].pk}/"' in text


def test_a_county_sees_townships_and_drills_down_to_a_villages_children(place, ledger):
    client = _client(place.civil)
    text = _text(client.get("/visits/overdue/"))
    assert f'href="?area={place.township.code}"' in text
    assert "44.4%" in text  # the total
    assert "overdue-chart" in text
    village_level = _text(client.get("/visits/overdue/", {"area": place.township.code}))
    link = f"/visits/overdue/children/?area={place.other_village.code}"
    assert link in village_level
    children = _text(client.get(link))
    assert "邻村逾期" in children and "逾期31天" not in children
    assert "逾期1天" in children
    assert "逾期十" not in children


@pytest.mark.parametrize(
    "url", ["/visits/overdue/?area={code}", "/visits/overdue/children/?area={code}"]
)
def test_a_foreign_area_answers_like_a_missing_one(place, ledger, url):
    client = _client(place.supervisor)
    for code in (place.foreign_village.code, place.other_township.code, "430524999999"):
        response = client.get(url.format(code=code))
        assert response.status_code == 404, code
        assert NOT_FOUND in _text(response)
        assert "外县逾期" not in _text(response)


def test_a_director_of_another_village_sees_only_their_own(place, ledger):
    client = _client(place.other_director)
    text = _text(client.get("/visits/due/"))
    assert "邻村逾期" in text and "逾期十" not in text
    response = client.get("/visits/overdue/children/", {"area": place.village.code})
    assert response.status_code == 404


def test_civil_affairs_staff_set_the_county_policy_on_the_page(place, ledger):
    client = _client(place.civil)
    page = _text(client.get("/visits/policy/"))
    assert "尚未单独设置，使用默认间隔" in page
    assert "7 天" in page and "30 天" in page and "90 天" in page
    assert "后台" in page
    response = client.post(
        "/visits/policy/",
        {
            "county": place.county.code,
            "high_days": "5",
            "medium_days": "14",
            "low_days": "60",
        },
        follow=True,
    )
    assert (
        response.redirect_chain[-1][0] == f"/visits/policy/?county={place.county.code}"
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "已保存隆回县的走访间隔。各儿童的走访间隔和下次走访日期正在后台重新计算，"
        "稍后刷新即可看到。"
    ]
    policy = VisitPolicy.objects.get(county=place.county)
    assert (policy.high_days, policy.medium_days, policy.low_days) == (5, 14, 60)
    assert "由 民政王 于" in _text(response)


def test_a_bad_interval_keeps_what_was_typed_and_names_the_field(place):
    client = _client(place.civil)
    response = client.post(
        "/visits/policy/",
        {
            "county": place.county.code,
            "high_days": "0",
            "medium_days": "abc",
            "low_days": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["high_days"] == ["风险高儿童的走访间隔应为1至7天的整数，当前为0天。"]
    assert errors["medium_days"] == [
        "风险中儿童的走访间隔应为1至30天的整数，“abc”不是整数。"
    ]
    assert errors["low_days"] == ["请填写风险低儿童的走访间隔（1至90天的整数）。"]
    assert 'value="abc"' in _text(response)
    assert not VisitPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="visit_policy.set").exists()


def test_the_policy_of_another_county_is_not_found(place):
    client = _client(place.civil)
    response = client.get("/visits/policy/", {"county": place.foreign_county.code})
    assert response.status_code == 404
    response = client.post(
        "/visits/policy/",
        {
            "county": place.foreign_county.code,
            "high_days": "5",
            "medium_days": "14",
            "low_days": "60",
        },
    )
    assert response.status_code == 404
    assert not VisitPolicy.objects.exists()
    for who in (place.supervisor, place.director):
        assert (
            _client(who).post("/visits/policy/", {"high_days": "3"}).status_code == 403
        )
