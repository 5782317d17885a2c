"""Benchmark R2: the child list (儿童信息库) as a county civil-affairs user sees it.

Seeds 100,000 synthetic children (shouwang.demo.children, bulk_create) into a dedicated
PostgreSQL database spread over one county of many townships and villages, then for each
scenario (filters, a name search) compares, over the same repetitions:

- the view: Django test Client GET /children/?… with force_login, timed with
  time.perf_counter around the request (the whole server side: middleware, session,
  selector, queries, template; no network);
- the bare SQL: the page query and the count query the selector produced for that
  request (captured from the view, so exactly its SQL), run with a raw cursor.

Prints p50/p95/max of both, the ratio view p95 / SQL p95, whether the goal (p95 of the
server time under 300 ms) is met, and EXPLAIN (ANALYZE, BUFFERS) of the bare queries.

    make bench                       # or: .venv/bin/python bench/child_list.py
    BENCH_CHILDREN=20000 BENCH_REPS=30 .venv/bin/python bench/child_list.py
    BENCH_WHATIF=1 .venv/bin/python bench/child_list.py   # also with candidate indexes

The database (BENCH_DATABASE_URL, default shouwang_bench on 127.0.0.1) is created and
migrated when missing and reused when it already holds the same number of children.
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shouwang_bench"
)
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))
REPS = int(os.environ.get("BENCH_REPS", "100"))
WARMUP = 5
GOAL_MS = 300.0
SEED = 20260
COUNTY = "430524000000"  # 隆回县: the real county code, synthetic areas below it
TOWNSHIPS = 24
VILLAGES_PER_TOWNSHIP = 24
BENCH_NOTE = "基准测试数据：程序生成的虚构儿童"
BENCH_USER = "bench_xianminzheng"
# BENCH_WHATIF=1 measures again with these candidate indexes (PostgreSQL DDL), created
# inside a transaction that is rolled back: the registry's migrations are not touched.
WHATIF = os.environ.get("BENCH_WHATIF", "") not in ("", "0")
_FLAGS = "is_orphan, is_de_facto_unsupported, is_left_behind, is_in_difficulty"
CANDIDATE_INDEXES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX whatif_name_pattern ON registry_child (name varchar_pattern_ops)",
    "CREATE INDEX whatif_pinyin_pattern ON registry_child"
    " (name_pinyin varchar_pattern_ops)",
    "CREATE INDEX whatif_initials_pattern ON registry_child"
    " (name_initials varchar_pattern_ops)",
    "CREATE INDEX whatif_name_trgm ON registry_child USING gin (name gin_trgm_ops)",
    "CREATE INDEX whatif_status_risk_flags ON registry_child"
    f" (status, risk_level, village_id) INCLUDE ({_FLAGS})",
    "CREATE INDEX whatif_status_village_flags ON registry_child"
    f" (status, village_id) INCLUDE ({_FLAGS})",
)

os.environ["DATABASE_URL"] = BENCH_URL
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")


from bench import common  # noqa: E402
from bench.common import cell, ensure_database, machine, percentiles  # noqa: E402

created = ensure_database(BENCH_URL)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shouwang.accounts.models import Role, User  # noqa: E402
from shouwang.areas import codes  # noqa: E402
from shouwang.areas.models import Area, AreaLevel  # noqa: E402
from shouwang.demo.children import children_bulk_load, synthetic_children  # noqa: E402
from shouwang.registry.models import Child, ChildChange  # noqa: E402


def bench_areas() -> list[Area]:
    """One county with TOWNSHIPS townships of VILLAGES_PER_TOWNSHIP villages each."""
    return common.bench_areas(COUNTY, TOWNSHIPS, VILLAGES_PER_TOWNSHIP)


def seed() -> dict[str, float]:
    """Migrate, and seed CHILDREN children unless the database already holds them."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    villages = bench_areas()
    low, high = codes.prefix_bounds(codes.prefix_of(COUNTY))
    present = Child.objects.filter(village_id__gte=low, village_id__lte=high)
    if (
        present.count() == CHILDREN == Child.objects.count()
        and ChildChange.objects.filter(note=BENCH_NOTE).exists()
    ):
        timings["reused"] = 1
        return timings
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_child RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    with transaction.atomic():
        children_bulk_load(
            synthetic_children(villages, CHILDREN, seed=SEED),
            note=BENCH_NOTE,
            batch_size=2000,
        )
    timings["seed"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_child")
        cursor.execute("VACUUM ANALYZE registry_childchange")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


def viewer() -> User:
    user = User.objects.filter(username=BENCH_USER).first() or User(username=BENCH_USER)
    user.full_name, user.role, user.area_id = "基准县民政", Role.CIVIL_AFFAIRS, COUNTY
    user.is_active = True
    user.set_unusable_password()
    user.save()
    return user


def scenarios() -> list[tuple[str, dict[str, str]]]:
    township = f"{COUNTY[:6]}{100 + TOWNSHIPS // 2:03d}000"
    # A name a worker would type: the full name of a child in the middle of the table.
    middle = Child.objects.order_by("pk")[CHILDREN // 2]
    numbered = Child.objects.exclude(id_number=None).order_by("pk")[CHILDREN // 3]
    return [
        ("默认列表（全部在册，按拼音）", {}),
        ("类别=农村留守儿童 + 风险=中", {"category": "农村留守儿童", "risk": "中"}),
        ("类别=孤儿", {"category": "孤儿"}),
        ("区划=一个乡镇 + 年龄段6-11岁", {"area": township, "age_band": "6-11"}),
        (f"姓名搜索：{middle.name}", {"q": middle.name}),
        (f"拼音首字母搜索：{middle.name_initials}", {"q": middle.name_initials}),
        (
            "类别=农村留守儿童 + 风险=中 + 姓氏搜索",
            {"category": "农村留守儿童", "risk": "中", "q": middle.name[0]},
        ),
        # As a worker reads it off the list: the masked number shows the last four.
        (
            f"身份号码后四位搜索：{numbered.id_number[-4:]}",
            {"q": numbered.id_number[-4:]},
        ),
        (
            f"身份号码后六位搜索：{numbered.id_number[-6:]}",
            {"q": numbered.id_number[-6:]},
        ),
        ("默认列表第 1000 页（页码翻页）", {"page": "1000"}),
        ("默认列表末页", {"page": "last"}),
    ]


def child_queries(captured: CaptureQueriesContext) -> tuple[list[str], str]:
    """The page's queries and the count query the view ran on registry_child. A page
    is one query, or two past the first rows (the keys, then those rows: core.paging)."""
    pages, count = [], ""
    for query in captured.captured_queries:
        sql = query["sql"]
        if 'FROM "registry_child"' not in sql or "registry_childchange" in sql:
            continue
        if "COUNT(*)" in sql:
            count = sql
        elif sql.lstrip().startswith("SELECT"):
            pages.append(sql)
    if not pages or not count:
        raise SystemExit(
            "没有找到列表页的分页查询和计数查询：selector 的查询形状变了？"
        )
    return pages, count


def measure(client: Client, params: dict[str, str]) -> dict:
    for _ in range(WARMUP):
        response = client.get("/children/", params)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/children/", params)
    page_sqls, count_sql = child_queries(captured)
    queries = len(captured.captured_queries)  # each request resets the query log
    view = []
    for _ in range(REPS):
        started = time.perf_counter()
        response = client.get("/children/", params)
        view.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200
    sql = []
    with connection.cursor() as cursor:
        for _ in range(WARMUP):
            for page_sql in page_sqls:
                cursor.execute(page_sql)
                cursor.fetchall()
        for _ in range(REPS):
            started = time.perf_counter()
            for page_sql in page_sqls:
                cursor.execute(page_sql)
                rows = cursor.fetchall()
            cursor.execute(count_sql)
            total = cursor.fetchone()[0]
            sql.append((time.perf_counter() - started) * 1000)
    return {
        "view": percentiles(view),
        "sql": percentiles(sql),
        "rows": len(rows),
        "total": total,
        "queries": queries,
        "page_sqls": page_sqls,
        "count_sql": count_sql,
    }


def short(sql: str) -> str:
    """The SQL with its long column list elided, for reading."""
    head, sep, tail = sql.partition(' FROM "registry_child"')
    columns = head.count(",") + 1
    return f"SELECT …（{columns} 列）{sep}{tail}" if sep else sql


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def table(results: list[tuple[str, dict, dict]]) -> float:
    """Print the side-by-side table; return the slowest view p95."""
    columns = ("匹配", "视图p50", "视图p95", "视图max", "SQLp50", "SQLp95", "SQLmax")
    print(
        cell("场景", 40)
        + "".join(cell(c, 9, right=True) for c in columns)
        + cell("比值", 7, right=True)
        + cell("查询数", 8, right=True)
    )
    worst = 0.0
    for label, _, r in results:
        (v50, v95, vmax), (s50, s95, smax) = r["view"], r["sql"]
        worst = max(worst, v95)
        print(
            cell(label, 40)
            + cell(f"{r['total']:,}", 9, right=True)
            + "".join(
                cell(f"{n:.1f}", 9, right=True)
                for n in (v50, v95, vmax, s50, s95, smax)
            )
            + cell(f"{v95 / s95:.1f}", 7, right=True)
            + cell(str(r["queries"]), 8, right=True)
        )
    print(
        "比值 = 视图 p95 / SQL p95；SQL = 选择器为该页生成的分页查询 + 计数查询，"
        "原样用游标执行。"
    )
    print(
        f"目标（服务器端 p95 < {GOAL_MS:.0f} ms）：{'达成' if worst < GOAL_MS else '未达成'}"
        f"（最慢场景视图 p95 = {worst:.1f} ms）\n"
    )
    return worst


def run(client: Client) -> list[tuple[str, dict, dict]]:
    return [(label, params, measure(client, params)) for label, params in scenarios()]


def main() -> int:
    print("R2 儿童列表基准：县级民政干部看到的儿童信息库（视图 vs 同一页的裸 SQL）")
    for key, value in machine():
        print(f"  {key:<11}{value}")
    timings = seed()
    if created:
        print(f"  已新建数据库 {urlsplit(BENCH_URL).path.lstrip('/')}")
    if "reused" in timings:
        print(
            f"  数据：沿用已有的 {CHILDREN:,} 名儿童"
            f"（迁移检查 {timings['migrate']:.1f} 秒）"
        )
    else:
        print(
            f"  数据：新生成 {CHILDREN:,} 名儿童及其历史记录，用时 {timings['seed']:.1f} 秒"
            f"（{CHILDREN / timings['seed']:,.0f} 名/秒；迁移 {timings['migrate']:.1f} 秒，"
            f"VACUUM ANALYZE {timings['vacuum_analyze']:.1f} 秒）"
        )
    villages = Area.objects.filter(
        level=AreaLevel.VILLAGE, code__startswith=COUNTY[:6]
    ).count()
    print(
        f"  分布：1 个县（{COUNTY}），{TOWNSHIPS} 个乡镇，{villages} 个村；"
        f"registry_child {Child.objects.count():,} 行，"
        f"registry_childchange {ChildChange.objects.count():,} 行"
    )
    print(f"  每个场景：预热 {WARMUP} 次，计时 {REPS} 次；单位毫秒（ms）\n")

    client = Client()
    client.force_login(viewer())
    results = run(client)
    table(results)
    for label, params, r in results:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        print(f"== {label}  GET /children/?{query}")
        print("  分页查询：")
        for page_sql in r["page_sqls"]:
            print(f"    {short(page_sql)}")
            print(explain(page_sql))
        print("  计数查询：")
        print(explain(r["count_sql"]))
        print()

    if WHATIF:
        print("== 假设：加上候选索引后（在一个事务里建索引、测量、回滚，数据库不变）")
        for statement in CANDIDATE_INDEXES:
            print(f"  {statement}")
        print()
        with transaction.atomic():
            with connection.cursor() as cursor:
                for statement in CANDIDATE_INDEXES:
                    cursor.execute(statement)
                cursor.execute("ANALYZE registry_child")
            table(run(client))
            transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
