"""The responsibility bulletin (责任落实情况通报): for an area and a period, a ranked
table of the areas one level below (counties of a city, townships of a county) and
one of the member units, each row a set of rates and a composite score.

The areas' numbers are R5's catalogue figures (reports.compute), read by key: a key
the catalogue does not hold gives "—", never a number. Two rates the catalogue has no
figure for are counted here from the protection records, per area of the case:
mandatory reports the police accepted within the county's time limit, and referrals
the unit answered by their deadline. The member units' numbers are counted here from
the tasks, referrals and letters of the area's jurisdiction.

The composite score is the mean of a row's rates (each 0–100; an overdue rate counts
as 100 minus it); rates without a denominator are left out of the mean, and a row
without any rate has no score and no rank. Equal scores (to one decimal) share a rank.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.protection.models import Case, Referral
from shouwang.protection.services import deadlines_for
from shouwang.protection.sources import start_of
from shouwang.reports import catalogue, compute, selectors
from shouwang.reports.bulletin import render
from shouwang.reports.periods import Period
from shouwang.reports.sources.ledger import end_of

from .models import MemberUnit, ResponsibilityLetter, Task
from .vocab import UNIT_LABELS, TaskState

MISSING = "—"
NOT_RANKED = "责任落实情况通报按县级及以上区划统计，请选择县（市、区）或市。"
SCORE_RULE = (
    "综合得分为该行各项比率（0–100）的平均值，逾期率按“100 − 逾期率”计入；"
    "没有分母的比率显示“—”，不计入平均；得分相同的并列同一名次。"
)
# Levels whose sub-areas the bulletin ranks (a city's counties, a county's townships).
LEVELS = (codes.Level.PROVINCE, codes.Level.CITY, codes.Level.COUNTY)
ROLES = (Role.CIVIL_AFFAIRS, Role.LEADER)
MARKED = 3  # how many best (前三) and lagging (后三) rows are named

# Counted here (not catalogue figures): the protection rates of the area rows.
REPORTS_DUE = "responsibility.reports_due"
REPORTS_IN_TIME = "responsibility.reports_in_time"
REFERRALS_DUE = "responsibility.referrals_due"
REFERRALS_IN_TIME = "responsibility.referrals_in_time"
LETTER_DUE = "responsibility.letter_due"  # a unit row: 1 (a letter is expected)
OWN_KEYS = frozenset({REPORTS_DUE, REPORTS_IN_TIME, REFERRALS_DUE, REFERRALS_IN_TIME})

TASKS_ASSIGNED = "jointwork.tasks_assigned"
TASKS_ON_TIME = "jointwork.tasks_on_time"
TASKS_OVERDUE = "jointwork.tasks_overdue"
LETTERS_SIGNED = "jointwork.letters_signed"


@dataclass(frozen=True)
class Metric:
    """A column: a rate of a numerator over the sum of denominators (values by key),
    or a plain count (no denominators, not scored)."""

    key: str  # the column's name in templates: row.cells.<key>
    label: str
    numerator: str
    denominators: tuple[str, ...] = ()
    inverted: bool = False  # an overdue rate: lower is better
    yes_no: bool = False  # one thing done or not (a letter): 已签 / 未签

    @property
    def is_rate(self) -> bool:
        return bool(self.denominators)

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.numerator, *self.denominators)


@dataclass(frozen=True)
class Cell:
    metric: Metric
    value: float | int | None  # the rate (%) or the count; None: "—"
    numerator: int | None = None
    denominator: int | None = None

    @property
    def text(self) -> str:
        if self.value is None:
            return MISSING
        if not self.metric.is_rate:
            return f"{self.value}"
        if self.metric.yes_no:
            return "已签" if self.numerator else "未签"
        return f"{self.value}%（{self.numerator}/{self.denominator}）"

    @property
    def short_text(self) -> str:
        """The value alone (a rate without its numerator and denominator)."""
        if self.value is None:
            return MISSING
        if self.metric.yes_no:
            return self.text
        return f"{self.value}%" if self.metric.is_rate else f"{self.value}"

    @property
    def points(self) -> float | None:
        """The cell's part of the score (0–100), None when it takes no part."""
        if self.value is None or not self.metric.is_rate:
            return None
        return 100 - self.value if self.metric.inverted else self.value


AREA_METRICS = (
    Metric(
        "village_coverage",
        "村儿童主任配备率",
        "staff.villages_with_director",
        ("staff.villages",),
    ),
    Metric(
        "township_coverage",
        "乡镇儿童督导员配备率",
        "staff.townships_with_supervisor",
        ("staff.townships",),
    ),
    Metric(
        "confirmations",
        "确认书签订率",
        "confirmations.signed",
        ("confirmations.needed",),
    ),
    Metric(
        "visits_overdue",
        "走访逾期率",
        "visits.overdue",
        ("visits.scheduled",),
        inverted=True,
    ),
    Metric("reports_in_time", "强制报告及时受理率", REPORTS_IN_TIME, (REPORTS_DUE,)),
    Metric("referrals_in_time", "转介及时响应率", REFERRALS_IN_TIME, (REFERRALS_DUE,)),
    Metric(
        "alerts_in_time",
        "比对提示按期核实率",
        "exchange.alerts_handled_on_time",
        ("exchange.alerts_handled",),
    ),
    Metric(
        "dropouts_returned",
        "辍学劝返复学率",
        "schooling.returned_total",
        ("schooling.returned_total", "schooling.dropouts_open"),
    ),
    Metric("tasks_on_time", "任务按时办结率", TASKS_ON_TIME, (TASKS_ASSIGNED,)),
    Metric(
        "tasks_overdue",
        "任务逾期率",
        TASKS_OVERDUE,
        (TASKS_ASSIGNED,),
        inverted=True,
    ),
    Metric("letters_signed", "签订责任书（份）", LETTERS_SIGNED),
)
UNIT_METRICS = (
    Metric("tasks_on_time", "任务按时办结率", TASKS_ON_TIME, (TASKS_ASSIGNED,)),
    Metric(
        "tasks_overdue",
        "任务逾期率",
        TASKS_OVERDUE,
        (TASKS_ASSIGNED,),
        inverted=True,
    ),
    Metric("referrals_in_time", "转介及时响应率", REFERRALS_IN_TIME, (REFERRALS_DUE,)),
    Metric("letter_signed", "签订责任书", LETTERS_SIGNED, (LETTER_DUE,), yes_no=True),
)


@dataclass
class Row:
    name: str
    code: str  # an area code, or a unit's value
    cells: list[Cell]
    score: float | None = None
    rank: int | None = None
    mark: str = ""  # "best" (前三), "lagging" (后三) or ""

    @property
    def mark_label(self) -> str:
        return {"best": "前三", "lagging": "后三"}.get(self.mark, "")

    @property
    def score_text(self) -> str:
        return MISSING if self.score is None else f"{self.score}"

    @property
    def rank_text(self) -> str:
        return MISSING if self.rank is None else f"{self.rank}"

    def by_key(self) -> dict[str, str]:
        return {cell.metric.key: cell.text for cell in self.cells}


@dataclass
class Table:
    title: str
    metrics: tuple[Metric, ...]
    rows: list[Row] = field(default_factory=list)

    def named(self, mark: str) -> list[str]:
        return [row.name for row in self.rows if row.mark == mark]


@dataclass
class Bulletin:
    area: Area
    period: Period
    areas: Table
    units: Table

    @property
    def summary(self) -> str:
        """The sentence naming the best and the lagging of both tables."""
        parts = []
        for table in (self.areas, self.units):
            best, lagging = table.named("best"), table.named("lagging")
            if not best and not lagging:
                parts.append(f"{table.title}暂无可排名的数据")
                continue
            parts.append(
                f"{table.title}综合得分靠前的是{'、'.join(best) or '（无）'}，"
                f"靠后的是{'、'.join(lagging) or '（无）'}"
            )
        return "；".join(parts) + "。"


# Reading and scoring -----------------------------------------------------------------


def available(key: str) -> bool:
    """Whether the catalogue holds a figure (jointwork's figures may not exist yet)."""
    figure = catalogue.FIGURES.get(key)
    return figure is not None and figure.held


def cells_of(metrics: Iterable[Metric], values: Mapping[str, object]) -> list[Cell]:
    """The cells of a row: a key missing from values gives "—"."""
    cells = []
    for metric in metrics:
        if any(values.get(key) is None for key in metric.keys):
            cells.append(Cell(metric, None))
            continue
        numerator = int(values[metric.numerator])
        if not metric.is_rate:
            cells.append(Cell(metric, numerator))
            continue
        denominator = sum(int(values[key]) for key in metric.denominators)
        value = catalogue.rate(numerator, denominator)
        cells.append(Cell(metric, value, numerator, denominator))
    return cells


def score_of(cells: Iterable[Cell]) -> float | None:
    """The mean of the cells' points (one decimal), None without any."""
    points = [p for p in (cell.points for cell in cells) if p is not None]
    if not points:
        return None
    return round(sum(points) / len(points), 1)


def rank(rows: list[Row]) -> list[Row]:
    """The rows by score (best first, equal scores sharing a rank, rows without a
    score last and unranked), the best and the lagging marked: the top and bottom
    MARKED ranks, at most half of the ranked rows each, ties included."""
    scored = sorted(
        (r for r in rows if r.score is not None), key=lambda r: (-r.score, r.code)
    )
    unscored = [r for r in rows if r.score is None]
    for row in scored:
        row.rank = 1 + sum(1 for other in scored if other.score > row.score)
        row.mark = ""
    marked = min(MARKED, len(scored) // 2)
    for row in scored:
        from_bottom = 1 + sum(1 for other in scored if other.score < row.score)
        if row.rank <= marked:
            row.mark = "best"
        elif from_bottom <= marked:
            row.mark = "lagging"
    return scored + unscored


# Counting what the catalogue lacks ----------------------------------------------------


def _within(code: str, prefixes: Mapping[str, str]) -> str | None:
    for sub_code, prefix in prefixes.items():
        if code.startswith(prefix):
            return sub_code
    return None


def protection_by_area(
    subareas: list[Area], prefix: str, period: Period
) -> dict[str, dict[str, int]]:
    """For each sub-area: reports due for the police's answer in the period and
    those answered in time; referrals due for an answer and those answered in time."""
    now = timezone.now()
    since, until = start_of(period.start), end_of(period.end)
    prefixes = {a.code: codes.prefix_of(a.code) for a in subareas}
    result = {
        a.code: dict.fromkeys(
            (REPORTS_DUE, REPORTS_IN_TIME, REFERRALS_DUE, REFERRALS_IN_TIME), 0
        )
        for a in subareas
    }
    limits: dict[str, int] = {}
    cases = Case.objects.filter(
        access.prefix_q("area_id", prefix),
        reported_at__gte=since,
        reported_at__lt=until,
    ).values_list("area_id", "county_id", "reported_at", "police_decided_at")
    for area_id, county_id, reported_at, decided_at in cases.iterator():
        if county_id not in limits:
            limits[county_id] = deadlines_for(county_id)["police_accept_hours"]
        due = reported_at + timedelta(hours=limits[county_id])
        sub = _within(area_id, prefixes)
        if sub is None or (decided_at is None and due > now):
            continue  # not yet due: neither late nor in time
        result[sub][REPORTS_DUE] += 1
        if decided_at is not None and decided_at <= due:
            result[sub][REPORTS_IN_TIME] += 1
    for area_id, in_time in _referrals(
        access.prefix_q("case__area_id", prefix), period
    ):
        sub = _within(area_id, prefixes)
        if sub is not None:
            result[sub][REFERRALS_DUE] += 1
            result[sub][REFERRALS_IN_TIME] += int(in_time)
    return result


def _referrals(which: Q, period: Period, column: str = "case__area_id"):
    """(column value, answered in time) of each referral whose answer was due in the
    period and by now: answered (accepted or rejected) by its deadline or not; one
    revoked before any answer is left out."""
    rows = (
        Referral.objects.filter(which)
        .filter(
            respond_by__gte=start_of(period.start),
            respond_by__lt=end_of(period.end),
            respond_by__lte=timezone.now(),
        )
        .exclude(revoked_at__isnull=False, responded_at__isnull=True)
        .values_list(column, "respond_by", "responded_at")
    )
    for value, respond_by, responded_at in rows.iterator():
        yield value, responded_at is not None and responded_at <= respond_by


def units_values(area: Area, period: Period) -> dict[str, dict[str, int]]:
    """For each unit of the area's joint meeting (and any unit with tasks or
    referrals in its jurisdiction): tasks due in the period, done by their
    deadline, overdue; referrals answered in time; a letter signed with the area's
    government for the period's year."""
    prefix = codes.prefix_of(area.code)
    today = timezone.localdate()
    units = set(MemberUnit.objects.filter(area=area).values_list("unit", flat=True))
    result: dict[str, dict[str, int]] = {}

    def of(unit: str) -> dict[str, int]:
        return result.setdefault(
            unit,
            {
                TASKS_ASSIGNED: 0,
                TASKS_ON_TIME: 0,
                TASKS_OVERDUE: 0,
                REFERRALS_DUE: 0,
                REFERRALS_IN_TIME: 0,
                LETTERS_SIGNED: 0,
                LETTER_DUE: 1,
            },
        )

    for unit in units:
        of(unit)
    tasks = (
        Task.objects.filter(
            access.prefix_q("area_id", prefix),
            deadline__gte=period.start,
            deadline__lte=period.end,
        )
        .exclude(decision__meeting__voided_at__isnull=False)
        .values_list("unit", "state", "deadline", "reported_on", "closed_on")
    )
    for unit, state, deadline, reported_on, closed_on in tasks.iterator():
        values = of(unit)
        values[TASKS_ASSIGNED] += 1
        done = [d for d in (reported_on, closed_on) if d is not None]
        if state != TaskState.OPEN and done and min(done) <= deadline:
            values[TASKS_ON_TIME] += 1
        elif deadline < today:
            values[TASKS_OVERDUE] += 1
    for unit, in_time in _referrals(
        access.prefix_q("county_id", prefix), period, column="unit"
    ):
        values = of(unit)
        values[REFERRALS_DUE] += 1
        values[REFERRALS_IN_TIME] += int(in_time)
    years = range(period.start.year, period.end.year + 1)
    letters = (
        ResponsibilityLetter.objects.filter(
            area=area,
            party_area__isnull=True,
            year__in=list(years),
            voided_at__isnull=True,
            signed_on__lte=period.end,
        )
        .values_list("party_unit", flat=True)
        .distinct()
    )
    for unit in letters:
        of(unit)[LETTERS_SIGNED] = 1
    return result


# The bulletin ----------------------------------------------------------------------------


def level_title(subareas: list[Area]) -> str:
    level = subareas[0].level if subareas else ""
    return {
        codes.Level.CITY: "各市（州）",
        codes.Level.COUNTY: "各县（市、区）",
        codes.Level.TOWNSHIP: "各乡镇（街道）",
    }.get(level, "各下级区划")


def build(area: Area, period: Period, report: compute.Report) -> Bulletin:
    """The two ranked tables of an area for a period from its figures (report: the
    catalogue's figures of the area and its sub-areas). No access checks: the
    selector and the command decide who may ask."""
    subareas = [sub for sub, _ in report.rows]
    own = protection_by_area(subareas, codes.prefix_of(area.code), period)
    area_rows = []
    for sub, numbers in report.rows:
        values = {k: v for k, v in numbers.items() if available(k)}
        values.update(own.get(sub.code, {}))
        cells = cells_of(AREA_METRICS, values)
        area_rows.append(Row(sub.name, sub.code, cells, score_of(cells)))
    unit_rows = []
    for unit, values in units_values(area, period).items():
        cells = cells_of(UNIT_METRICS, values)
        unit_rows.append(Row(UNIT_LABELS.get(unit, unit), unit, cells, score_of(cells)))
    return Bulletin(
        area=area,
        period=period,
        areas=Table(level_title(subareas), AREA_METRICS, rank(area_rows)),
        units=Table("各成员单位", UNIT_METRICS, rank(unit_rows)),
    )


def bulletin_for(*, viewer, code: str, period: Period) -> Bulletin:
    """The bulletin of an area the viewer may read (their own by default): Http404
    for an area outside the jurisdiction or below a county, PermissionDenied for a
    viewer who may not read bulletins at all."""
    refuse_unless_reader(viewer)
    area = selectors.report_area_for(viewer=viewer, code=code)
    if area.level not in LEVELS:
        raise Http404(NOT_RANKED)
    return build(
        area, period, selectors.report_for(viewer=viewer, area=area, period=period)
    )


def may_read(user) -> bool:
    """Civil affairs and leaders of a province, city or county read the bulletin."""
    return (
        access.has_perm(user, access.Perm.VIEW_REPORTS)
        and user.role in ROLES
        and user.area_id is not None
        and user.area.level in LEVELS
    )


def refuse_unless_reader(user) -> None:
    """PermissionDenied (403) unless the user may read the bulletin."""
    if not may_read(user):
        raise PermissionDenied("您没有此项操作的权限。")


# The Word document (通报) -----------------------------------------------------------------

TEMPLATE = Path(__file__).resolve().parent / "data" / "responsibility_template.docx"
TEMPLATE_NAME = "责任落实情况通报默认模板"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _table_context(table: Table) -> dict:
    return {
        "title": table.title,
        "best": "、".join(table.named("best")) or "（无）",
        "lagging": "、".join(table.named("lagging")) or "（无）",
        "rows": [
            {
                "rank": row.rank_text,
                "name": row.name,
                "score": row.score_text,
                "mark": row.mark_label,
                "cells": row.by_key(),
                "rates": {cell.metric.key: cell.short_text for cell in row.cells},
            }
            for row in table.rows
        ],
    }


def docx_context(bulletin: Bulletin) -> dict:
    """What the template's placeholders name (see the build script)."""
    today = timezone.localdate()
    return {
        "area": {"name": bulletin.area.name},
        "period": {
            "label": bulletin.period.label,
            "start": f"{bulletin.period.start:%Y年%-m月%-d日}",
            "end": f"{bulletin.period.end:%Y年%-m月%-d日}",
        },
        "areas": _table_context(bulletin.areas),
        "units": _table_context(bulletin.units),
        "summary": bulletin.summary,
        "score_rule": SCORE_RULE,
        "generated": f"{today:%Y年%-m月%-d日}",
    }


def docx_render(bulletin: Bulletin) -> bytes:
    """The bulletin filled into the default template through R5's renderer."""
    return render.render(
        TEMPLATE.read_bytes(), docx_context(bulletin), name=TEMPLATE_NAME, used=set()
    )


def docx_filename(bulletin: Bulletin) -> str:
    period = bulletin.period
    return (
        f"{bulletin.area.name}责任落实情况通报"
        f"（{period.start:%Y%m%d}-{period.end:%Y%m%d}）.docx"
    )


def bulletin_download(*, actor, bulletin: Bulletin) -> bytes:
    """The filled document, its download recorded in the audit trail."""
    content = docx_render(bulletin)
    audit_record(
        actor=actor,
        action=AuditAction.STATS_EXPORT,
        obj=bulletin.area,
        area=bulletin.area,
        details={
            "document": "责任落实情况通报",
            "from": bulletin.period.start.isoformat(),
            "to": bulletin.period.end.isoformat(),
        },
    )
    return content
