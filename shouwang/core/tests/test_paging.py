"""Numbered pages (core.paging) and the page links every list shows (sw.pager)."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from shouwang.areas.models import Area
from shouwang.core.paging import Pager, page_of
from tests.factories import make_area

pytestmark = pytest.mark.django_db

TOWNSHIP = "430524911000"


@pytest.fixture
def villages() -> list[str]:
    """23 villages of one township, their codes in the order the tests read them."""
    make_area(TOWNSHIP, "守望镇")
    for n in range(1, 24):
        make_area(f"{TOWNSHIP[:9]}{n:03d}", f"第{n}村")
    return [f"{TOWNSHIP[:9]}{n:03d}" for n in range(1, 24)]


def _ordered():
    # Names sort apart from codes, and two share a name: the order ends with the key.
    return Area.objects.filter(level="village").order_by("-name", "code")


def _request(query: str = ""):
    return RequestFactory().get(f"/list/?{query}")


def test_every_page_read_forwards_or_backwards_is_the_slice_of_the_whole(villages):
    whole = list(_ordered().values_list("code", flat=True))
    assert len(whole) == 23
    seen = []
    for number in range(1, 6):
        page = Pager(_ordered(), 5).page(number)
        codes = [area.code for area in page]
        assert codes == whole[(number - 1) * 5 : number * 5]
        seen.extend(codes)
    assert seen == whole


def test_a_page_past_the_middle_is_read_from_the_far_end(villages):
    pager = Pager(_ordered(), 5)
    with CaptureQueriesContext(connection) as early:
        list(pager.page(2))
    with CaptureQueriesContext(connection) as late:
        list(pager.page(5))
    assert "DESC" in early.captured_queries[-1]["sql"]  # "-name" forwards
    assert re.search(r'"name" ASC', late.captured_queries[-1]["sql"])
    assert "OFFSET" not in late.captured_queries[-1]["sql"]  # the last 3 come first


def test_an_order_without_the_key_at_its_end_is_never_reversed(villages):
    ties = Area.objects.filter(level="village").order_by("level")
    pager = Pager(ties, 5)
    with CaptureQueriesContext(connection) as late:
        list(pager.page(5))
    assert not any("DESC" in q["sql"] for q in late.captured_queries)
    assert "OFFSET 20" in late.captured_queries[-2]["sql"]


def test_past_the_first_rows_the_keys_come_first_then_the_rows(villages):
    pager = Pager(_ordered().select_related("parent"), 5, count=23)
    with CaptureQueriesContext(connection) as queries:
        page = pager.page(2)
    keys, rows = (q["sql"] for q in queries.captured_queries)
    assert "OFFSET 5" in keys and "JOIN" not in keys
    assert keys.split(" FROM ")[0].count(",") == 0  # the key alone
    assert "JOIN" in rows and "OFFSET" not in rows
    assert [a.parent.name for a in page] == ["守望镇"] * 5


def test_one_page_is_read_without_a_limit(villages):
    with CaptureQueriesContext(connection) as queries:
        page = Pager(_ordered(), 50).page(1)
    assert len(page) == 23
    assert "LIMIT" not in queries.captured_queries[0]["sql"]


def test_a_count_already_made_is_not_made_again(villages):
    with CaptureQueriesContext(connection) as queries:
        page = page_of(_request("page=2"), _ordered(), size=5, count=23)
        list(page)
    assert not any("COUNT" in q["sql"] for q in queries.captured_queries)
    assert page.paginator.num_pages == 5


@pytest.mark.parametrize(
    ("asked", "number"),
    [("", 1), ("3", 3), ("last", 5), ("0", 5), ("-2", 5), ("99", 5), ("x", 1)],
)
def test_a_page_that_is_not_there_gives_the_first_or_the_last(villages, asked, number):
    assert page_of(_request(f"page={asked}"), _ordered(), size=5).number == number


def _links(html: str) -> list[str]:
    return re.findall(r'<a class="page-link"[^>]*>([^<]+)</a>', html)


def _pager(query: str, page, extra: str = "") -> str:
    template = Template("{% load sw %}{% pager page " + extra + " %}")
    return template.render(Context({"page": page, "request": _request(query)}))


def test_the_links_number_the_pages_around_this_one_and_keep_the_filters():
    page = Pager(list(range(1000)), 50).page(10)
    html = _pager("q=%E5%BC%A0&page=10&sort=birth", page)
    assert _links(html) == ["上一页", "1", "8", "9", "11", "12", "20", "下一页"]
    assert html.count('<span class="page-link">…</span>') == 2
    assert '<li class="page-item active" aria-current="page">' in html
    assert '<span class="page-link">10</span>' in html
    assert 'href="?q=%E5%BC%A0&amp;sort=birth&amp;page=11"' in html
    assert 'href="?q=%E5%BC%A0&amp;sort=birth&amp;page=20"' in html
    assert "第 10 / 20 页" in html
    assert "hx-get" not in html


def test_the_first_page_has_no_previous_and_a_target_makes_htmx_links():
    page = Pager(list(range(120)), 50).page(1)
    html = _pager("", page, 'target="#child-results" anchor="#errors"')
    assert _links(html) == ["2", "3", "下一页"]
    assert 'href="?page=2#errors" aria-label="第 2 页" hx-get="?page=2#errors"' in html
    assert 'hx-target="#child-results" hx-push-url="true"' in html


def test_one_page_shows_no_links():
    assert _pager("", Pager(list(range(50)), 50).page(1)).strip() == ""
