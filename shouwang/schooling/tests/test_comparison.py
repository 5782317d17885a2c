"""三比对 and the dropout register through the services: who is suspected and why,
discrepancies, manual checks, clearances, and a dropout followed to its return."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shouwang.accounts.models import Role, Unit
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, make_place, years_ago
from shouwang.reports.tests.history import days_ago, registered_days_ago
from shouwang.schooling import services
from shouwang.schooling.comparison import Listed, born_between, compare, judge
from shouwang.schooling.models import EnrolmentList, EnrolmentRow
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_the_birth_window_holds_ages_6_to_15_exactly(as_of):
    first, last = born_between(as_of, (6, 15))

    def age(born):
        return (
            as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        )

    assert age(first) == 15 and age(last) == 6
    assert age(first - timedelta(days=1)) == 16
    assert age(last + timedelta(days=1)) == 5


@pytest.mark.parametrize(
    ("schooling", "listed", "reason", "discrepancy"),
    [
        ("小学", None, "未在学籍名单", None),
        ("小学", Listed("在读", "育才小学", "三年级"), None, None),
        (
            "初中",
            Listed("辍学", "二中", "初二"),
            "学籍状态辍学",
            "台账为“初中”，学籍名单为“辍学”",
        ),
        (
            "初中",
            Listed("休学", "二中", "初二"),
            "学籍状态休学",
            "台账为“初中”，学籍名单为“休学”",
        ),
        (
            "辍学",
            Listed("在读", "育才小学", "五年级"),
            None,
            "台账为“辍学”，学籍名单为“在读”（育才小学）",
        ),
        ("辍学", Listed("辍学", "二中", "初一"), "学籍状态辍学", None),
    ],
)
def test_judge(schooling, listed, reason, discrepancy):
    assert judge(schooling=schooling, listed=listed) == (reason, discrepancy)


def _list(area, rows, *, listed_on=None):
    enrolment_list = EnrolmentList.objects.create(
        area=area, listed_on=listed_on or TODAY, row_count=len(rows)
    )
    EnrolmentRow.objects.bulk_create(
        EnrolmentRow(
            enrolment_list=enrolment_list,
            row_number=i,
            name=child.name,
            id_number=child.id_number,
            school="育才小学",
            grade="三年级",
            status=status,
        )
        for i, (child, status) in enumerate(rows, start=2)
    )
    return enrolment_list


@pytest.fixture
def place():
    return make_place()


def test_compare_finds_the_missing_the_dropped_and_the_unnumbered(place):
    listed = make_child(place.village, name="在读", birth_date=years_ago(9))
    missing = make_child(place.village, name="缺失", birth_date=years_ago(10, days=3))
    dropped = make_child(
        place.village, name="辍学", birth_date=years_ago(13, days=5), schooling="初中"
    )
    make_child(place.village, name="幼儿", birth_date=years_ago(4))  # not school-age
    make_child(place.village, name="无号", birth_date=years_ago(8), id_number=None)
    make_child(
        place.far_village, name="别村", birth_date=years_ago(9, days=9)
    )  # no list there
    _list(place.township, [(listed, "在读"), (dropped, "辍学")])
    result = compare(prefix="430524", as_of=TODAY)
    assert result.school_age == 5
    # In village order, then by the pinyin of the name (chuò before quē).
    assert [(s.name, s.reason) for s in result.suspected] == [
        ("辍学", "学籍状态辍学"),
        ("缺失", "未在学籍名单"),
    ]
    assert [d.name for d in result.discrepancies] == ["辍学"]
    assert [name for _, name, _ in result.unnumbered] == ["无号"]
    assert result.uncovered_villages == {place.far_village.code}
    assert {s.child_id for s in result.suspected} == {missing.pk, dropped.pk}


def test_the_latest_list_is_the_one_compared(place):
    child = make_child(place.village, name="转学", birth_date=years_ago(9))
    registered_days_ago(child, 60)
    older = _list(place.county, [], listed_on=TODAY - timedelta(days=30))
    EnrolmentList.objects.filter(pk=older.pk).update(created_at=days_ago(30))
    assert [s.reason for s in compare(prefix="430524", as_of=TODAY).suspected] == [
        "未在学籍名单"
    ]
    _list(place.township, [(child, "在读")])
    assert compare(prefix="430524", as_of=TODAY).suspected == []
    # As of a date before the newer list, the older one stands.
    assert len(compare(prefix="430524", as_of=TODAY - timedelta(days=1)).suspected) == 1


def test_a_dropout_is_registered_persuaded_twice_and_returns(place):
    child = make_child(
        place.village, name="小强", birth_date=years_ago(13), schooling="初中"
    )
    enrolment = _list(place.county, [(child, "辍学")])
    education = make_user(
        Role.DEPARTMENT, place.county, unit=Unit.EDUCATION, username="edu"
    )
    assert [s.child_id for s in compare(prefix="430524", as_of=TODAY).suspected] == [
        child.pk
    ]
    case = services.dropout_register(
        actor=education,
        child_id=child.pk,
        values={
            "school": "第二中学",
            "grade": "初二",
            "left_on": TODAY - timedelta(days=20),
            "reason": "学习困难或厌学",
            "responsibles": [
                {"role": "校长", "name": "李校长"},
                {"role": "村干部", "name": "王村长"},
            ],
        },
    )
    assert Child.objects.get(pk=child.pk).schooling == "辍学"
    assert (
        compare(prefix="430524", as_of=TODAY).suspected == []
    )  # registered, not suspected
    for result in ("拒绝返校", "同意返校"):
        services.persuasion_record(
            actor=place.director,
            case_id=case.pk,
            values={
                "on": TODAY - timedelta(days=5),
                "by": "李校长、王村长",
                "method": "入户劝返",
                "result": result,
            },
        )
    with pytest.raises(services.InvalidInput) as error:
        services.dropout_close(
            actor=education, case_id=case.pk, values={"outcome": "", "evidence": ""}
        )
    assert error.value.problems["outcome"] == ["请选择销号结果。"]
    case = services.dropout_close(
        actor=education,
        case_id=case.pk,
        values={
            "outcome": "返校复学",
            "outcome_on": TODAY,
            "evidence": "学校出具的复学证明",
        },
    )
    child = Child.objects.get(pk=child.pk)
    assert child.schooling == "初中" and child.version == 3
    # Back in school after the list was made: not suspected again by that list…
    assert compare(prefix="430524", as_of=TODAY).suspected == []
    assert case.persuasions.count() == 2
    assert list(case.events.values_list("kind", flat=True)) == [
        "registered",
        "persuasion",
        "persuasion",
        "closed",
    ]
    with pytest.raises(DomainError, match="已销号，不能再办理"):
        services.persuasion_record(
            actor=education,
            case_id=case.pk,
            values={
                "on": TODAY,
                "by": "李校长",
                "method": "电话劝返",
                "result": "同意返校",
            },
        )
    # …but a list uploaded since that leaves the child out is believed.
    newer = _list(place.county, [])
    assert [s.list_id for s in compare(prefix="430524", as_of=TODAY).suspected] == [
        newer.pk
    ]
    services.dropout_reopen(actor=education, case_id=case.pk, reason="又不去上学了")
    assert Child.objects.get(pk=child.pk).schooling == "辍学"
    assert compare(prefix="430524", as_of=TODAY).suspected == []  # open again
    _ = enrolment


def test_bad_dropout_input_names_the_field_and_saves_nothing(place):
    child = make_child(place.village, birth_date=years_ago(12))
    with pytest.raises(services.InvalidInput) as error:
        services.dropout_register(
            actor=place.director,
            child_id=child.pk,
            values={"school": "", "left_on": TODAY + timedelta(days=1), "reason": "玩"},
        )
    assert error.value.problems == {
        "school": ["请填写辍学前学校。"],
        "left_on": [f"辍学日期不能晚于今天（{TODAY:%Y-%m-%d}）。"],
        "reason": ["辍学原因“玩”不是可选的值，请从列表中选择。"],
    }
    assert not child.dropout_cases.exists()
    assert Child.objects.get(pk=child.pk).schooling == "小学"


def test_other_counties_and_leaders_cannot_touch_a_child(place):
    child = make_child(place.village, birth_date=years_ago(12))
    for user in (place.foreign_director, place.foreign_civil, place.leader):
        with pytest.raises(NotFound):
            services.dropout_register(
                actor=user,
                child_id=child.pk,
                values={"school": "x", "left_on": TODAY, "reason": "其他"},
            )


def test_a_cleared_child_is_not_suspected_against_that_list(place):
    child = make_child(place.village, name="外地", birth_date=years_ago(10))
    enrolment = _list(place.county, [])
    services.suspect_clear(
        actor=place.director,
        child_id=child.pk,
        list_id=enrolment.pk,
        reason="在外地就读",
        note="在广东就读",
    )
    assert compare(prefix="430524", as_of=TODAY).suspected == []
    _list(place.county, [])  # a newer list judges afresh
    assert len(compare(prefix="430524", as_of=TODAY).suspected) == 1


def test_the_command_prints_the_check_as_json(place):
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    listed = make_child(place.village, name="在读", birth_date=years_ago(9))
    missing = make_child(place.village, name="缺失", birth_date=years_ago(10))
    _list(place.county, [(listed, "在读")])
    out = io.StringIO()
    call_command("schooling_check", "--area", place.county.code, "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["school_age"] == 2
    assert report["suspected"] == [
        {
            "child_id": missing.pk,
            "name": "缺失",
            "village": "守望村",
            "reason": "未在学籍名单",
        }
    ]
    assert report["discrepancies"] == []
    with pytest.raises(CommandError, match="晚于今天") as error:
        call_command(
            "schooling_check", "--area", place.county.code, "--date", "9999-01-01"
        )
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="不存在") as error:
        call_command("schooling_check", "--area", "999999999999")
    assert error.value.returncode == 2


def test_the_director_s_home_counts_the_children_missing_from_the_list(place):
    from django.test import Client

    make_child(place.village, name="缺失", birth_date=years_ago(10))
    client = Client()
    client.force_login(place.director)
    task = next(t for t in client.get("/").context["tasks"] if t.key == "schooling")
    assert (task.count, task.note) == (0, "本辖区还没有学籍名单可比对")
    _list(place.county, [])
    task = next(t for t in client.get("/").context["tasks"] if t.key == "schooling")
    assert task.count == 1 and task.url == "/schooling/worklist/"
    assert task.note == "与学籍名单比对；另有不一致 0 名，劝返中 0 名"


def test_villages_under_different_lists_are_judged_by_their_own_in_order(place):
    # The county's list covers every village; a newer township list covers two.
    here = make_child(place.village, name="乙", birth_date=years_ago(9))
    there = make_child(place.far_village, name="甲", birth_date=years_ago(10))
    both = make_child(place.village, name="甲", birth_date=years_ago(11))
    county = _list(place.county, [(here, "在读"), (both, "辍学")])
    township = _list(place.township, [(there, "在读"), (both, "在读")])
    result = compare(prefix="430524", as_of=TODAY)
    # 乙 is not on the township list; 甲 of 青石村 not on the county's; the other 甲
    # is 在读 by the township's list, whatever the older county list says.
    assert [(s.village_id, s.name, s.list_id) for s in result.suspected] == [
        (place.village.code, "乙", township.pk),
        (place.far_village.code, "甲", county.pk),
    ]
    assert result.school_age == 3 and not result.uncovered_villages
