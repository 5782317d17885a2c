"""`python manage.py areas_load FILE.csv`: what a person at the console sees."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shouwang.areas.models import Area

pytestmark = pytest.mark.django_db

TEXT = (
    "code,name,parent_code\n"
    "430524101000,桃花镇,430524000000\n"
    "430524101201,新田村,430524101000\n"
    "430524101202,大坪村,430524101000\n"
)
UNDECODABLE = "：文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）编码的文本。"


def _run(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("areas_load", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fail(path) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("areas_load", str(path), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 2
    return caught.value, err.getvalue()


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "areas.csv"
    path.write_bytes(data)
    return path


def test_a_utf8_file_loads_and_a_second_run_changes_nothing(tmp_path):
    path = _write(tmp_path, TEXT.encode("utf-8"))
    out, err = _run(path)
    assert out.strip() == "导入完成：新增 3 个，更名 0 个，未变 0 个。"
    assert err == ""
    assert Area.objects.get(code="430524101201").name == "新田村"

    out, _ = _run(path)
    assert out.strip() == "导入完成：新增 0 个，更名 0 个，未变 3 个。"


def test_a_gb18030_file_loads(tmp_path):
    _run(_write(tmp_path, TEXT.encode("gb18030")))
    assert Area.objects.get(code="430524101000").name == "桃花镇"
    assert Area.objects.get(code="430524101202").name == "大坪村"


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path):
    out, _ = _run(_write(tmp_path, TEXT.encode("utf-8-sig")))
    assert out.strip() == "导入完成：新增 3 个，更名 0 个，未变 0 个。"
    assert Area.objects.get(code="430524101000").name == "桃花镇"


def test_a_windows_file_with_crlf_line_ends_loads(tmp_path):
    _run(_write(tmp_path, TEXT.replace("\n", "\r\n").encode("gb18030")))
    assert Area.objects.filter(code__startswith="430524101").count() == 3


def test_a_renamed_area_is_reported_as_updated(tmp_path):
    _run(_write(tmp_path, TEXT.encode()))
    out, _ = _run(_write(tmp_path, TEXT.replace("大坪村", "大坪社区").encode()))
    assert out.strip() == "导入完成：新增 0 个，更名 1 个，未变 2 个。"
    assert Area.objects.get(code="430524101202").name == "大坪社区"


def test_errors_are_listed_by_line_and_nothing_is_loaded(tmp_path):
    text = TEXT + "430524102000,石门镇,430525000000\n43052410300,坏码镇,430524000000\n"
    error, err = _fail(_write(tmp_path, text.encode()))
    assert str(error) == "发现 2 处错误，未导入任何区划。请改正后重新导入。"
    assert err.splitlines() == [
        "第5行：上级代码“430525000000”与区划代码不一致：430524102000 的上级应为 "
        "430524000000。",
        "第6行：区划代码“43052410300”格式不对：应为12位数字（不足12位的在末尾补0），"
        "前两位为省级代码。",
    ]
    assert not Area.objects.filter(code__startswith="430524101").exists()


def test_an_empty_file(tmp_path):
    error, err = _fail(_write(tmp_path, b""))
    assert err.strip() == "第1行：文件为空，应有表头 code,name,parent_code。"
    assert str(error) == "发现 1 处错误，未导入任何区划。请改正后重新导入。"


def test_a_file_in_a_wrong_encoding(tmp_path):
    path = _write(tmp_path, TEXT.encode("utf-16"))
    error, _ = _fail(path)
    assert str(error) == f"{path}{UNDECODABLE}"
    assert not Area.objects.filter(code__startswith="430524101").exists()


def test_a_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    error, _ = _fail(path)
    assert str(error) == f"找不到文件：{path}"


def test_a_directory(tmp_path):
    error, _ = _fail(tmp_path)
    assert str(error) == f"{tmp_path} 是目录，不是文件。"


def test_a_file_that_cannot_be_opened(tmp_path):
    path = tmp_path / ("长" * 200 + ".csv")  # longer than a file name may be
    error, _ = _fail(path)
    assert str(error) == f"无法读取文件 {path}：File name too long"


def test_the_console_gets_exit_status_2(tmp_path):
    missing = tmp_path / "nowhere.csv"
    done = subprocess.run(
        [sys.executable, "manage.py", "areas_load", str(missing)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert f"找不到文件：{missing}" in done.stderr
