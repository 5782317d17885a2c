"""Fill a Word template with a bulletin's context (docxtpl), then mark what the
product does not hold: every “（暂无数据）” gets a yellow highlight, and the figures
behind them are listed at the end of the document. Template authors need no special
syntax for either."""

import io
import re
from copy import deepcopy

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.text.run import Run
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError

from shouwang.core.exceptions import DomainError

from .. import catalogue
from .context import PENDING_TEXT

APPENDIX_TITLE = "附：以下数字系统暂无数据，文中以“（暂无数据）”标出，待下列功能上线后由系统自动填写："
FAILED = "按模板“{name}”填写数字时出错（{detail}）：请对照“占位符说明”页面检查模板。"


class RenderFailed(DomainError):
    """The template could not be filled (the message names the template)."""


def environment() -> Environment:
    # Strict: a name the check let through but the context lacks fails loudly
    # instead of printing nothing.
    return Environment(undefined=StrictUndefined, autoescape=True)


def render(template: bytes, context: dict, *, name: str, used: set[str]) -> bytes:
    """The filled .docx; pending figures it printed are in `used` afterwards."""
    tpl = DocxTemplate(io.BytesIO(template))
    try:
        tpl.render(context, environment(), autoescape=True)
    except TemplateError as error:
        raise RenderFailed(FAILED.format(name=name, detail=error.message)) from None
    filled = io.BytesIO()
    tpl.save(filled)
    document = Document(io.BytesIO(filled.getvalue()))
    highlight_pending(document)
    append_pending_list(document, used)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _runs(document) -> list:
    roots = [document.element]
    for section in document.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    runs = []
    for root in roots:
        runs.extend(root.iter(qn("w:r")))
    return runs


def _highlight(r) -> None:
    Run(r, None).font.highlight_color = WD_COLOR_INDEX.YELLOW


def highlight_pending(document) -> int:
    """Give every “（暂无数据）” a yellow highlight, splitting its run so that the
    text around it keeps its look; returns how many were marked."""
    marked = 0
    for r in _runs(document):
        texts = r.findall(qn("w:t"))
        content = "".join(t.text or "" for t in texts)
        if PENDING_TEXT not in content:
            continue
        others = [c for c in r if c.tag not in (qn("w:rPr"), qn("w:t"))]
        marked += content.count(PENDING_TEXT)
        if len(texts) != 1 or others:
            _highlight(r)  # tabs, breaks or fields inside: mark the whole run
            continue
        for piece in (
            p for p in re.split(f"({re.escape(PENDING_TEXT)})", content) if p
        ):
            copy = deepcopy(r)
            text = copy.find(qn("w:t"))
            text.text = piece
            text.set(qn("xml:space"), "preserve")
            if piece == PENDING_TEXT:
                _highlight(copy)
            r.addprevious(copy)
        r.getparent().remove(r)
    return marked


def append_pending_list(document, used: set[str]) -> None:
    """List, after the text, each pending figure the document printed, with the
    capability that will add it."""
    figures = [f for key, f in catalogue.FIGURES.items() if key in used]
    if not figures:
        return
    title = document.add_paragraph()
    title.add_run(APPENDIX_TITLE).bold = True
    for number, figure in enumerate(figures, 1):
        document.add_paragraph(
            f"{number}. {figure.label}（{figure.unit}）：{figure.pending}"
        )
