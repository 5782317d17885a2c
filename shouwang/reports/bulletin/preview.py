"""A generated bulletin as simple HTML for the browser: headings, paragraphs and
tables in document order, bold and the yellow highlight kept; everything else of
Word's layout left out. Every text is escaped."""

import io

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HEADINGS = {"Title": ("h2", "h4 text-center"), "Heading 1": ("h3", "h5")}
ALIGN = {
    WD_ALIGN_PARAGRAPH.CENTER: "text-center",
    WD_ALIGN_PARAGRAPH.RIGHT: "text-end",
}


def _runs_html(paragraph: Paragraph) -> str:
    out = []
    for run in paragraph.runs:
        text = escape(run.text).replace("\n", "<br>").replace("\t", " ")
        if not text:
            continue
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.font.highlight_color is not None:
            text = f'<mark class="bg-warning">{text}</mark>'
        out.append(text)
    return "".join(out)


def _paragraph(paragraph: Paragraph) -> str:
    body = _runs_html(paragraph)
    if not body:
        return ""
    style = paragraph.style.name if paragraph.style is not None else ""
    tag, css = HEADINGS.get(style, ("p", ""))
    if style.startswith("Heading") and style not in HEADINGS:
        tag, css = "h4", "h6"
    align = ALIGN.get(paragraph.alignment)
    classes = " ".join(c for c in (css, align) if c)
    attr = f' class="{classes}"' if classes else ""
    return f"<{tag}{attr}>{body}</{tag}>"


def _cell(cell: _Cell, tag: str) -> str:
    text = (
        "<br>".join(html for p in cell.paragraphs if (html := _runs_html(p)))
        or "&nbsp;"
    )
    span = cell._tc.grid_span
    colspan = f' colspan="{span}"' if span > 1 else ""
    return f"<{tag}{colspan}>{text}</{tag}>"


def _table(table: Table) -> str:
    rows = []
    for index, tr in enumerate(table._tbl.tr_lst):
        tag = "th" if index == 0 else "td"
        cells = "".join(_cell(_Cell(tc, table), tag) for tc in tr.tc_lst)
        rows.append(f"<tr>{cells}</tr>")
    return (
        '<div class="table-responsive"><table class="table table-sm table-bordered '
        f'align-middle">{"".join(rows)}</table></div>'
    )


def to_html(data: bytes) -> SafeString:
    """The document's body as HTML."""
    document = Document(io.BytesIO(data))
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append(_paragraph(Paragraph(child, document)))
        elif child.tag == qn("w:tbl"):
            parts.append(_table(Table(child, document)))
    return mark_safe("".join(p for p in parts if p))
