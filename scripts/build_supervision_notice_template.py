"""Build shouwang/jointwork/data/supervision_notice_template.docx, the 督办通知 an
office issues on an overdue task, with python-docx.

The placeholders (docxtpl) are those of shouwang/jointwork/notices.py: number, office,
unit, task, meeting, decision, deadline, days_overdue, new_deadline, text, issued_on.
An area may edit the wording in Word and keep the placeholders. Run after changing the
wording, and commit both files:

    .venv/bin/python scripts/build_supervision_notice_template.py
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx_style import official_styles

OUT = (
    Path(__file__).resolve().parent.parent
    / "shouwang/jointwork/data/supervision_notice_template.docx"
)

BODY = [
    "{{ meeting.date }}召开的{{ meeting.title }}议定：{{ decision }}。"
    "会议明确由你单位承办“{{ task }}”，办理期限为{{ deadline }}。",
    "截至{{ issued_on }}，该任务仍未办结，已逾期{{ days_overdue }}天。"
    "根据联席会议制度，现予督办。",
    "{% if text %}{{ text }}{% endif %}",
    "请你单位于{{ new_deadline }}前办结，并将办理情况通过守望平台报联席会议办公室。"
    "逾期仍未办结的，将提请联席会议通报。",
]


def _body(document, text: str) -> None:
    paragraph = document.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Pt(32)


def build(out: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    official_styles(
        document, body=16, line=28, title=22, heading_before=6, heading_after=0
    )
    document.add_paragraph("督办通知", style="Title")
    number = document.add_paragraph("{{ number }}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("{{ unit }}：")
    for text in BODY:
        _body(document, text)
    for line in ("{{ office }}", "{{ issued_on }}"):
        signature = document.add_paragraph(line)
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    properties = document.core_properties
    properties.title = "督办通知"
    properties.author = "守望"
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    build(target)
    print(f"wrote {target}")
