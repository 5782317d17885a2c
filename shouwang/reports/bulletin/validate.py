"""Checks of a Word bulletin template before it is stored and before each use: a
.docx at all, Jinja syntax that parses, and only names the context provides
(context.NAMES, the figure groups, FIGURE_ATTRIBUTES, ROW_ATTRIBUTES). Each refusal
is a TemplateRejected whose Chinese message names the text of the template at
fault, as written."""

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateSyntaxError, nodes

from shouwang.core.exceptions import DomainError
from shouwang.core.zipguard import MB, ZipLimits, ZipRejected, check_zip

from .context import (
    FIGURE_ATTRIBUTES,
    JINJA_GLOBALS,
    NAMES,
    ROW_ATTRIBUTES,
    figure_groups,
)

MAX_BYTES = 10 * 1024 * 1024
# What the parts of a template may inflate to, checked before docxtpl parses them: the
# default template's largest part is 0.4 MB at 32 to 1; a template of many pages with
# pictures stays far inside these, a zip bomb does not.
ZIP_LIMITS = ZipLimits(
    member_bytes=64 * MB, total_bytes=128 * MB, ratio=100, ratio_floor=4 * MB
)
SAVE_AS_DOCX = "请在 Word 中打开后另存为 .docx 再上传。"
SHOWN_UNKNOWN = 5

NOT_DOCX = (
    "文件“{name}”不是 Word 文档（.docx）：请在 Word 中“另存为”“Word 文档(*.docx)”后"
    "重新上传（.doc 等旧格式不能使用）。"
)
TOO_LARGE = "文件“{name}”超过 10 MB，不像是通报模板：请检查后重新上传。"
EMPTY = "没有收到文件：请选择要上传的 Word 模板（.docx）。"
SYNTAX = (
    "模板“{name}”的占位符写法有误，位置在“{snippet}”附近：{hint}"
    "请对照“占位符说明”页面改正后重新上传。"
)
UNCLOSED = (
    "模板“{name}”中的“{tag}”没有对应的结束标记“{{% {end} %}}”：请补上后重新上传。"
)
UNKNOWN = (
    "模板“{name}”中有系统不认识的占位符：{names}。请对照“占位符说明”页面改正"
    "（注意大小写和英文标点）后重新上传。"
)
HINT = "花括号须成对使用（{{ … }}、{% … %}），名称与标点须是英文半角。"
BLOCKS = {
    "for": "endfor",
    "if": "endif",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "with": "endwith",
    "raw": "endraw",
    "autoescape": "endautoescape",
}
_TAG = re.compile(r"\{%-?\s*(?:tr|tc|p|r)?\s*(\w+)[^%]*%\}")


class TemplateRejected(DomainError):
    """A bulletin template that cannot be used (the message says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class Part:
    name: str  # 正文, 页眉, 页脚, 文档属性
    source: str  # the Jinja source docxtpl renders (one paragraph a line)


def is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _lines(xml: str) -> str:
    # As docxtpl renders (render_xml_part): each paragraph on its own line.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def template_parts(data: bytes) -> Iterator[Part]:
    """The Jinja sources of the body, headers, footers and properties of a .docx."""
    tpl = DocxTemplate(io.BytesIO(data))
    tpl.init_docx()
    yield Part("正文", _lines(tpl.patch_xml(tpl.get_xml())))
    for uri, label in ((tpl.HEADER_URI, "页眉"), (tpl.FOOTER_URI, "页脚")):
        for _, part in tpl.get_headers_footers(uri):
            yield Part(label, _lines(tpl.patch_xml(tpl.get_part_xml(part))))
    props = tpl.docx.core_properties
    texts = [
        getattr(props, p) or "" for p in ("author", "comments", "subject", "title")
    ]
    yield Part("文档属性", "\n".join(texts))


def plain(text: str) -> str:
    """The text of XML without its tags."""
    return re.sub(r"<[^>]+>", "", text)


def _snippet(line: str, limit: int = 60) -> str:
    text = plain(line).strip()
    start = max(
        0, min((text.find(m) for m in ("{{", "{%", "{#") if m in text), default=0)
    )
    start = max(0, start - 10)
    cut = text[start : start + limit]
    return ("…" if start else "") + cut + ("…" if start + limit < len(text) else "")


def _unclosed(source: str) -> tuple[str, str] | None:
    """The innermost block tag never closed, and the tag that would close it."""
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(plain(source)):
        word = match.group(1)
        if word in BLOCKS:
            stack.append((match.group(0), BLOCKS[word]))
        elif word == "set" and "=" not in match.group(0):
            stack.append((match.group(0), "endset"))
        elif word.startswith("end") and stack and stack[-1][1] == word:
            stack.pop()
    return stack[-1] if stack else None


def _parse(env: Environment, part: Part, name: str) -> nodes.Template:
    try:
        return env.parse(part.source)
    except TemplateSyntaxError as error:
        if "end of template" in (error.message or ""):
            found = _unclosed(part.source)
            if found:
                raise TemplateRejected(
                    UNCLOSED.format(name=name, tag=found[0], end=found[1])
                ) from None
        lines = part.source.splitlines()
        line = lines[error.lineno - 1] if 0 < (error.lineno or 0) <= len(lines) else ""
        snippet = _snippet(line) or "（模板末尾）"
        raise TemplateRejected(
            SYNTAX.format(name=name, snippet=snippet, hint=HINT)
        ) from None


# Names --------------------------------------------------------------------------------


def _chain(node) -> list[str] | None:
    """A Name followed by constant attributes or subscripts, as its parts."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, str):
                return None
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return parts[::-1]
        else:
            return None


def _figure_path_ok(groups: dict, parts: list[str]) -> bool:
    """group, group.name, group.name.attribute."""
    if parts[0] not in groups:
        return False
    if len(parts) >= 2 and parts[1] not in groups[parts[0]]:
        return False
    if len(parts) >= 3 and parts[2] not in FIGURE_ATTRIBUTES:
        return False
    return len(parts) <= 3


def _row_path_ok(groups: dict, parts: list[str]) -> bool:
    if len(parts) == 1:
        return True
    if parts[1] in ROW_ATTRIBUTES:
        return len(parts) == 2
    return _figure_path_ok(groups, parts[1:])


def _local_names(tree: nodes.Template) -> dict[str, str]:
    """Names the template binds itself: for-loop targets over subareas are rows;
    every other bound name may be anything."""
    bound: dict[str, str] = {"loop": "any"}
    for loop in tree.find_all(nodes.For):
        kind = (
            "row"
            if isinstance(loop.iter, nodes.Name) and loop.iter.name == "subareas"
            else "any"
        )
        targets = (
            [loop.target]
            if isinstance(loop.target, nodes.Name)
            else list(loop.target.find_all(nodes.Name))
        )
        for target in targets:
            bound.setdefault(target.name, kind)
    for name in tree.find_all(nodes.Name):
        if name.ctx in ("store", "param"):
            bound.setdefault(name.name, "any")
    return bound


def _check(parts: list[str], bound: dict[str, str], groups: dict) -> bool:
    root = parts[0]
    if root in bound:
        return bound[root] == "any" or _row_path_ok(groups, parts)
    if root in JINJA_GLOBALS:
        return True
    if root in ("total",):
        return _row_path_ok(groups, parts)
    if root in NAMES:
        attributes = NAMES[root][1]
        if len(parts) == 1:
            return True
        return len(parts) == 2 and parts[1] in attributes
    return _figure_path_ok(groups, parts)


def _written(parts: list[str], text: str) -> str:
    """The name as the template writes it (else as a placeholder would)."""
    pattern = re.escape(parts[0])
    for part in parts[1:]:
        quoted = re.escape(part)
        pattern += rf"""\s*(?:\.\s*{quoted}\b|\[\s*['"]{quoted}['"]\s*\])"""
    match = re.search(rf"(?<![\w.]){pattern}", text)
    if match:
        return match.group(0)
    written = parts[0]
    for part in parts[1:]:
        written += f".{part}" if part.isidentifier() else f"['{part}']"
    return written


def unknown_names(tree: nodes.Template, text: str) -> list[str]:
    """Every name the template uses that the context does not provide, as written,
    in order of appearance."""
    groups = figure_groups()
    bound = _local_names(tree)
    found: list[str] = []

    def visit(node) -> None:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            parts = _chain(node)
            if parts is not None:
                if isinstance(node, nodes.Name) and node.ctx != "load":
                    return
                if not _check(parts, bound, groups):
                    name = _written(parts, text)
                    if name not in found:
                        found.append(name)
                return
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return found


def check_template(data: bytes, *, name: str) -> None:
    """Refuse (TemplateRejected) a file that is not a .docx, whose placeholders do
    not parse, or that names something the bulletin does not provide."""
    if not data:
        raise TemplateRejected(EMPTY)
    if len(data) > MAX_BYTES:
        raise TemplateRejected(TOO_LARGE.format(name=name))
    try:
        check_zip(data, limits=ZIP_LIMITS, fix=SAVE_AS_DOCX, label=f"文件“{name}”")
    except ZipRejected as error:
        raise TemplateRejected(str(error)) from None
    if not is_docx(data):
        raise TemplateRejected(NOT_DOCX.format(name=name))
    try:
        parts = list(template_parts(data))
    except Exception:  # a zip with word/document.xml that Word would not open
        raise TemplateRejected(NOT_DOCX.format(name=name)) from None
    env = Environment()
    unknown: list[str] = []
    for part in parts:
        tree = _parse(env, part, name)
        for found in unknown_names(tree, plain(part.source)):
            if found not in unknown:
                unknown.append(found)
    if unknown:
        shown = "、".join(f"“{n}”" for n in unknown[:SHOWN_UNKNOWN])
        if len(unknown) > SHOWN_UNKNOWN:
            shown += f"等 {len(unknown)} 个"
        raise TemplateRejected(UNKNOWN.format(name=name, names=shown))
