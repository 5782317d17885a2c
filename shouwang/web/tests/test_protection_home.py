"""Protection work on the home page and in the navigation, through HTTP: each unit's
inbox summary, the civil-affairs panel, the report button, and the counts beside the
menu — cut to the user's county and unit."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.protection import services
from shouwang.protection.models import Case
from shouwang.protection.tests.factories import file_report, make_county, make_foreign
from shouwang.protection.vocab import Situation
from shouwang.web.navigation import inbox_count
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return make_county()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(user, url="/"):
    response = _client(user).get(url)
    assert response.status_code == 200
    return response


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _plain(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))


def _tasks(response) -> dict:
    return {t.key: t for t in response.context["protection"].tasks}


def _menu(response, label: str) -> dict:
    return next(i for i in response.context["nav_items"] if i["label"] == label)


def test_the_police_see_the_reports_waiting_first_the_oldest(home):
    foreign = make_foreign()
    late = file_report(home.director, child_name="小明")
    fresh = file_report(home.director, child_name="小红")
    Case.objects.filter(pk=late.pk).update(
        police_due_at=timezone.now() - timedelta(hours=3)
    )
    outside = file_report(foreign.director)

    response = _get(home.police)
    tasks = _tasks(response)
    assert tasks["police"].count == 2
    assert tasks["police"].note == "其中 1 件已超过受理时限"
    assert tasks["police"].urgent
    assert tasks["referrals"].count == 0
    assert tasks["police"].url == "/protection/inbox/"
    items = response.context["protection"].items
    assert [(i.number, i.overdue) for i in items] == [
        (late.number, True),
        (fresh.number, False),
    ]
    assert items[0].due_text == "受理逾期3小时"
    assert items[1].due_text.startswith("受理还剩23小时")
    assert items[0].what == "独居、无人监护"
    text = _plain(response)
    assert "公安的保护案件待办" in text
    assert "打开待办（2）" in text
    assert f'href="/protection/{late.pk}/"' in _text(response)
    assert outside.number not in text
    # Still what the unit does, and nothing of the ledger.
    assert "受案后 3 日内把受案情况告知报告单位" in text
    for key in ("child_figures", "due", "tasks", "overview"):
        assert key not in response.context


def test_a_member_unit_sees_only_its_own_referrals(home):
    case = file_report(home.director, situation=Situation.OUT_OF_SCHOOL)
    services.case_police_decide(actor=home.police, case_id=case.pk, decision="accepted")
    referral = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.EDUCATION,
        service="schooling",
        reason="安排寄宿",
        timeframe=72,
    )
    response = _get(home.units[Unit.EDUCATION])
    tasks = _tasks(response)
    assert (tasks["referrals"].count, tasks["accepted"].count) == (1, 0)
    assert tasks["school"].count == 1
    assert "police" not in tasks
    [item] = response.context["protection"].items
    assert (item.number, item.what) == (case.number, "转介：就学保障与劝返复学")
    assert item.due_text.startswith("接收还剩2天23小时")
    text = _plain(response)
    assert "保护主任" not in text  # the reporter
    assert "后续版本将为教育提供" not in text  # dropout control is here now
    assert "控辍保学：上传本辖区的学籍名单" in text

    services.referral_accept(actor=home.units[Unit.EDUCATION], referral_id=referral.pk)
    tasks = _tasks(_get(home.units[Unit.EDUCATION]))
    assert (tasks["referrals"].count, tasks["accepted"].count) == (0, 1)

    other = _get(home.units[Unit.WOMENS_FEDERATION])
    assert [t.count for t in other.context["protection"].tasks] == [0, 0]
    assert other.context["protection"].items == []
    assert case.number not in _text(other)


def test_civil_affairs_see_assessments_overdue_items_and_grants_to_review(home):
    late = file_report(home.director)
    file_report(home.director)
    Case.objects.filter(pk=late.pk).update(
        police_due_at=timezone.now() - timedelta(hours=1)
    )
    sensitive = file_report(home.director, situation=Situation.GENITAL_INJURY)
    services.break_glass(
        actor=home.units[Unit.COURT], number=sensitive.number, reason="审理需要核对情况"
    )
    response = _get(home.civil)
    tasks = _tasks(response)
    assert tasks["assessment"].count == 3
    assert tasks["assessment"].url == "/protection/inbox/"
    assert (tasks["supervision"].count, tasks["supervision"].urgent) == (1, True)
    assert tasks["supervision"].url == "/protection/supervision/"
    assert (tasks["glass"].count, tasks["glass"].url) == (
        1,
        "/protection/break-glass/review/",
    )
    assert 'href="/protection/supervision/"' in _text(response)
    assert "overview" in response.context  # the ledger's progress stays


def test_directors_and_supervisors_get_the_report_button(home):
    for user in (home.director, home.supervisor):
        response = _get(user)
        assert response.context["report_button"]
        text = _text(response)
        assert 'href="/protection/report/" data-testid="report-button"' in text
        assert "protection" not in response.context
    leader = make_user(Role.LEADER, home.county, username="p_leader")
    response = _get(leader)
    assert "report-button" not in _text(response)
    assert "protection" not in response.context


def test_the_menu_shows_what_waits_beside_its_label(home):
    file_report(home.director)
    late = file_report(home.director)
    Case.objects.filter(pk=late.pk).update(
        police_due_at=timezone.now() - timedelta(hours=1)
    )
    police = _get(home.police, "/protection/break-glass/")
    menu = _menu(police, "保护案件")
    assert [(i["label"], i["badge"]) for i in menu["menu"] if i["badge"]] == [
        ("待办", 2)
    ]
    assert menu["badge"] == 2
    text = _text(police)
    assert (
        'href="/protection/inbox/">待办 <span class="badge rounded-pill '
        'text-bg-danger" data-testid="nav-badge">2</span></a>'
    ) in text
    assert [i["label"] for i in menu["menu"] if i["active"]] == ["紧急查看"]
    assert menu["active"]

    civil = _get(home.civil, "/protection/supervision/")
    menu = _menu(civil, "保护案件")
    badges = {i["label"]: i["badge"] for i in menu["menu"] if i["badge"] is not None}
    assert badges == {"待办": 2, "督办": 1}
    assert [i["label"] for i in menu["menu"] if i["active"]] == ["督办"]

    # Nothing waiting: no badge drawn.
    other = _get(home.units[Unit.COURT])
    assert 'data-testid="nav-badge"' not in _text(other)


def test_the_counts_are_read_once_a_request(home):
    file_report(home.director)
    user = home.police
    with CaptureQueriesContext(connection) as first:
        assert inbox_count(user) == 1
    with CaptureQueriesContext(connection) as again:
        assert inbox_count(user) == 1
    assert 1 <= len(first.captured_queries) <= 2
    assert len(again.captured_queries) == 0
