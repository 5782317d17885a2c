"""Matching a department list to the ledger (比对): alerts and measures.

Every ID number a list names is looked up among the active children of the list's
area — as the child, the father, the mother or the actual guardian — in one pass over
the ledger inside the database (`ledger_people`). Each match that would change a fact
becomes an Alert saying what the list says, the change and what the policy would
then conclude (`changes.consequence`); a match that records a service becomes a
Measure. Nothing in the ledger changes here: a director accepts or rejects each alert.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from shouwang.areas import codes
from shouwang.registry import policy
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.services import CountySettings, bulk_insert, facts_of
from shouwang.registry.vocab import Assistance, DisabilityGrade, ParentStatus

from . import changes
from .alerts import alert_days
from .models import Alert, DepartmentList, Measure
from .vocab import POVERTY_KINDS, AlertState, ListKind, Person

BATCH = 2000
PERSON_LABEL = {p.value: p.label for p in Person}
PERSON_LABEL[Person.CHILD] = "儿童"
ASSISTANCE_OF = {
    ListKind.SUBSISTENCE: Assistance.DIBAO,
    ListKind.EXTREME_POVERTY: Assistance.TEKUN,
    ListKind.MONITORING: Assistance.POVERTY_MONITORING,
    ListKind.REGISTERED_POOR: Assistance.REGISTERED_POOR,
}
# Whom each kind's ID numbers are looked for: the row's columns, and the people of
# the ledger each column is compared with.
ALL = (Person.CHILD, Person.FATHER, Person.MOTHER, Person.GUARDIAN)
LOOKED_UP: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    ListKind.PRISON: (("id_number", ALL),),
    ListKind.REHAB: (("id_number", ALL),),
    ListKind.DEATH: (("id_number", ALL),),
    ListKind.MIGRATION: (("id_number", (Person.CHILD,)),),
    ListKind.BIRTH: (
        ("id_number", (Person.CHILD,)),
        ("father_id", (Person.FATHER,)),
        ("mother_id", (Person.MOTHER,)),
    ),
    ListKind.DISABILITY: (("id_number", (Person.CHILD, Person.FATHER, Person.MOTHER)),),
    ListKind.HOUSING: (("head_id", ALL),),
    ListKind.HEALTH_RECORD: (("id_number", (Person.CHILD,)),),
    ListKind.VACCINATION: (("id_number", (Person.CHILD,)),),
    ListKind.HUKOU: (("id_number", (Person.CHILD,)),),
    ListKind.ENROLMENT: (("id_number", (Person.CHILD,)),),
} | {kind: (("id_number", ALL), ("head_id", ALL)) for kind in POVERTY_KINDS}
_COLUMN_OF = {
    Person.CHILD: "id_number",
    Person.FATHER: "father_id_number",
    Person.MOTHER: "mother_id_number",
    Person.GUARDIAN: "guardian_id_number",
}
# A parent whose disability certificate is of these grades is 重残.
SEVERE_GRADES = frozenset({DisabilityGrade.ONE, DisabilityGrade.TWO})
ABLE_STATUSES = frozenset({ParentStatus.AT_HOME, ParentStatus.MIGRANT})


@dataclass(frozen=True)
class Proposal:
    person: str
    person_name: str
    field: str
    proposed: str
    says: str
    on: date | None = None  # the day the list gives for it, if any


def ledger_people(
    area_code: str, ids: Iterable[str]
) -> dict[str, list[tuple[int, str]]]:
    """Each of `ids` found in the ledger → [(child id, person)], among the active
    children of the area: one pass over the ledger, in the database."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    low, high = codes.prefix_bounds(codes.prefix_of(area_code))
    quote = connection.ops.quote_name
    table = quote(Child._meta.db_table)
    columns = [
        quote(Child._meta.get_field(name).column) for name in _COLUMN_OF.values()
    ]
    select = (
        f"SELECT c.id, {', '.join('c.' + c for c in columns)} FROM {table} c "
        "WHERE c.status = %(active)s AND c.village_id >= %(low)s "
        "AND c.village_id <= %(high)s AND "
    )
    params = {"active": ChildStatus.ACTIVE, "low": low, "high": high}
    if connection.vendor == "postgresql":
        rows = _postgresql_people(select, params, columns, ids)
    else:
        with connection.cursor() as cursor:
            rows = _sqlite_people(cursor, select, params, columns, ids)
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    wanted_ids = set(ids)
    persons = tuple(_COLUMN_OF)
    for child_id, *numbers in rows:
        for person, number in zip(persons, numbers, strict=True):
            if number and number in wanted_ids:
                found[number].append((child_id, person))
    return found


def _postgresql_people(select, params, columns, ids) -> list[tuple]:
    """PostgreSQL: one constant array, hashed by the server for each of the four
    columns: no temporary table, and no plan that rescans one for every child when
    work_mem is small (that never finished on a province's list).

    The numbers go as one text (ID numbers hold no comma; psycopg's array adapter
    took 3 s for 500,000 of them), bound once on the server rather than spelled out
    in the statement four times. Each column is compared as an expression
    (`column || ''`, the same text): the planner has no statistics for it and takes
    the default selectivity at once, instead of estimating every element of the
    array against each column's statistics (about a second for 500,000 numbers)."""
    import psycopg  # the PostgreSQL driver, needed here only

    wanted = " OR ".join(
        f"(c.{c} || '') = ANY(string_to_array(%(ids)s, ','))" for c in columns
    )
    connection.ensure_connection()
    with (
        connection.wrap_database_errors,
        psycopg.Cursor(connection.connection) as cursor,  # binds on the server
    ):
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(select + f"({wanted})", {**params, "ids": ",".join(ids)})
        return cursor.fetchall()


def _sqlite_people(cursor, select, params, columns, ids) -> list[tuple]:
    """SQLite: the numbers in a temporary table (a statement takes at most 32,766
    parameters), the ledger read once against its index."""
    cursor.execute("DROP TABLE IF EXISTS temp.exchange_ids")
    cursor.execute("CREATE TEMPORARY TABLE exchange_ids (id_number text PRIMARY KEY)")
    for start in range(0, len(ids), 5000):
        cursor.executemany(
            "INSERT INTO exchange_ids (id_number) VALUES (%s)",
            [(number,) for number in ids[start : start + 5000]],
        )
    wanted = " OR ".join(
        f"c.{c} IN (SELECT id_number FROM exchange_ids)" for c in columns
    )
    cursor.execute(select + f"({wanted})", params)
    rows = cursor.fetchall()
    cursor.execute("DROP TABLE temp.exchange_ids")
    return rows


def match_list(sent: DepartmentList, plan, *, today: date) -> tuple[int, int, int]:
    """Match the plan's rows to the ledger; write the alerts and measures. Returns
    (rows matched, alerts written, measures written)."""
    kind = plan.kind
    fields = ("row_number", *plan.fields)
    looked_up = LOOKED_UP[kind]
    at = {name: fields.index(name) for name, _ in looked_up}
    ids = {row[i] for row in plan.rows for i in at.values() if row[i]}
    people = ledger_people(sent.area_id, ids)
    if not people:
        return 0, 0, 0
    # Each row's matches: (child id, person) pairs, as the kind looks them up.
    row_matches: list[tuple[tuple, list[tuple[int, str]]]] = []
    for row in plan.rows:
        hits = []
        for name, persons in looked_up:
            number = row[at[name]]
            if number:
                hits += [(c, p) for c, p in people.get(number, ()) if p in persons]
        if hits:
            row_matches.append((row, hits))
    if kind == ListKind.ENROLMENT:
        return len(row_matches), 0, 0
    child_ids = sorted({c for _, hits in row_matches for c, _ in hits})
    children = _children(child_ids)
    writer = _Writer(sent, kind, today)
    for row, hits in row_matches:
        values = dict(zip(fields, row, strict=True))
        for child_id, person in _first_person_per_child(hits):
            child = children[child_id]
            for proposal in _proposals(kind, person, values, child, today, people):
                writer.alert(values["row_number"], child, proposal)
            writer.measure(values, child, person)
    writer.flush()
    return len(row_matches), writer.alerts_written, writer.measures_written


_PERSON_ORDER = {p: i for i, p in enumerate(ALL)}


def _first_person_per_child(hits):
    """One match per child: as the child, else father, mother, guardian (a guardian
    who is also the father is the father)."""
    best: dict[int, str] = {}
    for child_id, person in hits:
        if (
            child_id not in best
            or _PERSON_ORDER[person] < _PERSON_ORDER[best[child_id]]
        ):
            best[child_id] = person
    return best.items()


def _children(ids: list[int]) -> dict[int, Child]:
    found = {}
    for start in range(0, len(ids), BATCH):
        for child in Child.objects.filter(pk__in=ids[start : start + BATCH]):
            found[child.pk] = child
    return found


def _name_of(child: Child, person: str, values: dict) -> str:
    return (
        {
            Person.CHILD: child.name,
            Person.FATHER: child.father_name,
            Person.MOTHER: child.mother_name,
            Person.GUARDIAN: child.guardian_name,
        }[person]
        or values.get("name")
        or ""
    )


def _span(values: dict) -> str:
    start, end = values["start"], values.get("end")
    if end is None:
        return f"{start.isoformat()} 起"
    return f"{start.isoformat()} 至 {end.isoformat()}"


def _proposals(kind, person, values, child, today, people) -> list[Proposal]:
    """What one matched row says about one child's record, as proposed changes."""
    label = PERSON_LABEL[person]
    name = _name_of(child, person, values)
    who = f"{label} {name}"
    parent_field = {Person.FATHER: "father_status", Person.MOTHER: "mother_status"}
    out: list[Proposal] = []

    def propose(field: str, proposed: str, says: str, on: date | None = None) -> None:
        out.append(Proposal(person, name, field, proposed, says[:300], on))

    if kind in (ListKind.PRISON, ListKind.REHAB):
        ongoing = values["end"] is None or values["end"] >= today
        if not ongoing or person == Person.CHILD:
            return out
        place = f"，{values['place']}" if values.get("place") else ""
        says = f"{who} 在{ListKind(kind).label}名单中（{_span(values)}{place}）"
        status = (
            ParentStatus.IMPRISONED
            if kind == ListKind.PRISON
            else ParentStatus.DRUG_REHAB
        )
        if person in parent_field:
            propose(parent_field[person], status, says)
        else:
            propose("guardian_capacity", "差", says + "：实际监护人无法履行监护职责")
    elif kind == ListKind.DEATH:
        says = f"{who} 在死亡名单中（{values['on'].isoformat()} 死亡）"
        if person == Person.CHILD:
            propose("status", "死亡", says, values["on"])
        elif person in parent_field:
            propose(parent_field[person], ParentStatus.DEAD, says)
        else:
            propose("guardian_capacity", "差", says + "：请重新确定实际监护人")
    elif kind == ListKind.MIGRATION:
        to_code = values["to_code"]
        says = (
            f"{who} 户籍迁移：{values['from_code']} → {to_code}"
            f"（{values['on'].isoformat()}）"
        )
        if to_code[:6] != child.village_id[:6]:
            propose("status", "迁出本辖区", says, values["on"])
        elif (
            to_code != child.village_id
            and codes.level_of(to_code) == codes.Level.VILLAGE
        ):
            propose("village", to_code, says)
    elif kind == ListKind.BIRTH:
        born = values["born"]
        if person == Person.CHILD:
            propose(
                "birth_date",
                born.isoformat(),
                f"出生登记：{who} 出生日期为 {born.isoformat()}",
            )
        elif values["id_number"] not in people:
            propose(
                "newborn",
                f"{values['name']} {born.isoformat()}"[:200],
                f"出生登记：新生儿 {values['name']}（{born.isoformat()} 出生）的{label}"
                f"与儿童 {child.name} 的{label} {name} 为同一人",
            )
    elif kind == ListKind.DISABILITY:
        says = (
            f"{who} 持有残疾证（{values['category']}{values['grade']}，"
            f"{values['on'].isoformat()} 发证）"
        )
        if person == Person.CHILD:
            propose("disability", f"{values['category']}/{values['grade']}", says)
        elif (
            values["grade"] in SEVERE_GRADES
            and getattr(child, parent_field[person]) in ABLE_STATUSES
        ):
            propose(parent_field[person], ParentStatus.SEVERE_DISABILITY, says)
    elif kind in POVERTY_KINDS:
        assistance = ASSISTANCE_OF[kind]
        ended = values["end"] is not None and values["end"] < today
        says = f"{who} 所在家庭在{ListKind(kind).label}名单中（{_span(values)}）"
        if ended:
            if assistance in (child.family_assistance or ()):
                propose("family_assistance", f"-{assistance}", says + "，已结束")
        else:
            propose("family_assistance", f"+{assistance}", says)
    elif kind == ListKind.HUKOU and not child.hukou_registered:
        propose(
            "hukou_registered",
            "是",
            f"{who} 已办理户口登记（{values['on'].isoformat()}）",
        )
    return out


class _Writer:
    """Alerts and measures of one list, deduplicated and written in batches."""

    def __init__(self, sent: DepartmentList, kind: str, today: date) -> None:
        self.sent, self.kind, self.today = sent, kind, today
        self.settings_for = CountySettings()
        self.due: dict[str, date] = {}
        self.classified: dict[tuple, policy.Classification] = {}
        self.alerts: list[Alert] = []
        self.measures: dict[str, Measure] = {}
        self.open_keys: set[tuple] | None = None
        self.alerts_written = self.measures_written = 0
        self.proposed: set[tuple] = set()

    def alert(self, row_number: int, child: Child, proposal: Proposal) -> None:
        key = (child.pk, proposal.field, proposal.proposed)
        if key in self.proposed:
            return
        self.proposed.add(key)
        record = changes.record_of(child)
        change = changes.ledger_change(proposal.field, proposal.proposed, record)
        if change.empty and proposal.field != "newborn":
            return  # the ledger already says so
        county = child.village_id[:6]
        if county not in self.due:
            self.due[county] = self.today + timedelta(days=alert_days(county))
        self.alerts.append(
            Alert(
                department_list=self.sent,
                row_number=row_number,
                child=child,
                village_id=child.village_id,
                person=proposal.person,
                person_name=proposal.person_name[:30],
                field=proposal.field,
                current=_current(proposal.field, record)[:200],
                proposed=proposal.proposed,
                event_on=proposal.on,
                says=proposal.says,
                consequence=self._consequence(child, proposal, change)[:500],
                due_on=self.due[county],
            )
        )
        if len(self.alerts) >= BATCH:
            self._write_alerts()

    def _consequence(self, child, proposal, change) -> str:
        if proposal.field == "newborn":
            return "新生儿可能需要登记：请核实其监护情况，需要时在儿童信息库中登记"
        return changes.consequence(
            child_name=child.name,
            facts=facts_of(child),
            change=change,
            as_of=self.today,
            settings=self.settings_for(child.village_id),
            classify=self._classify,
        )

    def _classify(self, facts, as_of, settings) -> policy.Classification:
        """policy.classify, once for each distinct case (policy.classify_key)."""
        key = (id(settings), policy.classify_key(facts, as_of))
        found = self.classified.get(key)
        if found is None:
            found = self.classified[key] = policy.classify(facts, as_of, settings)
        return found

    def measure(self, values: dict, child: Child, person: str) -> None:
        kind = self.kind
        if kind in POVERTY_KINDS:
            household, on = values["head_id"], values["start"]
            key = f"{household}:{on.isoformat()}"
        elif kind == ListKind.HOUSING:
            household, on = values["head_id"], date(values["year"], 1, 1)
            key = f"{household}:{values['year']}"
        elif kind in (ListKind.HEALTH_RECORD, ListKind.VACCINATION, ListKind.HUKOU):
            if person != Person.CHILD:
                return
            household, on = "", values["on"]
            key = f"c{child.pk}"
        else:
            return
        if key not in self.measures:
            self.measures[key] = Measure(
                kind=kind,
                department_list=self.sent,
                unit=self.sent.unit,
                child=child,
                household=household,
                village_id=child.village_id,
                on=on,
                key=key,
            )

    def _write_alerts(self) -> None:
        if self.open_keys is None:
            self.open_keys = set()
        ids = list({a.child_id for a in self.alerts})
        for start in range(0, len(ids), BATCH):
            self.open_keys.update(
                Alert.objects.filter(
                    state=AlertState.OPEN, child_id__in=ids[start : start + BATCH]
                ).values_list("child_id", "field", "proposed")
            )
        fresh = [
            a
            for a in self.alerts
            if (a.child_id, a.field, a.proposed) not in self.open_keys
        ]
        bulk_insert(Alert, fresh)
        self.open_keys.update((a.child_id, a.field, a.proposed) for a in fresh)
        self.alerts_written += len(fresh)
        self.alerts = []

    def flush(self) -> None:
        self._write_alerts()
        keys = list(self.measures)
        known: set[str] = set()
        for start in range(0, len(keys), BATCH):
            known.update(
                Measure.objects.filter(
                    kind=self.kind, key__in=keys[start : start + BATCH]
                ).values_list("key", flat=True)
            )
        fresh = [m for k, m in self.measures.items() if k not in known]
        bulk_insert(Measure, fresh)
        self.measures_written = len(fresh)


def _current(field: str, record: dict) -> str:
    """The record's value an alert would change, as a person reads it."""
    if field == "disability":
        if record["health"] != "残疾":
            return record["health"]
        return f"残疾（{record['disability_category']}{record['disability_grade']}）"
    if field == "family_assistance":
        return "、".join(record["family_assistance"] or ()) or "无"
    if field == "hukou_registered":
        return "是" if record["hukou_registered"] else "否"
    if field == "birth_date":
        return record["birth_date"].isoformat()
    if field == "village":
        return record["village_id"]
    if field == "status":
        return ChildStatus(record["status"]).label
    if field == "newborn":
        return ""
    return str(record.get(field, ""))
