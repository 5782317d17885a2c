"""Writes to the child ledger: classification on register, history, versions, exit,
re-admission, merging, dismissal of duplicates, audited reveals and reclassification."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError
from shouwang.registry import services
from shouwang.registry.models import Child, ChildChange, DuplicateDecision
from tests.factories import make_user

from .factories import (
    AT_HOME,
    DE_FACTO,
    FATHER_ID,
    ORPHAN,
    child_data,
    make_child,
    make_place,
    years_ago,
)

pytestmark = pytest.mark.django_db

LEFT_BEHIND_REASONS = [
    "父母双方均外出务工，未满16周岁：符合农村留守儿童认定条件（国发〔2016〕13号）",
    "农村留守儿童，监护能力一般：风险等级中，每30天至少走访一次",
]


@pytest.fixture
def place():
    return make_place()


def _audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- register ---------------------------------------------------------------------


def test_a_village_with_one_director_makes_that_director_responsible(place):
    child = services.child_register(actor=place.civil, data=child_data(place.village))

    child.refresh_from_db()
    assert child.responsible_director == place.director
    assert child.changes.get().changes["responsible_director_id"] == [
        None,
        place.director.pk,
    ]


def test_a_chosen_director_is_kept_and_two_directors_give_nobody(place):
    second = make_user(Role.DIRECTOR, place.village, full_name="主任二")
    chosen = services.child_register(
        actor=place.civil,
        data=child_data(place.village, responsible_director_id=second.pk),
    )
    unchosen = services.child_register(
        actor=place.civil, data=child_data(place.village)
    )

    assert chosen.responsible_director_id == second.pk
    unchosen.refresh_from_db()
    assert unchosen.responsible_director_id is None


def test_village_sole_directors_counts_only_active_directors(place):
    # 守望村: one director; 向阳村: its director and an inactive one; 青石村: none;
    # 外县村: two active directors.
    make_user(Role.DIRECTOR, place.other_village, is_active=False)
    make_user(Role.DIRECTOR, place.foreign_village)
    make_user(Role.SUPERVISOR, place.far_village)

    sole = services.village_sole_directors(
        [
            place.village.code,
            place.other_village.code,
            place.far_village.code,
            place.foreign_village.code,
            "",
        ]
    )

    assert sole == {
        place.village.code: place.director.pk,
        place.other_village.code: place.other_director.pk,
    }
    assert services.village_sole_directors([]) == {}


def test_registering_a_left_behind_child_classifies_and_keeps_the_first_version(
    place,
):
    child = services.child_register(
        actor=place.director, data=child_data(place.village)
    )

    child.refresh_from_db()
    assert child.categories == ["农村留守儿童"]
    assert child.difficulty_kinds == []
    assert (child.risk_level, child.visit_interval_days) == ("中", 30)
    assert child.classification_reasons == LEFT_BEHIND_REASONS
    assert child.classified_on == timezone.localdate()
    assert (child.name_pinyin, child.name_initials) == ("zhangxiaoming", "zxm")
    assert child.version == 1
    change = child.changes.get()
    assert (change.action, change.version, change.actor) == (
        "create",
        1,
        place.director,
    )
    assert change.actor_name == "zhuren"
    assert change.changes["name"] == [None, "张晓明"]
    assert change.snapshot["is_left_behind"] is True
    [event] = _audits("child.create")
    assert (event.actor, event.object_id, event.area_id) == (
        place.director,
        str(child.pk),
        place.village.code,
    )


def test_registering_a_de_facto_unsupported_child(place):
    child = services.child_register(
        actor=place.director, data=child_data(place.village, **DE_FACTO)
    )

    assert child.categories == ["事实无人抚养儿童", "困境儿童"]
    assert child.difficulty_kinds == ["监护困境"]
    assert child.weakness_type == "③-CB"
    assert (child.risk_level, child.visit_interval_days) == ("高", 7)
    assert child.classification_reasons == [
        "父亲服刑在押、母亲失联：符合事实无人抚养儿童认定条件（民发〔2019〕62号）",
        "事实无人抚养、母亲失联：属于监护困境（国发〔2016〕36号）",
        "父亲服刑在押（B类）、母亲失联（C类）：监护能力薄弱类型 ③-CB",
        "事实无人抚养儿童未签订委托监护责任确认书：风险等级高，每7天至少走访一次",
    ]


def test_registering_an_orphan_with_a_signed_confirmation(place):
    child = services.child_register(
        actor=place.director,
        data=child_data(
            place.village,
            confirmation_signed=True,
            confirmation_date=date(2026, 3, 1),
            **ORPHAN,
        ),
    )

    assert child.categories == ["孤儿", "困境儿童"]
    assert child.difficulty_kinds == ["监护困境"]
    assert child.weakness_type == ""
    assert (child.risk_level, child.visit_interval_days) == ("中", 30)
    assert child.classification_reasons == [
        "父亲死亡、母亲死亡：父母双方均死亡或查找不到，符合孤儿认定条件（国发〔2016〕36号）",
        "孤儿：属于监护困境（国发〔2016〕36号）",
        "孤儿、困境儿童：风险等级中，每30天至少走访一次",
    ]


def test_the_rural_hukou_condition_follows_the_setting(place, settings):
    data = child_data(place.village, hukou_nature="城镇")
    assert services.child_register(actor=place.director, data=data).categories == []
    settings.LEFT_BEHIND_REQUIRE_RURAL_HUKOU = False
    data = child_data(place.village, hukou_nature="城镇")
    assert services.child_register(actor=place.director, data=data).categories == [
        "农村留守儿童"
    ]


@pytest.mark.parametrize(
    ("who", "village", "message"),
    [
        ("director", "other_village", "户籍地须为您管辖范围内的村（社区）。"),
        ("supervisor", "far_village", "户籍地须为您管辖范围内的村（社区）。"),
        ("civil", "foreign_village", "户籍地须为您管辖范围内的村（社区）。"),
        ("director", "township", "户籍地须为您管辖范围内的村（社区）。"),
        ("leader", "village", "您没有登记或修改儿童信息的权限。"),
        ("department", "village", "您没有登记或修改儿童信息的权限。"),
        ("admin", "village", "您没有登记或修改儿童信息的权限。"),
    ],
)
def test_registering_outside_the_jurisdiction_or_role_is_refused(
    place, who, village, message
):
    with pytest.raises(DomainError) as error:
        services.child_register(
            actor=getattr(place, who), data=child_data(getattr(place, village))
        )
    assert error.value.message == message
    assert not Child.objects.exists()
    assert not ChildChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_id_number_clash_names_the_record_only_inside_the_jurisdiction(place):
    mine = make_child(place.village, name="李四")
    foreign = make_child(place.foreign_village, name="王五")

    with pytest.raises(DomainError) as inside:
        services.child_register(
            actor=place.director,
            data=child_data(place.village, id_number=mine.id_number),
        )
    assert inside.value.field == "id_number"
    assert inside.value.message == (
        "该身份号码已登记为 李四（守望村），请勿重复登记：可打开该记录修改。"
    )

    with pytest.raises(DomainError) as outside:
        services.child_register(
            actor=place.director,
            data=child_data(place.village, id_number=foreign.id_number),
        )
    assert outside.value.message == "该身份号码已在洞口县登记。"
    # A record in the same county but another village is just as far away.
    neighbour = make_child(place.other_village, name="赵六")
    with pytest.raises(DomainError) as township:
        services.child_register(
            actor=place.director,
            data=child_data(place.village, id_number=neighbour.id_number),
        )
    assert township.value.message == "该身份号码已在隆回县登记。"
    assert Child.objects.count() == 3


def test_an_id_number_taken_between_the_check_and_the_save_is_refused_cleanly(
    place, monkeypatch
):
    taken = make_child(place.village, name="李四")
    real_clash = services.id_number_clash
    calls = []

    def clash_missed_once(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real_clash(**kwargs)

    # The service looks the name up in its own module, not on the package.
    monkeypatch.setattr(services.records, "id_number_clash", clash_missed_once)
    with pytest.raises(DomainError) as error:
        services.child_register(
            actor=place.director,
            data=child_data(place.village, id_number=taken.id_number),
        )
    assert error.value.field == "id_number"
    assert error.value.message.startswith("该身份号码已登记为 李四（守望村）")
    assert Child.objects.count() == 1


# --- update -------------------------------------------------------------------------


def test_an_update_records_before_and_after_and_bumps_the_version(place):
    child = make_child(place.village)
    data = child_data(
        place.village,
        id_number=child.id_number,
        birth_date=child.birth_date,
        name="张晓鸣",
        mother_status="在家",
        mother_work_place="",
    )

    saved = services.child_update(
        actor=place.director, child_id=child.pk, expected_version=1, data=data
    )

    assert saved.version == 2
    assert (saved.name_pinyin, saved.name_initials) == ("zhangxiaoming", "zxm")
    assert saved.categories == []
    change = saved.changes.first()
    assert (change.action, change.version, change.actor) == (
        "update",
        2,
        place.director,
    )
    assert change.changes["name"] == ["张晓明", "张晓鸣"]
    assert change.changes["mother_status"] == ["外出务工", "在家"]
    assert change.changes["is_left_behind"] == [True, False]
    assert change.changes["risk_level"] == ["中", ""]
    assert "id_number" not in change.changes
    [event] = _audits("child.update")
    assert "name" in event.details["fields"]
    assert "is_left_behind" in event.details["fields"]


def test_an_update_that_changes_nothing_keeps_the_version(place):
    child = make_child(place.village)
    data = child_data(
        place.village,
        id_number=child.id_number,
        birth_date=child.birth_date,
        responsible_director_id=child.responsible_director_id,
    )
    saved = services.child_update(
        actor=place.director, child_id=child.pk, expected_version=1, data=data
    )
    assert saved.version == 1
    assert child.changes.count() == 1
    assert not _audits("child.update")


def test_an_update_made_on_an_older_version_is_refused_and_writes_nothing(place):
    child = make_child(place.village)
    data = child_data(
        place.village, id_number=child.id_number, birth_date=child.birth_date
    )
    services.child_update(
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        data={**data, "school": "守望小学"},
    )

    with pytest.raises(services.StaleEdit) as stale:
        services.child_update(
            actor=place.supervisor,
            child_id=child.pk,
            expected_version=1,
            data={**data, "school": "向阳小学"},
        )
    assert stale.value.current.version == 2
    assert stale.value.message == (
        "保存失败：在您编辑期间，该记录已被他人修改（当前为第2版）。"
        "您填写的内容没有丢失，请对照后重新提交。"
    )
    child.refresh_from_db()
    assert (child.school, child.version) == ("守望小学", 2)
    assert child.changes.count() == 2


def test_an_update_cannot_move_a_child_out_of_the_jurisdiction(place):
    child = make_child(place.village)
    data = child_data(
        place.other_village, id_number=child.id_number, birth_date=child.birth_date
    )
    with pytest.raises(DomainError) as error:
        services.child_update(
            actor=place.director, child_id=child.pk, expected_version=1, data=data
        )
    assert error.value.field == "village"
    child.refresh_from_db()
    assert child.village_id == place.village.code


def test_an_update_taking_another_childs_id_number_is_refused(place):
    first = make_child(place.village, name="李四")
    second = make_child(place.village, name="王五")
    data = child_data(
        place.village, id_number=first.id_number, birth_date=first.birth_date
    )
    with pytest.raises(DomainError) as error:
        services.child_update(
            actor=place.director, child_id=second.pk, expected_version=1, data=data
        )
    assert error.value.message.startswith("该身份号码已登记为 李四（守望村）")


def test_a_merged_record_cannot_be_edited(place):
    keep = make_child(place.village, id_number=None, name="张晓明")
    merged = make_child(place.village, id_number=None, name="张小明")
    services.child_merge(
        actor=place.director,
        keep_id=keep.pk,
        merge_id=merged.pk,
        keep_version=1,
        merge_version=1,
    )
    data = child_data(
        place.village, id_number=None, birth_date=merged.birth_date, school="改"
    )
    with pytest.raises(DomainError) as error:
        services.child_update(
            actor=place.director, child_id=merged.pk, expected_version=2, data=data
        )
    assert error.value.message == (
        f"该记录已合并到记录 #{keep.pk}，请修改合并后的记录。"
    )


# --- exit and re-admission ------------------------------------------------------------


def test_exit_keeps_the_record_and_readmission_reclassifies(place):
    child = make_child(place.village)
    today = timezone.localdate()

    exited = services.child_exit(
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        reason="父母返乡/监护恢复",
        exit_date=today,
        note="父母均已返乡",
    )
    assert (exited.status, exited.exit_reason, exited.exit_date) == (
        "exited",
        "父母返乡/监护恢复",
        today,
    )
    assert exited.version == 2
    change = exited.changes.first()
    assert (change.action, change.note) == ("exit", "父母均已返乡")
    assert change.changes["status"] == ["active", "exited"]
    assert _audits("child.exit")[0].details == {"reason": "父母返乡/监护恢复"}

    back = services.child_readmit(
        actor=place.director, child_id=child.pk, expected_version=2
    )
    assert (back.status, back.exit_reason, back.exit_date) == ("active", "", None)
    assert back.version == 3
    assert back.changes.first().changes["status"] == ["exited", "active"]
    assert back.categories == ["农村留守儿童"]
    assert len(_audits("child.readmit")) == 1
    assert Child.objects.count() == 1


@pytest.mark.parametrize(
    ("reason", "days", "field", "message"),
    [
        ("", 0, "reason", "请选择退出原因。"),
        ("毕业", 0, "reason", "请选择退出原因。"),
        ("其他", -1, "exit_date", "退出日期不能晚于今天。"),
    ],
)
def test_exit_refuses_a_missing_reason_or_a_future_date(
    place, reason, days, field, message
):
    child = make_child(place.village)
    with pytest.raises(DomainError) as error:
        services.child_exit(
            actor=place.director,
            child_id=child.pk,
            expected_version=1,
            reason=reason,
            exit_date=timezone.localdate() - timedelta(days=days),
        )
    assert (error.value.field, error.value.message) == (field, message)
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 1)


def test_exit_and_readmission_check_status_and_version(place):
    child = make_child(place.village)
    with pytest.raises(DomainError, match="只有已退出的儿童才能重新纳入。"):
        services.child_readmit(
            actor=place.director, child_id=child.pk, expected_version=1
        )
    with pytest.raises(services.StaleEdit):
        services.child_exit(
            actor=place.director,
            child_id=child.pk,
            expected_version=7,
            reason="其他",
            exit_date=timezone.localdate(),
        )
    services.child_exit(
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        reason="其他",
        exit_date=timezone.localdate(),
    )
    with pytest.raises(DomainError, match="该儿童已不在册，无需退出。"):
        services.child_exit(
            actor=place.director,
            child_id=child.pk,
            expected_version=2,
            reason="其他",
            exit_date=timezone.localdate(),
        )
    with pytest.raises(DomainError, match="您没有登记或修改儿童信息的权限。"):
        services.child_readmit(
            actor=place.leader, child_id=child.pk, expected_version=2
        )


# --- reads that are audited -------------------------------------------------------------


def test_revealing_id_numbers_is_audited_and_role_gated(place):
    child = make_child(place.village, father_id_number=FATHER_ID)
    ids = services.child_reveal_ids(actor=place.director, child=child)
    assert ids == {
        "id_number": child.id_number,
        "father_id_number": FATHER_ID,
        "mother_id_number": "",
        "guardian_id_number": "",
    }
    [event] = _audits("child.reveal_id")
    assert (event.actor, event.object_id) == (place.director, str(child.pk))

    with pytest.raises(DomainError, match="您没有查看完整身份号码的权限。"):
        services.child_reveal_ids(actor=place.leader, child=child)
    assert len(_audits("child.reveal_id")) == 1


def test_reading_a_record_is_audited(place):
    child = make_child(place.village)
    services.child_record_read(actor=place.supervisor, child=child)
    [event] = _audits("child.view")
    assert (event.actor, event.object_id, event.area_id) == (
        place.supervisor,
        str(child.pk),
        place.village.code,
    )


# --- merging and dismissing duplicates ------------------------------------------------


def test_merging_keeps_both_records_and_both_histories(place):
    born = years_ago(8)
    keep = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    merged = make_child(place.village, id_number=None, name="张小明", birth_date=born)

    result = services.child_merge(
        actor=place.director,
        keep_id=keep.pk,
        merge_id=merged.pk,
        keep_version=1,
        merge_version=1,
    )

    assert result.pk == keep.pk
    merged.refresh_from_db()
    keep.refresh_from_db()
    assert (merged.status, merged.merged_into_id, merged.version) == (
        "merged",
        keep.pk,
        2,
    )
    assert (keep.status, keep.version) == ("active", 2)
    assert Child.objects.count() == 2
    assert merged.changes.first().note == f"合并到记录 #{keep.pk}"
    assert merged.changes.first().changes["status"] == ["active", "merged"]
    assert keep.changes.first().note == f"合并了记录 #{merged.pk}"
    assert _audits("child.merge")[0].details == {"merged": merged.pk}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "不能把记录合并到它自己。"),
        ("exited", "张小明 的记录已不在册，不能合并。"),
        ("foreign", "户籍地须为您管辖范围内的村（社区）。"),
    ],
)
def test_merging_is_refused_when_it_cannot_be_right(place, case, message):
    keep = make_child(place.village, id_number=None, name="张晓明")
    other_village = place.foreign_village if case == "foreign" else place.village
    merged = make_child(other_village, id_number=None, name="张小明")
    merge_version = 1
    if case == "exited":
        services.child_exit(
            actor=place.director,
            child_id=merged.pk,
            expected_version=1,
            reason="其他",
            exit_date=timezone.localdate(),
        )
        merge_version = 2
    with pytest.raises(DomainError) as error:
        services.child_merge(
            actor=place.director,
            keep_id=keep.pk,
            merge_id=keep.pk if case == "self" else merged.pk,
            keep_version=1,
            merge_version=1 if case == "self" else merge_version,
        )
    assert error.value.message == message
    assert set(Child.objects.values_list("status", flat=True)) <= {"active", "exited"}


def test_merging_an_older_version_is_refused(place):
    keep = make_child(place.village, id_number=None, name="张晓明")
    merged = make_child(place.village, id_number=None, name="张小明")
    with pytest.raises(services.StaleEdit):
        services.child_merge(
            actor=place.director,
            keep_id=keep.pk,
            merge_id=merged.pk,
            keep_version=1,
            merge_version=5,
        )
    merged.refresh_from_db()
    assert merged.status == "active"


def test_dismissing_a_candidate_is_remembered_once_and_audited(place):
    first = make_child(place.village, id_number=None, name="张晓明")
    second = make_child(place.village, id_number=None, name="张小明")
    one = services.duplicate_dismiss(actor=place.director, first=second, second=first)
    two = services.duplicate_dismiss(actor=place.director, first=first, second=second)
    assert one.pk == two.pk
    assert (one.first_id, one.second_id, one.decided_by) == (
        first.pk,
        second.pk,
        place.director,
    )
    assert DuplicateDecision.objects.count() == 1
    assert len(_audits("child.duplicate_dismiss")) == 2
    with pytest.raises(DomainError, match="您没有登记或修改儿童信息的权限。"):
        services.duplicate_dismiss(actor=place.leader, first=first, second=second)
    with pytest.raises(DomainError, match="不能把记录与它自己比较。"):
        services.duplicate_dismiss(actor=place.director, first=first, second=first)
    assert DuplicateDecision.objects.count() == 1


# --- reclassification -----------------------------------------------------------------


def test_reclassification_records_only_the_children_whose_result_changed(place):
    today = timezone.localdate()
    turning_16 = make_child(
        place.village, name="将满十六", birth_date=years_ago(16, days=-10)
    )
    young = make_child(place.village, name="年幼", birth_date=years_ago(5))
    no_category = make_child(place.village, name="在家", **AT_HOME)
    exited = make_child(place.village, name="已退出", birth_date=years_ago(16, days=-5))
    services.child_exit(
        actor=place.director,
        child_id=exited.pk,
        expected_version=1,
        reason="其他",
        exit_date=today,
    )
    birthday = today + timedelta(days=10)

    assert services.children_reclassify(as_of=birthday - timedelta(days=1)) == 0
    assert not ChildChange.objects.filter(action="reclassify").exists()

    assert services.children_reclassify(as_of=birthday, batch_size=1) == 1

    [change] = ChildChange.objects.filter(action="reclassify")
    assert change.child_id == turning_16.pk
    assert change.actor is None
    assert change.version == 1
    assert change.note == f"按 {birthday:%Y-%m-%d} 重新认定"
    assert change.changes["is_left_behind"] == [True, False]
    assert change.changes["risk_level"] == ["中", ""]
    turning_16.refresh_from_db()
    assert turning_16.categories == []
    assert turning_16.version == 1
    assert turning_16.classified_on == birthday
    assert turning_16.classification_reasons[-1] == (
        "不符合孤儿、事实无人抚养儿童、农村留守儿童或困境儿童的认定条件"
    )
    for other in (young, no_category, exited):
        assert not other.changes.filter(action="reclassify").exists()
    # Running again for the same date finds nothing new.
    assert services.children_reclassify(as_of=birthday) == 0


def test_reclassification_of_given_children_only(place):
    a = make_child(place.village, name="甲", birth_date=years_ago(16, days=-1))
    b = make_child(place.village, name="乙", birth_date=years_ago(16, days=-1))
    later = timezone.localdate() + timedelta(days=1)
    assert services.children_reclassify(as_of=later, children=[a]) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.is_left_behind, b.is_left_behind) == (False, True)


def test_reclassification_never_overwrites_a_newer_save(place):
    child = make_child(place.village, birth_date=years_ago(16, days=-1))
    read_before = Child.objects.get(pk=child.pk)  # the run has read the child …
    services.child_update(  # … when a worker records that the parents came home
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        data={**AT_HOME, "family_assistance": ["低保"]},
    )
    later = timezone.localdate() + timedelta(days=1)

    assert services.children_reclassify(as_of=later, children=[read_before]) == 0

    child.refresh_from_db()
    assert (child.version, child.difficulty_living, child.risk_level) == (2, True, "中")
    assert not child.changes.filter(action="reclassify").exists()


def test_the_name_keys_are_toneless_pinyin_and_initials():
    assert services.name_keys("张晓明") == ("zhangxiaoming", "zxm")
    assert services.name_keys("阿依古丽·买买提") == ("ayigulimaimaiti", "ayglmmt")
    # Surnames read differently from the everyday word (曾 zeng, not ceng).
    assert services.name_keys("曾小明") == ("zengxiaoming", "zxm")
    assert services.name_keys("单丽") == ("shanli", "sl")
    assert services.name_keys("解放") == ("xiefang", "xf")


def test_integrity_errors_other_than_id_clashes_are_not_swallowed(place, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(Child, "save", broken_save)
    with pytest.raises(IntegrityError):
        services.child_register(
            actor=place.director, data=child_data(place.village, id_number=None)
        )
