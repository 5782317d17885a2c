"""Benchmark R4: the visit worklists (我的待走访 and the overdue rates) on a large ledger.

Seeds 100,000 synthetic children (shouwang.demo.children, as bench/child_list.py does)
in one county of 24 townships × 24 villages (~170 children a village) and 1,000,000
visits (ten per child, one INSERT … SELECT over generate_series inside PostgreSQL),
then sets each child's last visit and next due date from its visits in one UPDATE
(last visit + the child's interval: policy.next_visit_due without follow-ups), and
VACUUM ANALYZE. For each scenario it compares, over the same repetitions:

- the view: Django test Client GET with force_login, timed around the request (the
  whole server side: middleware, session, selector, queries, template; no network);
- the bare SQL: the queries the request ran on the ledger (registry_child and the area
  names), captured from the view, run again with a raw cursor.

Prints p50/p95/max of both and their ratio, whether the goal (view p95 < 200 ms) is
met, and EXPLAIN (ANALYZE, BUFFERS) of each scenario's main query.

    .venv/bin/python bench/visits.py
    BENCH_REPS=30 .venv/bin/python bench/visits.py
    BENCH_WHATIF=1 .venv/bin/python bench/visits.py   # also with a candidate index

The database (BENCH_DATABASE_URL, default shouwang_bench_visits on 127.0.0.1) is
created and migrated when missing and reused when it already holds the same data.
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shouwang_bench_visits"
)
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))
VISITS_PER_CHILD = 10
REPS = int(os.environ.get("BENCH_REPS", "100"))
WARMUP = 5
GOAL_MS = 200.0
SEED = 20264
COUNTY = "430524000000"  # 隆回县: the real county code, synthetic areas below it
TOWNSHIPS = 24
VILLAGES_PER_TOWNSHIP = 24
BENCH_NOTE = "基准测试数据：程序生成的虚构儿童（走访）"
# BENCH_WHATIF=1 measures again with this candidate index, created inside a
# transaction that is rolled back: the migrations are not touched.
WHATIF = os.environ.get("BENCH_WHATIF", "") not in ("", "0")
CANDIDATE_INDEXES = (
    "CREATE INDEX whatif_active_due_order ON registry_child"
    " (next_visit_due, village_id, name_pinyin, id) WHERE status = 'active'",
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
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shouwang.accounts.models import Role, User  # noqa: E402
from shouwang.areas import codes  # noqa: E402
from shouwang.areas.models import Area  # noqa: E402
from shouwang.demo.children import children_bulk_load, synthetic_children  # noqa: E402
from shouwang.registry.models import Child, ChildStatus  # noqa: E402
from shouwang.visits.models import Visit  # noqa: E402

# Ten visits per child, one interval apart, the latest a random 0–1.2 intervals ago
# (children in no category: every 90 days), so that about one child in six is
# overdue; a fixed seed gives the same visits every time.
VISITS_SQL = """
INSERT INTO visits_visit (
    created_at, updated_at, child_id, village_id, visit_date, mode, visitors, met,
    guardianship, guardianship_note, living, living_note, study, study_note,
    safety, safety_note, emotion, emotion_note, problems, measures,
    followup_needed, followup_due, recorded_by_id
)
SELECT now(), now(), c.id, c.village_id,
       current_date - (c.lag + (g - 1) * c.iv),
       (ARRAY['入户', '入户', '入户', '电话', '视频', '在校'])[1 + mod(c.id + g, 6)],
       '儿童主任', '祖父母',
       '正常', '', '正常', '', CASE WHEN mod(g, 7) = 0 THEN '需关注' ELSE '正常' END, '',
       '正常', '', '正常', '', '', '', false, NULL, %s
FROM (
    SELECT id, village_id, coalesce(visit_interval_days, 90) AS iv,
           floor(random() * 1.2 * coalesce(visit_interval_days, 90))::int AS lag
    FROM registry_child
) c
CROSS JOIN generate_series(1, %s) AS g
"""
SCHEDULE_SQL = """
UPDATE registry_child c
SET last_visit_date = v.last,
    visit_followup_due = NULL,
    next_visit_due = CASE
        WHEN c.visit_interval_days IS NULL THEN NULL
        ELSE v.last + c.visit_interval_days
    END
FROM (
    SELECT child_id, max(visit_date) AS last FROM visits_visit GROUP BY child_id
) v
WHERE v.child_id = c.id
"""


def bench_areas() -> list[Area]:
    """One county with TOWNSHIPS townships of VILLAGES_PER_TOWNSHIP villages each."""
    return common.bench_areas(COUNTY, TOWNSHIPS, VILLAGES_PER_TOWNSHIP)


def user(username: str, role: str, area_id: str, name: str) -> User:
    found = User.objects.filter(username=username).first() or User(username=username)
    found.full_name, found.role, found.area_id = name, role, area_id
    found.is_active = True
    found.set_unusable_password()
    found.save()
    return found


def seed() -> dict[str, float]:
    """Migrate, and seed the children and visits unless the database holds them."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    villages = bench_areas()
    recorder = user("bench_luru", Role.CIVIL_AFFAIRS, COUNTY, "基准录入")
    if (
        Child.objects.count() == CHILDREN
        and Visit.objects.count() == CHILDREN * VISITS_PER_CHILD
        and Child.objects.filter(last_visit_date__isnull=False).count() == CHILDREN
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
    timings["children"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(VISITS_SQL, [recorder.pk, VISITS_PER_CHILD])
    timings["visits"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SCHEDULE_SQL)
    timings["schedule"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("registry_child", "registry_childchange", "visits_visit"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


def ledger_queries(captured: CaptureQueriesContext) -> list[str]:
    """The request's queries on the ledger: children and area names (not the session,
    the user or the messages)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if '"registry_child"' in q["sql"] or '"areas_area"' in q["sql"]
    ]


def main_query(queries: list[str]) -> str:
    """The scenario's main query: the page of children, or the grouped counts."""
    for sql in queries:
        if "GROUP BY" in sql or ("LIMIT" in sql and '"registry_child"' in sql):
            return sql
    return queries[0]


def measure(client: Client, url: str) -> dict:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = ledger_queries(captured)
    count = len(captured.captured_queries)
    view = []
    for _ in range(REPS):
        started = time.perf_counter()
        response = client.get(url)
        view.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200
    sql = []
    with connection.cursor() as cursor:
        for _ in range(WARMUP):
            for statement in queries:
                cursor.execute(statement)
                cursor.fetchall()
        for _ in range(REPS):
            started = time.perf_counter()
            for statement in queries:
                cursor.execute(statement)
                cursor.fetchall()
            sql.append((time.perf_counter() - started) * 1000)
    return {
        "view": percentiles(view),
        "sql": percentiles(sql),
        "queries": count,
        "ledger_queries": queries,
        "main": main_query(queries),
    }


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def table(results: list[tuple[str, str, dict]]) -> float:
    """Print the side-by-side table; return the slowest view p95."""
    columns = ("视图p50", "视图p95", "视图max", "SQLp50", "SQLp95", "SQLmax")
    print(
        cell("场景", 34)
        + "".join(cell(c, 9, right=True) for c in columns)
        + cell("比值", 7, right=True)
        + cell("查询数", 12, right=True)
    )
    worst = 0.0
    for label, _, r in results:
        (v50, v95, vmax), (s50, s95, smax) = r["view"], r["sql"]
        worst = max(worst, v95)
        print(
            cell(label, 34)
            + "".join(
                cell(f"{n:.1f}", 9, right=True)
                for n in (v50, v95, vmax, s50, s95, smax)
            )
            + cell(f"{v95 / s95:.1f}", 7, right=True)
            + cell(f"{len(r['ledger_queries'])}/{r['queries']}", 12, right=True)
        )
    print(
        "比值 = 视图 p95 / SQL p95；SQL = 该请求在台账上执行的查询（儿童表、区划名称），"
        "原样用游标依次执行；查询数 = 台账查询 / 请求的全部查询。"
    )
    print(
        f"目标（服务器端 p95 < {GOAL_MS:.0f} ms）：{'达成' if worst < GOAL_MS else '未达成'}"
        f"（最慢场景视图 p95 = {worst:.1f} ms）\n"
    )
    return worst


def scenarios() -> list[tuple[str, str, User]]:
    """A director of a village of about 170 active children, a township supervisor
    and the county's civil-affairs user."""
    target = CHILDREN // (TOWNSHIPS * VILLAGES_PER_TOWNSHIP)
    sizes = (
        Child.objects.filter(status=ChildStatus.ACTIVE)
        .values_list("village_id")
        .annotate(n=Count("pk"))
    )
    village, _ = min(sizes, key=lambda row: (abs(row[1] - target), row[0]))
    township = village[:9] + "000"
    county = user("bench_xian", Role.CIVIL_AFFAIRS, COUNTY, "基准县民政")
    return [
        (
            "儿童主任 我的待走访 /visits/due/",
            "/visits/due/",
            user("bench_zhuren", Role.DIRECTOR, village, "基准儿童主任"),
        ),
        (
            "督导员 逾期率（按村）",
            "/visits/overdue/",
            user("bench_dudao", Role.SUPERVISOR, township, "基准督导员"),
        ),
        ("县民政 逾期率（按乡镇）", "/visits/overdue/", county),
        ("县民政 我的待走访（全县）", "/visits/due/", county),
    ]


def run(plan) -> list[tuple[str, str, dict]]:
    results = []
    for label, url, viewer in plan:
        client = Client()
        client.force_login(viewer)
        results.append((label, url, measure(client, url)))
    return results


def describe(plan) -> None:
    today = timezone.localdate()
    for label, _, viewer in plan:
        low, high = codes.prefix_bounds(codes.prefix_of(viewer.area_id))
        children = Child.objects.filter(
            status=ChildStatus.ACTIVE, village_id__gte=low, village_id__lte=high
        )
        overdue = children.filter(next_visit_due__lt=today).count()
        print(
            f"  {label}：{viewer.area.name}（{viewer.area_id}），"
            f"在册 {children.count():,} 名，逾期 {overdue:,} 名"
        )


def main() -> int:
    print("R4 走访工作清单基准：我的待走访与走访逾期率（视图 vs 同一请求的裸 SQL）")
    for key, value in machine():
        print(f"  {key:<11}{value}")
    timings = seed()
    if created:
        print(f"  已新建数据库 {urlsplit(BENCH_URL).path.lstrip('/')}")
    if "reused" in timings:
        print(f"  数据：沿用已有数据（迁移检查 {timings['migrate']:.1f} 秒）")
    else:
        print(
            f"  数据：新生成 {CHILDREN:,} 名儿童及其历史 {timings['children']:.1f} 秒；"
            f"{CHILDREN * VISITS_PER_CHILD:,} 条走访（INSERT … SELECT）"
            f"{timings['visits']:.1f} 秒；按走访设置最近走访和下次走访日期（一条 UPDATE）"
            f"{timings['schedule']:.1f} 秒；VACUUM ANALYZE {timings['vacuum_analyze']:.1f} 秒"
        )
    print(
        f"  分布：1 个县（{COUNTY}），{TOWNSHIPS} 个乡镇，"
        f"{TOWNSHIPS * VILLAGES_PER_TOWNSHIP} 个村；registry_child "
        f"{Child.objects.count():,} 行，visits_visit {Visit.objects.count():,} 行"
    )
    plan = scenarios()
    describe(plan)
    print(f"  每个场景：预热 {WARMUP} 次，计时 {REPS} 次；单位毫秒（ms）\n")
    results = run(plan)
    table(results)
    for label, url, r in results:
        print(f"== {label}  GET {url}")
        for sql in r["ledger_queries"]:
            marker = "主查询" if sql == r["main"] else "其他"
            print(f"  [{marker}] {sql}")
        print("  主查询 EXPLAIN (ANALYZE, BUFFERS)：")
        print(explain(r["main"]))
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
            whatif = run(plan)
            table(whatif)
            for label, _, r in whatif:
                print(f"== {label}")
                print(explain(r["main"]))
            transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
