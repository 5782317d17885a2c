"""The bulletin's template machinery without the database: the check of a template
(not a .docx, broken syntax, unknown names as written), the context's numbers and
comparisons, the highlight and list of pending figures, the HTML preview."""

import io
import zipfile
from datetime import date

import pytest
from docx import Document

from shouwang.areas.models import Area
from shouwang.reports import catalogue
from shouwang.reports.bulletin import context, preview, render, validate
from shouwang.reports.bulletin.context import (
    PENDING_TEXT,
    Figures,
    FigureValue,
    build_context,
    comparison_text,
    reference_flow_period,
)
from shouwang.reports.bulletin.generate import default_template_bytes
from shouwang.reports.periods import Period


def docx(*paragraphs: str, header: str = "", table: list[list[str]] | None = None):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rejected(data: bytes, name: str = "我县模板.docx") -> str:
    with pytest.raises(validate.TemplateRejected) as error:
        validate.check_template(data, name=name)
    return error.value.message


UNKNOWN = "。请对照“占位符说明”页面改正（注意大小写和英文标点）后重新上传。"


# The check ----------------------------------------------------------------------------


def test_the_default_template_passes_the_check():
    validate.check_template(default_template_bytes(), name="默认")


def test_the_default_template_names_every_held_figure_of_the_bulletin_sections():
    text = "".join(
        validate.plain(p.source)
        for p in validate.template_parts(default_template_bytes())
    )
    for key in ("children.left_behind", "confirmations.rate", "visits.overdue"):
        assert "{{ " + catalogue.FIGURES[key].placeholder + " }}" in text
    assert "{{ weakness['1A'] }}" in text
    assert "{% for row in subareas %}" in text  # {%tr …%} as docxtpl reads it


def test_a_file_that_is_not_a_docx_is_refused():
    expected = (
        "文件“我县模板.docx”不是 Word 文档（.docx）：请在 Word 中“另存为”“Word 文档(*.docx)”"
        "后重新上传（.doc 等旧格式不能使用）。"
    )
    assert rejected(b"%PDF-1.4 not a zip") == expected
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert rejected(other_zip.getvalue()) == expected
    assert rejected(b"") == "没有收到文件：请选择要上传的 Word 模板（.docx）。"


@pytest.mark.parametrize(
    ("size", "refusal"),
    [
        (1024**3, "解压后有 1,024 MB，超过上限 64 MB"),
        (32 * 1024**2, "解压后是压缩时的 {ratio:,} 倍，正常文件不超过 100 倍"),
    ],
)
def test_a_docx_bomb_is_refused_before_word_xml_is_parsed(size, refusal):
    from shouwang.core.tests.zipbombs import Member, zip_bytes

    unit = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"
    body = Member.repeated(
        "word/document.xml",
        b"<w:document><w:body>",
        unit,
        size // len(unit),
        b"</w:body></w:document>",
    )
    data = zip_bytes([Member.text("[Content_Types].xml", b"<Types/>"), body])
    said = refusal.format(ratio=body.size // len(body.payload))
    assert rejected(data) == (
        f"文件“我县模板.docx”中的“word/document.xml”{said}：文件可能已损坏或被恶意构造，"
        "请在 Word 中打开后另存为 .docx 再上传。"
    )


def test_an_unknown_figure_under_a_known_group_is_named_as_written():
    data = docx("留守儿童{{ children.left_behind }}人，外出{{ children.foo }}人。")
    assert rejected(data) == (
        "模板“我县模板.docx”中有系统不认识的占位符：“children.foo”" + UNKNOWN
    )


def test_unknown_roots_attributes_and_keys_are_each_named():
    data = docx(
        "{{ childern.total }}",
        "{{ children.total.bar }}",
        "{{ weakness[ '9Z' ] }}",
        "{% if foo > 1 %}有{% endif %}",
        header="{{ area.nmae }}",
    )
    message = rejected(data)
    assert message == (
        "模板“我县模板.docx”中有系统不认识的占位符：“childern.total”、"
        "“children.total.bar”、“weakness[ '9Z' ]”、“foo”、“area.nmae”" + UNKNOWN
    )


def test_known_names_loops_and_word_quotes_pass():
    data = docx(
        "{{ area }}{{ area.scope }}{{ period.label }}{{ reference.flow_label }}",
        '{{ weakness[‘1A’] }}{{ weakness["2AB"] }}{{ children.total.vs_prev }}',
        "{% set n = 3 %}{{ n }}{{ confirmations.needed - confirmations.signed }}",
        "{% for f in children %}{{ f }}{% endfor %}{{ total.children.total }}",
        table=[
            ["区划", "人数"],
            ["{%tr for row in subareas %}", ""],
            ["{{ loop.index }}{{ row.name }}", "{{ row.weakness['1A'].prev }}"],
            ["{%tr endfor %}", ""],
        ],
    )
    validate.check_template(data, name="t.docx")


def test_a_row_figure_that_does_not_exist_is_named():
    data = docx(
        "{% for row in subareas %}{{ row.children.foo }}{{ row.nmae }}{% endfor %}"
    )
    assert "“row.children.foo”、“row.nmae”" in rejected(data)


def test_broken_syntax_names_the_text_around_it():
    data = docx("第一段没有问题。", "留守儿童{{ children.left_behind }人，困境儿童。")
    assert rejected(data) == (
        "模板“我县模板.docx”的占位符写法有误，位置在“留守儿童{{ children.left_behind }人，"
        "困境儿童。”附近：花括号须成对使用（{{ … }}、{% … %}），名称与标点须是英文半角。"
        "请对照“占位符说明”页面改正后重新上传。"
    )


def test_a_block_never_closed_is_named():
    data = docx("{% for row in subareas %}", "{{ row.name }}")
    assert rejected(data) == (
        "模板“我县模板.docx”中的“{% for row in subareas %}”没有对应的结束标记"
        "“{% endfor %}”：请补上后重新上传。"
    )


# Numbers and comparisons ---------------------------------------------------------------


def test_comparisons_read_as_the_bulletin_writes_them():
    count = catalogue.FIGURES["children.left_behind"]
    rate = catalogue.FIGURES["confirmations.rate"]
    assert comparison_text(count, 812, 800, "上期") == "较上期增加12人，增长1.5%"
    assert comparison_text(count, 97, 100, "上期") == "较上期减少3人，下降3.0%"
    assert comparison_text(count, 5, 0, "上期") == "较上期增加5人"
    assert comparison_text(count, 5, 5, "上期") == "与上期持平"
    assert comparison_text(rate, 86.4, 85.2, "上期") == "较上期提高1.2个百分点"
    assert comparison_text(rate, None, 85.2, "上期") == "与上期无法比较"


def test_a_figure_value_gives_its_comparisons():
    value = FigureValue(
        catalogue.FIGURES["children.left_behind"],
        812,
        prev_value=800,
        ref_value=1000,
        ref_name="2025年12月31日",
    )
    assert (str(value), value.prev, value.change, value.change_rate) == (
        "812",
        800,
        12,
        1.5,
    )
    assert (value.ref, value.ref_change, value.ref_rate) == (1000, -188, -18.8)
    assert value.vs_ref == "较2025年12月31日减少188人，下降18.8%"
    assert str(FigureValue(catalogue.FIGURES["confirmations.rate"], None)) == "—"


def test_a_pending_figure_prints_no_number_in_any_form_and_is_remembered():
    used: set[str] = set()
    value = FigureValue(catalogue.FIGURES["visits.record_books"], None, used=used)
    shown = {str(value), str(value.prev), str(value.change), str(value.vs_ref)}
    assert shown == {PENDING_TEXT}
    assert used == {"visits.record_books"}


def test_flows_are_compared_with_the_same_dates_of_the_reference_year():
    q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert reference_flow_period(q1, date(2025, 12, 31)) == Period(
        date(2025, 1, 1), date(2025, 3, 31)
    )
    assert reference_flow_period(q1, date(2025, 2, 1)) == Period(
        date(2024, 1, 1), date(2024, 3, 31)
    )


# Rendering -------------------------------------------------------------------------


def _context(used: set[str], subareas: list[dict] | None = None) -> dict:
    area = Area(code="430524000000", name="隆回县<测试>", level="county")
    values = {f.key: 0 for f in catalogue.held()}
    values.update({"children.total": 120, "children.left_behind": 40})
    return build_context(
        area=area,
        period=Period(date(2026, 1, 1), date(2026, 3, 31)),
        reference=date(2025, 12, 31),
        figures=Figures(
            values, dict(values, **{"children.total": 100}), values, subareas or []
        ),
        today=date(2026, 4, 2),
        used=used,
    )


def _render(data: bytes, used: set[str], subareas=None) -> Document:
    filled = render.render(data, _context(used, subareas), name="t.docx", used=used)
    return Document(io.BytesIO(filled))


def test_pending_figures_are_highlighted_in_their_own_run_and_listed_at_the_end():
    template = Document()
    paragraph = template.add_paragraph()
    paragraph.add_run(
        "记录簿{{ visits.record_books }}本，在册{{ children.total }}人"
    ).bold = True
    out = io.BytesIO()
    template.save(out)
    used: set[str] = set()
    document = _render(out.getvalue(), used)
    runs = document.paragraphs[0].runs
    assert [(r.text, r.bold, r.font.highlight_color is not None) for r in runs] == [
        ("记录簿", True, False),
        (PENDING_TEXT, True, True),
        ("本，在册120人", True, False),
    ]
    assert [p.text for p in document.paragraphs[1:]] == [
        render.APPENDIX_TITLE,
        "1. 走访记录簿（本）：尚无功能记录",
    ]


def test_a_bulletin_without_pending_figures_has_no_list():
    used: set[str] = set()
    document = _render(
        docx("在册{{ children.total }}人，{{ children.total.vs_prev }}。"), used
    )
    assert [p.text for p in document.paragraphs] == [
        "在册120人，较上期增加20人，增长20.0%。"
    ]
    assert used == set()


def test_the_sub_area_table_has_a_row_per_sub_area_and_leaves_out_township_figures():
    values = {f.key: 1 for f in catalogue.held()}
    rows = [
        {
            "code": "430524911001",
            "name": "守望村",
            "level": "village",
            "current": values,
            "previous": values,
            "reference": values,
        },
    ]
    data = docx(
        table=[
            ["区划", "在册", "乡镇"],
            ["{%tr for row in subareas %}", "", ""],
            ["{{ row.name }}", "{{ row.children.total }}", "{{ row.staff.townships }}"],
            ["{%tr endfor %}", "", ""],
            [
                "{{ total.name }}",
                "{{ total.children.total }}",
                "{{ total.staff.townships }}",
            ],
        ]
    )
    document = _render(data, set(), rows)
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        ["区划", "在册", "乡镇"],
        ["守望村", "1", "—"],
        ["合计", "120", "0"],
    ]


def test_the_preview_keeps_headings_tables_and_the_highlight_and_escapes_text():
    template = Document()
    template.add_paragraph("{{ area.name }}通报", style="Title")
    template.add_paragraph("一、工作进展情况", style="Heading 1")
    template.add_paragraph("记录簿{{ visits.record_books }}本")
    grid = template.add_table(rows=2, cols=2)
    grid.cell(0, 0).text, grid.cell(0, 1).text = "区划", "在册"
    grid.cell(1, 0).text, grid.cell(1, 1).text = (
        "{{ total.name }}",
        "{{ children.total }}",
    )
    out = io.BytesIO()
    template.save(out)
    used: set[str] = set()
    filled = render.render(out.getvalue(), _context(used), name="t.docx", used=used)
    html = preview.to_html(filled)
    assert '<h2 class="h4 text-center">隆回县&lt;测试&gt;通报</h2>' in html
    assert '<h3 class="h5">一、工作进展情况</h3>' in html
    assert f'<p>记录簿<mark class="bg-warning">{PENDING_TEXT}</mark>本</p>' in html
    assert (
        "<tr><th>区划</th><th>在册</th></tr><tr><td>合计</td><td>120</td></tr>" in html
    )


def test_the_context_names_are_the_ones_the_check_accepts():
    used: set[str] = set()
    values = _context(used)
    assert set(context.NAMES) <= set(values)
    assert set(context.figure_groups()) <= set(values)
