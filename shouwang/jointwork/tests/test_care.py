"""Community care through HTTP: a donation's bad amounts and recipients, a
director's pairing of a child outside their village, what the volunteer's notice
shows before and after a director grants more, activities and publicity (a
member unit's own, quantity > 0, void with a reason), every denied path, the
figures, and the leak-walker's samples."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.jointwork import selectors_care as sel
from shouwang.jointwork.models import (
    Activity,
    Donation,
    Pairing,
    PublicityItem,
    ResponsibilityLetter,
    Volunteer,
)
from shouwang.jointwork.tests import leak_care
from shouwang.registry.tests.factories import make_child, make_place
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _errors(response) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def test_a_donation_needs_a_positive_amount_and_recipients_of_ones_ledger(place):
    child = make_child(place.village, name="李小红")
    foreign = make_child(place.foreign_village, name="王外县")
    civil = _client(place.civil)
    url = reverse("jointwork:donation-create")
    assert civil.get(url).status_code == 200
    data = {
        "donor": "爱心企业",
        "amount": "0",
        "donated_on": "2026-05-20",
        "purpose": "六一助学",
        "recipients": "",
    }
    for amount, message in (
        ("0", "捐赠金额应大于 0 元。"),
        ("-50", "捐赠金额应大于 0 元。"),
        ("五千", "捐赠金额格式不对：请填写数字，如 5000 或 5000.50。"),
        ("12.345", "捐赠金额格式不对：最多保留两位小数（到分），如 5000.50。"),
    ):
        refused = civil.post(url, data | {"amount": amount})
        assert refused.status_code == 400
        assert _errors(refused) == {"amount": [message]}
    outside = civil.post(
        url, data | {"amount": "5000", "recipients": foreign.id_number}
    )
    assert _errors(outside) == {
        "recipients": [
            f"公民身份号码“{foreign.id_number}”不在您管辖范围内的在册儿童台账中："
            "请核对后重新填写。"
        ]
    }
    assert outside.context["form"]["donor"].value() == "爱心企业"  # nothing lost
    saved = civil.post(
        url, data | {"amount": "5,000.50", "recipients": f"{child.id_number}\n"}
    )
    assert saved.status_code == 302
    donation = Donation.objects.get()
    assert donation.amount == Decimal("5000.50")
    assert list(donation.children.all()) == [child]
    assert AuditEvent.objects.filter(
        action=AuditAction.CARE_SAVE, object_id=str(donation.pk)
    ).exists()
    page = civil.get(reverse("jointwork:care"), {"tab": "donations"})
    assert page.context["totals"].children_funded == 1
    assert "爱心企业" in page.content.decode()


def test_a_director_pairs_only_children_of_their_own_village(place):
    own = make_child(place.village, name="欧阳小明")
    other = make_child(place.other_village, name="赵小刚")
    director = _client(place.director)
    added = director.post(
        reverse("jointwork:volunteer-create"),
        {"name": "陈志愿", "organisation": "青年志愿者协会", "phone": "abc"},
    )
    assert _errors(added) == {
        "phone": ["联系电话只能包含数字，如 13800000000 或 0739-1234567。"]
    }
    director.post(
        reverse("jointwork:volunteer-create"),
        {"name": "陈志愿", "organisation": "青年志愿者协会", "phone": "13800000000"},
    )
    volunteer = Volunteer.objects.get()
    url = reverse("jointwork:pairing-create")
    form = director.get(url).context["form"]
    assert [c for c, _ in form.fields["child"].widget.choices] == ["", own.pk]
    data = {
        "volunteer": volunteer.pk,
        "child": other.pk,
        "kind": "课业辅导",
        "starts_on": "2026-03-01",
        "ends_on": "2026-02-01",
    }
    refused = director.post(url, data)
    assert refused.status_code == 400
    assert _errors(refused) == {
        "child": ["只能为本村儿童结对：所选儿童不在守望村的在册儿童台账中。"],
        "ends_on": ["结束日期不能早于开始日期。"],
    }
    # The supervisor of the township may pair the other village's child.
    supervisor = _client(place.supervisor)
    assert supervisor.post(url, data | {"ends_on": ""}).status_code == 302
    foreign = make_child(place.foreign_village, name="外县儿童")
    assert _errors(supervisor.post(url, data | {"child": foreign.pk})) == {
        "child": ["所选儿童不在您管辖范围内的在册儿童台账中。"],
        "ends_on": ["结束日期不能早于开始日期。"],
    }
    assert (
        director.post(url, data | {"child": own.pk, "ends_on": ""}).status_code == 302
    )
    assert sorted(Pairing.objects.values_list("child__name", flat=True)) == [
        "欧阳小明",
        "赵小刚",
    ]


def test_the_volunteer_notice_shows_the_given_name_and_village_until_granted(place):
    child = make_child(
        place.village,
        name="欧阳小明",
        address="守望村三组12号",
        guardian_phone="13912345678",
    )
    volunteer = Volunteer.objects.create(
        area=place.county, name="陈志愿", created_by=place.civil
    )
    pairing = Pairing.objects.create(
        volunteer=volunteer,
        child=child,
        kind="亲情陪护",
        starts_on=date(2026, 3, 1),
        created_by=place.civil,
    )
    card_url = reverse("jointwork:pairing-card", args=[pairing.pk])
    card = _client(place.civil).get(card_url)
    assert card.status_code == 200
    text = card.content.decode()
    assert 'data-testid="child-name">小明<' in text
    assert 'data-testid="village">守望村<' in text
    assert "亲情陪护" in text and "2026年3月1日" in text and "陈志愿" in text
    for hidden in ("欧阳", "守望村三组12号", "13912345678", child.id_number):
        assert hidden not in text
    assert (sel.given_name("张三"), sel.given_name("司马相如")) == ("三", "相如")
    # Only the director of the child's village grants more; audited.
    disclose = reverse("jointwork:pairing-disclose", args=[pairing.pk])
    assert _client(place.civil).post(disclose, {"grant": "1"}).status_code == 403
    assert (
        _client(place.other_director).post(disclose, {"grant": "1"}).status_code == 404
    )
    assert _client(place.director).post(disclose, {"grant": "1"}).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.PAIRING_DISCLOSE, object_id=str(pairing.pk)
    ).exists()
    shown = _client(place.supervisor).get(card_url).content.decode()
    assert 'data-testid="child-name">欧阳小明<' in shown
    assert "守望村三组12号" in shown and "13912345678" in shown
    assert child.id_number not in shown
    _client(place.director).post(disclose, {"grant": "0"})
    assert "13912345678" not in _client(place.director).get(card_url).content.decode()
    # The director pairs with the county's volunteer but may not void it; a voided
    # pairing prints no notice.
    void = reverse(
        "jointwork:care-void", kwargs={"kind": "volunteers", "pk": volunteer.pk}
    )
    assert _client(place.director).post(void, {"reason": "误录"}).status_code == 404
    listed = _client(place.director).get(
        reverse("jointwork:care"), {"tab": "volunteers"}
    )
    assert "陈志愿" in listed.content.decode() and void not in listed.content.decode()
    assert (
        void
        in _client(place.civil)
        .get(reverse("jointwork:care"), {"tab": "volunteers"})
        .content.decode()
    )
    volunteer.refresh_from_db()
    assert volunteer.voided_at is None
    pairing.voided_at = timezone.now()
    pairing.save()
    assert _client(place.civil).get(card_url).status_code == 404


def test_activities_and_publicity_of_a_member_unit_and_voiding(place):
    police = make_user(Role.DEPARTMENT, place.county, unit=Unit.POLICE)
    unit = _client(police)
    form = unit.get(reverse("jointwork:activity-create")).context["form"]
    assert "organiser" not in form.fields
    saved = unit.post(
        reverse("jointwork:activity-create"),
        {
            "title": "防溺水安全教育进校园",
            "held_on": "2026-06-01",
            "kind": "安全教育",
            "participants": "200",
            "children_reached": "-1",
        },
    )
    assert _errors(saved) == {"children_reached": ["受益儿童人数不能小于 0。"]}
    unit.post(
        reverse("jointwork:activity-create"),
        {
            "title": "防溺水安全教育进校园",
            "held_on": "2026-06-01",
            "kind": "安全教育",
            "participants": "200",
            "children_reached": "150",
        },
    )
    activity = Activity.objects.get()
    assert (activity.organiser, activity.area_id) == (Unit.POLICE, place.county.code)
    url = reverse("jointwork:publicity-create")
    data = {"kind": "宣传单", "quantity": "0", "made_on": "2026-06-01", "note": ""}
    assert _errors(unit.post(url, data)) == {"quantity": ["数量应大于 0。"]}
    assert _errors(unit.post(url, data | {"kind": "海报"})) == {
        "kind": ["宣传品类别“海报”不是可选的值，请从列表中选择。"],
        "quantity": ["数量应大于 0。"],
    }
    added = unit.post(url, data | {"quantity": "500"}, follow=True)
    assert [str(m) for m in added.context["messages"]] == ["已登记宣传品。"]
    item = PublicityItem.objects.get()
    # Void: a reason is needed; another unit may not void it; voided rows leave totals.
    void = reverse("jointwork:care-void", args=["publicity", item.pk])
    empty = unit.post(void, {"reason": ""}, follow=True)
    assert [str(m) for m in empty.context["messages"]] == ["请填写作废原因。"]
    education = _client(place.department)
    assert education.post(void, {"reason": "错登"}).status_code == 403
    done = unit.post(void, {"reason": "数量登记错误"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "已作废该宣传品记录，不再计入统计。"
    ]
    item.refresh_from_db()
    assert item.void_reason == "数量登记错误" and PublicityItem.objects.count() == 1
    assert sel.totals_for(viewer=place.civil).publicity == []
    assert sel.totals_for(viewer=place.civil).activities == 1


def test_denied_paths_of_the_care_pages(world):
    assert "foreign_letter" in world.records  # the walker's world has leak_care's rows
    home, foreign = world.home, world.foreign
    assert Client().get(reverse("jointwork:care")).status_code == 302
    # Leaders read the totals only: no tab, no list, no form.
    leader = _client(home.users[Role.LEADER])
    page = leader.get(reverse("jointwork:care"), {"tab": "donations"})
    assert page.status_code == 200 and page.context["tabs"] == []
    assert page.context["totals"].amount == Decimal("1000")
    assert "home捐赠方标记" not in page.content.decode()
    for name in ("donation-create", "pairing-create", "publicity-create"):
        assert leader.get(reverse(f"jointwork:{name}")).status_code == 403
    department = _client(home.users[Role.DEPARTMENT])
    assert department.get(reverse("jointwork:donation-create")).status_code == 403
    assert department.get(reverse("jointwork:pairing-create")).status_code == 403
    director = _client(home.users[Role.DIRECTOR])
    assert director.get(reverse("jointwork:donation-create")).status_code == 403
    tabs = director.get(reverse("jointwork:care")).context["tabs"]
    assert [kind for kind, _ in tabs] == ["volunteers", "pairings", "activities"]
    civil = _client(home.users[Role.CIVIL_AFFAIRS])
    for kind in sel.KINDS:
        listed = civil.get(reverse("jointwork:care"), {"tab": kind})
        text = listed.content.decode()
        assert listed.status_code == 200
        assert not any(marker in text for marker in world.markers), kind
    for name, kwargs in leak_care.FOREIGN_KWARGS.items():
        url = reverse(name, kwargs=kwargs(world))
        assert civil.get(url).status_code in (404, 405), name
        assert civil.post(url, {"reason": "x", "grant": "1"}).status_code == 404, name
    for kind, key in (("pairings", "pairing"), ("activities", "activity")):
        url = reverse(
            "jointwork:care-void", args=[kind, world.records[f"foreign_{key}"].pk]
        )
        assert civil.post(url, {"reason": "x"}).status_code == 404
    assert (
        civil.post(
            reverse("jointwork:care-void", args=["nothing", 1]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert Pairing.objects.filter(disclose_more=True).count() == 0
    assert ResponsibilityLetter.objects.filter(voided_at__isnull=False).count() == 0
    assert foreign.users[Role.CIVIL_AFFAIRS].area_id == foreign.county.code
