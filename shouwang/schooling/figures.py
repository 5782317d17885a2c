"""The dropout-control figures of the report catalogue (issue R8 item 6): children of
compulsory-school age, dropout cases open, dropouts registered by reason, children
returned to school (and of those, children of poor families), and suspected children
cleared by reason, and the children suspected out of school (三比对, compared as
things stood at the end of the day). Sources: .sources."""

from shouwang.reports.catalogue import Figure, Kind, declare, declare_source

from .sources import (
    CLEARED,
    DROPOUTS_OPEN,
    REGISTERED,
    RETURNED,
    RETURNED_POOR,
    RETURNED_TOTAL,
    SCHOOL_AGE,
    SUSPECTED,
    DropoutsOpenSource,
    SchoolAge,
    SchoolingSource,
    SuspectedSource,
    cleared_key,
    reason_key,
)
from .vocab import ClearReason, DropoutReason

declare_source(DropoutsOpenSource())
declare_source(SchoolingSource())
declare_source(SuspectedSource())

GROUP = "控辍保学"


def _flow(key, label, unit, definition):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=Kind.FLOW,
        group=GROUP,
        source="schooling",
        list_view="",
    )


declare(
    Figure(
        key=SCHOOL_AGE,
        label="义务教育适龄儿童",
        unit="人",
        definition="期末在册、按期末年龄为6至15周岁（含）的儿童人数。",
        kind=Kind.STOCK,
        group=GROUP,
        source="ledger",
        count=SchoolAge(),
        list_view="",
    ),
    Figure(
        key=DROPOUTS_OPEN,
        label="劝返中的辍学儿童",
        unit="人",
        definition=(
            "期末（当天为此刻）尚未销号的辍学登记数：期末前已登记、期末时未销号"
            "或销号后又重新开启的登记，按登记时所在村计。"
        ),
        kind=Kind.STOCK,
        group=GROUP,
        source="schooling_open",
        list_view="",
    ),
    Figure(
        key=SUSPECTED,
        label="疑似失学辍学儿童",
        unit="人",
        definition=(
            "期末（当天为此刻）与覆盖其所在村的最新学籍名单比对：有身份号码的适龄儿童"
            "不在名单上或学籍状态为辍学、休学，且未登记辍学、未经核实排除的人数"
            "（按期末的台账、期末前上传的名单和排除记录计）。"
        ),
        kind=Kind.STOCK,
        group=GROUP,
        source="schooling_suspected",
        list_view="",
    ),
    Figure(
        key=RETURNED_TOTAL,
        label="累计劝返复学的辍学儿童",
        unit="人",
        definition=(
            "期末时已销号、销号结果为“返校复学”且销号日期不晚于期末的辍学登记数"
            "（销号后又重新开启的不计）。"
        ),
        kind=Kind.STOCK,
        group=GROUP,
        source="schooling_open",
        list_view="",
    ),
    _flow(
        REGISTERED,
        "新登记辍学儿童",
        "人",
        "登记时间在期内的辍学登记数（各辍学原因合计）。",
    ),
    *(
        _flow(
            reason_key(reason),
            f"辍学原因：{reason.label}",
            "人",
            f"登记时间在期内、辍学原因为“{reason.label}”的辍学登记数。",
        )
        for reason in DropoutReason
    ),
    _flow(
        RETURNED,
        "劝返复学的辍学儿童",
        "人",
        "销号结果为“返校复学”、销号日期在期内的辍学登记数（销号后又重新开启的不计）。",
    ),
    _flow(
        RETURNED_POOR,
        "其中建档立卡等困难家庭儿童",
        "人",
        "劝返复学的辍学儿童中，家庭享受低保、特困供养或为建档立卡户、防返贫监测"
        "对象（按现在的台账）的人数。",
    ),
    _flow(
        CLEARED,
        "排除疑似失学辍学",
        "人次",
        "排除时间在期内的疑似失学辍学排除记录数（各排除理由合计）。",
    ),
    *(
        _flow(
            cleared_key(reason),
            f"排除理由：{reason.label}",
            "人次",
            f"排除时间在期内、排除理由为“{reason.label}”的疑似失学辍学排除记录数。",
        )
        for reason in ClearReason
    ),
)
