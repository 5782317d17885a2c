"""Benchmark R10: a 500,000-row province 低保 list (one row per household member)
matched against 1,000,000 children and their parents on PostgreSQL.

Seeds a province-like tree (COUNTIES, real county codes of 湖南省 430000, each with
TOWNSHIPS × VILLAGES_PER_TOWNSHIP synthetic areas, bench.common.bench_areas) with
BENCH_CHILDREN synthetic children (shouwang.demo.children.synthetic_children through
children_bulk_load, as the demo loader does; one process per county, in parallel, each
county with its own seed so that ID numbers never collide). The synthetic children
carry their father's, mother's and actual guardian's ID numbers (nine in ten named
parents), so matching has parents to find.

Then builds one deterministic list of BENCH_LIST_ROWS rows (xlsxwriter,
constant_memory, every cell text; header 户主公民身份号码, 姓名, 公民身份号码, 开始日期,
结束日期): about LEDGER_SHARE of the rows are the ledger's households (the father as
head, the mother, the child), the rest households of people who are not in the ledger
(valid ID numbers of the same counties that no child, parent or guardian holds);
one household in ten ended before the list's date. Households stay together, in a
shuffled order.

Each phase runs in a child process of its own (wall and CPU time, peak RSS), in
REPEATS rounds (the machine may be shared); each phase's fastest counts, all are
printed:

- the floor: python-calamine alone reading the file (from_filelike and iterating every
  row), the best of three reads in each round;
- exchange_check (shouwang.exchange.lists): read (the roster's reader, in its own
  memory-capped process) and check every row, nothing written;
- exchange_check + exchange_commit: the list kept, matched by ID number against the
  province's children, fathers, mothers and guardians (shouwang.exchange.matching),
  alerts and measures written, audited. Each import starts from no lists, alerts or
  measures (TRUNCATE), so every round matches afresh.

Prints the machine and its load, the phases side by side (ratio to the bare read), the
rows matched, alerts and measures, and the goal of the issue: import ≤ 3× the bare read.

    .venv/bin/python bench/exchange.py
    BENCH_CHILDREN=20000 BENCH_LIST_ROWS=20000 .venv/bin/python bench/exchange.py
    .venv/bin/python bench/exchange.py --profile     # cProfile of check+commit
    BENCH_WORK_MEM=64MB .venv/bin/python bench/exchange.py  # the import sessions' work_mem

Each statement of an import is cancelled after BENCH_STATEMENT_TIMEOUT (300s): with
the server's default work_mem (4MB) the matching's lookup of 500,000 ID numbers is
not hashed and would run for hours; the phase then fails and says so.

The database (BENCH_DATABASE_URL, default shouwang_bench_exchange on 127.0.0.1) is
created and migrated when missing and its ledger reused when it holds the same
children; the list is kept under var/bench/ (BENCH_WORK_DIR) and reused by later runs;
the files the imports keep go to var/bench/exchange-files/ and are removed each round.
"""

import json
import os
import random
import re
import resource
import shutil
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
    "postgres://postgres@127.0.0.1:5432/shouwang_bench_exchange",
)
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "1000000"))
LIST_ROWS = int(os.environ.get("BENCH_LIST_ROWS", "500000"))
WORK = Path(os.environ.get("BENCH_WORK_DIR", ROOT / "var" / "bench"))
FILES = WORK / "exchange-files"  # what exchange_commit keeps (EXCHANGE_UPLOAD_DIR)
SEED = 20270
AS_OF = date(2026, 12, 1)  # the ledger's ages, the list's date and "today"
PROVINCE = "430000000000"  # 湖南省: real county codes, synthetic areas below them
COUNTIES = (
    "430522000000",  # 新邵县
    "430523000000",  # 邵阳县
    "430524000000",  # 隆回县
    "430525000000",  # 洞口县
    "430527000000",  # 绥宁县
    "430528000000",  # 新宁县
    "430529000000",  # 城步苗族自治县
    "430581000000",  # 武冈市
)
TOWNSHIPS = 10
VILLAGES_PER_TOWNSHIP = 12
LEDGER_SHARE = 0.04  # of the list's rows: the ledger's children and their parents
ENDED_SHARE = 0.10  # of the households: assistance ended before AS_OF
KIND = "subsistence"
# PostgreSQL's work_mem for the import's own session, when set (e.g. 64MB): the
# matching's IN (SELECT …) lookups are hashed only when the list's ID numbers fit.
WORK_MEM = os.environ.get("BENCH_WORK_MEM", "")
# Any one statement of an import longer than this is cancelled (the phase fails and
# says so) rather than left running for hours.
STATEMENT_TIMEOUT = os.environ.get("BENCH_STATEMENT_TIMEOUT", "300s")
BENCH_USER = "bench_exchange_shengminzheng"
BENCH_NOTE = "基准测试：部门名单比对"
READ_REPEATS = 3
REPEATS = 3  # rounds of the phases: each phase's fastest counts, all are printed
GOAL_RATIO = 3.0
RESULT = "BENCH-RESULT "
HEADER = ["户主公民身份号码", "姓名", "公民身份号码", "开始日期", "结束日期"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
_GIVEN = "子涵欣怡梓轩浩宇一诺雨桐俊杰思远佳琪明轩晨曦嘉怡宇航诗涵博文语嫣建国秀英桂兰志强春花"


# --- In a child process: one phase. ----------------------------------------------------


def _django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["DEBUG"] = "0"
    os.environ["EXCHANGE_UPLOAD_DIR"] = str(FILES)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    import django

    django.setup()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _county_shares() -> list[int]:
    """How many children each county gets (they add up to CHILDREN)."""
    base, extra = divmod(CHILDREN, len(COUNTIES))
    return [base + (1 if i < extra else 0) for i in range(len(COUNTIES))]


def phase_setup() -> dict:
    """Migrate; the province's areas and user; whether the ledger can be reused
    (else it is emptied for the seeding processes)."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from bench.common import bench_areas
    from shouwang.accounts.models import Role, User
    from shouwang.registry.models import Child, ChildChange

    timings: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    villages = 0
    for county in COUNTIES:
        villages += len(bench_areas(county, TOWNSHIPS, VILLAGES_PER_TOWNSHIP))
    user = User.objects.filter(username=BENCH_USER).first() or User(username=BENCH_USER)
    user.full_name, user.role, user.area_id = "基准省民政", Role.CIVIL_AFFAIRS, PROVINCE
    user.is_active = True
    user.set_unusable_password()
    user.save()
    shares = _county_shares()
    same = Child.objects.count() == CHILDREN and all(
        Child.objects.filter(
            village_id__gte=county[:6], village_id__lt=f"{int(county[:6]) + 1}"
        ).count()
        == share
        for county, share in zip(COUNTIES, shares, strict=True)
    )
    if same and ChildChange.objects.filter(note=BENCH_NOTE).exists():
        timings["reused"] = True
    else:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_child RESTART IDENTITY CASCADE")
        timings["reused"] = False
    timings["villages"] = villages
    return timings


def phase_seed(index: int, count: int) -> dict:
    """One county's children (its own seed: ID numbers carry the county's code)."""
    _django()
    from django.db import transaction

    from shouwang.areas import codes
    from shouwang.areas.models import Area, AreaLevel
    from shouwang.demo.children import children_bulk_load, synthetic_children

    county = COUNTIES[index]
    low, high = codes.prefix_bounds(codes.prefix_of(county))
    villages = list(
        Area.objects.filter(
            level=AreaLevel.VILLAGE, code__gte=low, code__lte=high
        ).order_by("code")
    )
    started = time.perf_counter()
    with transaction.atomic():
        children_bulk_load(
            synthetic_children(villages, count, seed=SEED + index, as_of=AS_OF),
            note=BENCH_NOTE,
            batch_size=2000,
        )
    return {"seconds": time.perf_counter() - started, "children": count}


def phase_analyze() -> dict:
    _django()
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_child")
        cursor.execute("VACUUM ANALYZE registry_childchange")
    return {"seconds": time.perf_counter() - started}


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)


def _span(rng: random.Random) -> tuple[str, str]:
    """A household's 开始日期 and 结束日期 (empty while it lasts)."""
    start = date(2018, 1, 1) + timedelta(
        days=rng.randrange((AS_OF - date(2018, 1, 1)).days)
    )
    if rng.random() >= ENDED_SHARE or (AS_OF - start).days < 32:
        return start.isoformat(), ""
    end = start + timedelta(days=rng.randrange(30, (AS_OF - start).days))
    return start.isoformat(), end.isoformat()


def phase_build(path: str) -> dict:
    """Write the list: the ledger's households (father as head, mother, child) for
    about LEDGER_SHARE of the rows, households not in the ledger for the rest."""
    _django()
    import xlsxwriter

    from shouwang.core.idnumber import make_id_number
    from shouwang.registry.models import Child

    started = time.perf_counter()
    rng = random.Random(SEED)
    people = Child.objects.values_list(
        "id_number",
        "name",
        "father_id_number",
        "father_name",
        "mother_id_number",
        "mother_name",
        "guardian_id_number",
    ).order_by("pk")
    taken: set[str] = set()
    ledger = []
    for (
        child_id,
        name,
        father_id,
        father,
        mother_id,
        mother,
        guardian_id,
    ) in people.iterator(chunk_size=20000):
        taken.update(n for n in (child_id, father_id, mother_id, guardian_id) if n)
        if child_id and father_id and father:
            ledger.append((child_id, name, father_id, father, mother_id, mother))
    rng.shuffle(ledger)
    used: set[str] = set()
    households: list[list[list[str]]] = []
    counts = {
        "台账家庭": 0,
        "台账行": 0,
        "台账外家庭": 0,
        "台账外行": 0,
        "已结束家庭": 0,
    }
    wanted = int(LIST_ROWS * LEDGER_SHARE)
    for child_id, name, father_id, father, mother_id, mother in ledger:
        if counts["台账行"] >= wanted:
            break
        members = [(father_id, father), (child_id, name)]
        if mother_id and mother:
            members.insert(1, (mother_id, mother))
        if any(number in used for number, _ in members):
            continue  # a parent shared by two children of the ledger: once per list
        used.update(number for number, _ in members)
        start, end = _span(rng)
        counts["已结束家庭"] += bool(end)
        households.append([[father_id, n, number, start, end] for number, n in members])
        counts["台账家庭"] += 1
        counts["台账行"] += len(members)
    rows = counts["台账行"]
    sequence = 0
    first_born, days = date(1950, 1, 1), (date(2008, 1, 1) - date(1950, 1, 1)).days
    while rows < LIST_ROWS:
        area6 = rng.choice(COUNTIES)[:6]
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), LIST_ROWS - rows)
        members = []
        while len(members) < size:
            if members:  # spouse or child: born later than 1950, up to 2025
                born = first_born + timedelta(days=rng.randrange(days + 6200))
            else:
                born = first_born + timedelta(days=rng.randrange(days))
            sequence += 1
            number = make_id_number(
                area6, born, rng.randrange(500), male=rng.random() < 0.5
            )
            if number in taken or number in used:
                continue
            used.add(number)
            members.append((number, _name(rng)))
        start, end = _span(rng)
        counts["已结束家庭"] += bool(end)
        head = members[0][0]
        households.append([[head, n, number, start, end] for number, n in members])
        counts["台账外家庭"] += 1
        counts["台账外行"] += size
        rows += size
    rng.shuffle(households)
    book = xlsxwriter.Workbook(path + ".part", {"constant_memory": True})
    sheet = book.add_worksheet("低保名单")
    sheet.write_row(0, 0, HEADER)
    index = 0
    for household in households:
        for row in household:
            index += 1
            for column, value in enumerate(row):
                if value:
                    sheet.write_string(index, column, value)
    book.close()
    os.replace(path + ".part", path)
    return {"seconds": time.perf_counter() - started, "counts": counts}


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
    """No bench list, alert or measure left: every round matches afresh."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE exchange_alert, exchange_measure, exchange_departmentlist "
            "RESTART IDENTITY CASCADE"
        )
    shutil.rmtree(FILES, ignore_errors=True)


def _session() -> None:
    """The import session's statement_timeout, and its work_mem when given."""
    from django.db import connection

    settings = {"statement_timeout": STATEMENT_TIMEOUT, "work_mem": WORK_MEM}
    with connection.cursor() as cursor:
        for name, value in settings.items():
            if not value:
                continue
            if not re.fullmatch(r"[0-9]+(ms|s|min|kB|MB|GB)", value):
                raise SystemExit(f"{name}={value!r}：应为如 64MB、300s 的值")
            cursor.execute(f"SET {name} = '{value}'")


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
    from shouwang.exchange.lists import exchange_check, exchange_commit

    data, actor = Path(path).read_bytes(), _actor()
    if commit:
        _no_lists()
    _session()
    server = _server_cpu()
    started, cpu, cpu_children = time.perf_counter(), _cpu(), _children_cpu()
    plan = exchange_check(
        actor=actor,
        kind=KIND,
        data=data,
        filename=Path(path).name,
        area=PROVINCE,
        today=AS_OF,
    )
    checked = time.perf_counter()
    if plan.unusable or plan.error_count:
        return {
            "unusable": plan.unusable or "有被拒绝的行",
            "errors": [e.as_dict() for e in plan.errors[:5]],
        }
    result = {"rows": plan.total, "check_seconds": checked - started}
    if commit:
        sent = exchange_commit(actor=actor, plan=plan, listed_on=AS_OF, today=AS_OF)
        result["commit_seconds"] = time.perf_counter() - checked
        result["matched"] = sent.matched
        result["alerts"] = sent.alert_count
        result["measures"] = sent.measure_count
        if server is not None:
            result["server_cpu"] = _server_cpu() - server
    result["seconds"] = time.perf_counter() - started
    result["cpu"] = _cpu() - cpu
    result["reader_cpu"] = _children_cpu() - cpu_children
    return result


def _cancelled(path: str, *, commit: bool) -> dict:
    """_import, or why a statement was cancelled (statement_timeout)."""
    from django.db import DatabaseError

    try:
        return _import(path, commit=commit)
    except DatabaseError as error:
        # ledger_people's `finally: DROP TABLE` fails in the aborted transaction and
        # hides the timeout: look for it along the chain.
        cause: BaseException | None = error
        while cause is not None and "statement timeout" not in str(cause):
            cause = cause.__cause__ or cause.__context__
        if cause is None:
            raise
        return {"cancelled": str(cause).strip()[:300]}


def phase_check(path: str) -> dict:
    _django()
    return _cancelled(path, commit=False)


def phase_commit(path: str) -> dict:
    _django()
    result = _cancelled(path, commit=True)
    if "alerts" in result:
        from shouwang.exchange.models import Alert

        result["alert_fields"] = {
            f"{field}{proposed}": n
            for field, proposed, n in _grouped(Alert, "field", "proposed")
        }
    return result


def _grouped(model, *fields):
    from django.db.models import Count

    return (
        model.objects.order_by()
        .values_list(*fields)
        .annotate(n=Count("id"))
        .order_by(*fields)
    )


def phase_profile(path: str) -> dict:
    """cProfile of check + commit (to stderr)."""
    import cProfile
    import pstats

    _django()
    _no_lists()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = _import(path, commit=True)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    return {
        "seconds": time.perf_counter() - started,
        **{k: result.get(k, 0) for k in ("rows", "matched", "alerts", "measures")},
    }


PHASES = {
    "setup": phase_setup,
    "seed": phase_seed,
    "analyze": phase_analyze,
    "build": phase_build,
    "read": phase_read,
    "check": phase_check,
    "commit": phase_commit,
    "profile": phase_profile,
}


def child(argv: list[str]) -> int:
    name, args = argv[0], json.loads(argv[1])
    result = PHASES[name](*args)
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(RESULT + json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return 0


# --- In the parent: the database, the file, the phases in turn, the report. -----------


def _command(name: str, args) -> list[str]:
    return [sys.executable, __file__, "--phase", name, json.dumps(args)]


def _result(name: str, returncode: int, stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT)]
    if returncode or not lines:
        sys.stdout.write(stdout)
        raise SystemExit(f"阶段 {name} 失败（退出码 {returncode}）")
    return json.loads(lines[-1][len(RESULT) :])


def run_phase(name: str, *args) -> dict:
    """Run one phase in a fresh interpreter; its JSON result, with the wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        _command(name, args), stdout=subprocess.PIPE, text=True, cwd=ROOT, check=False
    )
    result = _result(name, done.returncode, done.stdout)
    result["wall"] = time.perf_counter() - started
    if result.get("unusable"):
        print(json.dumps(result, ensure_ascii=False, indent=2))
        raise SystemExit(f"阶段 {name}：名单不应有被拒绝的行")
    if result.get("cancelled"):
        raise SystemExit(
            f"阶段 {name}：有一条查询超过 {STATEMENT_TIMEOUT}（BENCH_STATEMENT_TIMEOUT）"
            f"被取消：{result['cancelled']}。服务器的 work_mem 放不下名单的全部身份号码时，"
            "matching.ledger_people 的 IN (SELECT …) 不能散列、逐行重扫（数小时）；"
            "可设 BENCH_WORK_MEM=64MB 重测。"
        )
    return result


def seed() -> float:
    """The counties' children, one process per county, as many at once as CPUs."""
    started = time.perf_counter()
    pending = list(enumerate(_county_shares()))
    running: list[tuple[str, subprocess.Popen]] = []
    while pending or running:
        while pending and len(running) < (os.cpu_count() or 1):
            index, count = pending.pop(0)
            process = subprocess.Popen(
                _command("seed", [index, count]),
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            running.append((f"seed {COUNTIES[index]}", process))
        name, process = running.pop(0)
        stdout, _ = process.communicate()
        _result(name, process.returncode, stdout)
    run_phase("analyze")
    return time.perf_counter() - started


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
    path = WORK / f"subsistence-{SEED}-{AS_OF:%Y%m%d}-{CHILDREN}-{LIST_ROWS}.xlsx"
    if path.exists():
        return path, None
    return path, run_phase("build", str(path))


def _seconds(values) -> str:
    return "、".join(f"{s:.2f}" for s in values)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def ledger() -> tuple[dict, float | None]:
    setup = run_phase("setup")
    return setup, None if setup["reused"] else seed()


def profile() -> int:
    from bench.common import ensure_database

    ensure_database(BENCH_URL)
    ledger()
    path, _ = list_file()
    subprocess.run(_command("profile", [str(path)]), cwd=ROOT, check=True)
    return 0


def main() -> int:
    from bench.common import ensure_database

    print(
        "R10 低保名单比对基准：导入（检查 + 比对 + 写入）vs 只用 python-calamine 读取"
    )
    created = ensure_database(BENCH_URL)
    for key, value in machine():
        print(f"  {cell(key, 11)}{value}")
    print(f"  {cell('负载', 11)}开始时 load average {load()}")
    if WORK_MEM:
        print(
            f"  {cell('work_mem', 11)}导入进程的会话设为 {WORK_MEM}（BENCH_WORK_MEM；"
            "服务器默认值见上）"
        )
    setup, seeded = ledger()
    print(
        f"  PostgreSQL 数据库 {urlsplit(BENCH_URL).path.lstrip('/')}："
        + ("本次新建，" if created else "")
        + (
            "沿用已有的台账"
            if seeded is None
            else f"生成台账 {CHILDREN:,} 名儿童（{seeded:.1f} 秒，每县一个进程）"
        )
        + f"；{len(COUNTIES)} 个县（湖南省 {PROVINCE[:2]}），每县 {TOWNSHIPS} 个乡镇，"
        f"共 {setup['villages']} 个村"
    )
    path, built = list_file()
    size = path.stat().st_size / 1024 / 1024
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"  文件：{shown}，{LIST_ROWS:,} 行 × {len(HEADER)} 列，{size:.1f} MiB"
        + (
            f"（本次生成，用时 {built['seconds']:.1f} 秒；{built['counts']}）"
            if built
            else "（沿用已生成的同一文件）"
        )
    )
    reads, checks, commits = [], [], []
    for _ in range(REPEATS):  # in rounds: a busy spell slows every phase alike
        reads.append(run_phase("read", str(path)))
        checks.append(run_phase("check", str(path)))
        commits.append(run_phase("commit", str(path)))
    read, check, commit = (
        min(runs, key=lambda r: r["seconds"]) for runs in (reads, checks, commits)
    )
    print()
    bare = read["seconds"]
    headers = ("行数", "秒", "CPU秒", "×裸读", "峰值内存MiB")
    print(cell("阶段", 46) + "".join(cell(h, 12, right=True) for h in headers))
    phases = (
        ("python-calamine 读取（裸读，下限）", read),
        ("试导入 exchange_check", check),
        ("导入 exchange_check + exchange_commit", commit),
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
    print(
        f"每个阶段三轮取最快：裸读 {_seconds(r['seconds'] for r in reads)}"
        "（每轮三次取最快），"
        f"试导入 {_seconds(r['seconds'] for r in checks)}，"
        f"导入 {_seconds(r['seconds'] for r in commits)} 秒。"
        "每个阶段在自己的子进程里：秒为墙钟时间，CPU秒为该进程的 CPU 时间"
        "（不含读取子进程和 PostgreSQL 服务器）；"
        f"读取子进程的 CPU：试导入 {check['reader_cpu']:.2f} 秒，"
        f"导入 {commit['reader_cpu']:.2f} 秒。"
    )
    print(
        f"导入：检查 {commit['check_seconds']:.2f} 秒 + 比对写入 "
        f"{commit['commit_seconds']:.2f} 秒"
        + (
            f"（PostgreSQL 服务器进程 CPU {commit['server_cpu']:.2f} 秒）"
            if "server_cpu" in commit
            else ""
        )
        + f"。比对到台账的行 {commit['matched']:,}，比对提示 {commit['alerts']:,}"
        f"（{commit['alert_fields']}），帮扶措施 {commit['measures']:,}。"
    )
    ratio = commit["seconds"] / bare
    if read["seconds"] > 1.15 * read["cpu"]:
        print(
            f"注意：裸读的墙钟时间（{read['seconds']:.2f} 秒）比它的 CPU 时间"
            f"（{read['cpu']:.2f} 秒）多出 15% 以上，机器正忙（与别的进程抢 CPU），"
            "下面的比值不可靠，请在空闲时重测。"
        )
    print(
        f"\n目标：导入 ≤ {GOAL_RATIO:.0f}× 裸读（PostgreSQL）："
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
