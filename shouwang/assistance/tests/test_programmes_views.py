"""Aid programme pages through HTTP: setting a programme up, choosing beneficiaries
from the ledger (area, twice, amounts, budget), approval by another person, delivery,
leaders' totals, and the denied path of every view."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.assistance.models import AidBeneficiary, AidProgramme
from shouwang.assistance.selectors_programmes import aid_totals
from shouwang.assistance.services_programmes import (
    aid_beneficiaries_choose,
    aid_programme_save,
)
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.tests.factories import (
    DE_FACTO,
    ORPHAN,
    make_child,
    make_place,
    years_ago,
)
from tests.factories import make_area, make_user

from .factories import CITY

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def kids(place):
    """An orphan of 18 at 高职 (福彩圆梦), a de facto unsupported child in the next
    village, a left-behind child, an orphan in the other township, one abroad."""
    return {
        "orphan": make_child(
            place.village,
            name="孤儿甲",
            birth_date=years_ago(18, days=30),
            schooling="高职及以上",
            school="湖南工程职业技术学院",
            **ORPHAN,
        ),
        "de_facto": make_child(
            place.other_village,
            name="事实乙",
            birth_date=years_ago(13),
            schooling="初中",
            **DE_FACTO,
        ),
        "left_behind": make_child(place.village, name="留守丙"),
        "far": make_child(
            place.far_village, name="青石丁", birth_date=years_ago(12), **ORPHAN
        ),
        "foreign": make_child(
            place.foreign_village, name="外县戊", birth_date=years_ago(12), **ORPHAN
        ),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _second_civil(place):
    return make_user(
        Role.CIVIL_AFFAIRS, place.county, username="minzheng2", full_name="民政赵"
    )


def _programme(actor, area, **values) -> AidProgramme:
    return aid_programme_save(
        actor=actor,
        values={
            "name": "福彩圆梦·孤儿助学",
            "area": area.code,
            "starts_on": TODAY - timedelta(days=10),
            "ends_on": TODAY + timedelta(days=80),
            "form": "现金",
            "amount": "5000",
            "item": "",
            "eligibility_notes": "当年考入高职及以上的孤儿",
            "budget": "20000",
            **values,
        },
    )


def _form(**values) -> dict:
    return {
        "name": "福彩圆梦·孤儿助学",
        "area": "430524000000",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=90)).isoformat(),
        "form": "现金",
        "amount": "5000",
        "item": "",
        "eligibility_notes": "当年考入高职及以上的孤儿",
        "budget": "20000",
        **values,
    }


def test_a_programme_is_set_up_with_its_terms_checked(place):
    client = _client(place.civil)
    url = reverse("assistance:programme-create")
    assert "新设救助项目" in client.get(url).content.decode()
    response = client.post(
        url,
        _form(
            amount="0",
            budget="1.234",
            ends_on=(TODAY - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "ends_on": [f"结束日期不能早于开始日期（{TODAY:%Y-%m-%d}）。"],
        "amount": ["每人金额应大于0，当前为 0。"],
        "budget": ["预算最多两位小数（元、角、分），当前为 1.234。"],
    }
    response = client.post(url, _form(amount="", form="实物", item=""))
    assert response.context["form"].errors == {"item": ["请填写实物名称。"]}
    # Another county is not among the choices.
    response = client.post(url, _form(area="430525000000"))
    assert response.context["form"].errors == {
        "area": ["实施区划“430525000000”不在您的管辖范围内，请从列表中选择。"]
    }
    assert not AidProgramme.objects.exists()
    response = client.post(url, _form(amount="5000.5"), follow=True)
    programme = AidProgramme.objects.get()
    assert response.redirect_chain == [
        (reverse("assistance:programme-detail", args=[programme.pk]), 302)
    ]
    assert "已保存救助项目“福彩圆梦·孤儿助学”。" in response.content.decode()
    assert programme.amount == Decimal("5000.50")
    event = AuditEvent.objects.get(action=AuditAction.AID_PROGRAMME_SAVE)
    assert (event.actor, event.details["step"]) == (place.civil, "create")


def test_editing_a_programme_keeps_its_version_and_its_beneficiaries_terms(place, kids):
    programme = _programme(place.civil, place.county, budget="10000")
    client = _client(place.civil)
    url = reverse("assistance:programme-edit", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["expected_version"].value() == 1
    assert 'value="10000.00"' in page.content.decode()
    stale = client.post(url, _form(name="改名", expected_version=99))
    assert stale.status_code == 400
    assert stale.context["form"].non_field_errors() == [
        "保存失败：在您编辑期间，该项目已被他人修改（当前为第1版）。请刷新后重新填写。"
    ]
    aid_beneficiaries_choose(
        actor=place.supervisor, programme_id=programme.pk, child_ids=[kids["orphan"].pk]
    )
    response = client.post(url, _form(amount="6000", budget="4000", expected_version=1))
    assert response.context["form"].errors == {
        "amount": [
            "已有受助对象，不能再改救助方式或每人金额：如需调整，请新设一个项目。"
        ],
        "budget": ["预算不能少于已选定对象的金额合计 5000.00 元（少了 1000.00 元）。"],
    }
    response = client.post(
        url, _form(name="福彩圆梦·2026", budget="30000", expected_version=1)
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.budget, programme.version) == (
        "福彩圆梦·2026",
        Decimal("30000.00"),
        2,
    )


def test_beneficiaries_are_chosen_from_the_ledger_with_its_facts(place, kids):
    programme = _programme(place.civil, place.county)
    client = _client(place.supervisor)
    url = reverse("assistance:programme-choose", args=[programme.pk])
    response = client.get(url)
    body = response.content.decode()
    # The township's orphans and de facto unsupported children, with ledger facts;
    # not the left-behind child (by default), not the other township, not abroad.
    assert [c.name for c, _ in response.context["rows"]] == ["孤儿甲", "事实乙"]
    assert "高职及以上（年满18周岁仍在校）" in body
    assert "湖南工程职业技术学院" in body
    assert "青石丁" not in body and "外县戊" not in body
    response = client.get(url, {"category": "all", "schooling": "小学"})
    assert [c.name for c, _ in response.context["rows"]] == ["留守丙"]
    response = client.post(
        url,
        {"children": [kids["orphan"].pk, kids["de_facto"].pk], "reason": "考入高职"},
        follow=True,
    )
    assert response.redirect_chain == [
        (reverse("assistance:programme-detail", args=[programme.pk]), 302)
    ]
    body = response.content.decode()
    assert "已选定 2 名受助对象，待民政干部审批。" in body
    assert "本辖区：待审批 2 人" in body
    row = AidBeneficiary.objects.get(child=kids["orphan"])
    assert (row.amount, row.status, row.chosen_by) == (
        Decimal("5000.00"),
        "待审批",
        place.supervisor,
    )
    assert row.facts["categories"] == ["孤儿"]
    assert (row.facts["schooling"], row.facts["age"]) == ("高职及以上", 18)
    # Chosen children leave the list; choosing again, a child elsewhere, or none.
    assert client.get(url).context["rows"] == []
    for ids, message in (
        (
            [kids["orphan"].pk],
            "孤儿甲（守望村）已是本项目的受助对象（待审批），不能重复选定。",
        ),
        (
            [kids["far"].pk],
            f"编号 {kids['far'].pk} 的儿童不存在或不在您的管辖范围内。",
        ),
        ([], "请至少勾选一名儿童。"),
        (["x1"], "勾选的记录无效：请刷新页面后重试。"),
    ):
        response = client.post(url, {"children": ids})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert AidBeneficiary.objects.count() == 2


def test_a_child_outside_the_programme_area_is_refused(place, kids):
    city_civil = make_user(Role.CIVIL_AFFAIRS, make_area(CITY), username="shi_minzheng")
    programme = _programme(city_civil, place.county)
    response = _client(city_civil).post(
        reverse("assistance:programme-choose", args=[programme.pk]),
        {"children": [kids["orphan"].pk, kids["foreign"].pk]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "__all__": ["外县戊（外县村）不在项目实施区划（隆回县）内，不能选定。"]
    }
    assert not AidBeneficiary.objects.exists()


def test_amounts_and_the_budget_are_checked(place, kids):
    programme = _programme(place.civil, place.county, budget="12000")
    client = _client(place.civil)
    url = reverse("assistance:programme-choose", args=[programme.pk])
    ids = [kids["orphan"].pk, kids["de_facto"].pk, kids["far"].pk]
    for amount, message in (
        ("0.001", "金额最多两位小数（元、角、分），当前为 0.001。"),
        ("-5", "金额应大于0，当前为 -5。"),
        ("五百", "金额应为数字，如 500 或 500.50。"),
    ):
        response = client.post(url, {"children": ids, "amount": amount})
        assert response.context["form"].errors == {"amount": [message]}
    response = client.post(url, {"children": ids})
    assert response.context["form"].errors == {
        "__all__": [
            "超出预算 3000.00 元：预算 12000.00 元，已选定 0.00 元，本次 3 人 × "
            "5000.00 元 = 15000.00 元。"
        ]
    }
    assert not AidBeneficiary.objects.exists()
    response = client.post(url, {"children": ids, "amount": "3000"})
    assert response.status_code == 302
    assert AidBeneficiary.objects.filter(amount=Decimal("3000.00")).count() == 3


def test_another_civil_affairs_worker_approves_then_delivery_is_recorded(place, kids):
    programme = _programme(place.civil, place.county)
    chosen = aid_beneficiaries_choose(
        actor=place.civil,
        programme_id=programme.pk,
        child_ids=[kids["orphan"].pk, kids["de_facto"].pk],
    )
    orphan, de_facto = (row.pk for row in chosen)
    decide = reverse("assistance:programme-decide", args=[programme.pk])
    deliver = reverse("assistance:programme-deliver", args=[programme.pk])
    # The one who chose cannot approve.
    response = _client(place.civil).post(
        decide, {"beneficiaries": [orphan], "decision": "approve"}
    )
    assert response.status_code == 400
    assert "孤儿甲是您本人选定的，应由另一名民政干部审批。" in response.content.decode()
    # A supervisor prepares but never approves.
    assert (
        _client(place.supervisor)
        .post(decide, {"beneficiaries": [orphan], "decision": "approve"})
        .status_code
        == 403
    )
    approver = _client(_second_civil(place))
    response = approver.post(
        decide, {"beneficiaries": [de_facto], "decision": "reject"}
    )
    assert "请填写审批意见。" in response.content.decode()
    # Delivery before approval is refused.
    response = approver.post(
        deliver, {"beneficiaries": [orphan], "delivered_on": TODAY.isoformat()}
    )
    assert "孤儿甲的状态为“待审批”，不能登记发放（应为“已审批”）。" in (
        response.content.decode()
    )
    response = approver.post(
        decide,
        {"beneficiaries": [de_facto], "decision": "reject", "note": "未考入高职"},
    )
    assert response.status_code == 302
    response = approver.post(
        decide, {"beneficiaries": [orphan], "decision": "approve"}, follow=True
    )
    assert "已审批通过 1 名受助对象。" in response.content.decode()
    supervisor = _client(place.supervisor)
    response = supervisor.post(
        deliver,
        {
            "beneficiaries": [orphan],
            "delivered_on": (TODAY + timedelta(days=1)).isoformat(),
        },
    )
    assert f"发放日期不能晚于今天（{TODAY:%Y-%m-%d}）。" in response.content.decode()
    response = supervisor.post(
        deliver,
        {
            "beneficiaries": [orphan],
            "delivered_on": TODAY.isoformat(),
            "delivery_note": "打卡发放",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "已登记 1 名受助对象发放。" in body
    assert "已发放 1 人（5000.00 元）" in body
    rows = {row.pk: row for row in AidBeneficiary.objects.all()}
    assert (rows[orphan].status, rows[orphan].delivered_on) == ("已发放", TODAY)
    assert (rows[de_facto].status, rows[de_facto].decision_note) == (
        "未通过",
        "未考入高职",
    )
    totals = aid_totals(prefix="430524", start=TODAY, end=TODAY)
    assert (totals.beneficiaries, totals.amount) == (1, Decimal("5000.00"))
    assert aid_totals(prefix="430525", start=TODAY, end=TODAY).beneficiaries == 0
    steps = [
        e.details["step"]
        for e in AuditEvent.objects.filter(
            action=AuditAction.AID_BENEFICIARY_UPDATE
        ).order_by("id")
    ]
    assert steps == ["choose", "reject", "approve", "deliver"]


def test_leaders_see_totals_only_and_others_nothing(place, kids):
    programme = _programme(place.civil, place.county)
    aid_beneficiaries_choose(
        actor=place.supervisor, programme_id=programme.pk, child_ids=[kids["orphan"].pk]
    )
    leader = _client(place.leader)
    response = leader.get(reverse("assistance:programme-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "福彩圆梦·孤儿助学" in body and "孤儿甲" not in body
    assert [p.chosen_count for p in response.context["page"]] == [1]
    pk = programme.pk
    for name in ("programme-detail", "programme-choose", "programme-edit"):
        assert leader.get(reverse(f"assistance:{name}", args=[pk])).status_code == 403
    for name in ("programme-decide", "programme-deliver"):
        assert leader.post(reverse(f"assistance:{name}", args=[pk])).status_code == 403
    assert leader.get(reverse("assistance:programme-create")).status_code == 403
    # A supervisor neither sets up nor edits programmes.
    supervisor = _client(place.supervisor)
    assert supervisor.get(reverse("assistance:programme-create")).status_code == 403
    edit = reverse("assistance:programme-edit", args=[pk])
    assert supervisor.get(edit).status_code == 403
    # Directors, member units and the administrator see nothing.
    for user in (place.director, place.department, place.admin):
        client = _client(user)
        assert client.get(reverse("assistance:programme-list")).status_code == 403
        detail = reverse("assistance:programme-detail", args=[pk])
        assert client.get(detail).status_code == 403
    # Another county's staff: not found.
    foreign = _client(place.foreign_civil)
    assert not foreign.get(reverse("assistance:programme-list")).context["page"]
    for name in ("programme-detail", "programme-choose", "programme-edit"):
        assert foreign.get(reverse(f"assistance:{name}", args=[pk])).status_code == 404
    for name in ("programme-decide", "programme-deliver"):
        assert foreign.post(reverse(f"assistance:{name}", args=[pk])).status_code == 404
    # Anonymous: to the login page.
    response = Client().get(reverse("assistance:programme-list"))
    assert response.status_code == 302 and "/login" in response.url
