"""decode_text: UTF-8 (with or without BOM), else GB18030, else a message to act on."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.core.textfile import UndecodableText, decode_text

TEXT = "code,name\n430524000000,隆回县\n"
MESSAGE = "文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）编码的文本。"
CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1)


def test_utf8():
    assert decode_text(TEXT.encode("utf-8")) == TEXT


def test_utf8_with_a_byte_order_mark_loses_the_mark():
    assert decode_text(TEXT.encode("utf-8-sig")) == TEXT


def test_gb18030_and_its_gbk_subset():
    assert decode_text(TEXT.encode("gb18030")) == TEXT
    assert decode_text(TEXT.encode("gbk")) == TEXT


def test_empty():
    assert decode_text(b"") == ""


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-16"),  # Excel's "Unicode text"
        b"\xff\xfe\xfd",
        b"430524000000,\x80\n",
        TEXT.encode("gb18030") + b"\xff",
    ],
)
def test_bytes_that_are_neither_give_the_message(data):
    with pytest.raises(UndecodableText) as caught:
        decode_text(data)
    assert str(caught.value) == MESSAGE
    assert isinstance(caught.value, ValueError)


@given(st.text())
def test_any_utf8_text_comes_back(text):
    assert decode_text(text.encode("utf-8")) == text.removeprefix("\ufeff")


@given(CJK)
def test_chinese_saved_as_gb18030_comes_back_unless_it_is_also_utf8(text):
    data = text.encode("gb18030")
    try:
        as_utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    assert decode_text(data) == (as_utf8 if as_utf8 is not None else text)
