"""Figures for a viewer: the home page's headline figures and the area checks."""

import pytest
from django.http import Http404

from shouwang.registry.tests.factories import make_ledger, make_place
from shouwang.reports.selectors import home_figures_for, report_area_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    place = make_place()
    make_ledger(place)
    return place


def values(figures):
    return {f["key"]: f["value"] for f in figures}


def test_home_figures_are_for_those_allowed_aggregates(ledger):
    expected = {
        "children.total": 6,
        "children.left_behind": 1,
        "children.orphan": 1,
        "children.de_facto_unsupported": 1,
        "children.difficulty": 4,
        "risk.high": 2,
        "visits.overdue": 0,  # registered today, due today
    }
    assert values(home_figures_for(viewer=ledger.leader)) == expected
    assert values(home_figures_for(viewer=ledger.civil)) == expected
    assert values(home_figures_for(viewer=ledger.director))["children.total"] == 4
    assert home_figures_for(viewer=ledger.department) == []
    assert home_figures_for(viewer=ledger.admin) == []
    assert values(home_figures_for(viewer=ledger.foreign_civil))["children.total"] == 0


def test_leaders_get_no_list_of_children(ledger):
    urls = {f["key"]: f["url"] for f in home_figures_for(viewer=ledger.leader)}
    assert urls["children.total"] is None
    assert urls["visits.overdue"] == "/visits/overdue/"
    urls = {f["key"]: f["url"] for f in home_figures_for(viewer=ledger.civil)}
    assert urls["children.total"] == "/children/"
    assert urls["children.orphan"] == "/children/?category=%E5%AD%A4%E5%84%BF"


def test_report_area_is_cut_to_the_jurisdiction(ledger):
    assert report_area_for(viewer=ledger.civil) == ledger.county
    assert report_area_for(viewer=ledger.civil, code="430524911000") == ledger.township
    for viewer, code in [
        (ledger.civil, "430525000000"),
        (ledger.civil, "430500000000"),  # above the jurisdiction
        (ledger.supervisor, "430524000000"),
        (ledger.director, ""),  # no statistics pages for directors
        (ledger.department, ""),
        (ledger.civil, "123"),
    ]:
        with pytest.raises(Http404, match="区划不存在或不在您的管辖范围内。"):
            report_area_for(viewer=viewer, code=code)
