"""Writes of allowance applications and the beneficiary list: apply at the township,
township review, county approval by someone other than the preparer, return with a
reason, stop (停保) from a month, change a beneficiary's account, and import a county's
current beneficiary list (all rows or none).

Payment starts the month after approval (the policy's rule); a stop names the first
month no longer paid. Every write: one transaction, optimistic locking on `version`,
an audit row. Who may do what: selectors_beneficiaries (module docstring).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, InvalidValues, NotFound, Problems
from shouwang.core.idnumber import InvalidIdNumber, parse_id_number
from shouwang.registry.models import Child
from shouwang.registry.services import facts_of
from shouwang.roster.reader import UnusableFile, column_letter, read_table
from shouwang.visits.attachments import check_uploads, sniff

from . import selectors_beneficiaries as sel
from .models import (
    AccountType,
    AllowanceApplication,
    ApplicationSource,
    ApplicationStatus,
    PaymentBatch,
)
from .policy import allowance_eligibility, first_of_month
from .vocab import AllowanceKind

STALE = (
    "保存失败：在您办理期间，该申请已被他人修改（当前为第{version}版）。"
    "请刷新页面后重试。"
)
_DIGITS = re.compile(r"[0-9]+")
ACCOUNT_LENGTHS = {
    AccountType.BANK_CARD: (12, 19),
    AccountType.SOCIAL_SECURITY_CARD: (12, 19),
}
IMPORT_MAX_ROWS = 100_000


def account_problem(account_type: str, number: str) -> str | None:
    """Why an account number cannot be paid into (digits only, 12–19 of them), or
    None; spaces people type between groups of digits are allowed."""
    if account_type not in AccountType.values:
        return f"账户类型“{account_type}”不是可选的值，应为：银行卡或社保卡。"
    if not number:
        return f"请填写{account_type}账号。"
    if not _DIGITS.fullmatch(number):
        return f"{account_type}账号只能是数字，当前“{number}”含有其他字符。"
    low, high = ACCOUNT_LENGTHS[account_type]
    if not low <= len(number) <= high:
        return f"{account_type}账号应为 {low}–{high} 位数字，当前为 {len(number)} 位。"
    return None


def normalize_account(number: str) -> str:
    return re.sub(r"[\s-]", "", str(number or ""))


def _text(problems, values, name, label, *, required=True, limit=50) -> str:
    value = str(values.get(name) or "").strip()
    if required and not value:
        problems.add(name, f"请填写{label}。")
    elif len(value) > limit:
        problems.add(name, f"{label}最多{limit}个字，当前{len(value)}个。")
    return value


def _account(problems, values) -> tuple[str, str, str]:
    account_type = str(values.get("account_type") or "")
    number = normalize_account(values.get("account_number"))
    if not account_type:
        problems.add("account_type", "请选择账户类型（银行卡或社保卡）。")
    elif message := account_problem(account_type, number):
        problems.add(
            "account_type"
            if account_type not in AccountType.values
            else "account_number",
            message,
        )
    bank = _text(problems, values, "bank_name", "开户行", limit=60)
    return account_type, number, bank


def _agreement(problems, values, *, today: date, required: bool) -> date | None:
    signed = values.get("agreement_signed_on")
    if signed is None:
        if required:
            problems.add("agreement_signed_on", "请填写养育协议签订日期（年-月-日）。")
        return None
    if signed > today:
        problems.add(
            "agreement_signed_on",
            f"养育协议签订日期不能晚于今天（{today:%Y-%m-%d}）。",
        )
    return signed


def _scan(problems, scan: UploadedFile | None, *, required: bool):
    if scan is None:
        if required:
            problems.add("agreement_scan", "请上传养育协议扫描件（JPG、PNG 或 PDF）。")
        return
    for message in check_uploads([scan]):
        problems.add("agreement_scan", message.replace("附件", "养育协议扫描件"))


def _keep_scan(app: AllowanceApplication, scan: UploadedFile | None) -> None:
    if scan is None:
        return
    scan.seek(0)
    app.agreement_scan_type = sniff(scan.read(16)) or ""
    scan.seek(0)
    app.agreement_scan_name = (scan.name or "养育协议")[:200]
    app.agreement_scan.save(scan.name or "养育协议", scan, save=False)


def _eligibility(child: Child, month: date):
    return allowance_eligibility(
        facts_of(child), month=month, status=child.status, exit_date=child.exit_date
    )


def _audit(actor, app: AllowanceApplication, step: str, **details) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.ALLOWANCE_APPLICATION_UPDATE,
        obj=app,
        area_code=app.village_id,
        details={"step": step, "child": app.child_id, **details},
    )


def _locked(actor, pk: int, expected_version: int | None) -> AllowanceApplication:
    app = (
        AllowanceApplication.objects.select_for_update()
        .select_related("child")
        .filter(pk=pk)
        .first()
    )
    if app is None or not sel.covers(actor, app.village_id):
        raise NotFound(sel.APPLICATION_NOT_FOUND)
    if expected_version is not None and app.version != expected_version:
        raise DomainError(STALE.format(version=app.version))
    return app


def _save(app: AllowanceApplication, message: str) -> None:
    app.version += 1
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        raise DomainError(message, field="child") from None


def _already_open(child: Child) -> str:
    open_app = (
        AllowanceApplication.objects.filter(child=child, status__in=sel.OPEN_STATUSES)
        .only("status")
        .first()
    )
    state = open_app.status if open_app else "办理中"
    return f"{child.name}已有一份{state}的基本生活保障申请：不能重复申请。"


@transaction.atomic
def application_submit(
    *,
    actor,
    child_id: int,
    values: Mapping[str, Any],
    scan: UploadedFile | None,
    today: date | None = None,
) -> AllowanceApplication:
    """Apply at the township for a child eligible this month (by policy): the
    guardian who receives the money, the account, the 养育协议 and its scan; the
    application waits for the township's review."""
    today = today or timezone.localdate()
    if not sel.may_prepare(actor):
        raise DomainError("只有乡镇督导员和民政干部可以提交基本生活保障申请。")
    child = Child.objects.select_for_update().filter(pk=child_id).first()
    if child is None or not sel.covers(actor, child.village_id):
        raise NotFound(sel.CHILD_NOT_FOUND)
    problems = Problems()
    guardian = _text(problems, values, "guardian_name", "监护人（领取人）姓名")
    relation = _text(
        problems, values, "guardian_relation", "与儿童关系", required=False, limit=20
    )
    account_type, number, bank = _account(problems, values)
    signed = _agreement(problems, values, today=today, required=True)
    _scan(problems, scan, required=True)
    problems.raise_any()
    result = _eligibility(child, today)
    if not result.eligible:
        raise DomainError(f"{child.name}本月不符合基本生活保障条件：{result.reason}。")
    if AllowanceApplication.objects.filter(
        child=child, status__in=sel.OPEN_STATUSES
    ).exists():
        raise DomainError(_already_open(child))
    app = AllowanceApplication(
        child=child,
        village_id=child.village_id,
        kind=result.kind,
        status=ApplicationStatus.SUBMITTED,
        guardian_name=guardian,
        guardian_relation=relation,
        account_type=account_type,
        account_number=number,
        bank_name=bank,
        agreement_signed_on=signed,
        prepared_by=actor,
        version=0,
    )
    _keep_scan(app, scan)
    _save(app, _already_open(child))
    _audit(actor, app, "submit", kind=app.kind)
    return app


@transaction.atomic
def application_update(
    *,
    actor,
    pk: int,
    expected_version: int,
    values: Mapping[str, Any],
    scan: UploadedFile | None = None,
    today: date | None = None,
) -> AllowanceApplication:
    """Correct an application: a returned one goes back to the township's review; a
    beneficiary's account (and 养育协议) may change while they are paid — batches
    already generated keep the account they had."""
    today = today or timezone.localdate()
    if not sel.may_prepare(actor):
        raise DomainError("只有乡镇督导员和民政干部可以修改基本生活保障申请。")
    app = _locked(actor, pk, expected_version)
    editable = (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.RETURNED,
        ApplicationStatus.APPROVED,
    )
    if app.status not in editable:
        raise DomainError(
            f"该申请{app.status}，不能修改："
            + (
                "请先由县级退回。"
                if app.status == ApplicationStatus.REVIEWED
                else "已停保的记录只作历史保存。"
            )
        )
    problems = Problems()
    guardian = _text(problems, values, "guardian_name", "监护人（领取人）姓名")
    relation = _text(
        problems, values, "guardian_relation", "与儿童关系", required=False, limit=20
    )
    account_type, number, bank = _account(problems, values)
    signed = _agreement(
        problems,
        values,
        today=today,
        required=app.source == ApplicationSource.APPLIED
        and app.agreement_signed_on is None,
    )
    _scan(problems, scan, required=False)
    problems.raise_any()
    before = app.account_number
    app.guardian_name, app.guardian_relation = guardian, relation
    app.account_type, app.account_number, app.bank_name = account_type, number, bank
    app.agreement_signed_on = signed or app.agreement_signed_on
    _keep_scan(app, scan)
    step = "update"
    if app.status == ApplicationStatus.RETURNED:
        app.status = ApplicationStatus.SUBMITTED
        app.prepared_by = actor
        step = "resubmit"
    _save(app, _already_open(app.child))
    _audit(
        actor,
        app,
        step,
        account_changed=before != number,
        account=sel.mask_account(number),
    )
    return app


@transaction.atomic
def application_review(
    *, actor, pk: int, expected_version: int
) -> AllowanceApplication:
    """The township's review: the application goes on to the county for approval."""
    if not sel.may_prepare(actor):
        raise DomainError("只有乡镇督导员和民政干部可以审核基本生活保障申请。")
    app = _locked(actor, pk, expected_version)
    if app.status != ApplicationStatus.SUBMITTED:
        raise DomainError(f"该申请{app.status}，不在待乡镇审核状态，不能审核。")
    app.status = ApplicationStatus.REVIEWED
    app.reviewed_by, app.reviewed_at = actor, timezone.now()
    _save(app, "")
    _audit(actor, app, "review")
    return app


@transaction.atomic
def application_approve(
    *, actor, pk: int, expected_version: int, today: date | None = None
) -> AllowanceApplication:
    """County approval by someone other than the preparer; payment starts the month
    after approval (the child must still be eligible that month)."""
    today = today or timezone.localdate()
    app = _locked(actor, pk, expected_version)
    if not sel.approves_for(actor, app.village_id):
        raise DomainError("只有本县民政干部可以审批基本生活保障申请。")
    if app.status != ApplicationStatus.REVIEWED:
        raise DomainError(
            f"该申请{app.status}，不能审批：须先经乡镇审核（待县级审批）。"
        )
    if app.prepared_by_id == actor.pk:
        raise DomainError(
            "不能审批自己经办的申请：请由本县另一名民政干部审批。", field="actor"
        )
    start = sel.next_month(today)
    result = _eligibility(app.child, start)
    if not result.eligible:
        raise DomainError(
            f"{app.child.name}自{start.year}年{start.month}月起不再符合条件："
            f"{result.reason}。请退回申请。"
        )
    app.status = ApplicationStatus.APPROVED
    app.kind = result.kind
    app.approved_by, app.approved_at = actor, timezone.now()
    app.start_month = start
    _save(app, "")
    _audit(actor, app, "approve", start_month=f"{start:%Y-%m}")
    return app


@transaction.atomic
def application_return(
    *, actor, pk: int, expected_version: int, reason: str
) -> AllowanceApplication:
    """Send an application back to its preparer with a reason: the township while it
    waits for review, the county while it waits for approval."""
    app = _locked(actor, pk, expected_version)
    allowed = (
        sel.may_prepare(actor)
        if app.status == ApplicationStatus.SUBMITTED
        else sel.approves_for(actor, app.village_id)
    )
    if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWED):
        raise DomainError(f"该申请{app.status}，不能退回。")
    if not allowed:
        raise DomainError("只有本县民政干部可以退回待县级审批的申请。")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidValues({"reason": ["请填写退回原因。"]})
    if len(reason) > 500:
        raise InvalidValues({"reason": [f"退回原因最多500个字，当前{len(reason)}个。"]})
    app.status = ApplicationStatus.RETURNED
    app.return_reason = reason
    _save(app, "")
    _audit(actor, app, "return", reason=reason)
    return app


def _last_batch_month(county_code: str) -> date | None:
    batch = (
        PaymentBatch.objects.filter(county_id=county_code).order_by("-month").first()
    )
    return batch.month if batch else None


@transaction.atomic
def application_stop(
    *, actor, pk: int, expected_version: int, reason: str, month: date | None
) -> AllowanceApplication:
    """Stop paying a beneficiary (停保) from a month, with a reason; a month whose
    batch is already generated cannot be the first month stopped."""
    app = _locked(actor, pk, expected_version)
    if not sel.approves_for(actor, app.village_id):
        raise DomainError("只有本县民政干部可以停保。")
    if app.status != ApplicationStatus.APPROVED:
        raise DomainError(f"该记录{app.status}，不是保障中的对象，不能停保。")
    problems = Problems()
    reason = (reason or "").strip()
    if not reason:
        problems.add("reason", "请填写停保原因。")
    elif len(reason) > 500:
        problems.add("reason", f"停保原因最多500个字，当前{len(reason)}个。")
    if month is None:
        problems.add("month", "请填写停发月份（YYYY-MM）。")
    else:
        month = first_of_month(month)
        last = _last_batch_month(app.village_id[:6] + "000000")
        if app.start_month and month < app.start_month:
            problems.add(
                "month",
                f"停发月份不能早于开始发放月份（{app.start_month:%Y-%m}）。",
            )
        elif last and month <= last:
            following = sel.next_month(last)
            problems.add(
                "month",
                f"{last.year}年{last.month}月的发放批次已生成：停发月份最早为 "
                f"{following:%Y-%m}。",
            )
    problems.raise_any()
    app.status = ApplicationStatus.STOPPED
    app.stop_reason, app.stop_month, app.stopped_by = reason, month, actor
    _save(app, "")
    _audit(actor, app, "stop", reason=reason, month=f"{month:%Y-%m}")
    return app


def account_reveal(*, actor, app: AllowanceApplication) -> dict[str, str]:
    """The full account and ID numbers of a beneficiary, for those allowed; audited."""
    if not (sel.may_reveal(actor) and sel.covers(actor, app.village_id)):
        raise DomainError("您没有查看完整账号的权限。")
    audit_record(
        actor=actor,
        action=AuditAction.ALLOWANCE_ACCOUNT_REVEAL,
        obj=app,
        area_code=app.village_id,
        details={"child": app.child_id},
    )
    return {
        "account_number": app.account_number,
        "id_number": app.child.id_number or "",
    }


# ---- importing a county's current beneficiary list -----------------------------

IMPORT_COLUMNS = (
    ("name", "姓名"),
    ("id_number", "公民身份号码"),
    ("kind", "类别"),
    ("account_type", "账户类型"),
    ("account_number", "账号"),
    ("bank_name", "开户行"),
    ("start_month", "开始发放月份"),
)
_HEADERS = {header: name for name, header in IMPORT_COLUMNS}


@dataclass
class ImportRow:
    number: int
    child: Child
    kind: str
    account_type: str
    account_number: str
    bank_name: str
    start_month: date


@dataclass
class ImportPlan:
    """A checked list: the rows to add, or every problem as (row, column, message)."""

    rows: list[ImportRow] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    unusable: str = ""

    @property
    def ok(self) -> bool:
        return not self.unusable and not self.problems


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%Y-%m}"
    if isinstance(value, date):
        return f"{value:%Y-%m}"
    return str(value).strip()


def parse_month(text: str) -> date | None:
    """YYYY-MM (or YYYY-MM-DD, YYYY年M月, YYYY/MM) as the month's first day; None
    when it is none of these."""
    match = re.fullmatch(
        r"([0-9]{4})\s*(?:-|/|\.|年)\s*([0-9]{1,2})\s*(?:月)?(?:(?:-|/|\.)[0-9]{1,2})?",
        text.strip(),
    )
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    return date(int(match[1]), int(match[2]), 1)


def applications_import_check(*, actor, data: bytes, filename: str) -> ImportPlan:
    """Read and check a county's current beneficiary list; every bad row named by
    row and column, nothing written."""
    plan = ImportPlan()
    if not sel.may_approve(actor):
        raise DomainError("只有县级民政干部可以导入保障对象名单。")
    try:
        table = read_table(data, filename, max_rows=IMPORT_MAX_ROWS)
    except UnusableFile as error:
        plan.unusable = str(error).replace("花名册", "保障对象名单")
        return plan
    at: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        name = _HEADERS.get(_cell(cell).replace(" ", ""))
        if name and name not in at:
            at[name] = index
    missing = [header for name, header in IMPORT_COLUMNS if name not in at]
    if missing:
        plan.unusable = (
            f"缺少列：{'、'.join(missing)}。表头应为 "
            + "、".join(header for _, header in IMPORT_COLUMNS)
            + "。"
        )
        return plan
    raw = []
    for number, cells in table.rows:
        values = {
            name: _cell(cells[index]) if index < len(cells) else ""
            for name, index in at.items()
        }
        if any(values.values()):
            raw.append((number, values))
    if not raw:
        plan.unusable = "名单中没有数据行：第1行为表头，从第2行起每行一名保障对象。"
        return plan
    letters = {name: column_letter(index + 1) for name, index in at.items()}
    headers = dict(IMPORT_COLUMNS)

    def problem(number: int, name: str, message: str) -> None:
        plan.problems.append((number, f"{letters[name]}列 {headers[name]}", message))

    ids = {}
    for number, values in raw:
        try:
            ids[number] = parse_id_number(values["id_number"]).value
        except InvalidIdNumber as error:
            problem(number, "id_number", f"公民身份号码无效：{error}")
    children = {
        c.id_number: c
        for c in Child.objects.filter(id_number__in=set(ids.values())).select_related(
            "village"
        )
    }
    taken = set(
        AllowanceApplication.objects.filter(
            child__id_number__in=set(ids.values()), status__in=sel.OPEN_STATUSES
        ).values_list("child__id_number", flat=True)
    )
    seen: dict[str, int] = {}
    for number, values in raw:
        id_number = ids.get(number)
        child = children.get(id_number) if id_number else None
        if id_number:
            if id_number in seen:
                problem(
                    number, "id_number", f"与第{seen[id_number]}行的公民身份号码重复。"
                )
            seen.setdefault(id_number, number)
            if child is None or not sel.approves_for(actor, child.village_id):
                problem(
                    number,
                    "id_number",
                    "儿童信息库中本县没有这个公民身份号码的儿童：请先登记该儿童。",
                )
                child = None
            elif id_number in taken:
                problem(number, "id_number", _already_open(child))
        if child is not None and values["name"] != child.name:
            problem(
                number,
                "name",
                f"姓名“{values['name']}”与儿童信息库中的“{child.name}”不一致。",
            )
        kind = values["kind"]
        if kind not in AllowanceKind.values:
            problem(
                number,
                "kind",
                f"类别“{kind}”不是可选的值，应为：{'、'.join(AllowanceKind.values)}。"
                if kind
                else "请填写类别。",
            )
        account_type = values["account_type"]
        account = normalize_account(values["account_number"])
        if message := account_problem(account_type, account):
            problem(
                number,
                "account_type"
                if account_type not in AccountType.values
                else "account_number",
                message if account_type else "请填写账户类型（银行卡或社保卡）。",
            )
        bank = values["bank_name"]
        if not bank:
            problem(number, "bank_name", "请填写开户行。")
        elif len(bank) > 60:
            problem(number, "bank_name", f"开户行最多60个字，当前{len(bank)}个。")
        start = parse_month(values["start_month"])
        if start is None:
            problem(
                number,
                "start_month",
                f"开始发放月份“{values['start_month']}”无法识别：请写成 YYYY-MM，如 2026-01。"
                if values["start_month"]
                else "请填写开始发放月份（YYYY-MM）。",
            )
        if child is not None and start is not None and kind in AllowanceKind.values:
            plan.rows.append(
                ImportRow(number, child, kind, account_type, account, bank, start)
            )
    if plan.problems:
        plan.rows = []
    return plan


@transaction.atomic
def applications_import(*, actor, data: bytes, filename: str) -> ImportPlan:
    """Add a county's current beneficiaries, approved and paid from the month each
    row names: every row or, when any row is wrong, none."""
    plan = applications_import_check(actor=actor, data=data, filename=filename)
    if not plan.ok:
        return plan
    now = timezone.now()
    apps = [
        AllowanceApplication(
            child=row.child,
            village_id=row.child.village_id,
            kind=row.kind,
            status=ApplicationStatus.APPROVED,
            source=ApplicationSource.IMPORTED,
            guardian_name=row.child.guardian_name or row.child.name,
            guardian_relation=row.child.guardian_relation or "",
            account_type=row.account_type,
            account_number=row.account_number,
            bank_name=row.bank_name,
            prepared_by=actor,
            approved_by=actor,
            approved_at=now,
            start_month=row.start_month,
        )
        for row in plan.rows
    ]
    try:
        with transaction.atomic():
            AllowanceApplication.objects.bulk_create(apps, batch_size=1000)
    except IntegrityError:
        raise DomainError(
            "导入时另有人为名单中的儿童提交了申请：请刷新后重新导入。"
        ) from None
    county = Area.objects.get(code=actor.area_id)
    audit_record(
        actor=actor,
        action=AuditAction.ALLOWANCE_APPLICATIONS_IMPORT,
        object_type="allowance_application",
        area=county,
        details={"count": len(apps), "file": filename[:100]},
    )
    return plan
