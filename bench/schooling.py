"""Benchmark R8: a 300,000-row school registration list (学籍名单) imported and
compared (三比对) against a 100,000-child county ledger on PostgreSQL.

Seeds one county (430524, 24 townships × 24 villages, bench.common.bench_areas) with
BENCH_CHILDREN synthetic children (shouwang.demo.children.synthetic_children, a fixed
seed and as-of date, through children_bulk_load as the demo loader does), then builds
one deterministic list of BENCH_LIST_ROWS rows (xlsxwriter, constant_memory, every cell
text): of the ledger's school-age children with an ID number, 90% listed 在读, 2% 辍学,
1% 休学 and 7% missing; the rest of the rows are pupils who are not in the ledger (valid
ID numbers of other counties), all shuffled. Each phase runs in a child process of its
own (its wall and CPU time, its peak RSS). The machine may be shared: the phases run
in three rounds (read, check, import, compare; a fresh process each) and each phase's
fastest counts, all are printed:

- the floor: python-calamine alone reading the file (from_filelike and iterating every
  row), the best of three reads in each round;
- enrolment_check (shouwang.schooling.enrolment): read (the roster's reader, in its own
  memory-capped process) and check every row, nothing written;
- enrolment_check + enrolment_commit: the list and its rows written (COPY), audited;
- compare(prefix=county, as_of=today) (shouwang.schooling.comparison) against the
  list just written (each import is followed by its comparison). Today, as the
  worklist compares: compare() judges a past day as things stood then, when a list
  uploaded now did not exist yet (the list is dated AS_OF, which is before today).

Prints the machine and its load, the phases side by side (ratio to the bare read) and
the goal of the issue: import and comparison ≤ 3× the bare read.

    .venv/bin/python bench/schooling.py
    BENCH_CHILDREN=20000 BENCH_LIST_ROWS=60000 .venv/bin/python bench/schooling.py
    .venv/bin/python bench/schooling.py --profile     # cProfile of check+commit+compare

The database (BENCH_DATABASE_URL, default shouwang_bench_schooling on 127.0.0.1) is
created and migrated when missing and its ledger reused when it holds the same
children; the list is kept under var/bench/ (BENCH_WORK_DIR) and reused by later runs.
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cell  # noqa: E402

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/shouwang_bench_schooling",
)
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))
LIST_ROWS = int(os.environ.get("BENCH_LIST_ROWS", "300000"))
WORK = Path(os.environ.get("BENCH_WORK_DIR", ROOT / "var" / "bench"))
SEED = 20268
AS_OF = date(2026, 9, 1)  # the ledger's ages and the list's date
COUNTY = "430524000000"  # 隆回县: the real county code, synthetic areas below it
TOWNSHIPS = 24
VILLAGES_PER_TOWNSHIP = 24
OTHER_COUNTIES = ("430521", "430522", "430523", "430525", "430527", "430528")
BENCH_USER = "bench_schooling_xianminzheng"
BENCH_NOTE = "基准测试：学籍名单比对"
READ_REPEATS = 3
REPEATS = 3  # rounds of the phases: each phase's fastest counts, all are printed
GOAL_RATIO = 3.0
RESULT = "BENCH-RESULT "
HEADER = ["姓名", "公民身份号码", "学籍号", "学校名称", "年级", "学籍状态"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
_GIVEN = "子涵欣怡梓轩浩宇一诺雨桐俊杰思远佳琪明轩晨曦嘉怡宇航诗涵博文语嫣"
_GRADES = "一年级 二年级 三年级 四年级 五年级 六年级 初一 初二 初三 初三".split()


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def phase_setup() -> dict:
    """Migrate; the county's areas, the importing user, the ledger (kept when the same)."""
    _django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.common import bench_areas
    from shouwang.accounts.models import Role, User
    from shouwang.areas import codes
    from shouwang.demo.children import children_bulk_load, synthetic_children
    from shouwang.registry.models import Child, ChildChange

    timings: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    villages = bench_areas(COUNTY, TOWNSHIPS, VILLAGES_PER_TOWNSHIP)
    user = User.objects.filter(username=BENCH_USER).first() or User(username=BENCH_USER)
    user.full_name, user.role, user.area_id = "基准县民政", Role.CIVIL_AFFAIRS, COUNTY
    user.is_active = True
    user.set_unusable_password()
    user.save()
    low, high = codes.prefix_bounds(codes.prefix_of(COUNTY))
    present = Child.objects.filter(village_id__gte=low, village_id__lte=high)
    if (
        present.count() == CHILDREN == Child.objects.count()
        and ChildChange.objects.filter(note=BENCH_NOTE).exists()
    ):
        timings["reused"] = True
    else:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_child RESTART IDENTITY CASCADE")
        started = time.perf_counter()
        with transaction.atomic():
            children_bulk_load(
                synthetic_children(villages, CHILDREN, seed=SEED, as_of=AS_OF),
                note=BENCH_NOTE,
                batch_size=2000,
            )
        timings["seed"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_child")
            cursor.execute("VACUUM ANALYZE registry_childchange")
    timings["villages"] = len(villages)
    return timings


def _grade(born: date) -> str:
    age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
    return _GRADES[min(max(age - 6, 0), len(_GRADES) - 1)]


def phase_build(path: str) -> dict:
    """Write the list: the ledger's school-age children mostly 在读, some 辍学/休学,
    some missing, and pupils of other counties up to LIST_ROWS rows, shuffled."""
    _django()
    import xlsxwriter

    from shouwang.core.idnumber import make_id_number
    from shouwang.registry.models import Child, ChildStatus
    from shouwang.schooling.comparison import born_between, school_age_range

    started = time.perf_counter()
    rng = random.Random(SEED)
    first, last = born_between(AS_OF, school_age_range())
    ledger = list(
        Child.objects.filter(
            status=ChildStatus.ACTIVE,
            birth_date__gte=first,
            birth_date__lte=last,
            id_number__isnull=False,
        )
        .exclude(id_number="")
        .order_by("pk")
        .values_list("name", "id_number", "birth_date")
    )
    taken = set(
        Child.objects.exclude(id_number=None).values_list("id_number", flat=True)
    )
    schools = [
        f"{n}第{k}完全小学"
        for n in "城东 城西 桃花 石门 金龙".split()
        for k in range(1, 9)
    ]
    schools += [f"{n}中学" for n in "桃花 石门 金龙 清水 白马 青山 长乐 高坪".split()]
    rows: list[list[str]] = []
    counts = {"在读": 0, "辍学": 0, "休学": 0, "未列入": 0, "外县学生": 0}
    for name, number, born in ledger:
        draw = rng.random()
        if draw < 0.07:
            counts["未列入"] += 1
            continue
        status = "辍学" if draw < 0.09 else "休学" if draw < 0.10 else "在读"
        counts[status] += 1
        rows.append([name, number, "", rng.choice(schools), _grade(born), status])
    days = (last - first).days
    sequence: dict[tuple[str, date], int] = {}
    while len(rows) < LIST_ROWS:
        area6 = rng.choice(OTHER_COUNTIES)
        born = first + timedelta(days=rng.randrange(days + 1))
        seq = sequence.get((area6, born), 0)
        sequence[(area6, born)] = seq + 1
        number = make_id_number(area6, born, seq, male=rng.random() < 0.5)
        if number in taken:
            continue
        taken.add(number)
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        rows.append([name, number, "", rng.choice(schools), _grade(born), "在读"])
        counts["外县学生"] += 1
    rng.shuffle(rows)
    book = xlsxwriter.Workbook(path + ".part", {"constant_memory": True})
    sheet = book.add_worksheet("学籍名单")
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(rows, start=1):
        row[2] = f"G{row[1]}"  # 学籍号: G + the ID number, as the national system does
        for column, value in enumerate(row):
            sheet.write_string(index, column, value)
    book.close()
    os.replace(path + ".part", path)
    return {
        "seconds": time.perf_counter() - started,
        "school_age_numbered": len(ledger),
        "counts": counts,
    }


def phase_read(path: str) -> dict:
    """python-calamine alone: open the bytes, iterate every row of the first sheet."""
    import io

    from python_calamine import CalamineWorkbook

    data = Path(path).read_bytes()
    times, cpus, rows = [], [], 0
    for _ in range(READ_REPEATS):
        started, cpu = time.perf_counter(), _cpu()
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
        times.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
        del book
    best = times.index(min(times))
    return {
        "seconds": times[best],
        "cpu": cpus[best],
        "all_seconds": times,
        "rows": rows - 1,
    }


def _actor():
    from shouwang.accounts.models import User

    return User.objects.get(username=BENCH_USER)


def _no_lists() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE schooling_enrolmentrow, schooling_enrolmentlist RESTART IDENTITY CASCADE"
        )


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


def _import(path: str, *, commit: bool) -> dict:
    from shouwang.schooling.enrolment import enrolment_check, enrolment_commit

    data, actor = Path(path).read_bytes(), _actor()
    if commit:
        _no_lists()
    server = _server_cpu()
    started, cpu, cpu_children = time.perf_counter(), _cpu(), _children_cpu()
    plan = enrolment_check(
        actor=actor, data=data, filename=Path(path).name, today=AS_OF
    )
    checked = time.perf_counter()
    if plan.unusable or plan.error_count:
        return {
            "unusable": plan.unusable or "有被拒绝的行",
            "errors": [e.as_dict() for e in plan.errors[:5]],
        }
    result = {"rows": plan.total, "check_seconds": checked - started}
    if commit:
        enrolment_commit(actor=actor, plan=plan, listed_on=AS_OF)
        result["commit_seconds"] = time.perf_counter() - checked
        if server is not None:
            result["server_cpu"] = _server_cpu() - server
    result["seconds"] = time.perf_counter() - started
    result["cpu"] = _cpu() - cpu
    result["reader_cpu"] = _children_cpu() - cpu_children
    return result


def phase_check(path: str) -> dict:
    _django()
    return _import(path, commit=False)


def phase_commit(path: str) -> dict:
    _django()
    from django.db import connection

    result = _import(path, commit=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE schooling_enrolmentrow")
    return result


def _today() -> date:
    from django.utils import timezone

    return max(timezone.localdate(), AS_OF)


def phase_compare() -> dict:
    """compare() over the county against the list just written."""
    _django()
    from shouwang.areas import codes
    from shouwang.schooling.comparison import compare

    started, cpu = time.perf_counter(), _cpu()
    as_of = _today()
    result = compare(prefix=codes.prefix_of(COUNTY), as_of=as_of)
    seconds = time.perf_counter() - started
    reasons: dict[str, int] = {}
    for suspect in result.suspected:
        reasons[suspect.reason] = reasons.get(suspect.reason, 0) + 1
    return {
        "as_of": as_of.isoformat(),
        "seconds": seconds,
        "cpu": _cpu() - cpu,
        "rows": result.school_age,
        "suspected": len(result.suspected),
        "reasons": reasons,
        "discrepancies": len(result.discrepancies),
        "unnumbered": len(result.unnumbered),
        "uncovered": len(result.uncovered_villages),
    }


def phase_profile(path: str) -> dict:
    """cProfile of check + commit + compare (to stderr)."""
    import cProfile
    import pstats

    _django()
    from shouwang.areas import codes
    from shouwang.schooling.comparison import compare

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = _import(path, commit=True)
    compare(prefix=codes.prefix_of(COUNTY), as_of=_today())
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    return {"seconds": time.perf_counter() - started, "rows": result.get("rows", 0)}


PHASES = {
    "setup": phase_setup,
    "build": phase_build,
    "read": phase_read,
    "check": phase_check,
    "commit": phase_commit,
    "compare": phase_compare,
    "profile": phase_profile,
}


def child(argv: list[str]) -> int:
    name, args = argv[0], json.loads(argv[1])
    result = PHASES[name](*args)
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(RESULT + json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return 0


# --- In the parent: the database, the file, the phases in turn, the report. -----------


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
    if result.get("unusable"):
        print(json.dumps(result, ensure_ascii=False, indent=2))
        raise SystemExit(f"阶段 {name}：名单不应有被拒绝的行")
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
            "读取",
            f"python-calamine {version('python-calamine')}，"
            f"xlsxwriter {version('xlsxwriter')}",
        ),
    ]


def list_file() -> tuple[Path, dict | None]:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"enrolment-{SEED}-{AS_OF:%Y%m%d}-{CHILDREN}-{LIST_ROWS}.xlsx"
    if path.exists():
        return path, None
    return path, run_phase("build", str(path))


def _seconds(values) -> str:
    return "、".join(f"{s:.2f}" for s in values)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def profile() -> int:
    from bench.common import ensure_database

    ensure_database(BENCH_URL)
    run_phase("setup")
    path, _ = list_file()
    subprocess.run(
        [sys.executable, __file__, "--phase", "profile", json.dumps([str(path)])],
        cwd=ROOT,
        check=True,
    )
    return 0


def main() -> int:
    from bench.common import ensure_database

    print("R8 学籍名单比对基准：导入 + 三比对 vs 只用 python-calamine 读取")
    created = ensure_database(BENCH_URL)
    for key, value in machine():
        print(f"  {cell(key, 11)}{value}")
    print(f"  {cell('负载', 11)}开始时 load average {load()}")
    setup = run_phase("setup")
    print(
        f"  PostgreSQL 数据库 {urlsplit(BENCH_URL).path.lstrip('/')}："
        + ("本次新建，" if created else "")
        + (
            "沿用已有的台账"
            if setup.get("reused")
            else f"生成台账 {CHILDREN:,} 名儿童（{setup['seed']:.1f} 秒）"
        )
        + f"；1 个县（{COUNTY}），{TOWNSHIPS} 个乡镇，{setup['villages']} 个村"
    )
    path, built = list_file()
    size = path.stat().st_size / 1024 / 1024
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"  文件：{shown}，{LIST_ROWS:,} 行 × {len(HEADER)} 列，{size:.1f} MiB"
        + (
            f"（本次生成，用时 {built['seconds']:.1f} 秒；台账中有身份号码的适龄儿童"
            f" {built['school_age_numbered']:,} 名；{built['counts']}）"
            if built
            else "（沿用已生成的同一文件）"
        )
    )
    reads, checks, commits, compares = [], [], [], []
    for _ in range(REPEATS):  # in rounds: a busy spell slows every phase alike
        reads.append(run_phase("read", str(path)))
        checks.append(run_phase("check", str(path)))
        commits.append(run_phase("commit", str(path)))
        compares.append(run_phase("compare"))
    read, check, commit, compared = (
        min(runs, key=lambda r: r["seconds"])
        for runs in (reads, checks, commits, compares)
    )
    print()
    bare = read["seconds"]
    headers = ("行数", "秒", "CPU秒", "×裸读", "峰值内存MiB")
    print(cell("阶段", 46) + "".join(cell(h, 12, right=True) for h in headers))
    phases = (
        ("python-calamine 读取（裸读，下限）", read),
        ("试导入 enrolment_check", check),
        ("导入 enrolment_check + enrolment_commit", commit),
        ("比对 compare(县, 今天)", compared),
    )
    for label, r in phases:
        print(
            cell(label, 46)
            + cell(f"{r['rows']:,}", 12, right=True)
            + cell(f"{r['seconds']:.2f}", 12, right=True)
            + cell(f"{r['cpu']:.2f}", 12, right=True)
            + cell(f"{r['seconds'] / bare:.2f}", 12, right=True)
            + cell(f"{r['peak_rss']:.0f}", 12, right=True)
        )
    total = commit["seconds"] + compared["seconds"]
    print(
        cell("导入 + 比对 合计", 46)
        + cell("", 12)
        + cell(f"{total:.2f}", 12, right=True)
        + cell("", 12)
        + cell(f"{total / bare:.2f}", 12, right=True)
    )
    print(
        f"每个阶段三轮取最快：裸读 {_seconds(r['seconds'] for r in reads)}"
        "（每轮三次取最快），"
        f"试导入 {_seconds(r['seconds'] for r in checks)}，"
        f"导入 {_seconds(r['seconds'] for r in commits)}，"
        f"比对 {_seconds(r['seconds'] for r in compares)} 秒。"
        "每个阶段在自己的子进程里：秒为墙钟时间，CPU秒为该进程的 CPU 时间"
        "（不含读取子进程和 PostgreSQL 服务器）；"
        f"读取子进程的 CPU：试导入 {check['reader_cpu']:.2f} 秒，导入 {commit['reader_cpu']:.2f} 秒。"
    )
    print(
        f"导入：检查 {commit['check_seconds']:.2f} 秒 + 写入 {commit['commit_seconds']:.2f} 秒"
        + (
            f"（PostgreSQL 服务器进程 CPU {commit['server_cpu']:.2f} 秒）。"
            if "server_cpu" in commit
            else "。"
        )
        + f"比对（{compared['as_of']}）：适龄儿童 {compared['rows']:,} 名，疑似失学辍学 {compared['suspected']:,}"
        f"（{compared['reasons']}），台账与名单不一致 {compared['discrepancies']:,}，"
        f"无身份号码待人工核对 {compared['unnumbered']:,}，未覆盖的村 {compared['uncovered']}。"
    )
    ratio = total / bare
    if read["seconds"] > 1.15 * read["cpu"]:
        print(
            f"注意：裸读的墙钟时间（{read['seconds']:.2f} 秒）比它的 CPU 时间（{read['cpu']:.2f} 秒）"
            "多出 15% 以上，机器正忙（与别的进程抢 CPU），下面的比值不可靠，请在空闲时重测。"
        )
    print(
        f"\n目标：导入 + 比对 ≤ {GOAL_RATIO:.0f}× 裸读（PostgreSQL）："
        f"{'达成' if ratio <= GOAL_RATIO else '未达成'}（{ratio:.2f}×）"
    )
    print(f"结束时 load average {load()}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        sys.exit(child(sys.argv[2:]))
    if sys.argv[1:] == ["--profile"]:
        sys.exit(profile())
    sys.exit(main())
