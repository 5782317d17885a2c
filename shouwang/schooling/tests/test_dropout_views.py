"""The worklist and the dropout register pages through HTTP: each page and step, the
messages a user reads, and the denied paths."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, make_place, years_ago
from shouwang.schooling import services
from shouwang.schooling.models import (
    DropoutCase,
    EnrolmentList,
    EnrolmentRow,
    SuspectClearance,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _list(area, rows):
    enrolment_list = EnrolmentList.objects.create(
        area=area, listed_on=TODAY, row_count=len(rows)
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


def _text(response) -> str:
    return response.content.decode()


def _register(place, child, **values) -> DropoutCase:
    return services.dropout_register(
        actor=place.director,
        child_id=child.pk,
        values={
            "school": "第二中学",
            "grade": "初二",
            "left_on": TODAY - timedelta(days=30),
            "reason": "家庭经济困难",
            **values,
        },
    )


def test_the_worklist_shows_suspects_discrepancies_unchecked_and_counts(place):
    listed = make_child(place.village, name="在读", birth_date=years_ago(9))
    missing = make_child(place.village, name="缺失", birth_date=years_ago(10))
    dropped = make_child(
        place.village, name="辍学", birth_date=years_ago(13), schooling="初中"
    )
    make_child(place.village, name="无号", birth_date=years_ago(8), id_number=None)
    make_child(place.other_village, name="邻村", birth_date=years_ago(11))
    _list(place.county, [(listed, "在读"), (dropped, "辍学")])
    response = _client(place.director).get(reverse("schooling:worklist"))
    assert response.status_code == 200
    body = _text(response)
    assert (
        f"{TODAY:%Y-%m-%d}：适龄儿童 4 名，疑似失学辍学 2 名，劝返中 0 名，"
        "信息不一致 1 名，无身份证号待人工核查 1 名。"
    ) in body
    assert [s.child_id for s, _ in response.context["suspected"]] == [
        dropped.pk,
        missing.pk,
    ]
    assert "学籍状态辍学" in body and "未在学籍名单" in body
    assert "台账为“初中”，学籍名单为“辍学”" in body
    assert "邻村" not in body  # another director's village
    register = reverse("schooling:dropout-register", args=[missing.pk])
    assert f'href="{register}"' in body
    assert reverse("schooling:dropout-clear", args=[missing.pk]) in body
    # The township supervisor sees both villages, and may look at one.
    supervisor = _client(place.supervisor)
    response = supervisor.get(reverse("schooling:worklist"))
    assert "邻村" in _text(response)
    response = supervisor.get(
        reverse("schooling:worklist"), {"village": place.other_village.code}
    )
    assert [s.name for s, _ in response.context["suspected"]] == ["邻村"]
    assert "疑似失学辍学 3 名" in _text(response)  # the counts stay the area's
    # Not a village of the list (or of the area): the filter is ignored.
    response = supervisor.get(
        reverse("schooling:worklist"), {"village": place.far_village.code}
    )
    assert len(response.context["suspected"]) == 3


def test_the_worklist_is_paged_list_by_list(place, monkeypatch):
    from shouwang.schooling import views_dropout

    monkeypatch.setattr(views_dropout, "WORKLIST_PER_PAGE", 1)
    for i, age in enumerate((9, 10, 11)):
        make_child(place.village, name=f"缺{i}", birth_date=years_ago(age))
    for i in range(2):
        make_child(
            place.village, name=f"无号{i}", birth_date=years_ago(8), id_number=None
        )
    _list(place.county, [])
    client = _client(place.director)
    response = client.get(reverse("schooling:worklist"), {"page": 3, "upage": 2})
    assert [s.name for s, _ in response.context["suspected"]] == ["缺2"]
    assert [item[1] for item, _ in response.context["unnumbered"]] == ["无号1"]
    body = response.content.decode()
    # Each list's links keep the other list's page.
    assert 'href="?page=3&amp;upage=1#unnumbered"' in body
    assert 'href="?upage=2&amp;page=2#suspected"' in body


def test_a_suspect_is_cleared_with_a_reason(place):
    child = make_child(place.village, name="外地", birth_date=years_ago(10))
    enrolment = _list(place.county, [])
    client = _client(place.director)
    url = reverse("schooling:dropout-clear", args=[child.pk])
    response = client.post(url, {"list_id": enrolment.pk, "reason": "其他"})
    assert response.status_code == 400
    assert response.context["failed"].errors == {"note": ["请填写说明。"]}
    response = client.post(url, {"list_id": enrolment.pk, "reason": "玩"})
    assert response.context["failed"].errors == {
        "reason": ["排除理由“玩”不是可选的值，请从列表中选择。"]
    }
    assert not SuspectClearance.objects.exists()
    response = client.post(
        url,
        {"list_id": enrolment.pk, "reason": "在外地就读", "note": "在广东就读"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("schooling:worklist"), 302)]
    assert "已排除外地的疑似辍学：在外地就读。" in _text(response)
    assert list(response.context["suspected"]) == []
    clearance = SuspectClearance.objects.get()
    assert (clearance.enrolment_list, clearance.note) == (enrolment, "在广东就读")


def test_a_dropout_is_registered_persuaded_closed_and_reopened(place):
    child = make_child(
        place.village, name="小强", birth_date=years_ago(13), schooling="初中"
    )
    client = _client(place.director)
    url = reverse("schooling:dropout-register", args=[child.pk])
    assert "登记辍学：小强" in _text(client.get(url))
    response = client.post(
        url,
        {
            "school": "",
            "grade": "初二",
            "left_on": (TODAY + timedelta(days=1)).isoformat(),
            "reason": "家庭经济困难",
            "role_1": "校长",
            "name_1": "",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "school": ["请填写辍学前学校。"],
        "left_on": [f"辍学日期不能晚于今天（{TODAY:%Y-%m-%d}）。"],
        "__all__": ["第1位包保责任人：请填写姓名。"],
    }
    assert 'value="初二"' in _text(response)  # what was typed is kept
    response = client.post(url, {"left_on": "2026-02-30"})
    assert response.context["form"].errors == {
        "left_on": ["辍学日期格式不对：请按“年-月-日”填写，如 2026-09-01。"]
    }
    assert not DropoutCase.objects.exists()
    response = client.post(
        url,
        {
            "school": "第二中学",
            "grade": "初二",
            "left_on": (TODAY - timedelta(days=20)).isoformat(),
            "reason": "学习困难或厌学",
            "role_1": "校长",
            "name_1": "李校长",
            "role_2": "村干部",
            "name_2": "王村长",
            "phone_2": "13800000000",
        },
        follow=True,
    )
    case = DropoutCase.objects.get()
    detail = reverse("schooling:dropout-detail", args=[case.pk])
    assert response.redirect_chain == [(detail, 302)]
    assert "已登记小强辍学，请跟进劝返。" in _text(response)
    assert Child.objects.get(pk=child.pk).schooling == "辍学"
    assert [r.name for r in case.responsibles.all()] == ["李校长", "王村长"]

    response = client.post(
        reverse("schooling:dropout-plan", args=[case.pk]),
        {"expected_version": case.version, "plan": "", "role_1": "教师"},
    )
    assert response.status_code == 400
    assert response.context["forms"]["plan"].errors == {
        "plan": ["请填写劝返方案。"],
        "__all__": ["第1位包保责任人：请填写姓名。"],
    }
    response = client.post(
        reverse("schooling:dropout-plan", args=[case.pk]),
        {
            "expected_version": case.version,
            "plan": "班主任每周家访",
            "role_1": "教师",
            "name_1": "赵老师",
        },
        follow=True,
    )
    assert "已保存劝返方案和包保责任人。" in _text(response)
    assert [
        r.name for r in DropoutCase.objects.get().responsibles.filter(removed_at=None)
    ] == ["赵老师"]
    stale = client.post(
        reverse("schooling:dropout-plan", args=[case.pk]),
        {"expected_version": 1, "plan": "改", "role_1": "教师", "name_1": "赵老师"},
    )
    assert stale.status_code == 400
    assert stale.context["forms"]["plan"].non_field_errors() == [
        "保存失败：在您编辑期间，该登记已被他人更新（当前为第2版）。"
        "您填写的内容没有丢失，请刷新后对照重新提交。"
    ]

    persuade = reverse("schooling:dropout-persuasion", args=[case.pk])
    response = client.post(persuade, {"on": TODAY.isoformat(), "method": "入户劝返"})
    assert response.context["forms"]["persuasion"].errors == {
        "by": ["请填写劝返人员。"],
        "result": ["请选择劝返结果。"],
    }
    for result in ("拒绝返校", "同意返校"):
        response = client.post(
            persuade,
            {
                "on": TODAY.isoformat(),
                "by": "李校长、王村长",
                "method": "入户劝返",
                "result": result,
            },
            follow=True,
        )
        assert "已记录劝返情况。" in _text(response)

    close = reverse("schooling:dropout-close", args=[case.pk])
    response = client.post(close, {"evidence": ""})
    assert response.context["forms"]["close"].errors == {
        "outcome": ["请选择销号结果。"],
        "outcome_on": ["请填写销号日期（年-月-日）。"],
        "evidence": ["请填写佐证材料。"],
    }
    response = client.post(
        close,
        {
            "outcome": "返校复学",
            "outcome_on": TODAY.isoformat(),
            "evidence": "学校出具的复学证明",
        },
        follow=True,
    )
    body = _text(response)
    assert "已销号。" in body and "返校复学" in body
    assert Child.objects.get(pk=child.pk).schooling == "初中"
    assert set(response.context["forms"]) == {"reopen"}

    response = client.post(
        persuade,
        {
            "on": TODAY.isoformat(),
            "by": "李校长",
            "method": "电话劝返",
            "result": "同意返校",
        },
    )
    assert response.status_code == 400
    assert response.context["forms"]["persuasion"].non_field_errors() == [
        services.CLOSED
    ]
    reopen = reverse("schooling:dropout-reopen", args=[case.pk])
    response = client.post(reopen, {"reason": " "})
    assert response.context["forms"]["reopen"].errors == {
        "reason": ["请填写重新开启的理由。"]
    }
    response = client.post(reopen, {"reason": "又不去上学了"}, follow=True)
    assert "已重新开启，继续劝返。" in _text(response)
    assert Child.objects.get(pk=child.pk).schooling == "辍学"
    assert list(DropoutCase.objects.get().events.values_list("kind", flat=True)) == [
        "registered",
        "plan",
        "responsible",
        "persuasion",
        "persuasion",
        "closed",
        "reopened",
    ]


def test_the_detail_shows_the_priority_flags_and_the_timeline(place):
    child = make_child(
        place.village,
        name="小红",
        birth_date=years_ago(12),
        family_assistance=["建档立卡", "低保"],
        disability_category="肢体",
        disability_grade="二级",
    )
    case = _register(place, child, plan="每周家访")
    response = _client(place.supervisor).get(
        reverse("schooling:dropout-detail", args=[case.pk])
    )
    assert response.status_code == 200
    assert response.context["flags"] == [
        "农村留守儿童",
        "残疾儿童",
        "建档立卡户",
        "低保户",
    ]
    body = _text(response)
    assert "每周家访" in body and "登记辍学：第二中学初二，家庭经济困难" in body
    assert response.context["child_url"] == f"/children/{child.pk}/"


def test_the_list_puts_open_cases_first_and_filters(place):
    closed_child = make_child(place.village, name="已返校", birth_date=years_ago(12))
    closed = _register(place, closed_child)
    services.dropout_close(
        actor=place.director,
        case_id=closed.pk,
        values={"outcome": "返校复学", "outcome_on": TODAY, "evidence": "证明"},
    )
    open_case = _register(
        place,
        make_child(place.village, name="劝返中", birth_date=years_ago(12)),
        left_on=TODAY - timedelta(days=60),
    )
    foreign = make_child(place.foreign_village, name="外县", birth_date=years_ago(12))
    services.dropout_register(
        actor=place.foreign_director,
        child_id=foreign.pk,
        values={"school": "外县中学", "left_on": TODAY, "reason": "其他"},
    )
    client = _client(place.director)
    url = reverse("schooling:dropout-list")

    def listed(query=""):
        return [c.pk for c in client.get(url + query).context["page"]]

    assert listed() == [open_case.pk, closed.pk]
    assert listed("?status=closed") == [closed.pk]
    assert listed("?status=open") == [open_case.pk]
    assert listed("?status=x&page=abc") == [open_case.pk, closed.pk]
    assert "外县" not in _text(client.get(url))


def test_the_education_unit_sees_schooling_and_cases_but_not_the_ledger(place):
    child = make_child(
        place.village,
        name="小明",
        birth_date=years_ago(12),
        guardian_phone="13912345678",
        family_assistance=["低保"],
    )
    suspect = make_child(
        place.village,
        name="小芳",
        birth_date=years_ago(10),
        guardian_phone="13912345679",
    )
    _list(place.county, [])
    case = _register(place, child)
    client = _client(place.department)
    pages = [
        (reverse("schooling:worklist"), "小芳"),
        (reverse("schooling:dropout-list"), "小明"),
        (reverse("schooling:dropout-detail", args=[case.pk]), "小明"),
        (reverse("schooling:dropout-register", args=[suspect.pk]), "小芳"),
    ]
    for url, name in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _text(response)
        assert name in body, url
        for secret in (
            child.id_number,
            suspect.id_number,
            "13912345679",
            "王桂兰",
            "张建国",
            "广东省深圳市",
            "13912345678",
        ):
            assert secret not in body, (url, secret)
        assert 'href="/children/' not in body, url  # no way into the ledger
        # The priority groups belong to the dropout case: shown on it, nowhere else.
        flags = ("农村留守儿童", "低保")
        if url == pages[2][0]:
            assert all(flag in body for flag in flags), body
        else:
            assert not any(flag in body for flag in flags), url
    response = client.post(
        reverse("schooling:dropout-persuasion", args=[case.pk]),
        {
            "on": TODAY.isoformat(),
            "by": "刘老师",
            "method": "到校沟通",
            "result": "正在考虑",
        },
        follow=True,
    )
    assert "已记录劝返情况。" in _text(response)


def test_denied_paths(place):
    child = make_child(place.village, name="小强", birth_date=years_ago(12))
    case = _register(place, child)
    steps = ["plan", "persuasion", "close", "reopen"]
    own = [
        reverse("schooling:dropout-detail", args=[case.pk]),
        reverse("schooling:dropout-register", args=[child.pk]),
    ]
    posts = [reverse(f"schooling:dropout-{s}", args=[case.pk]) for s in steps]
    posts.append(reverse("schooling:dropout-clear", args=[child.pk]))
    pages = [reverse("schooling:worklist"), reverse("schooling:dropout-list")]
    for user in (place.foreign_director, place.foreign_civil, place.other_director):
        client = _client(user)
        for url in own:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url, {"reason": "x"}).status_code == 404, (user, url)
    leader = _client(place.leader)
    for url in [*pages, *own]:
        assert leader.get(url).status_code == 403, url
    for url in posts:
        assert leader.post(url, {}).status_code == 403, url
    anonymous = Client()
    for url in [*pages, *own, *posts]:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    # Steps are POST only; a missing case is not found; nothing changed.
    director = _client(place.director)
    assert director.get(posts[0]).status_code == 405
    assert (
        director.get(reverse("schooling:dropout-detail", args=[10**9])).status_code
        == 404
    )
    assert DropoutCase.objects.get().version == 1
