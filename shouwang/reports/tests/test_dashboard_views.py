"""The statistics dashboard through HTTP: who may open it, which area and period it
shows, drill-down, sortable rates, links to the children behind a number."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.access import Perm, has_perm
from shouwang.registry.tests.factories import make_child, make_ledger, make_place
from tests.factories import make_area
from tests.leakwalk import CASE_ROLES

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
AREA_MISSING = "区划不存在或不在您的管辖范围内。"
URL = "/reports/"


def build_world():
    """make_place's county with make_ledger's children, a third township without
    children, and a child in the foreign county."""
    place = make_place()
    make_ledger(place)
    make_area("430524913000", "白云镇")
    make_child(place.foreign_village, name="外县儿童")
    return place


@pytest.fixture
def place():
    return build_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def main_of(response) -> str:
    """The page's own content (the navigation left out)."""
    text = response.content.decode()
    return text[text.index("<main") : text.index("</main>")]


def value_of(text: str, key: str) -> str:
    """The number shown for a figure on the dashboard (link or not)."""
    item = re.search(
        rf'data-figure="{re.escape(key)}".*?data-testid="figure-value">(.*?)</span>',
        text,
        re.S,
    )
    assert item, key
    return re.sub(r"<[^>]+>", "", item.group(1)).strip()


def row_names(text: str, testid: str) -> list[str]:
    return re.findall(
        rf'data-testid="{testid}">\s*<th scope="row" class="fw-normal text-nowrap"><a [^>]*>([^<]+)</a>',
        text,
    )


def test_anonymous_visitors_are_sent_to_sign_in(place):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_roles_without_reports_are_refused(place):
    for user in (place.department, place.director, place.admin):
        response = client_for(user).get(URL, {"area": place.county.code})
        assert response.status_code == 403, user.role
        assert FORBIDDEN in response.content.decode()
        assert "在册儿童" not in main_of(response)


def test_a_foreign_area_answers_like_an_unknown_one(place):
    client = client_for(place.civil)
    answers = []
    for code in (
        place.foreign_county.code,
        place.foreign_village.code,
        "430524999000",  # well formed, no such township
        "12345",
        "４３０５２４００００００",  # full-width digits
    ):
        response = client.get(URL, {"area": code})
        assert response.status_code == 404, code
        answers.append(main_of(response))
        assert AREA_MISSING in answers[-1]
        assert "外县" not in answers[-1]
    assert len(set(answers)) == 1


def test_a_supervisor_may_not_look_above_their_township(place):
    client = client_for(place.supervisor)
    response = client.get(URL, {"area": place.county.code})
    assert response.status_code == 404
    assert AREA_MISSING in main_of(response)
    response = client.get(URL)
    text = main_of(response)
    assert response.status_code == 200
    assert "统计分析：守望镇" in text
    crumbs = re.findall(
        r'class="breadcrumb-item[^"]*"[^>]*>(?:<a [^>]*>)?([^<]+)', text
    )
    assert crumbs == ["守望镇"]  # never the county above
    assert row_names(text, "subarea-row") == ["守望村", "向阳村"]
    assert value_of(text, "children.total") == "5"


def test_the_county_figures_by_heading(place):
    text = main_of(client_for(place.civil).get(URL))
    groups = re.findall(
        r'<div class="card-header py-2 fw-semibold">([^<]+)</div>', text
    )
    assert groups[:3] == ["儿童", "风险等级", "监护能力薄弱类型"]
    assert "工作队伍" in groups and "走访" in groups
    expected = {
        "children.total": "6",
        "children.left_behind": "1",
        "children.orphan": "1",
        "children.de_facto_unsupported": "1",
        "children.difficulty": "4",
        "risk.high": "2",
        "risk.medium": "3",
        "staff.townships": "3",
        "staff.townships_with_supervisor": "1",
        "staff.township_coverage": "33.3",
        "staff.villages": "3",
        "staff.villages_with_director": "2",
        "staff.village_coverage": "66.7",
    }
    for key, value in expected.items():
        assert value_of(text, key) == value, key
    # The definition is there as a title and behind the "?".
    assert 'title="期末在册的儿童人数（不含已退出、已合并的记录）。"' in text
    assert 'aria-label="在册儿童的口径"' in text
    # Figures not held yet are folded away, never shown as numbers.
    pending = re.search(r'data-testid="pending">(.*?)</details>', text, re.S).group(1)
    assert "走访记录簿：暂无数据（尚无功能记录）" in pending
    assert 'data-figure="visits.record_books"' not in text
    assert "外县儿童" not in text


def test_a_leader_sees_numbers_and_nothing_about_a_child(place):
    response = client_for(place.leader).get(URL)
    assert response.status_code == 200
    text = main_of(response)
    assert value_of(text, "children.total") == "6"
    assert "/children/" not in text
    assert "/visits/" not in text
    for name in ("留守", "事实", "低保", "残疾", "无类"):
        assert f">{name}<" not in text
    assert "重新计算" not in text


def test_a_caseworker_follows_a_number_to_the_children_behind_it(place):
    client = client_for(place.civil)
    text = main_of(client.get(URL, {"area": place.township.code}))
    link = re.search(
        r'data-figure="children.difficulty".*?<a href="([^"]+)"', text, re.S
    ).group(1)
    assert link == (
        "/children/?category=%E5%9B%B0%E5%A2%83%E5%84%BF%E7%AB%A5&amp;area=430524911000"
    )
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    for name in ("事实", "低保", "残疾"):
        assert name in listed
    assert "孤儿</a>" not in listed  # 青石镇's orphan is not behind 守望镇's number
    overdue = re.search(
        r'data-figure="visits.overdue".*?<a href="([^"]+)"', text, re.S
    ).group(1)
    assert overdue == "/visits/overdue/?area=430524911000"
    # Figures without a list (counts of areas, rates, sub-categories) are not links.
    for key in ("staff.villages", "confirmations.rate", "children.orphan_scattered"):
        item = re.search(rf'data-figure="{re.escape(key)}".*?</li>', text, re.S)
        assert "<a " not in item.group(0), key


def test_drill_down_from_county_to_township_to_village(place):
    client = client_for(place.leader)
    county = main_of(client.get(URL, {"from": "2026-01-01"}))
    assert row_names(county, "subarea-row") == ["守望镇", "青石镇", "白云镇"]
    link = re.search(r'<a href="([^"]+)">守望镇</a>', county).group(1)
    assert link == "/reports/?area=430524911000&amp;from=2026-01-01"
    township = main_of(client.get(link.replace("&amp;", "&")))
    assert "统计分析：守望镇" in township
    assert 'value="2026-01-01"' in township  # the period carries over
    crumbs = re.findall(
        r'<li class="breadcrumb-item"><a href="([^"]+)">([^<]+)', township
    )
    assert crumbs == [("/reports/?area=430524000000&amp;from=2026-01-01", "隆回县")]
    link = re.search(r'<a href="([^"]+)">守望村</a>', township).group(1)
    village = main_of(client.get(link.replace("&amp;", "&")))
    assert "统计分析：守望村" in village
    assert value_of(village, "children.total") == "4"
    # A village has no sub-areas, and no township-level figures.
    assert 'data-testid="subarea-table"' not in village
    assert 'data-figure="staff.townships"' not in village
    assert 'data-figure="staff.villages"' in village
    crumbs = re.findall(r'<li class="breadcrumb-item"><a [^>]*>([^<]+)', village)
    assert crumbs == ["隆回县", "守望镇"]


def test_the_rates_sort_on_the_server(place):
    client = client_for(place.civil)

    def order(**query):
        text = main_of(client.get(URL, query))
        return row_names(text, "rate-row"), text

    names, text = order()
    assert names == ["守望镇", "青石镇", "白云镇"]  # by code
    assert 'aria-sort="ascending"' in text
    names, text = order(sort="staff.village_coverage", dir="desc")
    assert names == ["守望镇", "青石镇", "白云镇"]  # 100.0, 0.0, none
    assert (
        '<a href="/reports/?area=430524000000&amp;sort=staff.village_coverage'
        '&amp;dir=asc#rates" class="text-decoration-none">村儿童主任配备率 ↓</a>'
    ) in text
    names, _ = order(sort="staff.village_coverage", dir="asc")
    assert names == ["青石镇", "守望镇", "白云镇"]  # no villages: last either way
    names, _ = order(sort="name", dir="desc")
    assert names == ["白云镇", "青石镇", "守望镇"]
    names, _ = order(sort="no_such_key", dir="sideways")
    assert names == ["守望镇", "青石镇", "白云镇"]
    rate_row = re.search(r'data-testid="rate-row">.*?白云镇.*?</tr>', text, re.S)
    assert "—" in rate_row.group(0)


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        (
            {"to": "2026-13-01"},
            "截止日期“2026-13-01”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
            "to",
        ),
        (
            {"from": "昨天"},
            "起始日期“昨天”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
            "from",
        ),
    ],
)
def test_a_bad_date_is_named_on_the_form(place, query, message, field):
    response = client_for(place.leader).get(URL, query)
    assert response.status_code == 400
    text = main_of(response)
    assert message in text
    assert f'id="id_{field}" value="{query[field]}" class="form-control' in text
    assert "is-invalid" in text
    assert 'data-figure="children.total"' not in text


def test_a_period_in_the_future_or_backwards_is_refused(place):
    client = client_for(place.leader)
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    response = client.get(URL, {"to": tomorrow.isoformat()})
    assert response.status_code == 400
    assert (
        f"截止日期 {tomorrow:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后："
        "统计只能截至今天或以前。"
    ) in main_of(response)
    response = client.get(URL, {"from": "2026-03-01", "to": "2026-02-01"})
    assert response.status_code == 400
    assert "起始日期 2026-03-01 晚于截止日期 2026-02-01：请调换或改正。" in main_of(
        response
    )


def test_the_period_defaults_to_the_quarter_up_to_today(place):
    today = timezone.localdate()
    start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    text = main_of(client_for(place.leader).get(URL))
    assert (
        f"统计期间：{start.year}年{start.month}月{start.day}日至"
        f"{today.year}年{today.month}月{today.day}日。"
    ) in text
    assert 'href="/reports/export/?area=430524000000"' in text


def test_the_trend_charts_get_twelve_month_ends(place):
    response = client_for(place.leader).get(URL)
    text = main_of(response)
    data = re.search(
        r'<script id="dashboard-trend-data" type="application/json">(.*?)</script>',
        text,
    ).group(1)
    trend = json.loads(data)
    assert len(trend["labels"]) == 12
    assert trend["labels"][-1] == f"{timezone.localdate():%Y-%m}"
    assert [s["name"] for s in trend["counts"]] == [
        "在册儿童",
        "农村留守儿童",
        "困境儿童",
    ]
    assert [s["name"] for s in trend["rates"]] == ["确认书签订率", "走访逾期率"]
    assert trend["counts"][0]["data"][-1] == 6
    body = response.content.decode()
    assert "/static/reports/dashboard.js" in body
    assert "/static/vendor/echarts.min.js" in body
    assert "<script>" not in body  # no inline scripts (CSP)


@pytest.mark.parametrize("role", CASE_ROLES)
def test_the_walkers_world_shows_no_foreign_marker(world, role):
    """The leak-walker's two counties (tests/leakwalk.py) with this part's samples:
    each home role's dashboard and export answer without a foreign marker (or 403
    for roles without VIEW_REPORTS), and the foreign county by code answers 404."""
    from . import leak_dashboard

    leak_dashboard.seed(world)
    user = world.home.users[role]
    client = client_for(user)
    allowed = has_perm(user, Perm.VIEW_REPORTS)
    day = world.records["reports_snapshot_day"].isoformat()
    for url in (URL, "/reports/export/"):
        for query in ({}, {"to": day}, {"area": world.foreign.county.code}):
            response = client.get(url, query)
            expected = 403 if not allowed else 404 if "area" in query else 200
            assert response.status_code == expected, (url, query)
            if url == URL or response.status_code != 200:
                body = response.content.decode()
                assert not [m for m in world.markers if m in body], (url, query)
    assert client.get("/reports/recompute/").status_code == 405
    response = client.post(
        "/reports/recompute/", {"area": world.foreign.county.code, "day": day}
    )
    assert response.status_code in (403, 404)
