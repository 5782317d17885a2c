"""services.visit: recording a visit, its checks, its files and the schedule it moves."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError
from shouwang.registry import services as registry_services
from shouwang.registry.models import Child, VisitPolicy
from shouwang.registry.tests.factories import make_child, make_place, years_ago
from shouwang.visits.models import Attachment, Visit
from shouwang.visits.services.visit import InvalidVisit, check_visit, visit_record

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def today():
    return timezone.localdate()


def visit_values(**overrides) -> dict:
    """Good values of a home visit made today with normal findings."""
    values = {
        "visit_date": today(),
        "mode": "入户",
        "visitors": "主任张",
        "met": "祖母王桂兰",
        "guardianship": "正常",
        "guardianship_note": "",
        "living": "正常",
        "living_note": "",
        "study": "正常",
        "study_note": "",
        "safety": "正常",
        "safety_note": "",
        "emotion": "正常",
        "emotion_note": "",
        "problems": "",
        "measures": "",
        "followup_needed": False,
        "followup_due": None,
    }
    values.update(overrides)
    return values


def upload(name: str, content: bytes, content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list:
    root = settings.VISIT_UPLOAD_DIR
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def child(place):
    return make_child(place.village, name="张晓明")


def schedule_of(child) -> tuple:
    child = Child.objects.get(pk=child.pk)
    return child.last_visit_date, child.visit_followup_due, child.next_visit_due


# Recording ---------------------------------------------------------------------------


def test_a_visit_is_kept_with_its_files_audited_and_moves_the_schedule(
    place, child, settings
):
    visit_day = today() - timedelta(days=2)
    visit = visit_record(
        actor=place.director,
        child_id=child.pk,
        data=visit_values(
            visit_date=visit_day,
            living="有问题",
            living_note="屋顶漏雨",
            problems="住房漏雨",
            measures="联系村委维修",
        ),
        uploads=[upload("屋顶.png", PNG), upload("确认.pdf", PDF, "application/pdf")],
    )
    assert visit.village_id == place.village.code
    assert visit.recorded_by == place.director
    assert visit.living_note == "屋顶漏雨"
    assert [(a.original_name, a.content_type) for a in visit.attachments.all()] == [
        ("屋顶.png", "image/png"),
        ("确认.pdf", "application/pdf"),
    ]
    assert len(stored_files(settings)) == 2
    interval = child.visit_interval_days
    assert schedule_of(child) == (
        visit_day,
        None,
        visit_day + timedelta(days=interval),
    )
    event = AuditEvent.objects.get(action="visit.record")
    assert event.actor == place.director
    assert event.object_id == str(visit.pk)
    assert event.area_id == place.village.code
    assert event.details["child"] == child.pk
    assert event.details["attachments"] == 2


def test_the_interval_comes_from_the_risk_and_the_county_policy(place):
    VisitPolicy.objects.create(
        county=place.county,
        high_days=5,
        medium_days=14,
        low_days=60,
        updated_by=place.civil,
    )
    child = make_child(place.village, name="李明")
    assert child.risk_level == "中"
    assert child.visit_interval_days == 14
    visit_record(actor=place.director, child_id=child.pk, data=visit_values())
    assert schedule_of(child)[2] == today() + timedelta(days=14)


def test_an_earlier_follow_up_date_wins_and_a_later_one_does_not(place, child):
    soon = today() + timedelta(days=5)
    visit_record(
        actor=place.director,
        child_id=child.pk,
        data=visit_values(followup_needed=True, followup_due=soon),
    )
    assert schedule_of(child) == (today(), soon, soon)

    late = today() + timedelta(days=child.visit_interval_days + 10)
    visit_record(
        actor=place.director,
        child_id=child.pk,
        data=visit_values(followup_needed=True, followup_due=late),
    )
    assert schedule_of(child) == (
        today(),
        late,
        today() + timedelta(days=child.visit_interval_days),
    )


def test_a_follow_up_date_without_follow_up_is_not_kept(place, child):
    visit = visit_record(
        actor=place.director,
        child_id=child.pk,
        data=visit_values(followup_due=today() + timedelta(days=3)),
    )
    assert visit.followup_due is None
    assert schedule_of(child)[1] is None


def test_an_older_visit_recorded_later_leaves_the_schedule_on_the_latest(place, child):
    visit_record(actor=place.director, child_id=child.pk, data=visit_values())
    visit_record(
        actor=place.director,
        child_id=child.pk,
        data=visit_values(visit_date=today() - timedelta(days=20)),
    )
    assert schedule_of(child)[0] == today()


# Bad input: a clear message, nothing written -------------------------------------------


def _nothing_written(child, before, settings) -> None:
    assert not Visit.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []
    assert schedule_of(child) == before
    assert not AuditEvent.objects.filter(action="visit.record").exists()


BAD_VISITS = [
    pytest.param(
        {"visit_date": "tomorrow"},
        "visit_date",
        "走访日期不能晚于今天（{today}）：请填写实际走访的日期。",
        id="future",
    ),
    pytest.param(
        {"visit_date": "before_birth"},
        "visit_date",
        "走访日期不能早于儿童的出生日期（{birth}）。",
        id="before-birth",
    ),
    pytest.param({"visit_date": None}, "visit_date", "请填写走访日期。", id="no-date"),
    pytest.param(
        {"safety": ""},
        "safety",
        "请选择安全情况：正常、需关注或有问题。",
        id="finding-missing",
    ),
    pytest.param(
        {"emotion": "很好"},
        "emotion",
        "心理情感情况“很好”不是可选的值，应为：正常、需关注、有问题。",
        id="finding-unknown",
    ),
    pytest.param(
        {"guardianship": "需关注"},
        "guardianship_note",
        "监护情况为“需关注”：请在“监护情况说明”中写明具体情况。",
        id="note-missing",
    ),
    pytest.param(
        {"mode": "上门"},
        "mode",
        "走访方式“上门”不是可选的值，应为：入户、电话、视频、在校。",
        id="mode",
    ),
    pytest.param({"visitors": "  "}, "visitors", "请填写走访人员。", id="visitors"),
    pytest.param({"met": ""}, "met", "请填写见到的人。", id="met"),
    pytest.param(
        {"followup_needed": True},
        "followup_due",
        "已选择需要跟进：请填写跟进期限。",
        id="follow-up-date-missing",
    ),
    pytest.param(
        {"followup_needed": True, "followup_due": "yesterday"},
        "followup_due",
        "跟进期限不能早于走访日期（{today}）。",
        id="follow-up-before-visit",
    ),
    pytest.param(
        {"problems": "问" * 2001},
        "problems",
        "发现的问题最多2000个字，当前2001个。",
        id="problems-too-long",
    ),
    pytest.param(
        {"measures": "措" * 2001},
        "measures",
        "采取的措施最多2000个字，当前2001个。",
        id="measures-too-long",
    ),
]


def _resolve(overrides: dict, child) -> dict:
    days = {
        "tomorrow": today() + timedelta(days=1),
        "yesterday": today() - timedelta(days=1),
        "before_birth": child.birth_date - timedelta(days=1),
    }
    return {
        k: days.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()
    }


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_VISITS)
def test_bad_input_says_what_is_wrong_and_writes_nothing(
    place, child, settings, overrides, field, message
):
    before = schedule_of(child)
    expected = message.format(
        today=today().isoformat(), birth=child.birth_date.isoformat()
    )
    with pytest.raises(InvalidVisit) as refused:
        visit_record(
            actor=place.director,
            child_id=child.pk,
            data=visit_values(**_resolve(overrides, child)),
            uploads=[upload("照片.png", PNG)],
        )
    assert refused.value.field == field
    assert refused.value.message == expected
    assert refused.value.problems == {field: [expected]}
    _nothing_written(child, before, settings)


def test_every_problem_is_listed_by_field_in_form_order(child):
    problems = check_visit(
        visit_values(
            visit_date=today() + timedelta(days=1),
            mode="",
            met="",
            guardianship="",
            study="有问题",
        ),
        birth_date=child.birth_date,
        today=today(),
    )
    assert problems == {
        "visit_date": [
            f"走访日期不能晚于今天（{today().isoformat()}）：请填写实际走访的日期。"
        ],
        "mode": ["请选择走访方式。"],
        "met": ["请填写见到的人。"],
        "guardianship": ["请选择监护情况：正常、需关注或有问题。"],
        "study_note": ["学习情况为“有问题”：请在“学习情况说明”中写明具体情况。"],
    }


def test_all_findings_missing_names_each_aspect(child):
    problems = check_visit(
        {"visit_date": today(), "mode": "入户", "visitors": "甲", "met": "乙"},
        birth_date=child.birth_date,
        today=today(),
    )
    assert problems == {
        name: [f"请选择{label}情况：正常、需关注或有问题。"]
        for name, label in (
            ("guardianship", "监护"),
            ("living", "生活"),
            ("study", "学习"),
            ("safety", "安全"),
            ("emotion", "心理情感"),
        )
    }


def test_a_too_large_attachment_is_refused_before_anything_is_written(
    place, child, settings
):
    settings.VISIT_MAX_ATTACHMENT_MB = 1
    before = schedule_of(child)
    big = upload("大照片.png", PNG + b"\0" * (1024 * 1024))
    with pytest.raises(InvalidVisit) as refused:
        visit_record(
            actor=place.director,
            child_id=child.pk,
            data=visit_values(),
            uploads=[upload("小照片.png", PNG), big],
        )
    assert refused.value.field == "attachments"
    assert refused.value.message == (
        "附件“大照片.png”有 1.0 MB，超过 1 MB的上限：请压缩照片或分页扫描后再上传。"
    )
    _nothing_written(child, before, settings)


def test_a_file_that_is_not_an_image_or_pdf_is_refused_by_its_content(
    place, child, settings
):
    before = schedule_of(child)
    disguised = upload("照片.jpg", b"MZ\x90\x00 not a picture", "image/jpeg")
    with pytest.raises(InvalidVisit) as refused:
        visit_record(
            actor=place.director,
            child_id=child.pk,
            data=visit_values(),
            uploads=[upload("真照片.jpg", JPEG, "image/jpeg"), disguised],
        )
    assert refused.value.problems == {
        "attachments": [
            "附件“照片.jpg”不是 JPG、PNG 图片或 PDF 文件（按文件内容判断）："
            "请上传照片或扫描件。"
        ]
    }
    _nothing_written(child, before, settings)


def test_a_failure_after_the_files_were_written_removes_them(
    place, child, settings, monkeypatch
):
    from shouwang.visits.services import visit as service

    def broken(**kwargs):
        raise RuntimeError("数据库断开")

    monkeypatch.setattr(service, "audit_record", broken)
    before = schedule_of(child)
    with pytest.raises(RuntimeError):
        visit_record(
            actor=place.director,
            child_id=child.pk,
            data=visit_values(),
            uploads=[upload("照片.png", PNG)],
        )
    assert stored_files(settings) == []
    assert not Visit.objects.exists()
    assert schedule_of(child) == before


# Who may record, on which child ----------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_roles_without_casework_may_not_record(place, child, who):
    with pytest.raises(DomainError) as refused:
        visit_record(actor=getattr(place, who), child_id=child.pk, data=visit_values())
    assert refused.value.message == "您没有记录走访的权限。"
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["other_director", "foreign_director", "foreign_civil"])
def test_a_child_outside_the_jurisdiction_is_not_found(place, child, who):
    with pytest.raises(DomainError) as refused:
        visit_record(actor=getattr(place, who), child_id=child.pk, data=visit_values())
    assert refused.value.message == "儿童记录不存在或不在您的管辖范围内。"
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["director", "supervisor", "civil"])
def test_casework_roles_record_inside_their_jurisdiction(place, child, who):
    visit = visit_record(
        actor=getattr(place, who), child_id=child.pk, data=visit_values()
    )
    assert visit.recorded_by == getattr(place, who)


def test_an_exited_child_gets_no_visits(place, child):
    registry_services.child_exit(
        actor=place.civil,
        child_id=child.pk,
        expected_version=child.version,
        reason="父母返乡/监护恢复",
        exit_date=today(),
    )
    with pytest.raises(DomainError) as refused:
        visit_record(actor=place.director, child_id=child.pk, data=visit_values())
    assert refused.value.message == (
        "该儿童已退出儿童信息库，不能记录走访：如需走访，请先重新纳入。"
    )
    assert not Visit.objects.exists()


def test_a_merged_record_points_to_the_record_it_went_into(place):
    born = years_ago(9, days=40)
    keep = make_child(place.village, name="张晓明", birth_date=born, id_number=None)
    merged = make_child(place.village, name="张小明", birth_date=born, id_number=None)
    registry_services.child_merge(
        actor=place.civil,
        keep_id=keep.pk,
        merge_id=merged.pk,
        keep_version=keep.version,
        merge_version=merged.version,
    )
    with pytest.raises(DomainError) as refused:
        visit_record(actor=place.director, child_id=merged.pk, data=visit_values())
    assert refused.value.message == (
        f"该记录已合并到记录 #{keep.pk}，请在合并后的记录上记录走访。"
    )
