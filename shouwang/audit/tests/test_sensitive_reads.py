"""Sensitive reads leave an audit row: a visit record, a child's visit list, a village's
cycle review (pages and API), and a search of the ledger by full ID number — which
is kept masked in the row."""

import json

import pytest
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.visits.models import VillageReview
from shouwang.visits.services import cycle as cycle_services
from shouwang.visits.tests.factories import make_visit
from shouwang.visits.tests.test_cycle_services import this_quarter
from shouwang.visits.tests.test_visit_services import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def child(place):
    return make_child(place.village, name="张晓明")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_opening_a_visit_is_audited_on_the_page_and_in_the_api(place, child):
    visit = make_visit(child, visit_date=today(), recorded_by=place.director)
    client = _client(place.supervisor)
    assert client.get(f"/visits/{visit.pk}/").status_code == 200
    assert client.get(f"/api/visits/{visit.pk}").status_code == 200
    rows = _rows("visit.view")
    assert [(r.actor, r.object_type, r.object_id) for r in rows] == [
        (place.supervisor, "visit", str(visit.pk))
    ] * 2
    assert {r.area_id for r in rows} == {place.village.code}
    assert rows[0].details == {"child": child.pk}
    assert rows[0].get_action_display() == "查看走访记录"


def test_a_childs_visit_list_is_audited_on_the_page_and_in_the_api(place, child):
    make_visit(child, visit_date=today(), recorded_by=place.director)
    client = _client(place.director)
    assert client.get(f"/visits/children/{child.pk}/").status_code == 200
    assert client.get(f"/api/visits/children/{child.pk}").status_code == 200
    rows = _rows("visit.list")
    assert [(r.actor, r.object_type, r.object_id, r.area_id) for r in rows] == [
        (place.director, "child", str(child.pk), place.village.code)
    ] * 2
    assert rows[0].get_action_display() == "查看走访记录列表"


def test_a_refused_visit_read_is_not_audited_as_a_read(place, child):
    visit = make_visit(child, visit_date=today(), recorded_by=place.director)
    client = _client(place.foreign_director)
    assert client.get(f"/visits/{visit.pk}/").status_code == 404
    assert client.get(f"/api/visits/{visit.pk}").status_code == 404
    assert client.get(f"/visits/children/{child.pk}/").status_code == 404
    assert not _rows("visit.view") and not _rows("visit.list")
    assert len(_rows("access.refused")) == 3


def test_a_village_review_is_audited_on_the_page_and_in_the_api(place, child):
    year, quarter = this_quarter()
    cycle = cycle_services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    review = VillageReview.objects.get(cycle=cycle, village=place.village)
    client = _client(place.supervisor)
    assert client.get(f"/visits/cycles/reviews/{review.pk}/").status_code == 200
    assert client.get(f"/api/cycles/reviews/{review.pk}").status_code == 200
    rows = _rows("cycle.review_view")
    assert [(r.actor, r.object_type, r.object_id, r.area_id) for r in rows] == [
        (place.supervisor, "villagereview", str(review.pk), place.village.code)
    ] * 2
    assert rows[0].details == {"cycle": cycle.pk}
    assert rows[0].get_action_display() == "查看村摸排"


def test_a_search_by_full_id_number_is_audited_with_the_number_masked(place, child):
    client = _client(place.director)
    number = child.id_number
    page = client.get("/children/", {"q": number})
    assert page.status_code == 200
    assert [c.pk for c in page.context["page"]] == [child.pk]
    answer = client.get("/api/children", {"q": number})
    assert [c["id"] for c in json.loads(answer.content)["items"]] == [child.pk]
    rows = _rows("child.search_id")
    assert len(rows) == 2
    for row in rows:
        assert row.actor == place.director
        assert row.area_id == place.village.code  # the searcher's jurisdiction
        assert row.details == {"id_number": mask_id_number(number), "found": 1}
        assert number not in json.dumps(row.details)
    assert rows[0].get_action_display() == "按身份号码查找儿童"


def test_a_search_by_id_number_that_finds_nothing_is_audited_too(place, child):
    other = make_child(place.foreign_village, name="外县儿童")
    _client(place.director).get("/children/", {"q": other.id_number})
    [row] = _rows("child.search_id")
    assert row.details == {"id_number": mask_id_number(other.id_number), "found": 0}


def test_other_searches_and_plain_lists_are_not_audited(place, child):
    client = _client(place.director)
    client.get("/children/", {"q": "张晓明"})
    client.get("/children/", {"q": child.id_number[:17]})  # not a full number
    client.get("/children/")
    client.get("/api/children", {"q": "zxm"})
    assert not _rows("child.search_id")
