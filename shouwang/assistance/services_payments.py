"""Writes of the monthly payment batches: generate a county's batch for a month from
the approved, still eligible beneficiaries × the standard in force on the month's
first day, with the changes against the month before (增员, 减员, 标准调整, 补发) and
their reasons; approve it (someone other than who generated it), after which its
lines are a frozen snapshot; write the bank file; import the bank's result file, whose
failed payments the next month's batch carries.

Batches go month after month: a month is generated once, after the month before is
approved. Every write: one transaction, an audit row.
"""

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

import xlsxwriter
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.services import facts_from_values
from shouwang.registry.services.classification import FACTS_READ
from shouwang.roster.reader import UnusableFile, column_letter, read_table

from . import selectors_beneficiaries as sel
from .models import (
    AllowanceApplication,
    ApplicationSource,
    ApplicationStatus,
    BatchStatus,
    ChangeKind,
    PaymentBatch,
    PaymentChange,
    PaymentLine,
    PaymentResult,
)
from .policy import allowance_eligibility, first_of_month
from .selectors import InForce, standard_table_for
from .vocab import AllowanceKind

BATCH_NOT_FOUND = "发放批次不存在或不在您的管辖范围内。"
STALE = (
    "操作失败：在您办理期间，该批次已被他人修改（当前为第{version}版）。"
    "请刷新页面后重试。"
)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
BANK_HEADERS = ("姓名", "公民身份号码", "账号", "金额")
RESULT_HEADERS = {
    "姓名": "name",
    "公民身份号码": "id_number",
    "金额": "amount",
    "发放结果": "result",
    "说明": "note",
}
MASKED_NOTE = (
    "本文件中的公民身份号码和账号已隐去中间位数：您没有查看完整号码的权限，"
    "此文件不能直接交银行代发，请由有权限的民政干部导出。"
)


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _twice(county: Area, existing: PaymentBatch) -> str:
    return (
        f"{county.name}{month_label(existing.month)}的发放批次已生成（{existing.status}）"
        "：同一月份不能生成两次。"
    )


# ---- the standard service's check ---------------------------------------------


def check_standard_date(*, area_code: str, effective_from: date) -> None:
    """Refuse a standard taking effect inside the month of an approved batch of a
    county in the area: that batch is frozen and would no longer agree."""
    month = first_of_month(effective_from)
    batch = (
        PaymentBatch.objects.filter(
            access.prefix_q("county_id", codes.prefix_of(area_code)),
            status=BatchStatus.APPROVED,
            month=month,
        )
        .select_related("county")
        .first()
    )
    if batch is None:
        return
    following = sel.next_month(month)
    raise DomainError(
        f"执行日期 {effective_from:%Y-%m-%d} 落在{batch.county.name}{month_label(month)}"
        f"已审批的发放批次的月份内：已审批的批次不再改变，请把执行日期定在 "
        f"{following:%Y-%m-%d} 或之后没有已审批批次的月份。",
        field="effective_from",
    )


# ---- generating a batch ---------------------------------------------------------


@dataclass
class _Paid:
    app: dict
    kind: str
    reason: str
    standard: object


_APP_FIELDS = (
    "pk",
    "child_id",
    "village_id",
    "status",
    "source",
    "start_month",
    "stop_month",
    "stop_reason",
    "account_type",
    "account_number",
    "bank_name",
    "child__name",
    "child__id_number",
    "child__status",
    "child__exit_date",
    *(f"child__{name}" for name in FACTS_READ),
)


_FACT_KEYS = tuple((name, f"child__{name}") for name in FACTS_READ)

# What the month before's lines are read for (its changes, its failed payments).
_PREVIOUS_FIELDS = (
    "child_id",
    "application_id",
    "village_code",
    "name",
    "id_number",
    "kind",
    "account_type",
    "account_number",
    "bank_name",
    "standard_amount",
    "amount",
    "standard_id",
    "result",
    "result_note",
)


def _county_for(actor, county_code: str) -> Area:
    county = Area.objects.filter(code=county_code).first()
    if county is None:
        raise NotFound(f"区划代码“{county_code}”不存在：请填写 12 位统计用区划代码。")
    if codes.level_of(county.code) != codes.Level.COUNTY:
        raise DomainError(
            f"{county.name}不是县级区划：发放批次按县（市、区）生成。", field="area"
        )
    if not sel.approves_for(actor, county.code):
        raise DomainError("只有本县民政干部可以生成和审批发放批次。", field="actor")
    return county


def _added_reason(app: dict, month: date, why: str) -> str:
    if app["start_month"] == month:
        if app["source"] == ApplicationSource.IMPORTED:
            return f"导入现有保障对象名单，自{month_label(month)}起发放"
        approved = (
            timezone.localtime(app["approved_when"]) if app["approved_when"] else None
        )
        on = f"{approved:%Y-%m-%d} " if approved else ""
        return f"{on}审批通过，自{month_label(month)}起发放（{why}）"
    return f"上月未发放，本月符合条件：{why}"


@transaction.atomic
def payment_batch_generate(*, actor, county_code: str, month: date) -> PaymentBatch:
    """A county's batch for a month: every approved beneficiary still eligible on the
    month's first day (policy.allowance_eligibility) at the standard then in force,
    plus failed payments of the month before; with the changes and their reasons.
    Refused for a month already generated, out of order, or with no standard."""
    county = _county_for(actor, county_code)
    month = first_of_month(month)
    existing = PaymentBatch.objects.filter(county=county, month=month).first()
    if existing is not None:
        raise DomainError(_twice(county, existing), field="month")
    latest = PaymentBatch.objects.filter(county=county).order_by("-month").first()
    before = sel.previous_month(month)
    previous = None
    if latest is not None:
        if latest.month > month:
            raise DomainError(
                f"{county.name}已有{month_label(latest.month)}的发放批次：只能生成其后"
                "的月份。",
                field="month",
            )
        if latest.month != before:
            raise DomainError(
                f"{county.name}{month_label(before)}的发放批次尚未生成：请按月依次生成"
                f"（最近一次为{month_label(latest.month)}）。",
                field="month",
            )
        if latest.status != BatchStatus.APPROVED:
            raise DomainError(
                f"{county.name}{month_label(before)}的发放批次尚未审批：请先审批上月"
                "批次。",
                field="month",
            )
        previous = latest
    prefix = codes.prefix_of(county.code)
    rows = (
        AllowanceApplication.objects.filter(
            access.prefix_q("village_id", prefix),
            Q(status=ApplicationStatus.APPROVED)
            | Q(status=ApplicationStatus.STOPPED, stop_month__gte=month),
            start_month__lte=month,
        )
        .order_by("village_id", "pk")
        # The approval time is said only for those paid from this month on (增员):
        # not read, nor parsed, for the others.
        .values(
            *_APP_FIELDS,
            approved_when=Case(When(start_month=month, then=F("approved_at"))),
        )
    )
    table = standard_table_for(county.code)
    # The standard once per village and kind, not once per child.
    prices: dict[tuple[str, str], InForce | None] = {}
    paid: dict[int, _Paid] = {}
    apps: dict[int, dict] = {}
    not_paid: dict[int, str] = {}
    unpriced: Counter = Counter()
    # Every row is kept (apps): read at once, no server-side cursor per county.
    for app in rows:
        apps[app["pk"]] = app
        child_id = app["child_id"]
        stop = app["stop_month"]
        if stop is not None and stop <= month:
            not_paid.setdefault(
                child_id,
                f"已停保：{app['stop_reason']}（自{month_label(stop)}停发）",
            )
            continue
        facts = facts_from_values({name: app[key] for name, key in _FACT_KEYS})
        result = allowance_eligibility(
            facts,
            month=month,
            status=app["child__status"],
            exit_date=app["child__exit_date"],
        )
        if not result.eligible:
            not_paid[child_id] = result.reason
            continue
        where = (app["village_id"], result.kind)
        if where not in prices:
            prices[where] = table.in_force(app["village_id"], result.kind, month)
        standard = prices[where]
        if standard is None:
            unpriced[result.kind] += 1
            continue
        paid[child_id] = _Paid(app, result.kind, result.reason, standard)
    if unpriced:
        kinds = "、".join(
            f"{kind} {unpriced[kind]} 名"
            for kind in AllowanceKind.values
            if unpriced[kind]
        )
        raise DomainError(
            f"{county.name}{month_label(month)}1日没有适用的基本生活保障标准（{kinds}）："
            "请先设置标准。",
            field="month",
        )
    # Plain rows, not model objects: a province's month is 50,000 of them.
    previous_lines = (
        {
            line.child_id: line
            for line in previous.lines.values_list(*_PREVIOUS_FIELDS, named=True)
        }
        if previous
        else {}
    )
    batch = PaymentBatch(
        county=county,
        month=month,
        status=BatchStatus.GENERATED,
        total=ZERO,
        generated_by=actor,
    )
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:
        existing = PaymentBatch.objects.get(county=county, month=month)
        raise DomainError(_twice(county, existing), field="month") from None
    lines: list[tuple] = []
    changes: list[PaymentChange] = []
    names = dict(
        Area.objects.filter(
            code__in={item.standard.area_id for item in paid.values()}
        ).values_list("code", "name")
    )
    carried = {
        child_id: line
        for child_id, line in previous_lines.items()
        if line.result == PaymentResult.FAILED
    }
    for child_id, item in paid.items():
        app = item.app
        extra = carried[child_id].amount if child_id in carried else ZERO
        amount = item.standard.amount
        lines.append(
            (
                app["pk"],
                child_id,
                app["village_id"],
                app["child__name"],
                app["child__id_number"] or "",
                item.kind,
                app["account_type"],
                app["account_number"],
                app["bank_name"],
                amount,
                extra,
                amount + extra,
                item.standard.standard_id,
            )
        )
        if previous is None:
            continue
        before_line = previous_lines.get(child_id)
        if before_line is None or before_line.standard_amount == 0:
            changes.append(
                PaymentChange(
                    batch=batch,
                    child_id=child_id,
                    name=app["child__name"],
                    kind=ChangeKind.ADDED,
                    amount_before=None,
                    amount_after=amount,
                    reason=_added_reason(app, month, item.reason)[:500],
                )
            )
        elif before_line.standard_amount != amount or before_line.kind != item.kind:
            changes.append(
                PaymentChange(
                    batch=batch,
                    child_id=child_id,
                    name=app["child__name"],
                    kind=ChangeKind.ADJUSTED,
                    amount_before=before_line.standard_amount,
                    amount_after=amount,
                    reason=_adjusted_reason(before_line, item, names),
                )
            )
    for child_id, line in carried.items():
        if child_id not in paid:
            # Owed for the month before though no longer paid: carried alone.
            app = apps.get(line.application_id) or {
                "account_type": line.account_type,
                "account_number": line.account_number,
                "bank_name": line.bank_name,
            }
            lines.append(
                (
                    line.application_id,
                    child_id,
                    line.village_code,
                    line.name,
                    line.id_number,
                    line.kind,
                    app["account_type"],
                    app["account_number"],
                    app["bank_name"],
                    ZERO,
                    line.amount,
                    line.amount,
                    line.standard_id,
                )
            )
        changes.append(
            PaymentChange(
                batch=batch,
                child_id=child_id,
                name=line.name,
                kind=ChangeKind.CARRIED,
                amount_before=line.amount,
                amount_after=line.amount,
                reason=(
                    f"{month_label(previous.month)}发放失败"
                    f"{f'（{line.result_note}）' if line.result_note else ''}"
                    f"，随本月补发 {line.amount} 元"
                )[:500],
            )
        )
    for child_id, line in previous_lines.items():
        if child_id not in paid and line.standard_amount > 0:
            changes.append(
                PaymentChange(
                    batch=batch,
                    child_id=child_id,
                    name=line.name,
                    kind=ChangeKind.REMOVED,
                    amount_before=line.standard_amount,
                    amount_after=None,
                    reason=not_paid.get(child_id, "已不在保障对象名单中")[:500],
                )
            )
    _insert_lines(batch, lines)
    PaymentChange.objects.bulk_create(changes, batch_size=2000)
    batch.count = len(lines)
    batch.total = sum((line[_AMOUNT] for line in lines), ZERO)
    batch.save(update_fields=["count", "total", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PAYMENT_BATCH_UPDATE,
        obj=batch,
        area=county,
        details={
            "step": "generate",
            "month": f"{month:%Y-%m}",
            "count": batch.count,
            "total": str(batch.total),
            "changes": len(changes),
        },
    )
    return batch


LINE_FIELDS = (
    "application",
    "child",
    "village_code",
    "name",
    "id_number",
    "kind",
    "account_type",
    "account_number",
    "bank_name",
    "standard_amount",
    "carried_amount",
    "amount",
    "standard",
)
_AMOUNT = LINE_FIELDS.index("amount")
_BATCH = 2000


def _insert_lines(batch: PaymentBatch, lines: list[tuple]) -> None:
    """Insert a batch's lines as plain values (checked already): COPY on PostgreSQL,
    batched INSERTs elsewhere; no model object per line (a province's month is
    50,000 of them)."""
    meta = PaymentLine._meta
    quote = connection.ops.quote_name
    names = ("created_at", "updated_at", "batch", *LINE_FIELDS, "result", "result_note")
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    table = quote(meta.db_table)
    now = timezone.now()
    head, tail = (now, now, batch.pk), ("", "")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for line in lines:
                    copy.write_row((*head, *line, *tail))
            return
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for start in range(0, len(lines), _BATCH):
            cursor.executemany(
                sql,
                [(*head, *line, *tail) for line in lines[start : start + _BATCH]],
            )


def _adjusted_reason(before, item: _Paid, names: dict[str, str]) -> str:
    # `before`: a row of the month before's line (_PREVIOUS_FIELDS).
    standard = item.standard
    what = (
        f"类别由{before.kind}变为{item.kind}（{item.reason}），"
        if before.kind != item.kind
        else ""
    )
    return (
        f"{what}标准由 {before.standard_amount} 元调整为 {standard.amount} 元"
        f"（{names.get(standard.area_id, '')}{standard.kind}标准自 "
        f"{standard.effective_from:%Y-%m-%d} 起执行）"
    )[:500]


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int
    total: Decimal


def batch_by_kind(batch: PaymentBatch) -> list[KindTotal]:
    """The batch's count and amount by kind, in the kinds' order."""
    counts: Counter = Counter()
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for kind, amount in batch.lines.values_list("kind", "amount"):
        counts[kind] += 1
        totals[kind] += amount
    return [
        KindTotal(kind, counts[kind], totals[kind])
        for kind in AllowanceKind.values
        if counts[kind]
    ]


# ---- approving ------------------------------------------------------------------


def _locked(actor, pk: int) -> PaymentBatch:
    batch = (
        PaymentBatch.objects.select_for_update()
        .select_related("county")
        .filter(pk=pk)
        .first()
    )
    if batch is None or not sel.covers(actor, batch.county_id):
        raise NotFound(BATCH_NOT_FOUND)
    return batch


@transaction.atomic
def payment_batch_approve(*, actor, pk: int, expected_version: int) -> PaymentBatch:
    """Approve a generated batch (not by who generated it): its lines are frozen."""
    batch = _locked(actor, pk)
    if not sel.approves_for(actor, batch.county_id):
        raise DomainError("只有本县民政干部可以审批发放批次。", field="actor")
    if batch.version != expected_version:
        raise DomainError(STALE.format(version=batch.version))
    if batch.status == BatchStatus.APPROVED:
        raise DomainError("该批次已审批，不能重复审批。")
    if batch.generated_by_id == actor.pk:
        raise DomainError(
            "不能审批自己生成的发放批次：请由本县另一名民政干部审批。", field="actor"
        )
    batch.status = BatchStatus.APPROVED
    batch.approved_by, batch.approved_at = actor, timezone.now()
    batch.version += 1
    batch.save()
    audit_record(
        actor=actor,
        action=AuditAction.PAYMENT_BATCH_UPDATE,
        obj=batch,
        area=batch.county,
        details={"step": "approve", "month": f"{batch.month:%Y-%m}"},
    )
    return batch


# ---- the bank file ------------------------------------------------------------


def bank_file_write(*, actor, batch: PaymentBatch, out: IO[bytes], full: bool) -> int:
    """Write an approved batch's bank file (姓名, 公民身份号码, 账号, 金额); full numbers
    only for those who may reveal them, else masked with a note; audited."""
    if not sel.covers(actor, batch.county_id):
        raise NotFound(BATCH_NOT_FOUND)
    if batch.status != BatchStatus.APPROVED:
        raise DomainError("该批次尚未审批：审批后才能导出银行代发文件。")
    full = full and sel.may_reveal(actor)
    book = xlsxwriter.Workbook(
        out,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
    text = book.add_format({"border": 1, "num_format": "@"})
    money = book.add_format({"border": 1, "num_format": "0.00"})
    sheet = book.add_worksheet("代发明细")
    for col, header in enumerate(BANK_HEADERS):
        sheet.write_string(0, col, header, head)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 2, 24)
    sheet.set_column(3, 3, 12)
    count = 0
    # Read at once (four short columns a line), without a server-side cursor.
    rows = batch.lines.order_by("village_code", "id").values_list(
        "name", "id_number", "account_number", "amount"
    )
    for count, (name, id_number, account, amount) in enumerate(rows, 1):
        sheet.write_string(count, 0, name, text)
        sheet.write_string(
            count, 1, id_number if full else sel.mask_id(id_number), text
        )
        sheet.write_string(
            count, 2, account if full else sel.mask_account(account), text
        )
        sheet.write_number(count, 3, float(amount), money)
    notes = book.add_worksheet("说明")
    lines = [
        f"{batch.county.name}{month_label(batch.month)}孤儿基本生活费、事实无人抚养儿童"
        "基本生活补贴代发明细",
        f"人数：{batch.count}",
        f"金额合计（元）：{batch.total}",
        "完整号码" if full else MASKED_NOTE,
    ]
    for row, line in enumerate(lines):
        notes.write_string(row, 0, line)
    book.close()
    # Both rows in one transaction: one commit per file, not two.
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.PAYMENT_BANK_FILE,
            obj=batch,
            area=batch.county,
            details={"month": f"{batch.month:%Y-%m}", "count": count, "full": full},
        )
        if full:
            audit_record(
                actor=actor,
                action=AuditAction.ALLOWANCE_ACCOUNT_REVEAL,
                obj=batch,
                area=batch.county,
                details={"via": "bank_file", "count": count},
            )
    return count


def bank_file_bytes(*, actor, batch: PaymentBatch, full: bool) -> bytes:
    out = io.BytesIO()
    bank_file_write(actor=actor, batch=batch, out=out, full=full)
    return out.getvalue()


# ---- the bank's result file --------------------------------------------------


@dataclass
class ResultPlan:
    """A checked result file: lines found paid or failed, or every problem as (row,
    column, message)."""

    results: dict[int, tuple[str, str]] = field(default_factory=dict)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    unusable: str = ""
    paid: int = 0
    failed: int = 0
    unlisted: int = 0

    @property
    def ok(self) -> bool:
        return not self.unusable and not self.problems


def _amount(text) -> Decimal | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return Decimal(str(text)).quantize(CENT)
    try:
        value = Decimal(str(text or "").replace(",", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@transaction.atomic
def bank_result_import(*, actor, pk: int, data: bytes, filename: str) -> ResultPlan:
    """Record the bank's result of an approved batch, matched by ID number: every row
    known and of the batch's amount, or nothing recorded. Lines the file does not name
    keep no result; failed ones are carried into the next month's batch."""
    batch = _locked(actor, pk)
    if not sel.approves_for(actor, batch.county_id):
        raise DomainError("只有本县民政干部可以导入银行回盘文件。", field="actor")
    if batch.status != BatchStatus.APPROVED:
        raise DomainError("该批次尚未审批：审批并交银行代发后才能导入回盘文件。")
    following = sel.next_month(batch.month)
    if PaymentBatch.objects.filter(county_id=batch.county_id, month=following).exists():
        raise DomainError(
            f"{month_label(following)}的发放批次已生成，已按原回盘结果结转失败发放："
            "不能再导入本批次的回盘文件。"
        )
    plan = ResultPlan()
    try:
        table = read_table(data, filename, max_rows=_result_max_rows(batch))
    except UnusableFile as error:
        plan.unusable = str(error).replace("花名册", "银行回盘文件")
        return plan
    at: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        name = RESULT_HEADERS.get(_cell(cell).replace(" ", ""))
        if name and name not in at:
            at[name] = index
    missing = [
        header
        for header, name in RESULT_HEADERS.items()
        if name in ("id_number", "amount", "result") and name not in at
    ]
    if missing:
        plan.unusable = (
            f"缺少列：{'、'.join(missing)}。回盘文件的表头应为 "
            "姓名、公民身份号码、金额、发放结果（成功或失败）、说明。"
        )
        return plan
    letters = {name: column_letter(index + 1) for name, index in at.items()}
    labels = {name: header for header, name in RESULT_HEADERS.items()}
    lines = {
        line.id_number: line
        for line in batch.lines.only("id", "id_number", "amount", "name")
    }
    seen: dict[str, int] = {}

    def problem(number: int, name: str, message: str) -> None:
        plan.problems.append((number, f"{letters[name]}列 {labels[name]}", message))

    for number, cells in table.rows:
        values = {
            name: cells[index] if index < len(cells) else None
            for name, index in at.items()
        }
        if not any(_cell(v) for v in values.values()):
            continue
        id_number = _cell(values["id_number"]).upper()
        line = lines.get(id_number)
        if line is None:
            problem(
                number,
                "id_number",
                f"公民身份号码“{id_number}”不在本批次中。"
                if id_number
                else "请填写公民身份号码。",
            )
            continue
        if id_number in seen:
            problem(number, "id_number", f"与第{seen[id_number]}行重复。")
            continue
        seen[id_number] = number
        amount = _amount(values["amount"])
        if amount is None:
            problem(number, "amount", f"金额“{_cell(values['amount'])}”不是数字。")
        elif amount != line.amount:
            problem(
                number,
                "amount",
                f"金额 {amount} 元与本批次中{line.name}的 {line.amount} 元不一致。",
            )
        result = _cell(values["result"])
        if result not in PaymentResult.values:
            problem(
                number,
                "result",
                f"发放结果“{result}”不是可选的值，应为：成功或失败。"
                if result
                else "请填写发放结果（成功或失败）。",
            )
            continue
        note = _cell(values.get("note"))[:200]
        plan.results[line.pk] = (result, note)
    if plan.problems:
        plan.results = {}
        return plan
    if not plan.results:
        plan.unusable = "回盘文件中没有数据行：第1行为表头，从第2行起每行一人。"
        return plan
    updated = []
    for line in batch.lines.only("id", "result", "result_note"):
        line.result, line.result_note = plan.results.get(line.pk, ("", ""))
        updated.append(line)
    PaymentLine.objects.bulk_update(updated, ["result", "result_note"], batch_size=2000)
    plan.paid = sum(1 for r, _ in plan.results.values() if r == PaymentResult.PAID)
    plan.failed = len(plan.results) - plan.paid
    plan.unlisted = len(updated) - len(plan.results)
    batch.results_imported_at = timezone.now()
    batch.save(update_fields=["results_imported_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PAYMENT_BANK_RESULT,
        obj=batch,
        area=batch.county,
        details={
            "month": f"{batch.month:%Y-%m}",
            "paid": plan.paid,
            "failed": plan.failed,
            "unlisted": plan.unlisted,
            "file": filename[:100],
        },
    )
    return plan


def _result_max_rows(batch: PaymentBatch) -> int:
    # A result file holds at most the batch's lines, plus room for stray rows.
    return batch.count + 1000
