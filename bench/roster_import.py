"""Benchmark R3: importing a 200,000-row roster (花名册) through the product's importer.

Builds one deterministic roster in the template (xlsx written by xlsxwriter in
constant_memory mode; 200,000 synthetic children from shouwang.demo.children, valid and
unique ID numbers written as text, villages of one county made for the benchmark), and
measures, each phase in a child process of its own (its time and its peak RSS):

- the floor: python-calamine alone reading the same bytes (CalamineWorkbook.from_filelike
  and iterating every row of the sheet), the best of three;
- the product: shouwang.roster.importer, a dry run (roster_check: read, check every row,
  match against the ledger) and a full import into an empty ledger (roster_check +
  roster_commit: children, one history row each, the audit row), called as the
  upload's tasks call them (the plan keeps the rows in error as uploaded, keep_raw,
  for an error report), on SQLite (a fresh migrated file under a temporary directory) and on
  PostgreSQL (a dedicated database, dropped and recreated at the start, the ledger
  truncated before each import);
- the usual Django way: django-import-export's ModelResource.import_data(dry_run=False,
  use_transactions=True) of a tablib Dataset loaded from the same kind of file into a
  flat model (every template column as text or a date, no checks: bench/flatroster,
  installed only by bench/settings.py), measured on the whole file (a few minutes);
  BENCH_DIE_ROWS=20000 measures it on the first 20,000 rows only and extrapolates its
  time linearly, which the output then says.

Prints the machine and its load, a table of the phases side by side (wall and CPU
seconds, rows a second, the ratio to the bare read, peak RSS), and the goals of the issue (full import within 2x the bare read; at least 20x
faster than django-import-export; peak memory under 1.5 GB) as met or not met.

    make bench                      # or: .venv/bin/python bench/roster_import.py
    BENCH_ROSTER_ROWS=50000 BENCH_DIE_ROWS=5000 .venv/bin/python bench/roster_import.py
    .venv/bin/python bench/roster_import.py --profile   # cProfile, first 20,000 rows

Needs the bench extra (pip install -e '.[dev,bench]'). The roster files are kept under
var/bench/ (BENCH_WORK_DIR) and reused by later runs, since the same arguments give the
same file; BENCH_ROSTER_DATABASE_URL names the PostgreSQL database (dropped and
recreated on every run).
"""

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cell  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", "200000"))
DIE_ROWS = min(ROWS, int(os.environ.get("BENCH_DIE_ROWS", str(ROWS))))
PROFILE_ROWS = min(ROWS, 20_000)
PG_URL = os.environ.get(
    "BENCH_ROSTER_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/shouwang_bench_roster",
)
WORK = Path(os.environ.get("BENCH_WORK_DIR", ROOT / "var" / "bench"))
SEED = 20263
AS_OF = date(2026, 9, 1)  # the children's ages and the checks' "today": a fixed file
COUNTY = "430524000000"  # 隆回县: the real county code, synthetic areas below it
TOWNSHIPS = 24
VILLAGES_PER_TOWNSHIP = 24
BENCH_USER = "bench_roster_xianminzheng"
READ_REPEATS = 3
GOAL_READ_RATIO = 2.0
GOAL_DIE_SPEEDUP = 20.0
GOAL_RSS_MIB = 1536.0  # 1.5 GB, read as 1.5 GiB
RESULT = "BENCH-RESULT "

_STEMS = "桃花 石门 金龙 清水 白马 青山 长乐 高坪 马鞍 柳塘 荷田 罗洪 岩口 司门 横板 山界".split()
_VILLAGE_STEMS = "新田 大坪 东山 枫树 井塘 兰溪 茶园 竹林 松坡 杨家 李家 双江".split()


# --- In a child process: one phase, with Django set up for one database. -------------


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def phase_setup(database_url: str) -> dict:
    """Migrate, add one county's townships and villages and the importing user."""
    _django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from shouwang.accounts.models import Role, User
    from shouwang.areas.models import Area, AreaLevel

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    county = Area.objects.get(code=COUNTY)
    townships, villages = [], []
    for t in range(1, TOWNSHIPS + 1):
        code = f"{COUNTY[:6]}{100 + t:03d}000"
        name = f"{_STEMS[t % len(_STEMS)]}{'' if t <= len(_STEMS) else t}镇"
        townships.append(
            Area(code=code, name=name, level=AreaLevel.TOWNSHIP, parent=county)
        )
        for v in range(1, VILLAGES_PER_TOWNSHIP + 1):
            stem = _VILLAGE_STEMS[v % len(_VILLAGE_STEMS)]
            villages.append(
                Area(
                    code=f"{code[:9]}{200 + v:03d}",
                    name=f"{stem}{'' if v <= len(_VILLAGE_STEMS) else '新'}村",
                    level=AreaLevel.VILLAGE,
                    parent_id=code,
                )
            )
    Area.objects.bulk_create(townships)
    Area.objects.bulk_create(villages)
    user = User(username=BENCH_USER, full_name="基准县民政")
    user.role, user.area_id, user.is_active = Role.CIVIL_AFFAIRS, COUNTY, True
    user.set_unusable_password()
    user.save()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"seconds": time.perf_counter() - started, "villages": len(villages)}


def _cell_values(child, seq: int) -> list:
    """One child as the template's row: text as text, dates as Excel dates."""
    from shouwang.roster.columns import COLUMNS

    row: list = []
    for column in COLUMNS:
        if not column.field:
            row.append(seq)
            continue
        value = getattr(child, column.field)
        kind = column.kind
        if kind == "hukou":
            row.append("已登记" if value else "未登记")
        elif kind in ("bool", "optional_bool"):
            row.append("" if value is None else ("是" if value else "否"))
        elif kind == "assistance":
            row.append("、".join(value))
        elif kind in ("date", "optional_date"):
            row.append(value)  # a date, or None for an empty cell
        else:
            row.append(value or "")
    return row


def phase_build(database_url: str, targets: list[list]) -> dict:
    """Write rosters of the first `rows` synthetic children, for each [path, rows] of
    targets, in one pass over the generator."""
    _django(database_url)
    import xlsxwriter

    from shouwang.areas.models import Area, AreaLevel
    from shouwang.demo.children import synthetic_children
    from shouwang.roster.columns import COLUMNS, SHEET_NAME

    started = time.perf_counter()
    villages = list(
        Area.objects.filter(
            level=AreaLevel.VILLAGE, code__startswith=COUNTY[:6]
        ).order_by("code")
    )
    books = []
    for target, _ in targets:
        book = xlsxwriter.Workbook(
            target + ".part",
            {"constant_memory": True, "default_date_format": "yyyy-mm-dd"},
        )
        sheet = book.add_worksheet(SHEET_NAME)
        text = book.add_format({"num_format": "@"})
        for index, column in enumerate(COLUMNS):
            textual = column.field and "date" not in column.kind
            sheet.set_column(index, index, column.width, text if textual else None)
        sheet.write_row(0, 0, [c.header for c in COLUMNS])
        books.append((book, sheet))
    rows = max(count for _, count in targets)
    for number, child in enumerate(
        synthetic_children(villages, rows, seed=SEED, as_of=AS_OF), start=1
    ):
        cells = _cell_values(child, number)
        for (_, sheet), (_, count) in zip(books, targets, strict=True):
            if number > count:
                continue
            for index, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(number, index, value)
                elif isinstance(value, str):
                    sheet.write_string(number, index, value)
                else:
                    sheet.write_number(number, index, value)
    for book, _ in books:
        book.close()
    for target, _ in targets:
        os.replace(target + ".part", target)
    return {"seconds": time.perf_counter() - started}


def _cpu() -> float:
    """CPU seconds this process has used (a PostgreSQL server's own work is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_read(path: str) -> dict:
    """python-calamine alone: open the bytes, iterate every row of the roster sheet."""
    import io

    from python_calamine import CalamineWorkbook

    data = Path(path).read_bytes()
    before = _rss_mib()
    times, cpus, rows, cells = [], [], 0, 0
    for _ in range(READ_REPEATS):
        started, cpu = time.perf_counter(), _cpu()
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = cells = 0
        for row in sheet.iter_rows():
            rows += 1
            cells += len(row)
        times.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
        del book, sheet
    best = times.index(min(times))
    return {
        "seconds": times[best],
        "cpu": cpus[best],
        "all_seconds": times,
        "rows": rows - 1,
        "cells": cells,
        "rss_before": before,
    }


def _actor():
    from shouwang.accounts.models import User

    return User.objects.get(username=BENCH_USER)


def _empty_ledger() -> None:
    from django.db import connection

    from shouwang.registry.models import Child, ChildChange

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_child RESTART IDENTITY CASCADE")
    else:
        ChildChange.objects.all().delete()
        Child.objects.all().delete()


def phase_check(database_url: str, path: str) -> dict:
    """The dry run: roster_check as the upload's check runs it, nothing written."""
    _django(database_url)
    from shouwang.roster.importer import roster_check

    data, actor = Path(path).read_bytes(), _actor()
    _empty_ledger()
    before = _rss_mib()
    started, cpu = time.perf_counter(), _cpu()
    plan = roster_check(data, Path(path).name, actor=actor, today=AS_OF)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu() - cpu,
        "rows": plan.total_rows,
        "counts": plan.counts,
        "errors": [e.as_dict() for e in plan.errors[:5]],
        "error_count": len(plan.errors),
        "unusable": plan.unusable,
        "rss_before": before,
    }


def phase_commit(database_url: str, path: str) -> dict:
    """The full import into an empty ledger: roster_check, then roster_commit, as the
    import's commit task runs them (the plan keeps the rows as uploaded: keep_raw)."""
    _django(database_url)
    from shouwang.registry.models import Child, ChildChange
    from shouwang.roster.importer import roster_check, roster_commit

    data, actor = Path(path).read_bytes(), _actor()
    _empty_ledger()
    before = _rss_mib()
    started, cpu = time.perf_counter(), _cpu()
    plan = roster_check(data, Path(path).name, actor=actor, today=AS_OF)
    checked, cpu_checked = time.perf_counter(), _cpu()
    if plan.unusable or plan.errors:
        return {"unusable": plan.unusable or "有被拒绝的行", "rss_before": before}
    counts = roster_commit(plan, actor=actor, source="bench/roster_import.py")
    finished, cpu_finished = time.perf_counter(), _cpu()
    return {
        "seconds": finished - started,
        "cpu": cpu_finished - cpu,
        "check_seconds": checked - started,
        "commit_seconds": finished - checked,
        "commit_cpu": cpu_finished - cpu_checked,
        "rows": plan.total_rows,
        "counts": counts,
        "children": Child.objects.count(),
        "history": ChildChange.objects.count(),
        "rss_before": before,
    }


def phase_die(database_url: str, path: str) -> dict:
    """django-import-export: a tablib Dataset from the xlsx, ModelResource.import_data."""
    _django(database_url)
    import tablib

    from bench.flatroster.models import FlatRosterRow
    from bench.flatroster.resources import FlatRosterResource

    FlatRosterRow.objects.all().delete()
    before = _rss_mib()
    started, cpu = time.perf_counter(), _cpu()
    with open(path, "rb") as stream:
        dataset = tablib.Dataset().load(stream, format="xlsx")
    loaded = time.perf_counter()
    result = FlatRosterResource().import_data(
        dataset, dry_run=False, use_transactions=True
    )
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "cpu": _cpu() - cpu,
        "load_seconds": loaded - started,
        "import_seconds": finished - loaded,
        "rows": len(dataset),
        "saved": FlatRosterRow.objects.count(),
        "has_errors": result.has_errors() or result.has_validation_errors(),
        "rss_before": before,
    }


def phase_profile(database_url: str, path: str) -> dict:
    """cProfile of the full import of the sample into an empty ledger (to stderr)."""
    import cProfile
    import pstats

    _django(database_url)
    from shouwang.roster.importer import roster_check, roster_commit

    data, actor = Path(path).read_bytes(), _actor()
    _empty_ledger()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    plan = roster_check(data, Path(path).name, actor=actor, today=AS_OF)
    roster_commit(plan, actor=actor, source="bench/roster_import.py --profile")
    profiler.disable()
    seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    return {"seconds": seconds, "rows": plan.total_rows}


PHASES = {
    "setup": phase_setup,
    "build": phase_build,
    "read": phase_read,
    "check": phase_check,
    "commit": phase_commit,
    "die": phase_die,
    "profile": phase_profile,
}


def child(argv: list[str]) -> int:
    name, args = argv[0], json.loads(argv[1])
    result = PHASES[name](*args)
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(RESULT + json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return 0


# --- In the parent: databases, files, phases in turn, the report. ---------------------


def run_phase(name: str, *args) -> dict:
    """Run one phase in a fresh interpreter; its JSON result, with the wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, json.dumps(args)],
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


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> list[tuple[str, str]]:
    from importlib.metadata import version

    import psycopg

    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with psycopg.connect(PG_URL) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        shared = conn.execute("SHOW shared_buffers").fetchone()[0]
        work_mem = conn.execute("SHOW work_mem").fetchone()[0]
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
    import sqlite3

    return [
        ("nproc", str(os.cpu_count())),
        ("内存", f"{int(meminfo[1]) / 1024 / 1024:.1f} GiB"),
        ("CPU", cpu),
        (
            "PostgreSQL",
            f"{pg}（shared_buffers={shared}, work_mem={work_mem},"
            f" synchronous_commit={sync}）",
        ),
        ("SQLite", f"{sqlite3.sqlite_version}（WAL, synchronous=NORMAL）"),
        ("Python", platform.python_version()),
        ("Django", version("Django")),
        (
            "读取",
            f"python-calamine {version('python-calamine')}，"
            f"xlsxwriter {version('xlsxwriter')}",
        ),
        (
            "对照",
            f"django-import-export {version('django-import-export')}，"
            f"tablib {version('tablib')}，openpyxl {version('openpyxl')}",
        ),
    ]


def files(first: int) -> tuple[Path, Path, float | None]:
    """The roster of ROWS children and the one of its first `first` (the same file
    when first is ROWS), each built when missing; and how long building took."""
    WORK.mkdir(parents=True, exist_ok=True)
    stem = f"roster-{SEED}-{AS_OF:%Y%m%d}"
    path, sample = WORK / f"{stem}-{ROWS}.xlsx", WORK / f"{stem}-{first}.xlsx"
    wanted = {path: ROWS, sample: first}  # one entry when first is ROWS
    missing = [[str(p), n] for p, n in wanted.items() if not p.exists()]
    if not missing:
        return path, sample, None
    built = run_phase("build", PG_URL, missing)
    return path, sample, built["seconds"]


def fresh_sqlite(template: Path, directory: Path, name: str) -> str:
    target = directory / f"{name}.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def fail_on_rejections(label: str, result: dict) -> None:
    if result.get("unusable") or result.get("error_count"):
        print(json.dumps(result, ensure_ascii=False, indent=2))
        raise SystemExit(f"{label}：文件不应有被拒绝的行")


def profile() -> int:
    recreate_database(PG_URL)
    run_phase("setup", PG_URL)
    _, sample, _ = files(PROFILE_ROWS)
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        template = Path(tmp) / "template.sqlite3"
        run_phase("setup", f"sqlite:///{template}")
        url = fresh_sqlite(template, Path(tmp), "profile")
        arguments = json.dumps([url, str(sample)])
        subprocess.run(
            [sys.executable, __file__, "--phase", "profile", arguments],
            cwd=ROOT,
            check=True,
        )
    return 0


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    print(
        "R3 花名册导入基准：产品的导入 vs 只用 python-calamine 读取"
        " vs django-import-export"
    )
    recreate_database(PG_URL)
    for key, value in machine():
        print(f"  {cell(key, 11)}{value}")
    print(f"  {cell('负载', 11)}开始时 load average {load()}")
    setup_pg = run_phase("setup", PG_URL)
    path, sample, built = files(DIE_ROWS)
    size = path.stat().st_size / 1024 / 1024
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"  文件：{shown}，{ROWS:,} 行 × 36 列，{size:.1f} MiB"
        + (
            f"（本次生成，用时 {built:.1f} 秒）"
            if built is not None
            else "（沿用已生成的同一文件）"
        )
    )
    print(
        f"  数据：1 个县（{COUNTY}），{TOWNSHIPS} 个乡镇，{setup_pg['villages']} 个村；"
        f"儿童由 shouwang.demo.children.synthetic_children 生成（seed {SEED}，"
        f"截至 {AS_OF:%Y-%m-%d}），身份号码以文本写入，日期为 Excel 日期单元格"
    )
    print(
        f"  PostgreSQL 数据库 {urlsplit(PG_URL).path.lstrip('/')}：本次删除重建并迁移"
        f"（{setup_pg['seconds']:.1f} 秒）；每次导入前清空台账（TRUNCATE）"
    )
    results: list[tuple[str, str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        directory = Path(tmp)
        template = directory / "template.sqlite3"
        setup_sqlite = run_phase("setup", f"sqlite:///{template}")
        print(
            f"  SQLite：临时目录里新建并迁移（{setup_sqlite['seconds']:.1f} 秒），"
            "每次导入用它的一份新拷贝\n"
        )
        read = run_phase("read", str(path))
        results.append(("read", "—", read))
        for label, url_of in (
            ("SQLite", lambda name: fresh_sqlite(template, directory, name)),
            ("PostgreSQL", lambda name: PG_URL),
        ):
            check = run_phase("check", url_of("check"), str(path))
            fail_on_rejections(f"{label} 试导入", check)
            results.append(("check", label, check))
            commit = run_phase("commit", url_of("commit"), str(path))
            fail_on_rejections(f"{label} 导入", commit)
            results.append(("commit", label, commit))
        for label, url in (
            ("SQLite", fresh_sqlite(template, directory, "die")),
            ("PostgreSQL", PG_URL),
        ):
            die = run_phase("die", url, str(sample))
            if die["has_errors"] or die["saved"] != DIE_ROWS:
                raise SystemExit(
                    f"django-import-export（{label}）没有导入全部行：{die}"
                )
            results.append(("die", label, die))
    report(read, results)
    print(f"\n结束时 load average {load()}")
    return 0


NAMES = {
    "read": "python-calamine 读取（裸读，下限）",
    "check": "试导入 roster_check",
    "commit": "导入 roster_check + roster_commit",
    "die": "django-import-export import_data",
}


def report(read: dict, results: list[tuple[str, str, dict]]) -> None:
    """The phases side by side, then the goals."""
    bare = read["seconds"]
    headers = ("行数", "秒", "CPU秒", "行/秒", "×裸读", "峰值内存MiB")
    print(
        cell("阶段", 42)
        + cell("数据库", 11)
        + "".join(cell(h, 12, right=True) for h in headers)
    )
    commits: dict[str, float] = {}
    dies: dict[str, float] = {}
    for kind, db, r in results:
        seconds, cpu, label = r["seconds"], r["cpu"], NAMES[kind]
        if kind == "die":
            scale = ROWS / r["rows"]
            seconds, cpu = seconds * scale, cpu * scale
            dies[db] = seconds
            label += "（外推）" if r["rows"] != ROWS else ""
        if kind == "commit":
            commits[db] = seconds
        print(
            cell(label, 42)
            + cell(db, 11)
            + cell(f"{ROWS:,}", 12, right=True)
            + cell(f"{seconds:.1f}", 12, right=True)
            + cell(f"{cpu:.1f}", 12, right=True)
            + cell(f"{ROWS / seconds:,.0f}", 12, right=True)
            + cell(f"{seconds / bare:.1f}", 12, right=True)
            + cell(f"{r['peak_rss']:.0f}", 12, right=True)
        )
    print(
        f"裸读取三次，取最快的一次（{', '.join(f'{s:.2f}' for s in read['all_seconds'])} 秒），"
        f"{read['cells']:,} 个单元格。每个阶段在自己的子进程里运行：秒为墙钟时间，"
        "CPU秒为该进程的 CPU 时间（不含 PostgreSQL 服务器进程），"
        "峰值内存为该进程的 ru_maxrss（含 Python、Django 和文件本身）。"
    )
    for kind, db, r in results:
        if kind == "commit":
            print(
                f"{db} 导入：检查 {r['check_seconds']:.1f} 秒 + 写入 {r['commit_seconds']:.1f} 秒"
                f"（写入的 CPU {r['commit_cpu']:.1f} 秒）；"
                f"写入 {r['children']:,} 名儿童、{r['history']:,} 条历史；计数 {r['counts']}"
            )
        if kind == "die":
            measured = f"载入 {r['load_seconds']:.1f} 秒 + import_data {r['import_seconds']:.1f} 秒"
            if r["rows"] != ROWS:
                measured = (
                    f"只实测了前 {r['rows']:,} 行：{r['seconds']:.1f} 秒（tablib/openpyxl "
                    f"{measured}），表中按行数线性外推到 {ROWS:,} 行；峰值内存是 "
                    f"{r['rows']:,} 行时的"
                )
            print(f"django-import-export（{db}）：{measured}")
    print()
    print("目标：")
    peak = max(r["peak_rss"] for kind, _, r in results if kind in ("check", "commit"))
    for db, seconds in commits.items():
        ratio = seconds / bare
        print(
            f"  完整导入 ≤ {GOAL_READ_RATIO:.0f}× 裸读（{db}）："
            f"{'达成' if ratio <= GOAL_READ_RATIO else '未达成'}（{ratio:.1f}×）"
        )
    for db, seconds in commits.items():
        speedup = dies[db] / seconds
        extrapolated = "，django-import-export 为外推" if DIE_ROWS != ROWS else ""
        print(
            f"  比 django-import-export 快 ≥ {GOAL_DIE_SPEEDUP:.0f}×（{db}）："
            f"{'达成' if speedup >= GOAL_DIE_SPEEDUP else '未达成'}"
            f"（{speedup:.1f}×{extrapolated}）"
        )
    print(
        "  峰值内存 < 1.5 GB（试导入、导入各进程中最高）："
        f"{'达成' if peak < GOAL_RSS_MIB else '未达成'}（{peak:.0f} MiB）"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        sys.exit(child(sys.argv[2:]))
    if sys.argv[1:] == ["--profile"]:
        sys.exit(profile())
    sys.exit(main())
