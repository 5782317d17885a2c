"""Writes for responsibility, guardianship confirmations and 包片 leaders: every rule,
the exact messages, history and audit rows, and nothing half-written on a refusal."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry import services as registry
from shouwang.registry.models import Child, ChildChange
from shouwang.registry.tests.factories import (
    AT_HOME,
    DE_FACTO,
    ORPHAN,
    make_child,
    make_place,
    years_ago,
)
from shouwang.visits.models import Attachment, GuardianshipConfirmation, PatchLeader
from shouwang.visits.selectors.care import responsibility_history
from shouwang.visits.services import care
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def place():
    place = make_place()
    place.director_b = make_user(
        Role.DIRECTOR, place.village, username="zhuren_b", full_name="主任乙"
    )
    return place


def _today():
    return timezone.localdate()


def _audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _pdf(name="确认书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _snapshot():
    """Everything a refused write must leave as it was."""
    return (
        list(Child.objects.order_by("pk").values_list("pk", "version")),
        ChildChange.objects.count(),
        AuditEvent.objects.exclude(action="child.create").count(),
        GuardianshipConfirmation.objects.count(),
        Attachment.objects.count(),
        list(PatchLeader.objects.values_list("pk", "ended_on")),
    )


# --- responsibility ---------------------------------------------------------------


def test_setting_a_director_for_many_children_keeps_a_history_row_each(place):
    a = make_child(place.village, name="留守甲")
    b = make_child(place.village, name="留守乙")

    changed = registry.children_responsibility_set(
        actor=place.supervisor,
        child_ids=[a.pk, b.pk],
        director_id=place.director.pk,
        note="新任儿童主任",
    )

    assert [c.pk for c in changed] == [a.pk, b.pk]
    for child in (a, b):
        child.refresh_from_db()
        assert child.responsible_director_id == place.director.pk
        assert child.version == 2
        change = child.changes.order_by("-id").first()
        assert change.action == "update"
        assert change.version == 2
        assert change.changes == {"responsible_director_id": [None, place.director.pk]}
        assert change.note == "调整责任人：责任儿童主任 （无） → 主任张（新任儿童主任）"
        assert change.snapshot["responsible_director_id"] == place.director.pk
    [audit] = _audits("responsibility.assign")
    assert audit.actor == place.supervisor
    assert audit.area_id == place.village.code
    assert audit.details["children"] == [a.pk, b.pk]
    assert audit.details["director"] == place.director.pk


def test_reassigning_names_the_old_director_and_skips_unchanged_children(place):
    a = make_child(
        place.village, name="留守甲", responsible_director_id=place.director.pk
    )
    b = make_child(
        place.village, name="留守乙", responsible_director_id=place.director_b.pk
    )

    changed = registry.children_responsibility_set(
        actor=place.civil, child_ids=[a.pk, b.pk], director_id=place.director_b.pk
    )

    assert [c.pk for c in changed] == [a.pk]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.version, b.version) == (2, 1)
    assert a.changes.order_by("-id").first().note == (
        "调整责任人：责任儿童主任 主任张 → 主任乙"
    )
    assert len(_audits("responsibility.assign")) == 1


def test_nothing_to_change_writes_nothing(place):
    a = make_child(place.village, responsible_director_id=place.director.pk)
    before = _snapshot()

    changed = registry.children_responsibility_set(
        actor=place.supervisor, child_ids=[a.pk], director_id=place.director.pk
    )

    assert changed == []
    assert _snapshot() == before


def test_the_cadre_is_set_changed_and_cleared_and_none_leaves_it(place):
    a = make_child(place.village, responsible_director_id=place.director.pk)

    registry.children_responsibility_set(
        actor=place.supervisor,
        child_ids=[a.pk],
        director_id=None,
        cadre_name="王干部",
        cadre_phone="13912345678",
    )
    a.refresh_from_db()
    assert (a.liaison_cadre_name, a.liaison_cadre_phone) == ("王干部", "13912345678")
    assert a.responsible_director_id == place.director.pk
    assert a.changes.order_by("-id").first().note == (
        "调整责任人：包联干部 （无） → 王干部（13912345678）"
    )

    registry.children_responsibility_set(
        actor=place.supervisor, child_ids=[a.pk], director_id=place.director_b.pk
    )
    a.refresh_from_db()
    assert a.liaison_cadre_name == "王干部"  # cadre_name=None: left as it was

    registry.children_responsibility_set(
        actor=place.supervisor, child_ids=[a.pk], director_id=None, cadre_name=""
    )
    a.refresh_from_db()
    assert (a.liaison_cadre_name, a.liaison_cadre_phone, a.version) == ("", "", 4)
    assert (
        a.changes.order_by("-id").first().note == "调整责任人：包联干部 王干部 → （无）"
    )

    history = responsibility_history(a)
    assert [[row for row in entry.rows] for entry in history] == [
        [("包联干部", "王干部", ""), ("包联干部电话", "13912345678", "")],
        [("责任儿童主任", "主任张", "主任乙")],
        [("包联干部", "", "王干部"), ("包联干部电话", "", "13912345678")],
        [("责任儿童主任", "", "主任张")],  # the registration
    ]


@pytest.mark.parametrize(
    ("case", "message", "field"),
    [
        ("director_actor", "您没有调整责任人的权限。", None),
        ("leader_actor", "您没有调整责任人的权限。", None),
        ("no_children", "请选择要调整责任人的儿童。", "children"),
        ("nothing", "请选择责任儿童主任或填写包联干部。", "director"),
        (
            "other_village_director",
            "主任向是向阳村的儿童主任，不能负责守望村的留守乙：请选择该村的儿童主任。",
            "director",
        ),
        (
            "foreign_director",
            "责任儿童主任须为您管辖范围内在岗的儿童主任。",
            "director",
        ),
        (
            "inactive_director",
            "责任儿童主任须为您管辖范围内在岗的儿童主任。",
            "director",
        ),
        (
            "supervisor_as_director",
            "责任儿童主任须为您管辖范围内在岗的儿童主任。",
            "director",
        ),
        (
            "foreign_child",
            "所选儿童中有记录不存在或不在您的管辖范围内：请刷新页面后重新选择。",
            "children",
        ),
        (
            "other_township_child",
            "所选儿童中有记录不存在或不在您的管辖范围内：请刷新页面后重新选择。",
            "children",
        ),
        (
            "missing_child",
            "所选儿童中有记录不存在或不在您的管辖范围内：请刷新页面后重新选择。",
            "children",
        ),
        ("exited_child", "退出甲已不在册，不能调整责任人。", "children"),
        (
            "bad_phone",
            "包联干部电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）。",
            "cadre_phone",
        ),
        (
            "phone_without_name",
            "填写包联干部电话时请同时填写包联干部姓名。",
            "cadre_name",
        ),
        ("name_with_digits", "包联干部姓名不能包含数字。", "cadre_name"),
        ("long_note", "说明最多500字，当前501个。", "note"),
    ],
)
def test_responsibility_refusals_write_nothing(place, case, message, field):
    first = make_child(place.village, name="留守甲")
    second = make_child(place.village, name="留守乙")
    kwargs = {
        "actor": place.supervisor,
        "child_ids": [first.pk, second.pk],
        "director_id": place.director.pk,
    }
    if case == "director_actor":
        kwargs["actor"] = place.director
    elif case == "leader_actor":
        kwargs["actor"] = place.leader
    elif case == "no_children":
        kwargs["child_ids"] = []
    elif case == "nothing":
        kwargs["director_id"] = None
    elif case == "other_village_director":
        # The first child is fine: the whole batch is still refused.
        kwargs["director_id"] = place.other_director.pk
        Child.objects.filter(pk=first.pk).update(village_id=place.other_village.code)
    elif case == "foreign_director":
        kwargs["director_id"] = place.foreign_director.pk
    elif case == "inactive_director":
        place.director.is_active = False
        place.director.save()
    elif case == "supervisor_as_director":
        kwargs["director_id"] = place.supervisor.pk
    elif case == "foreign_child":
        kwargs["child_ids"].append(make_child(place.foreign_village).pk)
    elif case == "other_township_child":
        kwargs["child_ids"].append(make_child(place.far_village).pk)
    elif case == "missing_child":
        kwargs["child_ids"].append(999999)
    elif case == "exited_child":
        gone = make_child(place.village, name="退出甲")
        registry.child_exit(
            actor=place.civil,
            child_id=gone.pk,
            expected_version=1,
            reason="迁出本辖区",
            exit_date=_today(),
        )
        kwargs["child_ids"].append(gone.pk)
    elif case == "bad_phone":
        kwargs.update(cadre_name="王干部", cadre_phone="12345")
    elif case == "phone_without_name":
        kwargs.update(cadre_name="", cadre_phone="13912345678")
    elif case == "name_with_digits":
        kwargs.update(cadre_name="王干部2")
    elif case == "long_note":
        kwargs["note"] = "说" * 501
    before = _snapshot()

    with pytest.raises(DomainError) as raised:
        registry.children_responsibility_set(**kwargs)

    assert raised.value.message == message
    assert raised.value.field == field
    assert _snapshot() == before


# --- confirmations ----------------------------------------------------------------


def _record(place, child, **overrides):
    values = {
        "actor": place.director,
        "child_id": child.pk,
        "signed_on": _today() - timedelta(days=3),
        "valid_until": _today() + timedelta(days=362),
        "entrusting_parties": "父亲张建国、母亲李丽",
        "entrusted_guardian": "王桂兰",
        "committee_signatory": "村委刘会计",
        "note": "",
        "uploads": [_pdf()],
    } | overrides
    return care.confirmation_record(**values)


def test_recording_a_confirmation_keeps_the_scan_and_sets_the_childs_facts(place):
    child = make_child(place.village)

    confirmation = _record(place, child)

    assert confirmation.status == "current"
    assert confirmation.village_id == place.village.code
    assert confirmation.recorded_by == place.director
    [scan] = confirmation.attachments.all()
    assert (scan.original_name, scan.content_type, scan.size) == (
        "确认书.pdf",
        "application/pdf",
        len(PDF),
    )
    assert scan.file.read() == PDF
    child.refresh_from_db()
    assert child.confirmation_signed is True
    assert child.confirmation_date == _today() - timedelta(days=3)
    assert child.version == 2
    change = child.changes.order_by("-id").first()
    assert change.note == (
        f"记录委托监护责任确认书（签订日期 {_today() - timedelta(days=3):%Y-%m-%d}）"
    )
    assert set(change.changes) == {"confirmation_signed", "confirmation_date"}
    [audit] = _audits("confirmation.record")
    assert audit.object_id == str(confirmation.pk)
    assert audit.area_id == place.village.code
    assert audit.details == {"child": child.pk, "renewal_of": None, "attachments": 1}


@pytest.mark.parametrize(
    ("facts", "who"),
    [(DE_FACTO, "事实无人抚养儿童"), (ORPHAN, "社会散居孤儿")],
)
def test_signing_takes_a_de_facto_child_or_scattered_orphan_off_high_risk(
    place, facts, who
):
    child = make_child(place.village, **facts)
    assert (child.risk_level, child.visit_interval_days) == ("高", 7)
    assert any(
        f"{who}未签订委托监护责任确认书" in r for r in child.classification_reasons
    )

    _record(place, child, uploads=[])

    child.refresh_from_db()
    assert (child.risk_level, child.visit_interval_days) == ("中", 30)
    assert not any(
        "未签订委托监护责任确认书" in r for r in child.classification_reasons
    )
    change = child.changes.order_by("-id").first()
    assert change.changes["risk_level"] == ["高", "中"]


def test_a_renewal_supersedes_the_current_confirmation_and_keeps_it(place):
    child = make_child(place.village)
    first = _record(place, child, signed_on=_today() - timedelta(days=400))

    second = _record(
        place, child, signed_on=_today() - timedelta(days=1), valid_until=None
    )

    first.refresh_from_db()
    assert (first.status, first.renewed_by_id) == ("renewed", second.pk)
    assert second.status == "current"
    assert GuardianshipConfirmation.objects.filter(child=child).count() == 2
    child.refresh_from_db()
    assert child.confirmation_date == _today() - timedelta(days=1)
    assert child.version == 3
    assert _audits("confirmation.record")[0].details["renewal_of"] == first.pk


@pytest.mark.parametrize(
    ("case", "message", "field"),
    [
        ("leader", "您没有记录委托监护责任确认书的权限。", None),
        ("department", "您没有记录委托监护责任确认书的权限。", None),
        ("future", "签订日期不能晚于今天。", "signed_on"),
        ("before_birth", "签订日期不能早于儿童的出生日期（{born}）。", "signed_on"),
        ("until_before", "有效期至应晚于签订日期。", "valid_until"),
        ("until_same", "有效期至应晚于签订日期。", "valid_until"),
        ("no_parties", "请填写委托方（父母）。", "entrusting_parties"),
        ("no_guardian", "请填写受委托监护人。", "entrusted_guardian"),
        ("no_signatory", "请填写村（居）委会经办人。", "committee_signatory"),
        (
            "long_parties",
            "委托方（父母）最多100个字，当前101个。",
            "entrusting_parties",
        ),
        (
            "not_a_scan",
            "附件“确认书.txt”不是 JPG、PNG 图片或 PDF 文件（按文件内容判断）：请上传照片或扫描件。",
            "attachments",
        ),
        ("exited", "该儿童已不在册，不能记录确认书。", None),
        (
            "renewal_earlier",
            "续签的签订日期不能早于现有确认书的签订日期（{current}）。",
            "signed_on",
        ),
    ],
)
def test_confirmation_refusals_write_nothing(place, case, message, field):
    child = make_child(place.village, birth_date=years_ago(5))
    kwargs = {}
    current_on = _today() - timedelta(days=10)
    if case in ("leader", "department"):
        kwargs["actor"] = getattr(place, case)
    elif case == "future":
        kwargs["signed_on"] = _today() + timedelta(days=1)
    elif case == "before_birth":
        kwargs["signed_on"] = child.birth_date - timedelta(days=1)
    elif case == "until_before":
        kwargs["valid_until"] = _today() - timedelta(days=10)
    elif case == "until_same":
        kwargs["valid_until"] = _today() - timedelta(days=3)
    elif case == "no_parties":
        kwargs["entrusting_parties"] = "  "
    elif case == "no_guardian":
        kwargs["entrusted_guardian"] = ""
    elif case == "no_signatory":
        kwargs["committee_signatory"] = ""
    elif case == "long_parties":
        kwargs["entrusting_parties"] = "父" * 101
    elif case == "not_a_scan":
        kwargs["uploads"] = [
            _pdf(),
            SimpleUploadedFile("确认书.txt", b"hello", content_type="application/pdf"),
        ]
    elif case == "exited":
        registry.child_exit(
            actor=place.civil,
            child_id=child.pk,
            expected_version=1,
            reason="迁出本辖区",
            exit_date=_today(),
        )
    elif case == "renewal_earlier":
        _record(place, child, signed_on=current_on)
        kwargs["signed_on"] = current_on - timedelta(days=1)
    before = _snapshot()

    with pytest.raises(DomainError) as raised:
        _record(place, child, **kwargs)

    assert raised.value.message == message.format(
        born=f"{child.birth_date:%Y-%m-%d}", current=f"{current_on:%Y-%m-%d}"
    )
    assert raised.value.field == field
    assert _snapshot() == before
    if case == "renewal_earlier":
        assert GuardianshipConfirmation.objects.get().status == "current"


def test_a_child_outside_the_jurisdiction_is_not_found(place):
    foreign = make_child(place.foreign_village)
    far = make_child(place.far_village)
    for child, actor in ((foreign, place.director), (far, place.supervisor)):
        with pytest.raises(NotFound) as raised:
            _record(place, child, actor=actor)
        assert raised.value.message == "儿童记录不存在或不在您的管辖范围内。"
    assert GuardianshipConfirmation.objects.count() == 0


def test_the_registry_service_refuses_like_the_confirmation(place):
    child = make_child(place.village)
    with pytest.raises(DomainError) as raised:
        registry.child_confirmation_set(
            actor=place.leader, child_id=child.pk, signed_on=_today()
        )
    assert raised.value.message == "您没有记录委托监护责任确认书的权限。"
    with pytest.raises(DomainError) as raised:
        registry.child_confirmation_set(
            actor=place.foreign_director, child_id=child.pk, signed_on=_today()
        )
    assert raised.value.message == "儿童记录不存在或不在您的管辖范围内。"


# --- 包片 leaders ----------------------------------------------------------------


def test_setting_and_changing_a_patch_leader_keeps_the_old_one(place):
    started = _today() - timedelta(days=60)
    first = care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="李镇长",
        title="副镇长",
        phone="13700001111",
        started_on=started,
    )
    second = care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="赵委员",
        started_on=_today(),
    )

    first.refresh_from_db()
    assert first.ended_on == _today()
    assert second.ended_on is None
    assert (second.assigned_by, second.title) == (place.supervisor, "")
    assert PatchLeader.objects.filter(area=place.village).count() == 2
    audits = _audits("patch_leader.set")
    assert len(audits) == 2
    assert audits[0].details == {"name": "赵委员", "replaced": first.pk}
    assert audits[0].area_id == place.village.code


def test_a_township_may_have_its_own_leader_and_civil_affairs_sets_any(place):
    leader = care.patch_leader_set(
        actor=place.civil,
        area_code=place.other_township.code,
        name="钱书记",
        started_on=_today(),
    )
    assert leader.area == place.other_township


def test_ending_a_patch_leader_keeps_the_row(place):
    leader = care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="李镇长",
        started_on=_today() - timedelta(days=5),
    )

    ended = care.patch_leader_end(
        actor=place.supervisor, area_code=place.village.code, ended_on=_today()
    )

    assert ended.pk == leader.pk
    leader.refresh_from_db()
    assert leader.ended_on == _today()
    assert _audits("patch_leader.set")[0].details["ended_on"] == f"{_today():%Y-%m-%d}"


@pytest.mark.parametrize(
    ("case", "message", "field"),
    [
        ("director", "您没有指定包片领导的权限。", None),
        ("county_area", "包片区域须为乡镇（街道）或村（社区）。", "area"),
        ("no_name", "包片领导姓名不能为空。", "name"),
        (
            "bad_phone",
            "包片领导电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）。",
            "phone",
        ),
        ("future", "起始日期不能晚于今天。", "started_on"),
        (
            "before_current",
            "起始日期不能早于现任包片领导李镇长的起始日期（{current}）。",
            "started_on",
        ),
        ("same_again", "守望村的包片领导已是李镇长，无需重新指定。", "name"),
    ],
)
def test_patch_leader_refusals_write_nothing(place, case, message, field):
    current_on = _today() - timedelta(days=5)
    kwargs = {
        "actor": place.civil,
        "area_code": place.village.code,
        "name": "周镇长",
        "started_on": _today(),
    }
    if case in ("before_current", "same_again"):
        care.patch_leader_set(
            actor=place.civil,
            area_code=place.village.code,
            name="李镇长",
            started_on=current_on,
        )
    if case == "director":
        kwargs["actor"] = place.director
    elif case == "county_area":
        kwargs["area_code"] = place.county.code
    elif case == "no_name":
        kwargs["name"] = " "
    elif case == "bad_phone":
        kwargs["phone"] = "0000"
    elif case == "future":
        kwargs["started_on"] = _today() + timedelta(days=1)
    elif case == "before_current":
        kwargs["started_on"] = current_on - timedelta(days=1)
    elif case == "same_again":
        kwargs["name"] = "李镇长"
    before = _snapshot()

    with pytest.raises(DomainError) as raised:
        care.patch_leader_set(**kwargs)

    assert raised.value.message == message.format(current=f"{current_on:%Y-%m-%d}")
    assert raised.value.field == field
    assert _snapshot() == before


def test_a_supervisor_cannot_set_a_leader_in_another_township(place):
    for code in (place.far_village.code, place.other_township.code, "430525911001"):
        with pytest.raises(NotFound) as raised:
            care.patch_leader_set(
                actor=place.supervisor,
                area_code=code,
                name="周镇长",
                started_on=_today(),
            )
        assert raised.value.message == "区划不存在或不在您的管辖范围内。"
    assert PatchLeader.objects.count() == 0


def test_ending_refusals(place):
    with pytest.raises(DomainError) as raised:
        care.patch_leader_end(
            actor=place.supervisor, area_code=place.village.code, ended_on=_today()
        )
    assert raised.value.message == "守望村目前没有包片领导。"
    care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="李镇长",
        started_on=_today() - timedelta(days=2),
    )
    for ended_on, message in (
        (_today() - timedelta(days=3), "结束日期不能早于李镇长的起始日期（{}）。"),
        (_today() + timedelta(days=1), "结束日期不能晚于今天。"),
    ):
        with pytest.raises(DomainError) as raised:
            care.patch_leader_end(
                actor=place.supervisor,
                area_code=place.village.code,
                ended_on=ended_on,
            )
        assert raised.value.message == message.format(
            f"{_today() - timedelta(days=2):%Y-%m-%d}"
        )
    assert PatchLeader.objects.get().ended_on is None


def test_at_home_children_never_need_a_confirmation_but_may_have_one(place):
    child = make_child(place.village, **AT_HOME)
    _record(place, child, uploads=[])
    child.refresh_from_db()
    assert child.confirmation_signed is True
    assert child.risk_level == ""
