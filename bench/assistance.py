"""Benchmark R9: a province-wide month of basic living allowance payments (孤儿基本生活费、
事实无人抚养儿童基本生活补贴) generated, approved (frozen) and exported on PostgreSQL,
beside a bare SQL sum of the same amounts.

Seeds every county of 湖南省 as the project ships it (430000, 14 cities, their
counties), each with TOWNSHIPS × VILLAGES_PER_TOWNSHIP synthetic villages
(bench.common.bench_areas), then the children paid: shouwang.demo.children's
synthetic_children cut to its orphan and de facto unsupported profiles (in the
ledger's 2 : 3 proportion, a fixed seed and as-of date, through children_bulk_load as
the demo loader does). BENCH_BENEFICIARIES of those eligible on the 1st of the month
before (with an ID number) are put on their county's beneficiary list through the
product's import (applications_import: one list per county, 1% starting in the month
measured), standards are set through allowance_standard_set (the province for every
kind, two cities and two counties their own, the province raising 集中养育孤儿 on the
1st of the month measured), and the month before is generated and approved for every
county, with its bank results (0.3% failed: carried into the month measured) and
0.3% of the beneficiaries stopped from the month measured. All that is built once and
reused while the database holds it.

Each run then measures, each phase in a child process of its own (its wall and CPU
time, its peak RSS), REPEATS times, the month's batches removed before each round:

- generate: payment_batch_generate for every county (its county civil affairs);
- approve: payment_batch_approve of every batch (another civil-affairs worker);
- export: bank_file_bytes(full=True) of every batch, the xlsx the view sends;
- the floor: a bare SQL `SELECT count(*), sum(amount)` over the same lines (best of
  three in one process).

Prints the machine and its load, the phases side by side and as ratios to the bare
SQL, checks that the batches' totals, the amounts in the bank files (read back with
python-calamine after the clock stops) and the SQL sum agree to the fen, and the goal
of the issue: generated, approved and exported ≤ 10 s.

    .venv/bin/python bench/assistance.py
    BENCH_BENEFICIARIES=5000 .venv/bin/python bench/assistance.py   # quick (rebuilds)
    .venv/bin/python bench/assistance.py --profile   # cProfile of the three phases

The database (BENCH_DATABASE_URL, default shouwang_bench_assistance on 127.0.0.1) is
created and migrated when missing.
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cell  # noqa: E402

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/shouwang_bench_assistance",
)
BENEFICIARIES = int(os.environ.get("BENCH_BENEFICIARIES", "50000"))
SEED = 20269
PROVINCE = "430000000000"  # 湖南省 with its cities and counties as shipped
TOWNSHIPS = 3
VILLAGES_PER_TOWNSHIP = 4
BEFORE = date(2026, 11, 1)  # generated and approved once, in the setup
MONTH = date(2026, 12, 1)  # the month measured
STARTING_SHARE = 0.01  # of the beneficiaries: paid from MONTH on (增员)
EVERY_FAILED = 300  # one line of BEFORE in this many failed at the bank (补发)
EVERY_STOPPED = 300  # one beneficiary in this many stopped from MONTH (减员)
CHILDREN_MARGIN = 1.12  # children generated per beneficiary wanted (some not eligible)
PAID_PROFILES = (("orphan", 2.0), ("de_facto", 3.0))  # demo.children.PROFILES' shares
BENCH_NOTE = "基准测试：基本生活费发放"
PROVINCE_USER = "bench_r9_sheng"
REPEATS = 3  # rounds of generate, approve, export: the fastest counts, all printed
SQL_REPEATS = 3
GOAL_SECONDS = 10.0
RESULT = "BENCH-RESULT "
IMPORT_HEADER = [
    "姓名",
    "公民身份号码",
    "类别",
    "账户类型",
    "账号",
    "开户行",
    "开始发放月份",
]

# (area, kind, amount, effective_from): set through the service, in this order.
STANDARDS = (
    (PROVINCE, "社会散居孤儿", "1000", date(2024, 1, 1)),
    (PROVINCE, "集中养育孤儿", "1450", date(2024, 1, 1)),
    (PROVINCE, "事实无人抚养儿童", "1000", date(2024, 1, 1)),
    ("430100000000", "社会散居孤儿", "1300", date(2025, 1, 1)),  # 长沙市
    ("430100000000", "集中养育孤儿", "1800", date(2025, 1, 1)),
    ("430200000000", "社会散居孤儿", "1150", date(2025, 7, 1)),  # 株洲市
    ("430524000000", "社会散居孤儿", "1080", date(2026, 1, 1)),  # 隆回县
    ("430181000000", "事实无人抚养儿童", "1250", date(2026, 1, 1)),  # 浏阳市
    (PROVINCE, "集中养育孤儿", "1550", MONTH),  # the raise of the month measured
)
STOP_REASONS = {
    "社会散居孤儿": "已被依法收养",
    "集中养育孤儿": "已被依法收养",
    "事实无人抚养儿童": "父亲刑满释放，恢复抚养能力",
}


# --- In a child process: one phase. ----------------------------------------------------


def _django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    import django

    django.setup()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend, when it runs here."""
    from django.db import connection

    connection.ensure_connection()
    try:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _counties() -> list:
    from shouwang.areas import codes
    from shouwang.areas.models import Area, AreaLevel

    low, high = codes.prefix_bounds(codes.prefix_of(PROVINCE))
    return list(
        Area.objects.filter(
            level=AreaLevel.COUNTY, code__gte=low, code__lte=high
        ).order_by("code")
    )


def _staff(county: str, which: str):
    """The county's civil-affairs worker `a` (imports, generates) or `b` (approves,
    exports): two people, as a batch is never approved by who generated it."""
    from shouwang.accounts.models import User

    return User.objects.get(username=f"bench_r9_{county[:6]}_{which}")


def _all_staff(which: str) -> dict:
    """Every county's worker `which` by county code, read before the clock starts (a
    request has its user already)."""
    from shouwang.accounts.models import User

    users = User.objects.filter(username__startswith="bench_r9_").select_related("area")
    return {
        u.area_id: u for u in users if u.username.endswith(f"_{which}") and u.area_id
    }


def _user(username: str, full_name: str, area: str):
    from shouwang.accounts.models import Role, User

    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name, user.role, user.area_id = full_name, Role.CIVIL_AFFAIRS, area
    user.is_active = True
    user.set_unusable_password()
    user.save()
    return user


def _built() -> bool:
    from shouwang.assistance.models import (
        AllowanceApplication,
        BatchStatus,
        PaymentBatch,
    )

    return (
        AllowanceApplication.objects.count() == BENEFICIARIES
        and PaymentBatch.objects.filter(month=BEFORE, status=BatchStatus.APPROVED)
        .exclude(results_imported_at=None)
        .count()
        == len(_counties())
        and not PaymentBatch.objects.filter(month__gt=MONTH).exists()
    )


def _children(villages: list) -> list:
    """Synthetic children of the paid profiles only, saved; those eligible on BEFORE
    with an ID number, as (child, kind)."""
    from shouwang.assistance.policy import allowance_eligibility
    from shouwang.demo import children as demo
    from shouwang.registry.models import Child
    from shouwang.registry.services import facts_from_values
    from shouwang.registry.services.classification import FACTS_READ

    demo.children_bulk_load(
        demo.synthetic_children(
            villages,
            int(BENEFICIARIES * CHILDREN_MARGIN),
            seed=SEED,
            as_of=BEFORE,
            duplicate_pairs=0,
            profiles=PAID_PROFILES,  # the ledger's own draw, cut to who is paid
        ),
        note=BENCH_NOTE,
        batch_size=2000,
    )
    eligible = []
    rows = (
        Child.objects.exclude(id_number=None)
        .exclude(id_number="")
        .order_by("pk")
        .values(
            "pk",
            "name",
            "id_number",
            "village_id",
            "status",
            "exit_date",
            *FACTS_READ,
        )
    )
    for row in rows.iterator(chunk_size=2000):
        facts = facts_from_values({name: row[name] for name in FACTS_READ})
        result = allowance_eligibility(
            facts, month=BEFORE, status=row["status"], exit_date=row["exit_date"]
        )
        if result.eligible:
            eligible.append((row, result.kind))
    return eligible


def _import_lists(counties: list, eligible: list) -> int:
    """Each county's current beneficiaries through the product's list import."""
    import io

    import xlsxwriter

    from shouwang.assistance.services_beneficiaries import applications_import

    rng = random.Random(SEED)
    chosen = eligible[:BENEFICIARIES]
    if len(chosen) < BENEFICIARIES:
        raise SystemExit(
            f"符合条件的儿童只有 {len(chosen):,} 名，少于 {BENEFICIARIES:,}："
            "请调大 CHILDREN_MARGIN。"
        )
    by_county: dict[str, list] = {}
    for row, kind in chosen:
        by_county.setdefault(row["village_id"][:6], []).append((row, kind))
    names = {c.code[:6]: c.name for c in counties}
    imported = 0
    for county in counties:
        rows = by_county.get(county.code[:6], [])
        if not rows:
            continue
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = book.add_worksheet("保障对象名单")
        sheet.write_row(0, 0, IMPORT_HEADER)
        for index, (row, kind) in enumerate(rows, start=1):
            start = MONTH if rng.random() < STARTING_SHARE else BEFORE
            account = "622202" + "".join(rng.choice("0123456789") for _ in range(13))
            values = [
                row["name"],
                row["id_number"],
                kind,
                "银行卡",
                account,
                f"{names[county.code[:6]]}农村商业银行",
                f"{start:%Y-%m}",
            ]
            for column, value in enumerate(values):
                sheet.write_string(index, column, value)
        book.close()
        plan = applications_import(
            actor=_staff(county.code, "a"),
            data=out.getvalue(),
            filename=f"{county.code[:6]}保障对象名单.xlsx",
        )
        if not plan.ok:
            raise SystemExit(
                f"{county.name}名单导入失败：{plan.unusable or plan.problems[:5]}"
            )
        imported += len(plan.rows)
    return imported


def _month_before(counties: list) -> dict:
    """BEFORE generated and approved everywhere, its bank results recorded (some
    failed); some beneficiaries stopped from MONTH."""
    from django.db.models import F
    from django.utils import timezone

    from shouwang.assistance import services_beneficiaries as beneficiaries
    from shouwang.assistance import services_payments as payments
    from shouwang.assistance.models import (
        AllowanceApplication,
        ApplicationStatus,
        PaymentBatch,
        PaymentLine,
        PaymentResult,
    )

    for county in counties:
        batch = payments.payment_batch_generate(
            actor=_staff(county.code, "a"), county_code=county.code, month=BEFORE
        )
        payments.payment_batch_approve(
            actor=_staff(county.code, "b"), pk=batch.pk, expected_version=batch.version
        )
    lines = PaymentLine.objects.filter(batch__month=BEFORE)
    lines.update(result=PaymentResult.PAID)
    failed = lines.annotate(mod=F("id") % EVERY_FAILED).filter(mod=0)
    failed_count = failed.update(result=PaymentResult.FAILED, result_note="账户已销户")
    PaymentBatch.objects.filter(month=BEFORE).update(results_imported_at=timezone.now())
    stopped = 0
    apps = AllowanceApplication.objects.filter(
        status=ApplicationStatus.APPROVED, start_month=BEFORE
    ).order_by("pk")
    for index, app in enumerate(apps.iterator()):
        if index % EVERY_STOPPED:
            continue
        beneficiaries.application_stop(
            actor=_staff(app.village_id, "a"),
            pk=app.pk,
            expected_version=app.version,
            reason=STOP_REASONS[app.kind],
            month=MONTH,
        )
        stopped += 1
    return {"failed": failed_count, "stopped": stopped}


def phase_setup() -> dict:
    """Migrate; the province's villages, its staff, the ledger, the lists, standards and
    the month before (kept when already built)."""
    _django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.common import bench_areas
    from shouwang.assistance.services import allowance_standard_set

    timings: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    counties = _counties()
    timings["counties"] = len(counties)
    timings["cities"] = len({c.code[:4] for c in counties})
    if _built():
        timings["reused"] = True
        return timings
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_child, assistance_paymentbatch, "
            "assistance_allowancestandard RESTART IDENTITY CASCADE"
        )
    villages = []
    with transaction.atomic():
        province_user = _user(PROVINCE_USER, "基准省民政", PROVINCE)
        for county in counties:
            villages += bench_areas(county.code, TOWNSHIPS, VILLAGES_PER_TOWNSHIP)
            _user(f"bench_r9_{county.code[:6]}_a", f"{county.name}民政甲", county.code)
            _user(f"bench_r9_{county.code[:6]}_b", f"{county.name}民政乙", county.code)
    timings["villages"] = len(villages)
    with transaction.atomic():
        eligible = _children(villages)
    timings["seed"] = time.perf_counter() - started
    timings["eligible"] = len(eligible)
    started = time.perf_counter()
    for area, kind, amount, on in STANDARDS:
        allowance_standard_set(
            actor=province_user,
            area_code=area,
            kind=kind,
            amount=Decimal(amount),
            effective_from=on,
        )
    timings["imported"] = _import_lists(counties, eligible)
    timings["before"] = _month_before(counties)
    timings["lists"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in (
            "registry_child",
            "assistance_allowanceapplication",
            "assistance_paymentline",
            "assistance_paymentchange",
            "assistance_paymentbatch",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return timings


def phase_reset() -> dict:
    """The month measured removed (its changes, lines and batches), as never made."""
    _django()
    from django.db import connection, transaction

    from shouwang.assistance.models import PaymentBatch, PaymentChange, PaymentLine

    with transaction.atomic():
        PaymentChange.objects.filter(batch__month=MONTH).delete()
        PaymentLine.objects.filter(batch__month=MONTH).delete()
        removed, _ = PaymentBatch.objects.filter(month=MONTH).delete()
    with connection.cursor() as cursor:
        for table in ("assistance_paymentline", "assistance_paymentchange"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"removed": removed}


def _timed(work, *args) -> dict:
    server = _server_cpu()
    started, cpu = time.perf_counter(), _cpu()
    result = work(*args)
    result["seconds"] = time.perf_counter() - started
    result["cpu"] = _cpu() - cpu
    if server is not None:
        result["server_cpu"] = _server_cpu() - server
    return result


def _generate(staff: dict, counties: list) -> dict:
    from collections import Counter

    from shouwang.assistance.models import PaymentChange
    from shouwang.assistance.services_payments import payment_batch_generate

    batches = [
        payment_batch_generate(
            actor=staff[county.code], county_code=county.code, month=MONTH
        )
        for county in counties
    ]
    changes = Counter(
        PaymentChange.objects.filter(batch__month=MONTH).values_list("kind", flat=True)
    )
    return {
        "batches": len(batches),
        "rows": sum(b.count for b in batches),
        "total": str(sum(b.total for b in batches)),
        "changes": dict(changes),
    }


def phase_generate() -> dict:
    _django()
    return _timed(_generate, _all_staff("a"), _counties())


def _approve(staff: dict) -> dict:
    from shouwang.assistance.models import PaymentBatch
    from shouwang.assistance.services_payments import payment_batch_approve

    rows = 0
    batches = list(PaymentBatch.objects.filter(month=MONTH).order_by("county_id"))
    for batch in batches:
        done = payment_batch_approve(
            actor=staff[batch.county_id],
            pk=batch.pk,
            expected_version=batch.version,
        )
        rows += done.count
    return {"batches": len(batches), "rows": rows}


def phase_approve() -> dict:
    _django()
    return _timed(_approve, _all_staff("b"))


def _export(staff: dict, files: list) -> dict:
    from shouwang.assistance.models import PaymentBatch
    from shouwang.assistance.services_payments import bank_file_bytes

    batches = PaymentBatch.objects.filter(month=MONTH).select_related("county")
    for batch in batches.order_by("county_id"):
        files.append(
            bank_file_bytes(actor=staff[batch.county_id], batch=batch, full=True)
        )
    return {"batches": len(files)}


def phase_export() -> dict:
    """Every bank file written (timed), then read back to sum its amounts (not)."""
    import io

    from python_calamine import CalamineWorkbook

    _django()
    files: list[bytes] = []
    result = _timed(_export, _all_staff("b"), files)
    rows, total = 0, Decimal("0.00")
    for data in files:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
            "代发明细"
        )
        for row in list(sheet.iter_rows())[1:]:
            rows += 1
            total += Decimal(str(row[3])).quantize(Decimal("0.01"))
    result.update(
        rows=rows, total=str(total), mib=sum(len(d) for d in files) / 1024 / 1024
    )
    return result


SUM_SQL = """
SELECT count(*), sum(l.amount)
FROM assistance_paymentline l
JOIN assistance_paymentbatch b ON b.id = l.batch_id
WHERE b.month = %s AND b.county_id BETWEEN %s AND %s
"""


def phase_sql() -> dict:
    """The floor: a bare SQL count and sum over the month's lines, best of three."""
    _django()
    from django.db import connection

    from shouwang.areas import codes

    low, high = codes.prefix_bounds(codes.prefix_of(PROVINCE))
    connection.ensure_connection()
    times, cpus = [], []
    for _ in range(SQL_REPEATS):
        started, cpu = time.perf_counter(), _cpu()
        with connection.cursor() as cursor:
            cursor.execute(SUM_SQL, [MONTH, low, high])
            rows, total = cursor.fetchone()
        times.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    best = times.index(min(times))
    return {
        "seconds": times[best],
        "cpu": cpus[best],
        "all_seconds": times,
        "rows": rows,
        "total": str(total),
    }


def phase_profile() -> dict:
    """cProfile of generate + approve + export (to stderr)."""
    import cProfile
    import pstats

    _django()
    generators, approvers, counties = _all_staff("a"), _all_staff("b"), _counties()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = _generate(generators, counties)
    _approve(approvers)
    _export(approvers, [])
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return {"seconds": time.perf_counter() - started, "rows": result["rows"]}


PHASES = {
    "setup": phase_setup,
    "reset": phase_reset,
    "generate": phase_generate,
    "approve": phase_approve,
    "export": phase_export,
    "sql": phase_sql,
    "profile": phase_profile,
}


def child(argv: list[str]) -> int:
    result = PHASES[argv[0]]()
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(RESULT + json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return 0


# --- In the parent: the database, the phases in turn, the report. -------------------


def run_phase(name: str) -> dict:
    """Run one phase in a fresh interpreter; its JSON result, with the wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode or not lines:
        sys.stdout.write(done.stdout)
        raise SystemExit(f"阶段 {name} 失败（退出码 {done.returncode}）")
    result = json.loads(lines[-1][len(RESULT) :])
    result["wall"] = time.perf_counter() - started
    return result


def machine() -> list[tuple[str, str]]:
    from importlib.metadata import version

    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    import django

    django.setup()
    from bench.common import machine as common_machine

    return [
        *common_machine(),
        (
            "xlsx",
            f"xlsxwriter {version('xlsxwriter')}，"
            f"python-calamine {version('python-calamine')}（读回核对）",
        ),
    ]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _seconds(values) -> str:
    return "、".join(f"{s:.2f}" for s in values)


def profile() -> int:
    from bench.common import ensure_database

    ensure_database(BENCH_URL)
    run_phase("setup")
    run_phase("reset")
    subprocess.run(
        [sys.executable, __file__, "--phase", "profile"], cwd=ROOT, check=True
    )
    return 0


def main() -> int:
    from bench.common import ensure_database

    print(
        "R9 基本生活费发放基准：全省一个月的批次生成 + 审批 + 导出银行代发文件 vs 裸 SQL 求和"
    )
    created = ensure_database(BENCH_URL)
    for key, value in machine():
        print(f"  {cell(key, 11)}{value}")
    print(f"  {cell('负载', 11)}开始时 load average {load()}")
    setup = run_phase("setup")
    print(
        f"  PostgreSQL 数据库 {urlsplit(BENCH_URL).path.lstrip('/')}："
        + ("本次新建，" if created else "")
        + (
            "沿用已有的台账、名单和上月批次"
            if setup.get("reused")
            else f"生成台账和保障对象名单（儿童 {setup['seed']:.0f} 秒，其中符合条件的"
            f" {setup['eligible']:,} 名；名单导入、标准和上月批次 {setup['lists']:.0f} 秒；"
            f"上月发放失败 {setup['before']['failed']} 人，本月起停保"
            f" {setup['before']['stopped']} 人）"
        )
        + f"；湖南省 {setup['cities']} 个市州、{setup['counties']} 个县（市、区），"
        f"每县 {TOWNSHIPS * VILLAGES_PER_TOWNSHIP} 个村；保障对象 {BENEFICIARIES:,} 名；"
        f"测的月份 {MONTH:%Y-%m}（上月 {BEFORE:%Y-%m} 已审批）"
    )
    rounds = []
    for _ in range(REPEATS):
        run_phase("reset")
        rounds.append(
            {name: run_phase(name) for name in ("generate", "approve", "export")}
        )
    sql = run_phase("sql")
    best = {
        name: min((r[name] for r in rounds), key=lambda r: r["seconds"])
        for name in ("generate", "approve", "export")
    }
    totals = [sum(r[name]["seconds"] for name in r) for r in rounds]
    total = min(totals)
    bare = sql["seconds"]
    print()
    headers = ("批次", "行数", "秒", "CPU秒", "服务器CPU秒", "×裸SQL", "峰值内存MiB")
    print(cell("阶段", 40) + "".join(cell(h, 12, right=True) for h in headers))

    def line(label: str, r: dict, batches) -> None:
        server = r.get("server_cpu")
        print(
            cell(label, 40)
            + cell(f"{batches}", 12, right=True)
            + cell(f"{r['rows']:,}", 12, right=True)
            + cell(f"{r['seconds']:.3f}", 12, right=True)
            + cell(f"{r['cpu']:.2f}", 12, right=True)
            + cell(f"{server:.2f}" if server is not None else "—", 12, right=True)
            + cell(f"{r['seconds'] / bare:,.0f}", 12, right=True)
            + cell(f"{r['peak_rss']:.0f}", 12, right=True)
        )

    line("裸 SQL count(*), sum(amount)（下限）", sql, "—")
    line("生成 payment_batch_generate", best["generate"], best["generate"]["batches"])
    line(
        "审批（冻结）payment_batch_approve", best["approve"], best["approve"]["batches"]
    )
    line("导出银行代发文件 bank_file_bytes", best["export"], best["export"]["batches"])
    print(
        cell("生成 + 审批 + 导出 合计（最快一轮）", 40)
        + cell("", 24)
        + cell(f"{total:.3f}", 12, right=True)
        + cell("", 24)
        + cell(f"{total / bare:,.0f}", 12, right=True)
    )
    print(
        f"每个阶段跑 {REPEATS} 轮取最快（每轮之前删去本月批次）：生成 "
        f"{_seconds(r['generate']['seconds'] for r in rounds)}，审批 "
        f"{_seconds(r['approve']['seconds'] for r in rounds)}，导出 "
        f"{_seconds(r['export']['seconds'] for r in rounds)}，各轮合计 "
        f"{_seconds(totals)} 秒；裸 SQL {_seconds(sql['all_seconds'])} 秒。"
        "每个阶段在自己的子进程里：秒为墙钟时间，CPU秒为该进程的 CPU 时间，"
        "服务器CPU秒为它的 PostgreSQL 后端进程的 CPU 时间。"
    )
    generated = best["generate"]
    print(
        f"变化（与上月相比）：{generated['changes']}；银行代发文件共 "
        f"{best['export']['mib']:.1f} MiB（完整号码）。"
    )
    sums = {
        "批次合计": Decimal(generated["total"]),
        "银行文件读回": Decimal(best["export"]["total"]),
        "裸 SQL": Decimal(sql["total"]),
    }
    counts = {generated["rows"], best["export"]["rows"], sql["rows"]}
    agree = len(set(sums.values())) == 1 and len(counts) == 1
    print(
        "金额核对："
        + "，".join(f"{k} {v:,} 元" for k, v in sums.items())
        + f"；行数 {'、'.join(f'{c:,}' for c in sorted(counts))}："
        + ("一致（到分）。" if agree else "不一致！")
    )
    print(
        f"\n目标：生成 + 审批 + 导出 ≤ {GOAL_SECONDS:.0f} 秒（PostgreSQL）："
        f"{'达成' if total <= GOAL_SECONDS else '未达成'}（{total:.2f} 秒）"
    )
    print(f"结束时 load average {load()}")
    return 0 if agree else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        sys.exit(child(sys.argv[2:]))
    if sys.argv[1:] == ["--profile"]:
        sys.exit(profile())
    sys.exit(main())
