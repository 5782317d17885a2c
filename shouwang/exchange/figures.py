"""The department-exchange figures of the report catalogue (issue R10 item 3), per
village of the measure, alert or child:

- MeasuresSource (a flow): households whose dilapidated house was renovated, and
  households taken into a poverty programme (低保, 特困供养, 防返贫监测, 建档立卡),
  by the measure's date in the period (each household once per village); children
  registered for hukou by the police's 户口登记 list in the period;
- RecordsSource (a stock): active children with a health record, and vaccinated
  children, by a measure dated on or before the day (as the ledger stood then);
- AlertsSource (a flow): alerts (比对提示) raised in the period, handled in it, and
  handled in it on or before their due date;
- OverdueSource (a stock): alerts open at the end of the day past their due date.
"""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from shouwang.accounts import access
from shouwang.registry.models import ChildStatus
from shouwang.reports.catalogue import (
    ByArea,
    Figure,
    Kind,
    add_value,
    declare,
    declare_source,
)
from shouwang.reports.sources.ledger import end_of, records_as_of

from .models import Alert, Measure
from .vocab import POVERTY_KINDS, AlertState, ListKind

HOUSING = "exchange.housing_households"
POVERTY = "exchange.poverty_households"
HEALTH_RECORDS = "exchange.health_records"
VACCINATED = "exchange.vaccinated"
HUKOU = "exchange.hukou_registered"
ALERTS = "exchange.alerts"
ALERTS_HANDLED = "exchange.alerts_handled"
ON_TIME = "exchange.alerts_handled_on_time"
ON_TIME_RATE = "exchange.alerts_on_time_rate"
OVERDUE = "exchange.alerts_overdue"

# The measures counted per household in a period: figure key → kinds.
HOUSEHOLD_KINDS = {
    HOUSING: (ListKind.HOUSING,),
    POVERTY: tuple(sorted(POVERTY_KINDS)),
}
# The measures whose children are counted as a stock: figure key → kind.
RECORD_KINDS = {
    HEALTH_RECORDS: ListKind.HEALTH_RECORD,
    VACCINATED: ListKind.VACCINATION,
}
CHUNK = 2000


def start_of(day: date):
    """The first instant of the day, in the local time zone."""
    return end_of(date.fromordinal(day.toordinal() - 1))


class MeasuresSource:
    """Households in renovation and in poverty programmes, and children registered
    for hukou, by the measure's date in the period."""

    name = "exchange_measures"
    kind = Kind.FLOW

    def measures(self, prefix: str, start: date, end: date):
        return Measure.objects.filter(
            access.prefix_q("village_id", prefix), on__gte=start, on__lte=end
        )

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        measures = self.measures(prefix, start, end)
        result: ByArea = {}
        for key, kinds in HOUSEHOLD_KINDS.items():
            rows = (
                measures.filter(kind__in=kinds)
                .exclude(household="")
                .values("village_id")
                .order_by()
                .annotate(n=Count("household", distinct=True))
            )
            for row in rows:
                add_value(result, row["village_id"], key, row["n"])
        rows = (
            measures.filter(kind=ListKind.HUKOU, child__isnull=False)
            .values("village_id")
            .order_by()
            .annotate(n=Count("child", distinct=True))
        )
        for row in rows:
            add_value(result, row["village_id"], HUKOU, row["n"])
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        return (
            self.measures(prefix, period.start, period.end)
            .filter(created_at__gt=since)
            .exists()
        )


class RecordsSource:
    """Active children with a health record, and vaccinated, at the end of a day:
    a measure of that kind dated on or before it; each child counted once, in the
    village its record placed it that day."""

    name = "exchange_records"
    kind = Kind.STOCK

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        kinds = {kind: key for key, kind in RECORD_KINDS.items()}
        result: ByArea = {}
        if live:
            rows = (
                Measure.objects.filter(
                    access.prefix_q("child__village_id", prefix),
                    kind__in=kinds,
                    on__lte=day,
                    child__status=ChildStatus.ACTIVE,
                )
                .values("kind", "child__village_id")
                .order_by()
                .annotate(n=Count("child", distinct=True))
            )
            for row in rows:
                add_value(
                    result, row["child__village_id"], kinds[row["kind"]], row["n"]
                )
            return result
        villages = {
            row["pk"]: row["village_id"]
            for row in records_as_of(day, prefix, ("pk", "village_id", "status"))
            if row["status"] == ChildStatus.ACTIVE
        }
        ids = sorted(villages)
        for i in range(0, len(ids), CHUNK):
            pairs = (
                Measure.objects.filter(
                    child_id__in=ids[i : i + CHUNK], kind__in=kinds, on__lte=day
                )
                .values_list("kind", "child_id")
                .order_by()
                .distinct()
            )
            for kind, child in pairs:
                add_value(result, villages[child], kinds[kind], 1)
        return result


class AlertsSource:
    """Alerts raised in the period, handled in it, and handled in it on or before
    their due date (accepted or rejected alike)."""

    name = "exchange_alerts"
    kind = Kind.FLOW

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        since, until = start_of(start), end_of(end)
        alerts = Alert.objects.filter(access.prefix_q("village_id", prefix))
        result: ByArea = {}
        raised = (
            alerts.filter(created_at__gte=since, created_at__lt=until)
            .values("village_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in raised:
            add_value(result, row["village_id"], ALERTS, row["n"])
        handled = alerts.filter(
            handled_at__gte=since, handled_at__lt=until
        ).values_list("village_id", "handled_at", "due_on")
        for code, at, due in handled:
            add_value(result, code, ALERTS_HANDLED, 1)
            if timezone.localtime(at).date() <= due:
                add_value(result, code, ON_TIME, 1)
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        return (
            Alert.objects.filter(access.prefix_q("village_id", prefix))
            .filter(Q(created_at__gt=since) | Q(handled_at__gt=since))
            .exists()
        )


class OverdueSource:
    """Alerts open at the end of a day (today: now) whose due date is before it."""

    name = "exchange_overdue"
    kind = Kind.STOCK

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        at = min(end_of(day), timezone.now())
        rows = (
            Alert.objects.filter(
                access.prefix_q("village_id", prefix), created_at__lt=at, due_on__lt=day
            )
            .filter(Q(state=AlertState.OPEN) | Q(handled_at__gte=at))
            .values("village_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        result: ByArea = {}
        for row in rows:
            add_value(result, row["village_id"], OVERDUE, row["n"])
        return result


measures = MeasuresSource()
records = RecordsSource()
alerts = AlertsSource()
overdue = OverdueSource()
for source in (measures, records, alerts, overdue):
    declare_source(source)

GROUP = "部门协同"


def _figure(key, label, unit, definition, source, kind=Kind.FLOW):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=kind,
        group=GROUP,
        source=source.name,
        list_view="",
    )


declare(
    _figure(
        HOUSING,
        "纳入危房改造的家庭",
        "户",
        "住建部门危房改造名单中、与儿童台账比对一致、改造年度在期内的儿童家庭户数"
        "（按户主公民身份号码计，每户计一次）。",
        measures,
    ),
    _figure(
        POVERTY,
        "纳入帮扶的家庭",
        "户",
        "低保、特困供养、防返贫监测、建档立卡名单中、与儿童台账比对一致、开始日期在"
        "期内的儿童家庭户数（按户主公民身份号码计，每户计一次）。",
        measures,
    ),
    _figure(
        HEALTH_RECORDS,
        "建立健康档案的儿童",
        "人",
        "期末在册儿童中，卫健部门健康档案名单所示建档日期不晚于期末的人数。",
        records,
        Kind.STOCK,
    ),
    _figure(
        VACCINATED,
        "接种疫苗的儿童",
        "人",
        "期末在册儿童中，卫健部门预防接种名单所示建档日期不晚于期末的人数。",
        records,
        Kind.STOCK,
    ),
    _figure(
        HUKOU,
        "部门名单所示登记户口的儿童",
        "人",
        "公安部门户口登记名单中、与儿童台账比对一致、登记日期在期内的儿童人数。",
        measures,
    ),
    _figure(
        ALERTS,
        "部门名单比对提示",
        "条",
        "期内因部门名单比对产生的比对提示条数。",
        alerts,
    ),
    _figure(
        ALERTS_HANDLED,
        "已核实的比对提示",
        "条",
        "核实时间（采纳或不采纳）在期内的比对提示条数。",
        alerts,
    ),
    _figure(
        ON_TIME,
        "按期核实的比对提示",
        "条",
        "核实时间在期内、且不晚于核实期限当天的比对提示条数。",
        alerts,
    ),
    Figure(
        key=ON_TIME_RATE,
        label="比对提示按期核实率",
        unit="%",
        definition="按期核实的比对提示 ÷ 已核实的比对提示 × 100，保留一位小数。",
        kind=Kind.FLOW,
        group=GROUP,
        ratio=(ON_TIME, ALERTS_HANDLED),
        list_view="",
    ),
    _figure(
        OVERDUE,
        "逾期未核实的比对提示",
        "条",
        "期末（当天为此刻）仍待核实、核实期限早于期末当天的比对提示条数。",
        overdue,
        Kind.STOCK,
    ),
)
