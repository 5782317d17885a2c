"""`manage.py bulletin`: writes the same bulletin as the page, synchronously, through a
temporary file; every refusal is exit code 2 with a Chinese message."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx import Document

from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.reports.periods import quarter_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"


@pytest.fixture
def place():
    place = make_place()
    make_child(place.village, name="留守")
    make_child(place.far_village, name="留守二")
    return place


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("bulletin", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    return str(error.value)


def period_args() -> list[str]:
    today = timezone.localdate()
    return ["--from", quarter_start(today).isoformat(), "--to", today.isoformat()]


def test_the_command_writes_the_bulletin_and_leaves_no_temporary_file(place, tmp_path):
    out = tmp_path / "通报.docx"
    printed = run("--area", place.county.code, *period_args(), "--out", str(out))
    assert "已生成 隆回县" in printed and "（模板：系统默认模板）" in printed
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "全县在册儿童2人" in text
    assert "其中农村留守儿童2人" in text
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["通报.docx"]
    assert AuditEvent.objects.filter(
        action=AuditAction.BULLETIN_GENERATE, actor_name="manage.py bulletin"
    ).exists()


def test_the_command_uses_a_template_file(place, tmp_path):
    template = Document()
    template.add_paragraph("{{ area.name }}留守儿童{{ children.left_behind }}人")
    template.save(tmp_path / "t.docx")
    out = tmp_path / "out.docx"
    run(
        "--area",
        place.township.code,
        *period_args(),
        "--out",
        str(out),
        "--template",
        str(tmp_path / "t.docx"),
    )
    assert [p.text for p in Document(str(out)).paragraphs] == ["守望镇留守儿童1人"]


def test_refusals_exit_with_code_2_and_a_chinese_message(place, tmp_path):
    out = str(tmp_path / "out.docx")
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    assert refused("--area", "430599000000", *period_args(), "--out", out) == (
        "区划代码“430599000000”不存在：请填写12位统计用区划代码，如 430524000000。"
    )
    assert (
        refused(
            "--area",
            place.county.code,
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-31",
            "--out",
            out,
        )
        == "起始日期“2026-02-30”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。"
    )
    assert (
        refused(
            "--area",
            place.county.code,
            "--from",
            "2026-03-31",
            "--to",
            "2026-01-01",
            "--out",
            out,
        )
        == "起始日期 2026-03-31 晚于截止日期 2026-01-01：请调换或改正。"
    )
    assert refused(
        "--area",
        place.county.code,
        "--from",
        today.isoformat(),
        "--to",
        tomorrow.isoformat(),
        "--out",
        out,
    ) == (
        f"截止日期 {tomorrow:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后：统计只能截至今天或以前。"
    )
    missing_dir = str(tmp_path / "没有的目录" / "out.docx")
    assert refused(
        "--area", place.county.code, *period_args(), "--out", missing_dir
    ) == (f"不能写入“{missing_dir}”：目录不存在或没有写权限。")
    (tmp_path / "bad.docx").write_bytes(b"not a word file")
    assert refused(
        "--area",
        place.county.code,
        *period_args(),
        "--out",
        out,
        "--template",
        str(tmp_path / "bad.docx"),
    ).startswith("文件“bad.docx”不是 Word 文档（.docx）")
    unknown = Document()
    unknown.add_paragraph("{{ children.nope }}")
    unknown.save(tmp_path / "unknown.docx")
    assert "“children.nope”" in refused(
        "--area",
        place.county.code,
        *period_args(),
        "--out",
        out,
        "--template",
        str(tmp_path / "unknown.docx"),
    )
    assert (
        refused(
            "--area",
            place.county.code,
            *period_args(),
            "--out",
            out,
            "--template",
            str(tmp_path / "none.docx"),
        )
        == f"读不到模板文件“{tmp_path / 'none.docx'}”：文件或目录不存在。"
    )
    assert not (tmp_path / "out.docx").exists()
