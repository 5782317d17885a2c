"""The reports API: figures by area and period, the catalogue, and every refusal."""

import pytest
from django.test import Client

from shouwang.registry.tests.factories import ORPHAN, make_child, make_place
from shouwang.reports import catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    place = make_place()
    make_child(place.village, name="甲")
    make_child(place.far_village, name="乙", **ORPHAN)
    return place


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_figures_of_the_viewers_area(place):
    response = client_for(place.leader).get("/api/reports/figures")
    assert response.status_code == 200
    body = response.json()
    assert body["area"] == place.county.code
    assert body["area_name"] == "隆回县"
    assert body["figures"]["children.total"] == 2
    assert body["figures"]["children.orphan"] == 1
    assert set(body) == {"area", "area_name", "from", "to", "figures"}


def test_figures_by_subarea_add_up_to_the_total(place):
    response = client_for(place.civil).get(
        "/api/reports/figures/by-subarea", {"area": place.county.code}
    )
    assert response.status_code == 200
    body = response.json()
    assert [row["area_name"] for row in body["rows"]] == ["守望镇", "青石镇"]
    for key, value in body["total"].items():
        if catalogue.FIGURES[key].derived:  # rates and quantiles do not add up
            continue
        assert value == sum(row["figures"][key] for row in body["rows"]), key


def test_a_supervisor_reads_the_township_only(place):
    client = client_for(place.supervisor)
    assert client.get("/api/reports/figures").json()["figures"]["children.total"] == 1
    response = client.get("/api/reports/figures", {"area": place.county.code})
    assert response.status_code == 404
    assert response.json() == {"detail": "区划不存在或不在您的管辖范围内。"}


@pytest.mark.parametrize("code", ["430525000000", "999999999999", "43052", "x"])
def test_foreign_or_unknown_areas_answer_the_same_404(place, code):
    response = client_for(place.civil).get("/api/reports/figures", {"area": code})
    assert response.status_code == 404
    assert response.json() == {"detail": "区划不存在或不在您的管辖范围内。"}


@pytest.mark.parametrize("user", ["director", "department", "admin"])
def test_roles_without_statistics_are_refused(place, user):
    client = client_for(getattr(place, user))
    for path in (
        "/api/reports/figures",
        "/api/reports/figures/by-subarea",
        "/api/reports/catalogue",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json() == {"detail": "您没有查看统计数字的权限。"}


def test_anonymous_is_asked_to_log_in(place):
    assert Client().get("/api/reports/figures").status_code == 401


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"from": "2026-12-01", "to": "2026-11-01"},
            "from",
            "起始日期 2026-12-01 晚于截止日期 2026-11-01：请调换或改正。",
        ),
        (
            {"to": "9999-12-31"},
            "to",
            "截止日期 9999-12-31 在今天",
        ),
        (
            {"from": "20261301"},
            "from",
            "起始日期“20261301”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。",
        ),
    ],
)
def test_bad_dates_are_422_by_field(place, params, field, message):
    response = client_for(place.civil).get("/api/reports/figures", params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求参数有误。"
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"].startswith(message)


def test_the_catalogue_lists_held_and_pending_figures(place):
    body = client_for(place.leader).get("/api/reports/catalogue").json()
    by_key = {row["key"]: row for row in body}
    assert by_key["children.left_behind"]["held"] is True
    assert by_key["children.left_behind"]["placeholder"] == "{{ children.left_behind }}"
    assert by_key["weakness.1A"]["placeholder"] == "{{ weakness['1A'] }}"
    assert by_key["protection.rescues"]["held"] is True
    assert by_key["visits.record_books"]["held"] is False
    assert by_key["visits.record_books"]["pending"] == "尚无功能记录"
