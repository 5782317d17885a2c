"""Reading text files whose encoding a person did not choose (UTF-8 or GB18030)."""

import codecs


class UndecodableText(ValueError):
    """The bytes are neither UTF-8 nor GB18030."""


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), else GB18030, else raise."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UndecodableText(
        "文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）编码的文本。"
    )
