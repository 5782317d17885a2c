"""Aging out: the daily detection of children who turned 16 or 18, the worklist page
(/children/review/) and its two resolutions, exit and keep; nothing leaves silently."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouwang.audit.models import AuditEvent
from shouwang.registry import policy, services
from shouwang.registry.models import Child, ExitReview
from shouwang.registry.tasks import reclassify_children

from .factories import AT_HOME, ORPHAN, make_child, make_place, years_ago

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
REVIEW = "/children/review/"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def today():
    return timezone.localdate()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _items() -> set[tuple[str, str, date, str]]:
    return {
        (r.child.name, r.reason, r.due_on, r.resolution)
        for r in ExitReview.objects.select_related("child")
    }


def _aging_section(response) -> str:
    text = _text(response)
    return text[text.index('data-testid="aging-out"') : text.index("no-category")]


# --- the birthday ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "years", "day"),
    [
        (date(2010, 5, 17), 16, date(2026, 5, 17)),
        (date(2010, 2, 28), 18, date(2028, 2, 28)),
        (date(2008, 2, 29), 16, date(2024, 2, 29)),  # a leap year again
        (date(2008, 2, 29), 18, date(2026, 3, 1)),  # as policy.age_on counts it
    ],
)
def test_a_birthday_is_the_day_the_age_is_reached(born, years, day):
    assert services.birthday(born, years) == day
    assert policy.age_on(born, day) == years
    assert policy.age_on(born, day - timedelta(days=1)) == years - 1


# --- detection ------------------------------------------------------------------------


def test_children_who_turn_16_or_18_today_go_on_the_worklist(place, today):
    make_child(place.village, name="留守十六", birth_date=years_ago(16))
    make_child(
        place.village,
        name="留守低保十六",  # left-behind and in difficulty: listed all the same
        birth_date=years_ago(16),
        family_assistance=["低保"],
    )
    make_child(place.village, name="十八", birth_date=years_ago(18))
    make_child(
        place.village,
        name="孤儿十八",
        birth_date=years_ago(18),
        schooling="初中",  # not full-time school: the orphan ends at 18
        **ORPHAN,
    )
    for schooling in ("高中", "中职", "高职及以上"):
        make_child(  # still an orphan while in full-time school: not listed
            place.village,
            name=f"孤儿{schooling}",
            birth_date=years_ago(18),
            schooling=schooling,
            **ORPHAN,
        )
    make_child(
        place.village,
        name="残疾十六",  # never left-behind: 16 ends nothing
        birth_date=years_ago(16),
        health="残疾",
        disability_category="肢体",
        disability_grade="二级",
        **AT_HOME,
    )
    make_child(place.village, name="明天十六", birth_date=years_ago(16, days=-1))
    make_child(place.village, name="十五", birth_date=years_ago(15))
    city = make_child(place.village, name="城镇十六", birth_date=years_ago(16))
    Child.objects.filter(pk=city.pk).update(hukou_nature="城镇")

    assert services.exit_reviews_detect(as_of=today) == 4

    assert _items() == {
        ("留守十六", "16", today, ""),
        ("留守低保十六", "16", today, ""),
        ("十八", "18", today, ""),
        ("孤儿十八", "18", today, ""),
    }
    assert Child.objects.get(name="孤儿高中").is_orphan  # classified at registration
    # Detection changes nothing else: classifications and statuses stay as they were.
    assert not Child.objects.exclude(status="active").exists()
    assert Child.objects.get(name="留守低保十六").is_in_difficulty
    assert not Child.objects.filter(changes__action="reclassify").exists()


def test_an_orphan_who_turns_18_in_full_time_school_stays_off_the_worklist(
    place, today
):
    student = make_child(
        place.village,
        name="孤儿高三",
        birth_date=years_ago(18),
        schooling="高中",
        as_of=today - timedelta(days=1),  # registered at 17
        **ORPHAN,
    )
    junior = make_child(
        place.village,
        name="孤儿初三",
        birth_date=years_ago(18),
        schooling="初中",
        as_of=today - timedelta(days=1),
        **ORPHAN,
    )
    assert (student.is_orphan, student.in_school_after_18) == (True, False)

    services.children_reclassify(as_of=today)
    assert services.exit_reviews_detect(as_of=today) == 1

    student.refresh_from_db()
    junior.refresh_from_db()
    assert (student.is_orphan, student.in_school_after_18) == (True, True)
    assert student.categories == ["孤儿"]
    assert (junior.is_orphan, junior.in_school_after_18) == (False, False)
    assert _items() == {("孤儿初三", "18", today, "")}
    [change] = student.changes.filter(action="reclassify")
    assert change.changes["in_school_after_18"] == [False, True]


def test_a_missed_day_is_caught_up_and_a_second_run_adds_nothing(place, today):
    birthday = today - timedelta(days=1)
    make_child(place.village, name="昨天十六", birth_date=years_ago(16, days=1))
    make_child(
        place.village,
        name="前天十八",
        birth_date=years_ago(18, days=2),
        family_assistance=["低保"],
        **AT_HOME,
    )

    assert services.exit_reviews_detect(as_of=birthday - timedelta(days=2)) == 0
    # The runs of the two birthdays were missed; today's finds both.
    assert services.exit_reviews_detect(as_of=today) == 2
    assert _items() == {
        ("昨天十六", "16", birthday, ""),
        ("前天十八", "18", birthday - timedelta(days=1), ""),
    }
    assert services.exit_reviews_detect(as_of=today) == 0
    assert services.exit_reviews_detect(as_of=today + timedelta(days=1)) == 0
    assert ExitReview.objects.count() == 2


def test_a_child_already_18_gets_the_18_item_alone_and_older_ones_none(place, today):
    make_child(place.village, name="留守十八", birth_date=years_ago(18, days=30))
    make_child(place.village, name="留守十七", birth_date=years_ago(17))
    make_child(place.village, name="十九", birth_date=years_ago(19), **ORPHAN)

    assert services.exit_reviews_detect(as_of=today) == 2
    assert {(name, reason) for name, reason, *_ in _items()} == {
        ("留守十八", "18"),
        ("留守十七", "16"),
    }


def test_detection_reads_only_the_birth_date_window_in_bulk(place, today):
    for n in range(3):
        make_child(place.village, name=f"留守十六{n}", birth_date=years_ago(16))
    with CaptureQueriesContext(connection) as queries:
        assert services.exit_reviews_detect(as_of=today) == 3
    # The children of the window, the county's settings once, one insert.
    select, settings, insert = [q["sql"] for q in queries.captured_queries]
    assert '"registry_child"."birth_date" BETWEEN' in select
    assert '"registry_visitpolicy"' in settings
    assert '"registry_exitreview"' in insert


def test_exited_children_are_not_detected(place, today):
    gone = make_child(place.village, name="已退出", birth_date=years_ago(16))
    services.child_exit(
        actor=place.director,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=today,
    )
    assert services.exit_reviews_detect(as_of=today) == 0


def test_the_nightly_task_and_the_command_run_the_detection(place, today):
    birthday = today + timedelta(days=3)
    make_child(place.village, name="将满十六", birth_date=years_ago(16, days=-3))

    result = reclassify_children.enqueue((birthday - timedelta(days=1)).isoformat())
    assert result.return_value == 0
    assert not ExitReview.objects.exists()

    result = reclassify_children.enqueue(birthday.isoformat())
    assert result.return_value == 1  # the reclassification's count, as before
    assert _items() == {("将满十六", "16", birthday, "")}

    ExitReview.objects.all().delete()
    call_command("children_reclassify", "--date", birthday.isoformat())
    assert _items() == {("将满十六", "16", birthday, "")}


# --- the worklist page ----------------------------------------------------------------


@pytest.fixture
def worklist(place, today):
    """A left-behind child who turned 16 today, an orphan who turned 18 in 初中 (not
    full-time school) and a child who turned 18, one in another village and one in no
    category, detected for today."""
    sixteen = make_child(place.village, name="留守十六", birth_date=years_ago(16))
    orphan = make_child(
        place.village,
        name="孤儿十八",
        birth_date=years_ago(18, days=2),
        schooling="初中",
        **ORPHAN,
    )
    eighteen = make_child(
        place.village, name="十八", birth_date=years_ago(18), **AT_HOME
    )
    make_child(place.other_village, name="邻村十六", birth_date=years_ago(16))
    make_child(place.village, name="无类", birth_date=years_ago(8), **AT_HOME)
    services.exit_reviews_detect(as_of=today)
    return {
        "sixteen": ExitReview.objects.get(child=sixteen),
        "orphan": ExitReview.objects.get(child=orphan),
        "eighteen": ExitReview.objects.get(child=eighteen),
        "neighbour": ExitReview.objects.get(child__name="邻村十六"),
    }


def test_the_page_lists_the_items_of_the_jurisdiction_with_their_forms(
    place, worklist, today
):
    response = _client(place.director).get(REVIEW)
    assert response.status_code == 200
    text = _text(response)
    assert '年龄到期待复核 <span class="badge text-bg-warning">3</span>' in text
    # 留守十六 and 十八 are in no category now, as is 无类; only 无类 is listed there,
    # the other two are listed above with their exit forms.
    assert '不再符合任何类别 <span class="badge text-bg-secondary">1</span>' in text
    aging = _aging_section(response)
    # Earliest birthday first; the other village's child is not this director's.
    assert re.findall(
        r'<a class="fw-bold" href="/children/\d+/">([^<]+)</a>', aging
    ) == [
        "孤儿十八",
        "留守十六",
        "十八",
    ]
    assert "邻村十六" not in text
    sixteen = worklist["sixteen"]
    assert (
        f'<a class="fw-bold" href="/children/{sixteen.child_id}/">留守十六</a>' in aging
    )
    assert "<span>16岁</span>" in aging
    assert "年满16周岁（农村留守儿童身份终止）" in aging
    # The date is the 16th birthday, not the child's date of birth.
    assert f"16周岁生日 {today:%Y-%m-%d} · 守望村" in aging
    assert f">生日 {today:%Y-%m-%d}" not in aging
    # The orphan turned 18 in 初中 (not full-time school): an orphan no longer.
    assert '<span class="badge text-bg-primary me-1">孤儿</span>' not in aging
    assert '<span class="badge text-bg-secondary">不属于任何类别</span>' in aging
    assert (
        "年满18周岁的孤儿如仍在全日制学校就读，请先把就学状况改为高中、中职或高职及以上"
        "（孤儿身份随之保留），再选择“保留在册”"
    ) in aging
    # The exit form: reason preselected, the birthday as the exit date.
    assert f'action="/children/review/{sixteen.pk}/exit/"' in aging
    assert f'action="/children/review/{sixteen.pk}/keep/"' in aging
    assert '<option value="年满16周岁" selected>年满16周岁</option>' in aging
    assert '<option value="年满18周岁" selected>年满18周岁</option>' in aging
    orphan_birthday = (today - timedelta(days=2)).isoformat()
    assert f'id="id_exit_date_{worklist["orphan"].pk}"' in aging
    assert f'value="{orphan_birthday}"' in aging
    # The supervisor sees the whole township; another county sees nothing of it.
    supervisor = _text(_client(place.supervisor).get(REVIEW))
    assert '年龄到期待复核 <span class="badge text-bg-warning">4</span>' in supervisor
    foreign = _text(_client(place.foreign_civil).get(REVIEW))
    assert "没有年龄到期待复核的儿童。" in foreign
    assert "留守十六" not in foreign


def test_keeping_a_child_needs_a_reason_and_takes_the_item_off_the_list(
    place, worklist
):
    review = worklist["orphan"]
    client = _client(place.director)

    response = client.post(f"/children/review/{review.pk}/keep/", {"note": "  "})
    assert response["Location"] == REVIEW
    page = client.get(REVIEW)
    assert _messages(page) == ["孤儿十八 保留未完成：请说明保留在册的理由。"]
    assert "孤儿十八" in _aging_section(page)
    review.refresh_from_db()
    assert review.resolution == ""
    assert not AuditEvent.objects.filter(action="child.exit_review_keep").exists()

    response = client.post(
        f"/children/review/{review.pk}/keep/", {"note": "仍在县一中就读高三"}
    )
    page = client.get(response["Location"])
    assert _messages(page) == [
        "已保留 孤儿十八 在册（年满18周岁），理由已记录，该事项不再列入清单。"
    ]
    assert "孤儿十八" not in _aging_section(page)
    review.refresh_from_db()
    assert (review.resolution, review.note, review.resolved_by) == (
        "kept",
        "仍在县一中就读高三",
        place.director,
    )
    assert review.resolved_at is not None
    [audit] = AuditEvent.objects.filter(action="child.exit_review_keep")
    assert (audit.actor, audit.object_id, audit.area_id) == (
        place.director,
        str(review.child_id),
        place.village.code,
    )
    child = review.child
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 1)

    # A resolved item never comes back, and cannot be resolved twice.
    assert services.exit_reviews_detect(as_of=timezone.localdate()) == 0
    response = client.post(f"/children/review/{review.pk}/keep/", {"note": "再次"})
    assert _messages(client.get(response["Location"])) == [
        "孤儿十八 保留未完成：该事项已处理（保留在册），无需再处理。"
    ]


def test_exiting_from_the_worklist_resolves_the_item(place, worklist, today):
    review = worklist["sixteen"]
    client = _client(place.director)
    response = client.post(
        f"/children/review/{review.pk}/exit/",
        {
            "version": "1",
            "reason": "年满16周岁",
            "exit_date": today.isoformat(),
            "note": "已满16周岁",
        },
    )
    assert response["Location"] == REVIEW
    page = client.get(REVIEW)
    assert _messages(page) == [
        "留守十六 已退出儿童信息库，记录和历史均保留，可随时重新纳入。"
    ]
    assert "留守十六" not in _text(client.get(REVIEW))  # on neither list now
    review.refresh_from_db()
    assert (review.resolution, review.resolved_by) == ("exited", place.director)
    child = Child.objects.get(pk=review.child_id)
    assert (child.status, child.exit_reason, child.exit_date) == (
        "exited",
        "年满16周岁",
        today,
    )
    # Re-admitted, the child does not come back on the worklist for the same birthday.
    services.child_readmit(actor=place.director, child_id=child.pk, expected_version=2)
    assert services.exit_reviews_detect(as_of=today) == 0
    assert "留守十六" not in _aging_section(client.get(REVIEW))


def test_a_refused_exit_from_the_worklist_says_why_and_keeps_the_item(
    place, worklist, today
):
    review = worklist["eighteen"]
    client = _client(place.director)
    response = client.post(
        f"/children/review/{review.pk}/exit/",
        {"version": "1", "reason": "", "exit_date": today.isoformat()},
    )
    assert _messages(client.get(response["Location"])) == [
        "十八 退出未完成：请选择退出原因。"
    ]
    response = client.post(
        f"/children/review/{review.pk}/exit/",
        {"version": "7", "reason": "年满18周岁", "exit_date": today.isoformat()},
    )
    assert _messages(client.get(response["Location"])) == [
        "十八：保存失败：在您编辑期间，该记录已被他人修改（当前为第1版）。"
        "您填写的内容没有丢失，请对照后重新提交。"
    ]
    review.refresh_from_db()
    assert review.resolution == ""
    assert Child.objects.get(pk=review.child_id).status == "active"


def test_an_exit_anywhere_resolves_every_open_item_of_the_child(place, today):
    child = make_child(place.village, name="留守十八", birth_date=years_ago(18))
    ExitReview.objects.create(child=child, reason="16", due_on=today)
    ExitReview.objects.create(child=child, reason="18", due_on=today)
    services.child_exit(
        actor=place.supervisor,
        child_id=child.pk,
        expected_version=1,
        reason="年满18周岁",
        exit_date=today,
    )
    assert set(ExitReview.objects.values_list("resolution", "resolved_by")) == {
        ("exited", place.supervisor.pk)
    }


# --- who may ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(worklist):
    review = worklist["sixteen"]
    for url, method in (
        (REVIEW, "get"),
        (f"/children/review/{review.pk}/keep/", "post"),
        (f"/children/review/{review.pk}/exit/", "post"),
    ):
        response = getattr(Client(), method)(url, {"note": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    review.refresh_from_db()
    assert review.resolution == ""


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_roles_without_casework_are_refused(place, worklist, who):
    review = worklist["sixteen"]
    client = _client(getattr(place, who))
    for url, method in (
        (REVIEW, "get"),
        (f"/children/review/{review.pk}/keep/", "post"),
        (f"/children/review/{review.pk}/exit/", "post"),
    ):
        response = getattr(client, method)(url, {"note": "保留", "version": "1"})
        assert response.status_code == 403, url
        assert FORBIDDEN in _text(response)
        assert "留守十六" not in _text(response)
    review.refresh_from_db()
    assert review.resolution == ""
    assert not AuditEvent.objects.filter(action="child.exit_review_keep").exists()


def test_another_village_answers_like_a_missing_item(place, worklist, today):
    review = worklist["sixteen"]
    missing = ExitReview.objects.order_by("-pk").first().pk + 100
    for user in (place.other_director, place.foreign_director, place.foreign_civil):
        client = _client(user)
        for action, data in (
            ("keep", {"note": "保留"}),
            ("exit", {"version": "1", "reason": "年满16周岁", "exit_date": today}),
        ):
            theirs = client.post(f"/children/review/{review.pk}/{action}/", data)
            nothing = client.post(f"/children/review/{missing}/{action}/", data)
            assert theirs.status_code == nothing.status_code == 404
            assert NOT_FOUND in _text(theirs)
            assert "留守十六" not in _text(theirs)
    review.refresh_from_db()
    assert review.resolution == ""
    assert Child.objects.get(pk=review.child_id).status == "active"


def test_the_worklist_actions_take_posts_only(place, worklist):
    review = worklist["sixteen"]
    client = _client(place.director)
    for action in ("keep", "exit"):
        response = client.get(f"/children/review/{review.pk}/{action}/")
        assert response.status_code == 405
