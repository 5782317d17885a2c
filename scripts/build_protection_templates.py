"""Build the Word templates of protection work with python-docx:

- shouwang/protection/data/report_form.docx, the 强制报告登记表 (the whole case);
- shouwang/protection/data/referral_letter.docx, the 转介单 sent to a member unit (only
  what the referral needs: no reporter, no observations, no assessment).

The placeholders (docxtpl) are those of shouwang/protection/documents.py; rows between
`{%tr for … %}` and `{%tr endfor %}` repeat once per referral or action. A county may
edit the wording in Word and keep the placeholders. Run after changing the wording, and
commit the script and both files:

    .venv/bin/python scripts/build_protection_templates.py
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx_style import official_styles

DATA = Path(__file__).resolve().parent.parent / "shouwang/protection/data"

# Rows of a four-column table: (label, value, label, value), or (label, value) spread
# over the three value columns. Values are docxtpl placeholders.
REPORT_ROWS = [
    ("报告时间", "{{ reported_at }}", "报告方式", "{{ channel }}"),
    ("报告人", "{{ reporter.name }}", "报告单位", "{{ reporter.unit }}"),
    ("联系方式", "{{ reporter.contact }}", "录入人", "{{ entered_by }}"),
]
FINDING_ROWS = [
    ("情形", "{{ situation }}"),
    ("紧急程度", "{{ urgency }}", "敏感级别", "{{ sensitivity }}"),
    ("发现时间", "{{ found_at }}", "所在区划", "{{ area }}"),
    ("发现地点", "{{ found_place }}"),
    ("发现的情况", "{{ observed }}"),
]
CHILD_ROWS = [
    ("姓名", "{{ child.name }}", "性别", "{{ child.sex }}"),
    ("年龄", "{{ child.age }}", "台账", "{{ child.ledger }}"),
    ("户籍地（所在地）", "{{ child.village }}"),
    ("监护人", "{{ child.guardian }}", "联系电话", "{{ child.guardian_phone }}"),
    ("儿童描述", "{{ child.description }}"),
]
POLICE_ROWS = [
    ("受理结果", "{{ police.decision }}", "受理时间", "{{ police.at }}"),
    ("受理人", "{{ police.by }}", "受理期限", "{{ police.due }}"),
    ("说明或理由", "{{ police.reason }}"),
    ("向报告单位反馈", "{{ police.feedback }}"),
]
ASSESSMENT_ROWS = [
    ("风险等级", "{{ assessment.risk }}", "评估时间", "{{ assessment.at }}"),
    ("评估人", "{{ assessment.by }}", "评估期限", "{{ assessment.due }}"),
    ("需求", "{{ assessment.needs }}"),
    ("安全计划", "{{ assessment.plan }}"),
]
CLOSING_ROWS = [
    ("案件状态", "{{ status }}", "结案时间", "{{ closing.at }}"),
    ("结案结果", "{{ closing.outcome }}", "结案人", "{{ closing.by }}"),
    ("结案说明", "{{ closing.note }}"),
]
REFERRAL_COLUMNS = [
    ("转介单位", "{{ r.unit }}"),
    ("服务类型", "{{ r.service }}"),
    ("转介原因", "{{ r.reason }}"),
    ("响应期限", "{{ r.respond_by }}"),
    ("状态", "{{ r.status }}"),
]
ACTION_COLUMNS = [
    ("日期", "{{ a.on }}"),
    ("实施单位", "{{ a.actor }}"),
    ("措施", "{{ a.summary }}"),
]

LETTER_CHILD_ROWS = [
    ("姓名", "{{ child.name }}", "性别", "{{ child.sex }}"),
    ("年龄", "{{ child.age }}", "受理编号", "{{ case_number }}"),
    ("户籍地（所在地）", "{{ child.village }}"),
    ("监护人", "{{ child.guardian }}", "联系电话", "{{ child.guardian_phone }}"),
]
LETTER_REFERRAL_ROWS = [
    ("情形", "{{ situation }}"),
    ("紧急程度", "{{ urgency }}", "服务类型", "{{ service }}"),
    ("转介原因", "{{ reason }}"),
    ("响应时限", "{{ timeframe }}", "响应期限", "{{ respond_by }}"),
    ("转出单位", "{{ from_unit }}", "转介人", "{{ sent_by }}"),
    ("转介时间", "{{ sent_at }}", "当前状态", "{{ status }}"),
]
LETTER_REPLY_ROWS = [
    (
        "接收或拒绝时间",
        "{{ reply.responded_at }}",
        "接收人",
        "{{ reply.responded_by }}",
    ),
    ("拒绝理由", "{{ reply.reject_reason }}"),
    ("办结时间", "{{ reply.done_at }}", "办理结果", "{{ reply.outcome }}"),
    ("办理情况", "{{ reply.done_note }}"),
]


def _page(document) -> None:
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.2)
    section.left_margin, section.right_margin = Cm(2.4), Cm(2.2)
    official_styles(
        document, body=12, line=20, title=20, heading_before=8, heading_after=2
    )


def _write(cell, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.font.size = Pt(11)
    run.bold = bold


def _table(document, rows) -> None:
    table = document.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for line, values in zip(table.rows, rows, strict=True):
        cells = line.cells
        if len(values) == 2:
            cells[1].merge(cells[3])
            values = (values[0], values[1], "", "")
        label, value, label2, value2 = values
        _write(cells[0], label, bold=True)
        _write(cells[1], value)
        if label2:
            _write(cells[2], label2, bold=True)
            _write(cells[3], value2)
            cells[2].width = Cm(2.6)
        cells[0].width = Cm(3.2)


def _loop_table(document, columns, *, loop: str) -> None:
    """A header row and one row repeated per item (docxtpl's {%tr %} rows)."""
    table = document.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, start, body, end = table.rows
    for cell, (label, _) in zip(header.cells, columns, strict=True):
        _write(cell, label, bold=True)
    _write(start.cells[0], f"{{%tr for {loop} %}}")
    for cell, (_, value) in zip(body.cells, columns, strict=True):
        _write(cell, value)
    _write(end.cells[0], "{%tr endfor %}")


def _when_empty(document, items: str, text: str) -> None:
    """A line printed only when the list is empty (docxtpl's {%p %} paragraphs
    vanish, so a filled list leaves no blank line)."""
    document.add_paragraph(f"{{%p if not {items} %}}")
    document.add_paragraph(text)
    document.add_paragraph("{%p endif %}")


def _heading(document, text: str) -> None:
    document.add_paragraph(text, style="Heading 1")


def _right(document, text: str, size: float | None = None) -> None:
    paragraph = document.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if size:
        for run in paragraph.runs:
            run.font.size = Pt(size)


def _save(document, out: Path, title: str) -> None:
    properties = document.core_properties
    properties.title = title
    properties.author = "守望"
    properties.comments = ""
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)
    properties.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(out)


def build_report_form(out: Path) -> None:
    document = Document()
    _page(document)
    document.add_paragraph("未成年人遭受侵害强制报告登记表", style="Title")
    _right(document, "受理编号：{{ number }}")
    _heading(document, "一、报告信息")
    _table(document, REPORT_ROWS)
    _heading(document, "二、发现情况")
    _table(document, FINDING_ROWS)
    _heading(document, "三、儿童情况")
    _table(document, CHILD_ROWS)
    _heading(document, "四、公安受理")
    _table(document, POLICE_ROWS)
    _heading(document, "五、民政评估")
    _table(document, ASSESSMENT_ROWS)
    _heading(document, "六、转介成员单位")
    _loop_table(document, REFERRAL_COLUMNS, loop="r in referrals")
    _when_empty(document, "referrals", "（未转介）")
    _heading(document, "七、处置措施")
    _loop_table(document, ACTION_COLUMNS, loop="a in actions")
    _when_empty(document, "actions", "（尚无处置措施）")
    _heading(document, "八、结案")
    _table(document, CLOSING_ROWS)
    confidential = document.add_paragraph(
        "本登记表含未成年人个人信息和报告人信息，依法保密，仅限办理本案使用。"
    )
    confidential.paragraph_format.space_before = Pt(10)
    signature = document.add_paragraph(
        "填表人：＿＿＿＿＿＿　　审核人：＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日"
    )
    signature.paragraph_format.space_before = Pt(10)
    _right(document, "{{ generated }}", size=9)
    _save(document, out, "强制报告登记表")


def build_referral_letter(out: Path) -> None:
    document = Document()
    _page(document)
    document.add_paragraph("未成年人保护联动转介单", style="Title")
    _right(document, "编号：{{ number }}")
    document.add_paragraph("{{ to_unit }}：")
    body = document.add_paragraph(
        "根据《中华人民共和国未成年人保护法》和强制报告制度的规定，现将下列未成年人的情况"
        "转介贵单位，请于{{ respond_by }}前接收或说明不能接收的理由，"
        "办理后及时反馈办理情况。"
    )
    body.paragraph_format.first_line_indent = Pt(24)
    _heading(document, "一、儿童情况")
    _table(document, LETTER_CHILD_ROWS)
    _heading(document, "二、转介事项")
    _table(document, LETTER_REFERRAL_ROWS)
    _heading(document, "三、办理情况（回执）")
    _table(document, LETTER_REPLY_ROWS)
    for line in (
        "转出单位（盖章）：＿＿＿＿＿＿　　经办人：＿＿＿＿＿＿　　"
        "日期：＿＿＿＿年＿＿月＿＿日",
        "接收单位（盖章）：＿＿＿＿＿＿　　经办人：＿＿＿＿＿＿　　"
        "日期：＿＿＿＿年＿＿月＿＿日",
    ):
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.space_before = Pt(10)
    note = document.add_paragraph(
        "本转介单含未成年人个人信息，仅限办理本转介使用，不得向无关人员泄露。"
    )
    note.paragraph_format.space_before = Pt(10)
    _right(document, "{{ generated }}", size=9)
    _save(document, out, "转介单")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    build_report_form(target / "report_form.docx")
    build_referral_letter(target / "referral_letter.docx")
    print(f"written {target / 'report_form.docx'}, {target / 'referral_letter.docx'}")
