"""Build shouwang/jointwork/data/responsibility_template.docx, the default wording of
the responsibility bulletin (责任落实情况通报), with python-docx.

The placeholders (docxtpl) are those of shouwang/jointwork/responsibility.py
(docx_context): the area, the period, the summary sentence naming the best and the
lagging, and two ranked tables whose rows repeat between `{%tr for … %}` and
`{%tr endfor %}`. Run after changing the wording, and commit the script and the file:

    .venv/bin/python scripts/build_responsibility_template.py
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt
from docx_style import official_styles

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "shouwang/jointwork/data/responsibility_template.docx"

# (header, column key in row.rates); the keys are responsibility.AREA_METRICS' and
# UNIT_METRICS'.
AREA_COLUMNS = [
    ("村儿童主任配备率", "village_coverage"),
    ("乡镇督导员配备率", "township_coverage"),
    ("确认书签订率", "confirmations"),
    ("走访逾期率", "visits_overdue"),
    ("强制报告及时受理率", "reports_in_time"),
    ("转介及时响应率", "referrals_in_time"),
    ("比对提示按期核实率", "alerts_in_time"),
    ("辍学劝返复学率", "dropouts_returned"),
    ("任务按时办结率", "tasks_on_time"),
    ("任务逾期率", "tasks_overdue"),
    ("签订责任书（份）", "letters_signed"),
]
UNIT_COLUMNS = [
    ("任务按时办结率", "tasks_on_time"),
    ("任务逾期率", "tasks_overdue"),
    ("转介及时响应率", "referrals_in_time"),
    ("签订责任书", "letter_signed"),
]


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(2), Cm(2)
    official_styles(
        document, body=14, line=26, title=20, heading_before=10, heading_after=4
    )


def _write(cell, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.font.size = Pt(9)
    run.bold = bold


def _ranked_table(document, table: str, columns) -> None:
    """Header row, then one row per ranked row (docxtpl's {%tr %} rows)."""
    fixed = [("名次", "{{ row.rank }}"), ("名称", "{{ row.name }}")]
    fixed.append(("综合得分", "{{ row.score }}"))
    all_columns = [
        *fixed,
        *((label, f"{{{{ row.rates.{key} }}}}") for label, key in columns),
        ("标注", "{{ row.mark }}"),
    ]
    grid = document.add_table(rows=4, cols=len(all_columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, start, body, end = grid.rows
    for cell, (label, _) in zip(header.cells, all_columns, strict=True):
        _write(cell, label, bold=True)
    _write(start.cells[0], f"{{%tr for row in {table}.rows %}}")
    for cell, (_, value) in zip(body.cells, all_columns, strict=True):
        _write(cell, value)
    _write(end.cells[0], "{%tr endfor %}")


def build(out: Path) -> None:
    document = Document()
    _page(document)
    document.add_paragraph(
        "{{ area.name }}农村留守儿童和困境儿童关爱保护", style="Title"
    )
    document.add_paragraph("责任落实情况通报", style="Title")
    document.add_paragraph(
        "根据联席会议制度要求，现将{{ period.label }}{{ area.name }}各地、各成员单位"
        "农村留守儿童和困境儿童关爱保护责任落实情况通报如下。"
    )
    document.add_paragraph("{{ summary }}")
    document.add_paragraph("一、{{ areas.title }}责任落实情况", style="Heading 1")
    _ranked_table(document, "areas", AREA_COLUMNS)
    document.add_paragraph("二、{{ units.title }}责任落实情况", style="Heading 1")
    _ranked_table(document, "units", UNIT_COLUMNS)
    document.add_paragraph("三、说明", style="Heading 1")
    document.add_paragraph("{{ score_rule }}")
    document.add_paragraph(
        "请综合得分靠后的地区和单位认真查找原因，限期整改，并将整改情况报联席会议办公室。"
    )
    document.add_paragraph("{{ area.name }}未成年人保护工作联席会议办公室")
    document.add_paragraph("{{ generated }}")
    properties = document.core_properties
    properties.title = "责任落实情况通报"
    properties.author = "守望"
    properties.comments = ""
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)
    properties.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    build(target)
    print(f"wrote {target}")
