"""The protection figures of the report catalogue (issue R7 item 7): reports by
situation, how long the police took to answer (median and 90th percentile, read from
summed hour counts), overdue items, and what the units did (rescues, families helped,
placements, hukou, court and procuratorate cases). Sources: .sources."""

from shouwang.reports.catalogue import Figure, Kind, declare, declare_source

from .sources import (
    DECIDED,
    OVERDUE,
    POLICE_HOURS,
    REPORTS,
    OverdueSource,
    ProtectionSource,
    situation_key,
)
from .vocab import Situation

declare_source(ProtectionSource())
declare_source(OverdueSource())

REPORT_GROUP = "强制报告"
HELP_GROUP = "救助保护"
JUSTICE_GROUP = "司法保护"
HOURS = (
    "从报告时间到公安作出受理决定（受案、立案或不予立案）所用的时间，不足1小时的"
    "部分按1小时计（向上取整为整小时）"
)


def _flow(key, label, unit, definition, group, *, source="protection", **more):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=Kind.FLOW,
        group=group,
        source=source,
        list_view="",
        **more,
    )


def _judged(key, label, charges):
    return _flow(
        key,
        label,
        "件",
        f"措施日期在期内的“法院审结案件”中罪名为{charges}的案件数之和。",
        JUSTICE_GROUP,
    )


declare(
    _flow(
        REPORTS,
        "收到强制报告",
        "件",
        "报告时间在期内的强制报告件数（含民政代录的电话报告），按发现地所在区划计。",
        REPORT_GROUP,
    ),
    *(
        _flow(
            situation_key(situation),
            f"报告情形：{situation.label}",
            "件",
            f"报告时间在期内、情形为“{situation.label}”的强制报告件数。",
            REPORT_GROUP,
        )
        for situation in Situation
    ),
    _flow(
        DECIDED,
        "公安受理的报告",
        "件",
        "公安作出受理决定（受案、立案或不予立案）的时间在期内的报告件数，"
        "即受理用时中位数和90%分位数的计算范围。",
        REPORT_GROUP,
    ),
    _flow(
        "protection.police_hours_median",
        "报告到公安受理用时中位数",
        "小时",
        f"期内公安受理的报告，{HOURS}，按用时排序后第⌈n×50%⌉件（n为件数）的用时；"
        "期内没有受理的报告时为“—”。",
        REPORT_GROUP,
        source="",
        quantile=(POLICE_HOURS, 50),
    ),
    _flow(
        "protection.police_hours_p90",
        "报告到公安受理用时90%分位数",
        "小时",
        f"期内公安受理的报告，{HOURS}，按用时排序后第⌈n×90%⌉件（n为件数）的用时，"
        "即至少九成报告在此时长内受理；期内没有受理的报告时为“—”。",
        REPORT_GROUP,
        source="",
        quantile=(POLICE_HOURS, 90),
    ),
    Figure(
        key=OVERDUE,
        label="逾期未办事项",
        unit="项",
        definition=(
            "期末（当天为此刻）已过期限仍未办理的事项数，与督办列表同一口径："
            "公安受理报告、向报告单位反馈、民政评估、成员单位接收转介各算一项；"
            "按报告、受理、反馈、评估、结案、重新开启和答复转介的记录时间推算，"
            "尚未办理的事项用其登记的期限，期末后才办理的事项按本县现行时限推算期限。"
        ),
        kind=Kind.STOCK,
        group=REPORT_GROUP,
        source="protection_overdue",
        list_view="",
    ),
    _flow(
        "protection.rescues",
        "救助流浪乞讨未成年人",
        "人次",
        "措施日期在期内的“救助流浪乞讨未成年人”措施所记救助人次之和。",
        HELP_GROUP,
    ),
    _flow(
        "protection.families_helped",
        "帮扶严重监护缺失家庭",
        "户",
        "措施日期在期内的“帮扶监护严重缺失家庭”措施所记帮扶户数之和。",
        HELP_GROUP,
    ),
    _flow(
        "protection.children_helped",
        "帮扶严重监护缺失家庭的儿童",
        "人",
        "措施日期在期内的“帮扶监护严重缺失家庭”措施所记帮扶儿童人数之和。",
        HELP_GROUP,
    ),
    _flow(
        "protection.placed_in_institution",
        "安置到福利机构的儿童",
        "人",
        "措施日期在期内、安置方式为儿童福利机构抚养或未成年人救助保护机构抚养的"
        "“安置”措施所安置的儿童人数（每条措施一人）。",
        HELP_GROUP,
    ),
    _flow(
        "police.hukou_registered",
        "为无户籍儿童登记户口",
        "人",
        "措施日期在期内的公安“为无户籍儿童登记户口”措施所记人数之和。",
        HELP_GROUP,
    ),
    _flow(
        "court.judged_cases",
        "审结侵害儿童犯罪案件",
        "件",
        "措施日期在期内的“法院审结案件”措施所记案件数之和（各罪名合计）。",
        JUSTICE_GROUP,
    ),
    _judged("court.trafficking_cases", "审结拐卖儿童犯罪案件", "拐卖儿童罪"),
    _judged("court.abuse_cases", "审结虐待儿童犯罪案件", "虐待儿童罪或猥亵儿童罪"),
    _judged("court.indecency_cases", "其中审结猥亵儿童犯罪案件", "猥亵儿童罪"),
    _judged("court.abandonment_cases", "审结遗弃犯罪案件", "遗弃罪"),
    _judged("court.other_cases", "审结其他侵害儿童犯罪案件", "“其他”"),
    _flow(
        "procuratorate.arrest_cases",
        "批准逮捕侵害儿童案件",
        "件",
        "期内检察机关批准逮捕的侵害儿童犯罪案件数：措施日期在期内的“审查逮捕”措施所记案件数之和。",
        JUSTICE_GROUP,
    ),
    _flow(
        "procuratorate.arrest_persons",
        "批准逮捕侵害儿童犯罪人员",
        "人",
        "期内检察机关批准逮捕的侵害儿童犯罪人数：措施日期在期内的“审查逮捕”措施所记人数之和。",
        JUSTICE_GROUP,
    ),
    _flow(
        "procuratorate.prosecution_cases",
        "起诉侵害儿童案件",
        "件",
        "期内检察机关提起公诉的侵害儿童犯罪案件数：措施日期在期内的“审查起诉”措施所记案件数之和。",
        JUSTICE_GROUP,
    ),
    _flow(
        "procuratorate.prosecution_persons",
        "起诉侵害儿童犯罪人员",
        "人",
        "期内检察机关提起公诉的侵害儿童犯罪人数：措施日期在期内的“审查起诉”措施所记人数之和。",
        JUSTICE_GROUP,
    ),
)
