"""Each role's home page through HTTP: today's work with the right counts for the
jurisdiction, each item linked to its list, nothing of a foreign county, and a handful
of queries."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.areas.models import Area
from shouwang.registry.models import AgingOutReason, Child, ExitReview
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.visits.services import cycle as cycle_services
from shouwang.visits.tests.factories import make_visit
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _home(user):
    response = _client(user).get("/")
    assert response.status_code == 200
    return response


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _tasks(response) -> dict:
    return {t.key: t for t in response.context["tasks"]}


@pytest.fixture
def ledger(place):
    """The home village: one child overdue, one due today, one due in 5 days with a
    follow-up asked for; the other village one overdue; the foreign county one
    overdue. Every child is left-behind (a confirmation needed, none signed)."""
    today = timezone.localdate()
    director = place.director
    # Medium risk (every 30 days).
    late = make_child(place.village, name="张晓明")
    make_visit(late, visit_date=today - timedelta(days=34), recorded_by=director)
    make_child(place.village, name="李娜")  # never visited: due today
    follow = make_child(place.village, name="王小红")
    make_visit(
        follow,
        visit_date=today - timedelta(days=2),
        recorded_by=director,
        followup_needed=True,
        followup_due=today + timedelta(days=5),
    )
    neighbour = make_child(place.other_village, name="向阳娃")
    make_visit(neighbour, visit_date=today - timedelta(days=40), recorded_by=director)
    foreign = make_child(place.foreign_village, name="外县娃")
    make_visit(
        foreign,
        visit_date=today - timedelta(days=60),
        recorded_by=place.foreign_director,
    )
    ExitReview.objects.create(
        child=late, reason=AgingOutReason.AGE_16, due_on=today - timedelta(days=1)
    )
    return {"late": late, "follow": follow, "foreign": foreign}


def test_a_director_sees_today_s_work_for_the_own_village(
    place, ledger, django_assert_max_num_queries
):
    year, quarter = cycle_services.current_quarter(timezone.localdate())
    cycle = cycle_services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    client = _client(place.director)
    # A fixed number, whatever the village holds: the session and the user, the area
    # path, then one query for each item of the page (R8: 3 for the school list check
    # — the school-age children, the lists, the open dropouts; R10: 1 for the open and
    # overdue alerts).
    with django_assert_max_num_queries(18 + 3 + 1):
        response = client.get("/")
    assert response.status_code == 200
    due = response.context["due"]
    assert (due.overdue, due.today, due.soon) == (1, 1, 1)
    assert [(c.name, c.due_text) for c in response.context["due_children"]] == [
        ("张晓明", "逾期4天"),
        ("李娜", "今天"),
        ("王小红", "5天后"),
    ]
    tasks = _tasks(response)
    assert tasks["followups"].count == 1
    assert tasks["followups"].url == "/visits/followups/"
    assert tasks["confirmations"].count == 3
    assert tasks["confirmations"].url == "/visits/confirmations/"
    assert tasks["exit_reviews"].count == 1
    assert tasks["exit_reviews"].url == "/children/review/"
    review = cycle.villages.get(village=place.village)
    cycle_task = tasks[f"cycle-{cycle.pk}"]
    assert cycle_task.count == 3  # the village's three children, none confirmed
    assert cycle_task.url == f"/visits/cycles/reviews/{review.pk}/"
    assert cycle_task.note == "本村尚未提交：逐一确认儿童后提交"
    text = _text(response)
    assert "今天要走访" in text
    assert 'href="/visits/due/"' in text
    assert "查看全部待走访（3）" in text
    assert f'href="/children/{ledger["late"].pk}/"' in text
    for foreign in ("向阳娃", "外县娃"):
        assert foreign not in text
    assert "villages_behind" not in response.context


def test_a_returned_village_is_urgent_for_its_director(place, ledger):
    year, quarter = cycle_services.current_quarter(timezone.localdate())
    cycle = cycle_services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    review = cycle.villages.get(village=place.village)
    cycle_services.children_confirm_unchanged(
        actor=place.director,
        village_review_id=review.pk,
        child_ids=list(
            Child.objects.filter(village=place.village).values_list("pk", flat=True)
        ),
    )
    review.refresh_from_db()
    cycle_services.village_submit(
        actor=place.director,
        village_review_id=review.pk,
        expected_version=review.version,
    )
    review.refresh_from_db()
    cycle_services.village_return(
        actor=place.supervisor,
        village_review_id=review.pk,
        expected_version=review.version,
        comment="请核对王小红的监护人",
    )
    task = _tasks(_home(place.director))[f"cycle-{cycle.pk}"]
    assert task.urgent
    assert task.note == "已被退回：按审核意见修改后重新提交"
    # The supervisor: no village waits for review now.
    supervisor_task = _tasks(_home(place.supervisor))[f"cycle-{cycle.pk}"]
    assert supervisor_task.count == 0
    assert supervisor_task.url == f"/visits/cycles/{cycle.pk}/"


def test_a_supervisor_sees_the_villages_behind(
    place, ledger, django_assert_max_num_queries
):
    year, quarter = cycle_services.current_quarter(timezone.localdate())
    cycle = cycle_services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    client = _client(place.supervisor)
    with django_assert_max_num_queries(23 + 3):  # R8: the school list check
        response = client.get("/")
    assert response.status_code == 200
    due = response.context["due"]
    # The township: the home village's three and the other village's overdue child.
    assert (due.overdue, due.today, due.soon) == (2, 1, 1)
    behind = {v.name: v for v in response.context["villages_behind"]}
    assert list(behind) == ["守望村", "向阳村"]  # most overdue first: tie, by code
    assert (behind["守望村"].overdue, behind["守望村"].missing) == (1, 3)
    assert behind["守望村"].overdue_rate == 33.3
    assert (behind["向阳村"].overdue, behind["向阳村"].missing) == (1, 1)
    assert behind["向阳村"].overdue_url == "/visits/overdue/children/?area=430524911002"
    assert behind["向阳村"].missing_url == "/visits/confirmations/?area=430524911002"
    review = cycle.villages.get(village=place.other_village)
    assert behind["向阳村"].review_url == f"/visits/cycles/reviews/{review.pk}/"
    tasks = _tasks(response)
    assert tasks[f"cycle-{cycle.pk}"].count == 0  # nothing submitted yet
    assert tasks["followups"].count == 1
    assert tasks["confirmations"].count == 4
    text = _text(response)
    assert "需要督促的村" in text
    assert 'href="/visits/overdue/children/?area=430524911002"' in text
    assert "外县" not in text
    assert "青石村" not in text  # another township


def test_civil_affairs_see_rates_by_township_with_the_lagging_first(
    place, ledger, django_assert_max_num_queries
):
    year, quarter = cycle_services.current_quarter(timezone.localdate())
    cycle = cycle_services.cycle_open(actor=place.civil, year=year, quarter=quarter)
    client = _client(place.civil)
    # R7 added a fixed number: the protection panel (6: the desk, cases awaiting
    # assessment, overdue cases and referrals, grants to review) and the protection
    # figures among today's (8 counted, then 2 checks that nothing was entered since);
    # R8 the schooling figures (1 more counted with today's stocks, then 2 checks;
    # the suspected children: school-age rows, lists, open cases; returns so far);
    # R9 the allowance standards in force (one query for the area and its units),
    # the payments (3), programme aid, foundlings and 应保未保 (2); R10 the
    # department-exchange figures (measures and alerts: 7, one per source); R11
    # the joint-work figures (meetings and tasks, letters and community care: 10),
    # and the office's overdue tasks and next year's letters to sign (5).
    with django_assert_max_num_queries(30 + 6 + 8 + 1 + 4 + 1 + 7 + 7 + 10 + 5):
        client.get("/")  # counts today's figures once and stores them
    # Reading them: the stored figures, and the standards in force (R9), which are
    # not stored (a value of each area itself, read on the page); R9's three flow
    # sources each check that nothing was entered since, as do R10's two (measures,
    # alerts) and R11's (meetings, tasks, letters, the five kinds of care: 7); the
    # office's overdue tasks and next year's letters (5).
    with django_assert_max_num_queries(18 + 6 + 2 + 2 + 1 + 3 + 2 + 7 + 5):
        response = client.get("/")  # then reads them
    overview = response.context["overview"]
    total = overview.total
    # The county: 4 children with a due date, 2 overdue; 4 need a confirmation.
    assert (total.overdue, total.overdue_rate) == (2, 50.0)
    assert (total.missing, total.signed_rate) == (4, 0.0)
    assert total.overdue_url == "/visits/overdue/?area=430524000000"
    assert total.coverage_url == "/visits/confirmations/?area=430524000000"
    assert (total.review.villages, total.review.approved) == (3, 0)
    rows = {row.area.name: row for row in overview.rows}
    assert set(rows) == {"守望镇", "青石镇"}
    assert rows["守望镇"].overdue_rate == 50.0
    assert rows["青石镇"].overdue_rate is None  # nobody to visit there
    assert rows["守望镇"].approved_text == "0/2"
    assert rows["守望镇"].lagging == []  # no worse than the county as a whole
    assert _tasks(response)[f"cycle-{cycle.pk}"].url == f"/visits/cycles/{cycle.pk}/"
    figures = {f["key"]: f["value"] for f in response.context["child_figures"]}
    assert figures["children.total"] == 4
    assert figures["visits.overdue"] == 2
    text = _text(response)
    assert "隆回县工作进度" in text
    assert "50.0%" in text
    assert "外县" not in text


def test_a_township_behind_the_county_is_marked(place, ledger):
    # A child in the other township, visited on time: its overdue rate is 0.
    far = make_child(place.far_village, name="青石娃")
    make_visit(far, visit_date=timezone.localdate(), recorded_by=place.civil)
    response = _home(place.civil)
    rows = response.context["overview"].rows
    assert [(r.area.name, r.lagging) for r in rows] == [
        ("守望镇", ["逾期率偏高"]),
        ("青石镇", []),
    ]
    assert "逾期率偏高" in _text(response)


def test_a_leader_sees_the_rates_and_the_dashboard_but_no_lists(place, ledger):
    response = _home(place.leader)
    overview = response.context["overview"]
    assert overview.total.overdue_rate == 50.0
    assert overview.total.coverage_url == ""  # the coverage page names children
    assert not overview.reviews
    assert "tasks" not in response.context
    text = _text(response)
    assert 'href="/reports/?area=430524000000"' in text
    assert 'href="/visits/overdue/?area=430524000000"' in text
    assert "/children/" not in text
    assert "/visits/confirmations/" not in text
    assert "张晓明" not in text


@pytest.mark.parametrize(
    ("unit", "says"),
    [
        (Unit.POLICE, "受案后 3 日内把受案情况告知报告单位"),
        (Unit.WOMENS_FEDERATION, "结对志愿者"),
    ],
)
def test_a_member_unit_sees_what_the_product_will_do_for_it(place, ledger, unit, says):
    user = make_user(Role.DEPARTMENT, place.county, unit=unit)
    response = _home(user)
    text = _text(response)
    label = Unit(unit).label
    assert f"{label}在守望中的工作" in text
    assert f"后续版本将为{label}提供" in text
    assert "接收转介" in text
    assert says in text
    assert "目前您的账号看不到儿童信息" in text
    assert 'href="/accounts/password/"' in text
    # Nothing of the ledger: no figures, no children, no worklists.
    for key in ("child_figures", "due", "tasks", "overview"):
        assert key not in response.context
    assert "张晓明" not in text


def test_the_education_unit_sees_its_dropout_control_work(place, ledger):
    from shouwang.registry.tests.factories import years_ago
    from shouwang.schooling.comparison import born_between
    from shouwang.schooling.models import EnrolmentList

    user = make_user(Role.DEPARTMENT, place.county, unit=Unit.EDUCATION)
    tasks = _tasks(_home(user))
    assert tasks["enrolment"].count == 0 and tasks["enrolment"].urgent
    assert tasks["enrolment"].note == "还没有上传学籍名单：上传后才能比对"
    assert tasks["schooling"].note == "本辖区还没有学籍名单可比对"
    make_child(place.village, name="赵小军", birth_date=years_ago(10))
    make_child(place.far_village, name="远村", birth_date=years_ago(11))
    EnrolmentList.objects.create(
        area=place.county, listed_on=timezone.localdate(), row_count=0
    )
    response = _home(user)
    tasks = _tasks(response)
    # The list names nobody: every school-age child of the county with an ID number.
    first, last = born_between(timezone.localdate(), (6, 15))
    school_age = Child.objects.filter(
        village__code__startswith="430524",
        birth_date__range=(first, last),
        id_number__isnull=False,
    )
    assert school_age.filter(name__in=["赵小军", "远村"]).count() == 2
    assert (tasks["schooling"].count, tasks["schooling"].url) == (
        school_age.count(),
        "/schooling/worklist/",
    )
    assert tasks["dropouts"].url == "/schooling/dropouts/?status=open"
    assert tasks["enrolment"].count == 1 and not tasks["enrolment"].urgent
    assert tasks["enrolment"].note.startswith("最新一份：隆回县")
    text = _text(response)
    assert "控辍保学：上传本辖区的学籍名单" in text
    assert 'href="/schooling/enrolment/"' in text
    assert "后续版本将为教育提供" not in text  # dropout control is here now
    # Nothing else of the ledger: no figures, no visits, no children named.
    for key in ("child_figures", "due", "overview"):
        assert key not in response.context
    assert "张晓明" not in text and "赵小军" not in text


def test_the_administrator_sees_accounts_and_areas(place):
    response = _home(place.admin)
    areas = response.context["areas_by_level"]
    # The whole country: the shipped areas and the test's own.
    assert areas["县"] == Area.objects.filter(level="county").count()
    assert (areas["乡镇"], areas["村（社区）"]) == (3, 4)
    accounts = {label: (n, url) for label, n, url in response.context["accounts"]}
    assert accounts["儿童主任"] == (
        3,
        "/accounts/users/?role=director&active=1",
    )
    assert 'href="/accounts/users/?role=director&amp;active=1"' in (
        response.content.decode()
    )
    assert "users-chart" not in response.content.decode()


def test_the_accounts_page_has_the_accounts_by_role_chart(place):
    response = _client(place.civil).get("/accounts/users/")
    assert response.status_code == 200
    by_role = response.context["users_by_role"]
    # The home county only: the foreign county's director and staff are not counted.
    assert by_role["儿童主任"] == 2
    assert by_role["民政干部"] == 1
    assert response.context["chart"]["values"] == list(by_role.values())
    body = response.content.decode()
    assert 'id="users-chart-data"' in body
    assert 'data-bar-chart="users-chart-data"' in body
    assert "/static/web/charts.js" in body


def test_the_follow_up_list(place, ledger):
    response = _client(place.director).get("/visits/followups/")
    assert response.status_code == 200
    assert [c.name for c in response.context["page"]] == ["王小红"]
    text = _text(response)
    assert "共 1 名儿童待跟进" in text
    assert "5天后" in text
    assert f'href="/visits/children/{ledger["follow"].pk}/new/"' in text
    # Another county's director sees none of them; a leader may not open the list.
    other = _client(place.foreign_director).get("/visits/followups/")
    assert list(other.context["page"]) == []
    assert _client(place.leader).get("/visits/followups/").status_code == 403
