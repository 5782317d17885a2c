"""The look of the product's Word templates (the bulletin, the confirmation form):
government-document fonts in black, a centred title without python-docx's rule under
it. Shared by the scripts that build the templates; not imported by the app."""

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"


def set_font(font, name: str, size: float, bold: bool = False) -> None:
    """A style's or run's font, the East Asian face included."""
    font.name = name
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = font._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def official_styles(
    document,
    *,
    body: float,
    line: float,
    title: float,
    heading_before: float,
    heading_after: float,
) -> None:
    """Normal, Title and Heading 1 of the document, sizes in points."""
    styles = document.styles
    set_font(styles["Normal"].font, BODY_FONT, body)
    styles["Normal"].paragraph_format.line_spacing = Pt(line)
    set_font(styles["Title"].font, TITLE_FONT, title)
    title_format = styles["Title"].paragraph_format
    title_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_format.space_after = Pt(12)
    # The Title style of python-docx's template draws a rule under the title.
    ppr = styles["Title"].element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    set_font(styles["Heading 1"].font, HEADING_FONT, body)
    heading = styles["Heading 1"].paragraph_format
    heading.space_before = Pt(heading_before)
    heading.space_after = Pt(heading_after)
