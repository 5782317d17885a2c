"""The child list through HTTP: search by the last digits of an ID number (as the masked
number shows them), numbered pages that keep the filters, the township beside the
village; and the query a search by last digits runs (an index range, not a scan)."""

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import check_character, mask_id_number, parse_id_number
from shouwang.registry.models import Child
from shouwang.registry.selectors import child_list_for, child_search

from .factories import make_child, make_place, years_ago

pytestmark = pytest.mark.django_db

CHILD_SEARCH_ID = "child.search_id"


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(response) -> list[str]:
    return re.findall(
        r'<a href="/children/\d+/">([^<]+)</a>', response.content.decode()
    )


def _numbered(village, name: str, number: str) -> Child:
    parsed = parse_id_number(number)
    return make_child(
        village,
        name=name,
        id_number=number,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
    )


def _number(area6: str, born: date, order: int) -> str:
    first17 = f"{area6}{born:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def _same_end(number: str, area6: str) -> str:
    """Another valid number in area6 that ends as `number` does (another birth date)."""
    for days in range(1, 4000):
        other = _number(area6, years_ago(8, days=days), int(number[14:17]))
        if other[-4:] == number[-4:]:
            return other
    raise AssertionError("no number with the same end")


def test_the_last_four_to_six_digits_find_the_child_in_the_jurisdiction(place):
    number = _number("430524", years_ago(8), 123)
    _numbered(place.village, "张晓明", number)
    # The same last four in another township of the county and in another county.
    far = _same_end(number, "430524")
    _numbered(place.far_village, "李娜", far)
    foreign = _same_end(number, "430525")
    _numbered(place.foreign_village, "外县儿童", foreign)
    client = _client(place.director)
    for q in (number[-4:], number[-5:], number[-6:], mask_id_number(number)):
        assert _listed(client.get("/children/", {"q": q})) == ["张晓明"], q
    assert _listed(client.get("/children/", {"q": number[-6:-2]})) == []
    civil = _client(place.civil)
    assert sorted(_listed(civil.get("/children/", {"q": number[-4:]}))) == sorted(
        ["张晓明", "李娜"]
    )
    assert _listed(civil.get("/children/", {"q": number[-6:]})) == ["张晓明"]


def test_a_number_ending_in_x_is_found_by_its_last_digits_in_either_case(place):
    number = next(
        n
        for n in (_number("430524", years_ago(7), order) for order in range(999))
        if n.endswith("X")
    )
    _numbered(place.village, "王芳", number)
    client = _client(place.director)
    for q in (number[-4:], number[-4:].lower(), number[-6:]):
        assert _listed(client.get("/children/", {"q": q})) == ["王芳"], q


def test_the_masked_number_also_matches_its_first_six(place):
    number = _number("430524", years_ago(8), 321)
    _numbered(place.village, "张晓明", number)
    client = _client(place.director)
    other_start = "430525" + "********" + number[-4:]
    assert _listed(client.get("/children/", {"q": other_start})) == []


def test_only_a_full_number_search_is_audited(place):
    number = _number("430524", years_ago(8), 77)
    _numbered(place.village, "张晓明", number)
    client = _client(place.director)
    client.get("/children/", {"q": number[-4:]})
    assert not AuditEvent.objects.filter(action=CHILD_SEARCH_ID).exists()
    client.get("/children/", {"q": number})
    assert AuditEvent.objects.filter(action=CHILD_SEARCH_ID).count() == 1


def test_the_last_digits_are_an_equality_on_the_indexed_last_four(place):
    """The search runs on Child.id_last4's index on both databases (never a scan)."""
    number = _number("430524", years_ago(8), 55)
    _numbered(place.village, "张晓明", number)
    if connection.vendor == "postgresql":
        # A village of children and fresh statistics: with one row and whatever
        # statistics earlier tests left, the planner may as well pick the village's
        # index; with these, the equality on the last four is the selective one.
        for order in range(1, 31):
            _numbered(place.village, "王芳", _number("430524", years_ago(9), order))
    children = child_search(child_list_for(viewer=place.civil), number[-4:])
    sql, params = children.query.sql_with_params()
    assert "id_last4" in sql and "LIKE" not in sql.upper()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE registry_child")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "child_id_last4" in plan, plan
    assert list(children) == [Child.objects.get(name="张晓明")]


def test_the_last_four_column_follows_the_number(place):
    number = _number("430524", years_ago(8), 99)
    child = _numbered(place.village, "张晓明", number)
    child.refresh_from_db()
    assert child.id_last4 == number[-4:]
    without = make_child(place.village, name="李娜", id_number=None)
    without.refresh_from_db()
    assert without.id_last4 is None


SURNAMES = "赵钱孙李周吴郑王冯陈褚"
GIVEN = "一二三四五"


def test_numbered_pages_show_every_child_once_and_keep_the_filters(place):
    created = set()
    for i, (surname, given) in enumerate((s, g) for s in SURNAMES for g in GIVEN):
        village = (place.village, place.other_village)[i % 2]
        created.add(
            make_child(
                village, name=surname + given, birth_date=years_ago(3 + i % 12)
            ).pk
        )
    client = _client(place.supervisor)
    first = client.get("/children/", {"sort": "birth"}).content.decode()
    assert "共 55 名儿童" in first
    assert "第 1 / 2 页" in first
    links = [
        html.unescape(link)
        for link in re.findall(r'<a class="page-link"[^>]* href="(\?[^"]*)"', first)
    ]
    assert links == ["?sort=birth&page=2", "?sort=birth&page=2"]  # 2, 下一页
    seen = re.findall(r'<a href="/children/(\d+)/">', first)
    second = client.get(f"/children/{links[0]}").content.decode()
    assert "第 2 / 2 页" in second
    assert 'href="?sort=birth&amp;page=1"' in second and ">上一页</a>" in second
    seen += re.findall(r'<a href="/children/(\d+)/">', second)
    assert len(seen) == len(set(seen)) == 55
    assert {int(pk) for pk in seen} == created
    last = client.get("/children/", {"sort": "birth", "page": "last"})
    assert "第 2 / 2 页" in last.content.decode()
    # Past the last page, or not a number: the last or the first page, never an error.
    assert "第 2 / 2 页" in client.get("/children/?page=99").content.decode()
    assert "第 1 / 2 页" in client.get("/children/?page=abc").content.decode()


def test_the_htmx_pager_swaps_only_the_rows(place):
    for i in range(51):
        make_child(place.village, name=f"张{'一二三四五六七八九十'[i % 10]}{i}")
    client = _client(place.director)
    text = client.get(
        "/children/",
        {"q": "张", "page": "2"},
        headers={"HX-Request": "true", "HX-Target": "child-results"},
    ).content.decode()
    assert "<html" not in text
    assert "第 2 / 2 页" in text
    assert 'hx-get="?q=%E5%BC%A0&amp;page=1" hx-target="#child-results"' in text


def test_the_list_shows_the_township_beside_the_village(place):
    make_child(place.village, name="张晓明")
    text = _client(place.supervisor).get("/children/").content.decode()
    assert '<span class="sw-township">守望镇</span> 守望村' in text
