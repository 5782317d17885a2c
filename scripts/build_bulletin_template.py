"""Build shouwang/reports/bulletin/default_template.docx, the default wording of the
status bulletin (工作情况通报), with python-docx.

The placeholders are the ones the placeholder page lists (/reports/bulletins/
placeholders/); a county downloads this file, edits the wording in Word and uploads
it as its own template. Run after changing the wording, and commit both files:

    .venv/bin/python scripts/build_bulletin_template.py
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
    / "shouwang/reports/bulletin/default_template.docx"
)


PROGRESS = [
    (
        "一是工作队伍不断健全。",
        "{{ area.scope }}共有乡镇（街道）{{ staff.townships }}个，已配备儿童督导员的"
        "{{ staff.townships_with_supervisor }}个，配备率{{ staff.township_coverage }}%；"
        "共有村（社区）{{ staff.villages }}个，已配备儿童主任的"
        "{{ staff.villages_with_director }}个，配备率{{ staff.village_coverage }}%。",
    ),
    (
        "二是摸底排查与动态管理扎实推进。",
        "截至{{ period.end }}，{{ area.scope }}在册儿童{{ children.total }}人，"
        "{{ children.total.vs_prev }}。其中农村留守儿童{{ children.left_behind }}人，"
        "{{ children.left_behind.vs_prev }}，{{ children.left_behind.vs_ref }}；"
        "困境儿童{{ children.difficulty }}人（生活困境{{ children.difficulty_living }}人、"
        "自身困境{{ children.difficulty_self }}人、监护困境"
        "{{ children.difficulty_guardianship }}人），{{ children.difficulty.vs_prev }}；"
        "孤儿{{ children.orphan }}人（集中养育{{ children.orphan_institutional }}人、"
        "社会散居{{ children.orphan_scattered }}人）；事实无人抚养儿童"
        "{{ children.de_facto_unsupported }}人。按风险等级分，高风险{{ risk.high }}人、"
        "中风险{{ risk.medium }}人、低风险{{ risk.low }}人。",
    ),
    (
        "三是走访探访持续开展。",
        "{{ period.label }}，共记录走访{{ visits.recorded }}次，{{ visits.recorded.vs_prev }}，"
        "走访儿童{{ visits.children_visited }}人；建立走访记录簿{{ visits.record_books }}本。"
        "截至期末，有应访日期的儿童{{ visits.scheduled }}人，逾期未走访"
        "{{ visits.overdue }}人，走访逾期率{{ visits.overdue_rate }}%，"
        "{{ visits.overdue_rate.vs_prev }}。",
    ),
    (
        "四是委托监护责任有效落实。",
        "需签订委托监护责任确认书的儿童{{ confirmations.needed }}人，已签订"
        "{{ confirmations.signed }}人，签订率{{ confirmations.rate }}%，"
        "{{ confirmations.rate.vs_prev }}。",
    ),
    (
        "五是强制报告制度有效落实。",
        "{{ period.label }}，共收到强制报告{{ protection.reports }}件，"
        "{{ protection.reports.vs_prev }}。按情形分：生殖器官或隐私部位遭受或疑似遭受"
        "非正常损伤{{ protection.reports_genital_injury }}件，不满十四周岁的女性遭受或"
        "疑似遭受性侵害、怀孕、流产{{ protection.reports_girl_under_14 }}件，十四周岁"
        "以上女性遭受或疑似遭受性侵害所致怀孕、流产{{ protection.reports_girl_14_plus }}"
        "件，身体多处损伤、严重营养不良、意识不清，疑似受到家庭暴力、欺凌、虐待、殴打"
        "或被麻醉{{ protection.reports_violence }}件，因自杀、自残、工伤、中毒等非正常"
        "原因导致伤残、死亡{{ protection.reports_abnormal_harm }}件，被遗弃或长期处于"
        "无人照料状态{{ protection.reports_abandoned }}件，来源不明、失踪或被拐卖、收买"
        "{{ protection.reports_missing }}件，被组织乞讨{{ protection.reports_begging }}"
        "件，其他严重侵害身心健康或正在面临不法侵害危险"
        "{{ protection.reports_other_serious }}件；独居、无人监护"
        "{{ protection.reports_living_alone }}件，监护人无监护能力或不履行监护职责"
        "{{ protection.reports_guardian_failing }}件，无户籍"
        "{{ protection.reports_no_hukou }}件，失学辍学"
        "{{ protection.reports_out_of_school }}件。公安机关受理报告"
        "{{ protection.police_decided }}件{% if protection.police_decided %}，从报告到"
        "受理用时中位数为{{ protection.police_hours_median }}小时，90%的报告在"
        "{{ protection.police_hours_p90 }}小时内受理{% endif %}。截至{{ period.end }}，"
        "逾期未办事项{{ protection.overdue_items }}项。",
    ),
    (
        "六是救助保护与关爱服务不断加强。",
        "救助流浪乞讨未成年人{{ protection.rescues }}人次，帮扶严重监护缺失家庭"
        "{{ protection.families_helped }}户、儿童{{ protection.children_helped }}人，"
        "安置到福利机构的儿童{{ protection.placed_in_institution }}人；公安机关为无户籍"
        "儿童登记户口{{ police.hukou_registered }}人；纳入农村危房改造的家庭"
        "{{ exchange.housing_households }}户，纳入帮扶的家庭"
        "{{ exchange.poverty_households }}户；建立健康档案的儿童{{ exchange.health_records }}人，"
        "接种疫苗的儿童{{ exchange.vaccinated }}人。",
    ),
    (
        "七是司法保护持续加强。",
        "法院审结侵害儿童犯罪案件{{ court.judged_cases }}件，其中拐卖儿童犯罪案件"
        "{{ court.trafficking_cases }}件，虐待、猥亵儿童犯罪案件{{ court.abuse_cases }}件"
        "（其中猥亵儿童犯罪案件{{ court.indecency_cases }}件），遗弃犯罪案件"
        "{{ court.abandonment_cases }}件，其他侵害儿童犯罪案件{{ court.other_cases }}件；"
        "检察机关批准逮捕侵害儿童案件{{ procuratorate.arrest_cases }}件"
        "{{ procuratorate.arrest_persons }}人，提起公诉{{ procuratorate.prosecution_cases }}件"
        "{{ procuratorate.prosecution_persons }}人。",
    ),
    (
        "控辍保学方面，",
        "截至{{ period.end }}，{{ area.scope }}义务教育适龄儿童{{ schooling.school_age }}"
        "人，经与学籍名单比对疑似失学辍学{{ schooling.suspected }}人，劝返中的辍学儿童"
        "{{ schooling.dropouts_open }}人，累计劝返复学{{ schooling.returned_total }}人。"
        "{{ period.label }}，新登记"
        "辍学儿童{{ schooling.dropouts_registered }}人，其中因学习困难或厌学"
        "{{ schooling.dropouts_registered_learning }}人、家庭经济困难"
        "{{ schooling.dropouts_registered_poverty }}人、外出务工"
        "{{ schooling.dropouts_registered_work }}人、早婚早育"
        "{{ schooling.dropouts_registered_early_marriage }}人、身心疾病或残疾"
        "{{ schooling.dropouts_registered_illness }}人、随迁外出"
        "{{ schooling.dropouts_registered_migration }}人、其他原因"
        "{{ schooling.dropouts_registered_other }}人；劝返复学辍学儿童"
        "{{ schooling.returned }}人，其中建档立卡等困难家庭儿童"
        "{{ schooling.returned_poor }}人；经核实排除疑似失学辍学"
        "{{ schooling.suspects_cleared }}人次。",
    ),
    (
        "救助保障方面，",
        "集中养育孤儿和社会散居孤儿基本生活费标准分别为每人每月"
        "{{ assistance.standard_institutional }}元、{{ assistance.standard_scattered }}元，"
        "已连续{{ assistance.years_raised }}年提高（提高前社会散居孤儿为"
        "{{ assistance.standard_scattered_before }}元）；期内发放基本生活费和基本生活补贴"
        "{{ assistance.paid_total }}元，保障孤儿{{ assistance.orphans_covered }}人（其中"
        "年满18周岁在校孤儿{{ assistance.orphans_18_in_school }}人）、事实无人抚养儿童"
        "{{ assistance.de_facto_covered }}人，期末应保未保{{ assistance.unpaid }}人；"
        "福彩圆梦·孤儿助学等救助项目受助儿童"
        "{{ assistance.programme_students }}人次，资助金额{{ assistance.programme_amount }}元；"
        "登记弃婴{{ foundlings.registered }}人，{{ foundlings.registered.vs_ref }}。",
    ),
    (
        "社会关爱方面，",
        "筹集捐款{{ care.donations }}万元，资助儿童{{ care.children_funded }}人，"
        "志愿者结对帮扶{{ care.volunteer_pairings }}对，开展关爱活动"
        "{{ care.activities }}场次。",
    ),
    (
        "宣传引导方面，",
        "开展宣传活动{{ publicity.activities }}场次，发放宣传手册"
        "{{ publicity.handbooks }}册、宣传单{{ publicity.leaflets }}份，设置宣传牌"
        "{{ publicity.signboards }}块。",
    ),
]

PROBLEMS = [
    "{{ area.scope }}困境儿童中监护能力薄弱的共{{ weakness.total }}人，"
    "其中①-A类（父母双方重残或重病）{{ weakness['1A'] }}人、"
    "①-B类（父母双方服刑在押或强制隔离戒毒等）{{ weakness['1B'] }}人、"
    "①-C类（父母双方弃养、失联或被撤销监护资格）{{ weakness['1C'] }}人；"
    "②-AB类（一方重残或重病、一方服刑在押等）{{ weakness['2AB'] }}人、"
    "②-AC类（一方重残或重病、一方弃养或失联等）{{ weakness['2AC'] }}人；"
    "③-CB类（一方弃养或失联等、一方服刑在押等）{{ weakness['3CB'] }}人；"
    "④-EA类（一方死亡或失踪、一方重残或重病）{{ weakness['4EA'] }}人、"
    "④-EB类（一方死亡或失踪、一方服刑在押等）{{ weakness['4EB'] }}人、"
    "④-EC类（一方死亡或失踪、一方弃养或失联等）{{ weakness['4EC'] }}人。"
    "这些儿童的监护照料仍需重点关注。",
    "走访探访还不够及时。截至{{ period.end }}，仍有{{ visits.overdue }}名儿童逾期未走访，"
    "走访逾期率{{ visits.overdue_rate }}%。",
    "部门数据比对提示核实还不够及时。{{ period.label }}，部门名单比对产生比对提示"
    "{{ exchange.alerts }}条，核实{{ exchange.alerts_handled }}条，其中按期核实"
    "{{ exchange.alerts_handled_on_time }}条；截至{{ period.end }}，仍有"
    "{{ exchange.alerts_overdue }}条比对提示逾期未核实。",
    "委托监护责任落实还有差距。确认书签订率为{{ confirmations.rate }}%，"
    "仍有{{ confirmations.needed - confirmations.signed }}名儿童未签订。",
]

NEXT_STEPS = [
    "（一）加强动态管理。各乡镇（街道）要督促儿童主任按季度开展摸底排查，"
    "及时更新儿童信息，做到底数清、情况明。",
    "（二）压实走访责任。对逾期未走访的儿童要逐一落实走访，"
    "对高风险儿童按规定频次开展探访，发现问题及时报告、及时处置。",
    "（三）落实委托监护。对尚未签订委托监护责任确认书的儿童，"
    "要限期完成签订，督促受委托监护人切实履行监护职责。",
    "（四）强化部门协同。各成员单位要按照职责分工，加强信息共享和工作联动，"
    "形成关爱保护工作合力。",
]

TABLE_COLUMNS = [
    ("区划", "{{ row.name }}", "{{ total.name }}"),
    ("在册儿童（人）", "{{ row.children.total }}", "{{ total.children.total }}"),
    (
        "农村留守儿童（人）",
        "{{ row.children.left_behind }}",
        "{{ total.children.left_behind }}",
    ),
    (
        "困境儿童（人）",
        "{{ row.children.difficulty }}",
        "{{ total.children.difficulty }}",
    ),
    (
        "确认书签订率（%）",
        "{{ row.confirmations.rate }}",
        "{{ total.confirmations.rate }}",
    ),
    (
        "走访逾期率（%）",
        "{{ row.visits.overdue_rate }}",
        "{{ total.visits.overdue_rate }}",
    ),
    (
        "强制报告（件）",
        "{{ row.protection.reports }}",
        "{{ total.protection.reports }}",
    ),
]


def _body(document, text: str, lead: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    if lead:
        paragraph.add_run(lead).bold = True
    paragraph.add_run(text)


def _table(document) -> None:
    table = document.add_table(rows=5, cols=len(TABLE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, loop, row, end, total = table.rows
    loop.cells[0].text = "{%tr for row in subareas %}"
    end.cells[0].text = "{%tr endfor %}"
    for index, (title, cell, sum_cell) in enumerate(TABLE_COLUMNS):
        header.cells[index].text = title
        row.cells[index].text = cell
        total.cells[index].text = sum_cell
    for line in table.rows:
        for cell in line.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.font.size = Pt(12)
                    if line is header or line is total:
                        run.bold = True


def build(out: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    official_styles(
        document, body=16, line=28, title=22, heading_before=6, heading_after=0
    )

    document.add_paragraph(
        "{{ area.name }}农村留守儿童和困境儿童关爱保护工作情况通报", style="Title"
    )
    subtitle = document.add_paragraph("（{{ period.label }}）")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _body(
        document,
        "为全面掌握{{ area.scope }}农村留守儿童和困境儿童关爱保护工作情况，"
        "现将{{ period.label }}工作开展情况通报如下：",
    )

    document.add_paragraph("一、工作进展情况", style="Heading 1")
    for lead, text in PROGRESS:
        _body(document, text, lead)
    _body(document, "{{ area.scope }}各{{ subarea_level }}主要数字如下表：")
    _table(document)

    document.add_paragraph("二、存在的问题", style="Heading 1")
    for text in PROBLEMS:
        _body(document, text)

    document.add_paragraph("三、下一步工作", style="Heading 1")
    for text in NEXT_STEPS:
        _body(document, text)

    signature = document.add_paragraph("{{ generated }}")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    properties = document.core_properties
    properties.title = "工作情况通报"
    properties.author = "守望"
    properties.comments = ""
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)
    properties.revision = 1
    document.save(out)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"written {OUT if len(sys.argv) < 2 else sys.argv[1]}")
