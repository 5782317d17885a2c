"""The printed documents of a case (.docx): the 强制报告登记表 for those who see the whole
case, the reporter only for those who may see the reporter; the 转介单 for the sender
and the receiving unit, without the reporter; every download audited; 404 for other
counties, other units, cases not referred and revoked referrals."""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from shouwang.accounts.models import Unit
from shouwang.audit.models import AuditEvent
from shouwang.protection import documents, services
from shouwang.protection.vocab import Channel, Situation
from shouwang.registry.tests.factories import make_child

from .factories import file_report, make_county, make_foreign

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
OBSERVED = "孩子一个人在家，三天没有大人回来。\n邻居说<父亲>外出 & 未归。"


@pytest.fixture
def home():
    return make_county()


@pytest.fixture
def case(home):
    child = make_child(
        home.village,
        name="李小花",
        sex="女",
        guardian_name="李奶奶",
        guardian_phone="13900001111",
    )
    case = file_report(home.director, child_id=child.pk, observed=OBSERVED)
    services.case_police_decide(
        actor=home.police, case_id=case.pk, decision="filed", reason="已立案调查"
    )
    case.refresh_from_db()
    services.case_assess(
        actor=home.civil,
        case_id=case.pk,
        expected_version=case.version,
        risk="high",
        needs=["guardianship", "education"],
        safety_plan="由祖母临时照料。\n村主任每日探望。",
    )
    services.action_record(
        actor=home.civil,
        case_id=case.pk,
        values={
            "kind": "family_help",
            "families": 1,
            "persons": 2,
            "occurred_on": timezone.localdate(),
        },
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def education(home, case):
    referral = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.EDUCATION,
        service="schooling",
        reason="安排寄宿就读",
        timeframe=72,
    )
    services.referral_accept(actor=home.units[Unit.EDUCATION], referral_id=referral.pk)
    referral.refresh_from_db()
    return referral


@pytest.fixture
def federation(home, case):
    return services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.WOMENS_FEDERATION,
        service="family_education",
        reason="家庭教育指导",
        timeframe=168,
    )


def _get(user, url: str):
    client = Client()
    client.force_login(user)
    return client.get(url)


def _report_url(case) -> str:
    return f"/protection/{case.pk}/report-form.docx"


def _letter_url(referral) -> str:
    return f"/protection/referrals/{referral.pk}/letter.docx"


def _rows(data: bytes) -> list[list[str]]:
    document = Document(io.BytesIO(data))
    return [
        [cell.text for cell in row.cells] for t in document.tables for row in t.rows
    ]


def _text(data: bytes) -> str:
    """Every paragraph and table cell of the document, a line each."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    lines += [" | ".join(row) for row in _rows(data)]
    return "\n".join(lines)


def _at(moment) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日 %H:%M}"


def _documents() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action="case.document")
        .order_by("id")
        .values_list("actor_name", "object_type")
    )


def test_the_report_form_holds_the_whole_case(home, case, education, federation):
    AuditEvent.objects.all().delete()

    response = _get(home.civil, _report_url(case))

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    assert case.number in response["Content-Disposition"]
    rows = _rows(response.content)
    text = _text(response.content)
    assert "未成年人遭受侵害强制报告登记表" in text
    assert f"受理编号：{case.number}" in text
    assert [
        "报告人",
        "保护主任",
        "报告单位",
        f"{home.village.name}儿童主任",
    ] in rows
    assert ["情形", *[Situation.LIVING_ALONE.label] * 3] in rows
    assert ["紧急程度", "紧急", "敏感级别", "一般"] in rows
    assert ["姓名", "李小花", "性别", "女"] in rows
    assert ["监护人", "李奶奶（祖父母）", "联系电话", "13900001111"] in rows
    assert ["受理结果", "立案", "受理时间", _at(case.police_decided_at)] in rows
    assert ["风险等级", "高", "评估时间", _at(case.assessed_at)] in rows
    assert ["需求", *["监护照料、就学保障"] * 3] in rows
    assert [
        "教育",
        "就学保障与劝返复学",
        "安排寄宿就读",
        _at(education.respond_by),
        "已接收",
    ] in rows
    assert [
        "妇联",
        "家庭教育指导",
        "家庭教育指导",
        _at(federation.respond_by),
        "待接收",
    ] in rows
    assert [
        f"{timezone.localdate():%Y年%m月%d日}",
        "民政",
        "帮扶监护严重缺失家庭：1户2人",
    ] in rows
    assert ["案件状态", "转介处置中", "结案时间", documents.BLANK] in rows
    # Lines and markup stay text.
    assert "孩子一个人在家，三天没有大人回来。\n邻居说<父亲>外出 & 未归。" in text
    assert "由祖母临时照料。\n村主任每日探望。" in text
    assert "（未转介）" not in text and "{{" not in text and "{%" not in text
    assert "" not in [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    [event] = AuditEvent.objects.filter(action="case.document")
    assert (event.object_type, event.object_id, event.details) == (
        "case",
        str(case.pk),
        {"document": "report_form", "number": case.number, "reporter": True},
    )
    assert event.area_id == case.area_id


def test_the_reporter_is_withheld_from_a_whole_case_viewer_who_may_not_see_it(
    home, case
):
    court = home.units[Unit.COURT]
    services.break_glass(actor=court, number=case.number, reason="法院审理需要查阅")

    withheld = _get(court, _report_url(case))
    police = _get(home.police, _report_url(case))

    assert withheld.status_code == 200
    rows = _rows(withheld.content)
    assert ["报告人", "（依法保密）", "报告单位", "（依法保密）"] in rows
    assert ["联系方式", "（依法保密）", "录入人", "（依法保密）"] in rows
    assert "保护主任" not in _text(withheld.content)
    assert ["报告人", "保护主任", "报告单位", f"{home.village.name}儿童主任"] in (
        _rows(police.content)
    )
    assert [
        e.details["reporter"]
        for e in AuditEvent.objects.filter(action="case.document").order_by("id")
    ] == [False, True]


def test_a_phone_report_of_an_anonymous_reporter_says_so(home):
    case = file_report(
        home.civil,
        channel=Channel.PHONE,
        anonymous=True,
        child_id=None,
        area_id=home.village.code,
        child_name="",
        child_description="约十岁男孩，穿蓝色校服，在集市乞讨",
    )

    response = _get(home.police, _report_url(case))

    rows = _rows(response.content)
    assert ["报告时间", _at(case.reported_at), "报告方式", "电话报告（代录）"] in rows
    assert ["报告人", "匿名", "报告单位", "匿名"] in rows
    assert ["联系方式", "匿名", "录入人", "保护民政"] in rows
    assert ["姓名", "（未登记儿童）", "性别", "男"] in rows
    assert ["儿童描述", *["约十岁男孩，穿蓝色校服，在集市乞讨"] * 3] in rows
    assert ["受理结果", "尚未受理", "受理时间", documents.BLANK] in rows
    text = _text(response.content)
    assert "（未转介）" in text and "（尚无处置措施）" in text


def test_the_letter_holds_what_the_referral_needs_for_sender_and_unit(
    home, case, education
):
    AuditEvent.objects.all().delete()
    receiver = home.units[Unit.EDUCATION]

    for user in (home.civil, receiver):
        response = _get(user, _letter_url(education))

        assert response.status_code == 200, user.username
        assert response["Content-Type"] == DOCX
        rows = _rows(response.content)
        text = _text(response.content)
        assert "未成年人保护联动转介单" in text
        assert f"编号：{case.number}-Z01" in text
        assert f"{case.county.name}教育部门：" in text
        assert f"请于{_at(education.respond_by)}前接收" in text
        assert ["姓名", "李小花", "性别", "女"] in rows
        assert ["年龄", "9岁", "受理编号", case.number] in rows
        assert ["监护人", "李奶奶（祖父母）", "联系电话", "13900001111"] in rows
        assert ["情形", *[Situation.LIVING_ALONE.label] * 3] in rows
        assert ["紧急程度", "紧急", "服务类型", "就学保障与劝返复学"] in rows
        assert ["转介原因", *["安排寄宿就读"] * 3] in rows
        assert ["响应时限", "3日内", "响应期限", _at(education.respond_by)] in rows
        assert ["转出单位", f"{case.county.name}民政部门", "转介人", "保护民政"] in rows
        assert [
            "接收或拒绝时间",
            _at(education.responded_at),
            "接收人",
            "保护教育",
        ] in rows
        # Only what the referral needs: no reporter, no observations, no assessment.
        for absent in ("保护主任", "儿童主任", "三天没有大人回来", "由祖母临时照料"):
            assert absent not in text, (user.username, absent)
        assert "{{" not in text
    assert _documents() == [
        ("p430524_civil", "referral"),
        ("p430524_education", "referral"),
    ]


def test_other_counties_other_units_and_cases_not_referred_find_nothing(
    home, case, education, federation
):
    foreign = make_foreign()
    other = file_report(home.director, found_place="另一处")
    AuditEvent.objects.all().delete()
    receiver = home.units[Unit.EDUCATION]
    denied = [
        # Another county: police, civil affairs, the same unit.
        (foreign.police, _report_url(case)),
        (foreign.civil, _report_url(case)),
        (foreign.units[Unit.EDUCATION], _letter_url(education)),
        (foreign.civil, _letter_url(education)),
        # Same county, another unit: its own referral does not open education's.
        (home.units[Unit.WOMENS_FEDERATION], _letter_url(education)),
        # A referral shows the unit the referral, never the whole report form.
        (receiver, _report_url(case)),
        (home.units[Unit.WOMENS_FEDERATION], _report_url(case)),
        # Not referred to the unit at all.
        (home.units[Unit.COURT], _report_url(case)),
        (home.units[Unit.COURT], _letter_url(education)),
        (receiver, _report_url(other)),
        # The reporter holds a receipt, not the case.
        (home.director, _report_url(case)),
        (home.director, _letter_url(education)),
        # Missing.
        (home.civil, "/protection/999999/report-form.docx"),
        (home.civil, "/protection/referrals/999999/letter.docx"),
    ]
    for user, url in denied:
        response = _get(user, url)
        assert response.status_code == 404, (user.username, url)
        assert NOT_FOUND in response.content.decode(), (user.username, url)
    assert (
        _get(home.units[Unit.WOMENS_FEDERATION], _letter_url(federation)).status_code
        == 200
    )
    assert _documents() == [("p430524_womens_federation", "referral")]


def test_a_revoked_referral_letter_is_gone_for_the_unit_not_the_sender(
    home, case, education
):
    receiver = home.units[Unit.EDUCATION]
    services.referral_revoke(
        actor=home.civil, referral_id=education.pk, reason="改由乡镇社工站跟进"
    )

    assert _get(receiver, _letter_url(education)).status_code == 404
    response = _get(home.civil, _letter_url(education))
    assert response.status_code == 200
    assert ["转介时间", _at(education.created_at), "当前状态", "已撤回"] in _rows(
        response.content
    )


def test_downloads_are_read_only(home, case, education):
    client = Client()
    client.force_login(home.civil)
    for url in (_report_url(case), _letter_url(education)):
        assert client.post(url).status_code == 405
    assert not AuditEvent.objects.filter(action="case.document").exists()


def test_the_stored_templates_are_what_the_script_builds(tmp_path):
    root = Path(__file__).resolve().parents[3]
    subprocess.run(
        [sys.executable, root / "scripts/build_protection_templates.py", tmp_path],
        check=True,
        capture_output=True,
    )
    for name in ("report_form.docx", "referral_letter.docx"):
        built = zipfile.ZipFile(tmp_path / name).read("word/document.xml")
        stored = zipfile.ZipFile(documents.DATA / name).read("word/document.xml")
        assert built == stored, name
