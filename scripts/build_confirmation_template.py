"""Build shouwang/visits/data/confirmation_template.docx, the 委托监护责任确认书 that the
child page fills in for signing, with python-docx.

The placeholders (docxtpl) are those of shouwang/visits/services/confirmation_form.py:
child, father, mother, guardian, village, director and generated; an empty value is
printed as a blank line to write on. A county may edit the wording in Word and keep
the placeholders. Run after changing the wording, and commit both files:

    .venv/bin/python scripts/build_confirmation_template.py
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx_style import official_styles

OUT = (
    Path(__file__).resolve().parent.parent
    / "shouwang/visits/data/confirmation_template.docx"
)


INTRO = (
    "根据《国务院关于加强农村留守儿童关爱保护工作的意见》（国发〔2016〕13号）和"
    "《中华人民共和国未成年人保护法》第二十二条的规定，父母因外出务工等原因在一定期限内"
    "不能完全履行监护职责的，应当委托具有照护能力的完全民事行为能力人代为照护未成年人，"
    "并及时将委托照护情况书面告知村（居）民委员会。经委托方、受委托方协商一致，"
    "并经{{ village.name }}村（居）民委员会见证，确认如下："
)

# (label, value) rows of the tables; the values are docxtpl placeholders.
CHILD_ROWS = [
    ("姓名", "{{ child.name }}", "性别", "{{ child.sex }}"),
    ("出生日期", "{{ child.birth_date }}", "民族", "{{ child.ethnicity }}"),
    ("公民身份号码", "{{ child.id_number }}", "就学情况", "{{ child.schooling }}"),
    ("户籍地", "{{ village.full_name }}", "现居住地址", "{{ child.address }}"),
]
PARENT_ROWS = [
    ("父亲姓名", "{{ father.name }}", "联系电话", "{{ father.phone }}"),
    ("公民身份号码", "{{ father.id_number }}", "状况", "{{ father.status }}"),
    ("务工地点", "{{ father.work_place }}", "", ""),
    ("母亲姓名", "{{ mother.name }}", "联系电话", "{{ mother.phone }}"),
    ("公民身份号码", "{{ mother.id_number }}", "状况", "{{ mother.status }}"),
    ("务工地点", "{{ mother.work_place }}", "", ""),
]
GUARDIAN_ROWS = [
    ("姓名", "{{ guardian.name }}", "与儿童关系", "{{ guardian.relation }}"),
    ("公民身份号码", "{{ guardian.id_number }}", "联系电话", "{{ guardian.phone }}"),
    ("住址", "{{ guardian.address }}", "", ""),
]

DUTIES = [
    (
        "一、委托方（父母）的责任。",
        "委托方是儿童的法定监护人，委托照护不免除其监护职责。委托方应当每周至少与儿童"
        "联系一次，每年至少回家探望一次或接儿童团聚；按时支付儿童的生活、教育和医疗费用；"
        "与受委托监护人、学校和村（居）民委员会保持联系，联系方式变更的及时告知；"
        "不得让未满十六周岁的儿童脱离监护单独居住生活。",
    ),
    (
        "二、受委托监护人的责任。",
        "受委托监护人应当照料儿童的日常生活，保障其饮食、住宿、安全和健康；督促儿童按时"
        "入学、接受义务教育，防止辍学；关注儿童的心理和情绪，加强安全教育，防止溺水、"
        "交通事故等意外伤害；发现儿童遭受或疑似遭受侵害、患病或出现其他异常情况的，"
        "立即告知委托方并报告村（居）民委员会，情况紧急的立即报警。",
    ),
    (
        "三、村（居）民委员会和儿童主任的责任。",
        "村（居）民委员会见证本确认书，儿童主任定期走访探访儿童，了解其生活、学习和监护"
        "情况，督促委托方和受委托监护人履行责任；发现监护缺失或儿童遭受侵害的，"
        "依法报告并协助处置。",
    ),
    (
        "四、委托期限。",
        "自＿＿＿＿年＿＿月＿＿日起至＿＿＿＿年＿＿月＿＿日止。期满或情况发生变化的，"
        "各方应当重新确认。",
    ),
]

SIGNATURES = [
    "委托方（父亲）签字：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日",
    "委托方（母亲）签字：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日",
    "受委托监护人签字：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日",
    "儿童主任（{{ director.name }}）签字：＿＿＿＿＿＿＿＿　　"
    "日期：＿＿＿＿年＿＿月＿＿日",
    "{{ village.name }}村（居）民委员会（盖章）：　　　　　　"
    "日期：＿＿＿＿年＿＿月＿＿日",
]


def _table(document, rows) -> None:
    table = document.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for line, values in zip(table.rows, rows, strict=True):
        label, value, label2, _ = values
        cells = line.cells
        if not label2:
            cells[1].merge(cells[3])
            values = (label, value)
        for cell, text in zip(cells, values, strict=False):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(12)
            if text in (label, label2):
                run.bold = True
        cells[0].width = Cm(3)
        if label2:
            cells[2].width = Cm(2.6)


def build(out: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    official_styles(
        document, body=14, line=24, title=20, heading_before=8, heading_after=2
    )

    document.add_paragraph("农村留守儿童委托监护责任确认书", style="Title")
    number = document.add_paragraph("编号：{{ number }}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    intro = document.add_paragraph(INTRO)
    intro.paragraph_format.first_line_indent = Pt(28)

    document.add_paragraph("儿童基本情况", style="Heading 1")
    _table(document, CHILD_ROWS)
    document.add_paragraph("委托方（父母）", style="Heading 1")
    _table(document, PARENT_ROWS)
    document.add_paragraph("受委托监护人", style="Heading 1")
    _table(document, GUARDIAN_ROWS)

    document.add_paragraph("各方责任", style="Heading 1")
    for lead, text in DUTIES:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(28)
        paragraph.add_run(lead).bold = True
        paragraph.add_run(text)
    closing = document.add_paragraph(
        "本确认书一式三份，委托方、受委托监护人和村（居）民委员会各执一份，"
        "自各方签字之日起生效。"
    )
    closing.paragraph_format.first_line_indent = Pt(28)

    document.add_paragraph("签字", style="Heading 1")
    for line in SIGNATURES:
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.space_before = Pt(10)
    generated = document.add_paragraph("{{ generated }}")
    generated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in generated.runs:
        run.font.size = Pt(9)

    properties = document.core_properties
    properties.title = "委托监护责任确认书"
    properties.author = "守望"
    properties.comments = ""
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)
    properties.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    build(target)
    print(f"written {target}")
