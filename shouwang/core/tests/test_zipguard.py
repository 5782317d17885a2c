"""core.zipguard: what an archive declares is checked against limits before anything
inflates it, and each refusal names the member and says what to do."""

import io
import random
import time
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouwang.core.zipguard import MB, ZipLimits, ZipRejected, check_zip

from .zipbombs import STORED, Member, zip_bytes

LIMITS = ZipLimits(member_bytes=32 * MB, total_bytes=48 * MB, ratio=100)
FIX = "请在 Excel 中打开后另存为 .xlsx 再上传。"
SUSPECT = "文件可能已损坏或被恶意构造，"


def refused(data: bytes, limits: ZipLimits = LIMITS, **kwargs) -> str:
    with pytest.raises(ZipRejected) as error:
        check_zip(data, limits=limits, fix=FIX, **kwargs)
    return str(error.value)


def zeros(name: str, size: int) -> Member:
    return Member.repeated(name, b"", b"\0" * 4096, size // 4096, b"")


def honest(size: int) -> bytes:
    """size bytes that compress only about 2 to 1 (random hex digits)."""
    return random.Random(size).randbytes(size // 2 + 1).hex()[:size].encode()


def test_a_member_inflating_a_thousandfold_is_refused_by_its_ratio_unread():
    data = zip_bytes(
        [Member.text("a.xml", b"<a/>"), zeros("xl/sharedStrings.xml", 16 * MB)]
    )
    assert len(data) < 32 * 1024
    started = time.perf_counter()
    message = refused(data)
    assert time.perf_counter() - started < 0.5
    ratio = 16 * MB // len(zeros("x", 16 * MB).payload)
    assert ratio > 900
    assert message == (
        f"文件中的“xl/sharedStrings.xml”解压后是压缩时的 {ratio:,} 倍，正常文件不超过 "
        f"100 倍：{SUSPECT}{FIX}"
    )


def test_a_small_member_may_compress_as_well_as_it_likes():
    check_zip(zip_bytes([zeros("xl/styles.xml", 4 * MB)]), limits=LIMITS, fix=FIX)


def test_a_member_larger_than_the_limit_is_refused_whatever_its_ratio():
    limits = ZipLimits(member_bytes=2 * MB, total_bytes=8 * MB, ratio=100)
    data = zip_bytes([Member.text("xl/worksheets/sheet1.xml", honest(3 * MB))])
    assert refused(data, limits) == (
        f"文件中的“xl/worksheets/sheet1.xml”解压后有 3 MB，超过上限 2 MB：{SUSPECT}{FIX}"
    )


def test_members_adding_up_past_the_total_are_refused():
    limits = ZipLimits(member_bytes=2 * MB, total_bytes=3 * MB, ratio=100)
    parts = [Member.text(f"part{n}.xml", honest(MB + n)) for n in range(3)]
    assert refused(zip_bytes(parts), limits) == (
        f"文件解压后共超过 3 MB：{SUSPECT}{FIX}"
    )


def test_too_many_members_are_refused():
    limits = ZipLimits(member_bytes=MB, total_bytes=MB, ratio=100, members=5)
    parts = [Member.text(f"{n}.xml", b"<a/>") for n in range(6)]
    assert refused(zip_bytes(parts), limits) == (
        f"文件中有 6 个部件，超过 5 个：{SUSPECT}{FIX}"
    )


@pytest.mark.parametrize(
    "declared",
    [
        1000,  # far less than its deflated data could hold
        2_000_000_000,  # more than deflate can make of its compressed bytes
    ],
)
def test_a_member_declaring_an_impossible_size_is_refused(declared):
    member = Member.text("xl/sharedStrings.xml", honest(MB))
    data = zip_bytes([member.declaring(declared)])
    roomy = ZipLimits(member_bytes=4000 * MB, total_bytes=4000 * MB, ratio=10**6)
    assert refused(data, roomy) == (
        f"文件中的“xl/sharedStrings.xml”记录的大小（压缩后 {len(member.payload):,} 字节、"
        f"解压后 {declared:,} 字节）不可能成立：{SUSPECT}{FIX}"
    )


def test_a_stored_member_must_declare_its_own_length():
    content = b"<a/>" * 100
    stored = Member("a.xml", content, zipfile.crc32(content), len(content), STORED)
    check_zip(zip_bytes([stored]), limits=LIMITS, fix=FIX)
    assert "记录的大小（压缩后 400 字节、解压后 4,000 字节）不可能成立" in refused(
        zip_bytes([stored.declaring(4000)])
    )


def test_an_unusual_compression_method_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    assert refused(out.getvalue()) == (
        f"文件中的“xl/workbook.xml”使用了不支持的压缩方式：{SUSPECT}{FIX}"
    )


def test_the_message_names_the_file_as_the_caller_asks_and_a_member_printably():
    data = zip_bytes([zeros("word/document\x07.xml", 16 * MB)])
    message = refused(data, label="文件“我县模板.docx”")
    assert message.startswith("文件“我县模板.docx”中的“word/document?.xml”解压后是")


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 cut short", b"just text"])
def test_what_is_no_readable_zip_is_left_to_its_reader(data):
    check_zip(data, limits=LIMITS, fix=FIX)


def test_honest_office_files_pass():
    from shouwang.reports.bulletin.generate import default_template_bytes
    from shouwang.roster.tests import files

    check_zip(default_template_bytes(), limits=LIMITS, fix=FIX)
    rows = [files.roster_row("430524911001") for _ in range(200)]
    check_zip(files.xlsx(rows), limits=LIMITS, fix=FIX)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(0, 150_000), cut=st.integers(1, 100_000))
def test_declared_sizes_of_real_deflate_streams_are_never_called_impossible(size, cut):
    # Every ratio deflate really produces, from incompressible to all-alike data.
    content = honest(size)[:cut] + b"\0" * (size - min(size, cut))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("part.xml", content)
    check_zip(
        out.getvalue(),
        limits=ZipLimits(member_bytes=MB, total_bytes=MB, ratio=10**6),
        fix=FIX,
    )
