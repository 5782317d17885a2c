"""Benchmark R7: a police unit's inbox and a county's supervision (督办) list over
100,000 protection cases and 300,000 referrals on PostgreSQL.

Seeds, inside PostgreSQL (INSERT … SELECT over generate_series, a fixed random seed):
BENCH_CASES cases reported over three years, half of them in the measured county
(430524, 24 townships × 24 villages, as bench/visits.py) and the rest in nine other
real counties; 1% waiting for the police (reported in the last two days: about half
overdue), 1% accepted, 2% assessed, 6% referred and 90% closed; 8% 敏感 and 3% 高度敏感
(the county's police and civil-affairs users named handlers of the county's 高度敏感
cases, as services.report_file does). BENCH_REFERRALS referrals spread over the
referred and closed cases, to the five member units (a referred case's pending —
30% of those sent in the last 30 days, 2% of older ones — accepted or answered; a
closed case's all answered). Then VACUUM ANALYZE.

For each scenario it times, over the same repetitions:
- the selectors as the pages call them: (a) the police inbox — police_inbox_for's
  count and its first INBOX_SHOWN rows (what /protection/inbox/ shows); (b) the
  county supervision list — supervision_for (every overdue item, up to 500) and
  supervision_count_for (the navigation's number);
- the bare SQL: the same rows by hand-written queries (checked equal to the
  selectors' rows), run with a raw cursor;
- and, when the pages answer, the whole server side of GET /protection/inbox/ and
  /protection/supervision/ (Django test Client, force_login).
Prints p50/p95/max, the ratio, whether the goal (p95 ≤ 200 ms) is met, and EXPLAIN
(ANALYZE, BUFFERS) of the selectors' queries.

    .venv/bin/python bench/protection.py
    BENCH_REPS=30 .venv/bin/python bench/protection.py
    BENCH_CASES=10000 BENCH_REFERRALS=30000 .venv/bin/python bench/protection.py

The database (BENCH_DATABASE_URL, default shouwang_bench_protection on 127.0.0.1) is
created and migrated when missing and reused when it already holds the same data.
"""

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/shouwang_bench_protection",
)
CASES = int(os.environ.get("BENCH_CASES", "100000"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "300000"))
REPS = int(os.environ.get("BENCH_REPS", "100"))
WARMUP = 5
GOAL_MS = 200.0
COUNTY = "430524000000"  # 隆回县: the measured county, synthetic areas below it
OTHER_COUNTIES = 9
TOWNSHIPS = 24
VILLAGES_PER_TOWNSHIP = 24
BENCH_MARK = "基准测试数据"

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
from django.utils import timezone  # noqa: E402

from shouwang.accounts.models import Role, Unit, User  # noqa: E402
from shouwang.areas import codes  # noqa: E402
from shouwang.areas.models import Area, AreaLevel  # noqa: E402
from shouwang.protection import selectors  # noqa: E402
from shouwang.protection.models import Case, CaseHandler, Referral  # noqa: E402
from shouwang.protection.views.cases import INBOX_SHOWN  # noqa: E402

# One row per case; `s` draws the state, `r` the sensitivity, `k` the county. The
# state decides when the case was reported and which steps it has taken.
CASES_SQL = """
INSERT INTO protection_case (
    created_at, updated_at, number, county_id, area_id, status, sensitivity, version,
    situation, urgency, found_at, found_place, observed, child_id, child_name,
    child_sex, child_age, child_description, channel, reporter_id, reporter_name,
    reporter_unit, reporter_contact, anonymous, entered_by_id, reported_at,
    police_decision, police_reason, police_decided_at, police_decided_by_id,
    police_due_at, feedback_note, feedback_at, feedback_by_id, feedback_due_at, risk,
    needs, safety_plan, assessed_at, assessed_by_id, assessment_due_at, outcome,
    outcome_note, closed_at, closed_by_id, escalated_at
)
SELECT
    t.reported_at, t.reported_at,
    substr(t.county, 1, 6) || '-' || to_char(t.reported_at, 'YYYYMMDD') || '-'
        || lpad(t.g::text, 7, '0'),
    t.county, t.area, t.status, t.sensitivity, 1,
    (ARRAY['living_alone', 'guardian_failing', 'violence', 'abandoned',
           'out_of_school', 'other_serious', 'begging', 'missing', 'no_hukou',
           'abnormal_harm'])[1 + t.g %% 10],
    (ARRAY['normal', 'urgent', 'critical'])[1 + t.g %% 3],
    t.reported_at - interval '3 hours', %(mark)s, '孩子一个人在家，三天没有大人回来。',
    NULL, '儿童' || t.g, CASE WHEN t.g %% 2 = 0 THEN '男' ELSE '女' END, 3 + t.g %% 14,
    '', 'online', NULL, '报告人' || t.g %% 1000, '某村儿童主任', '13800000000', false,
    NULL, t.reported_at,
    CASE WHEN t.decided THEN 'accepted' ELSE '' END, '',
    CASE WHEN t.decided THEN t.reported_at + interval '5 hours' END, NULL,
    CASE WHEN NOT t.decided THEN t.reported_at + interval '24 hours' END,
    CASE WHEN t.answered THEN '已告知报告单位' ELSE '' END,
    CASE WHEN t.answered THEN t.reported_at + interval '1 day' END, NULL,
    CASE WHEN t.decided AND NOT t.answered THEN t.reported_at + interval '77 hours' END,
    CASE WHEN t.assessed THEN 'medium' ELSE '' END,
    CASE WHEN t.assessed THEN '["guardianship"]' ELSE '[]' END::jsonb,
    CASE WHEN t.assessed THEN '由祖母临时照料。' ELSE '' END,
    CASE WHEN t.assessed THEN t.reported_at + interval '2 days' END, NULL,
    CASE WHEN NOT t.assessed AND t.status <> 'closed'
         THEN t.reported_at + interval '3 days' END,
    CASE WHEN t.status = 'closed' THEN 'resolved' ELSE '' END,
    CASE WHEN t.status = 'closed' THEN '风险已消除' ELSE '' END,
    t.closed_at, NULL, NULL
FROM (
    SELECT g, county, area, status, sensitivity, reported_at,
           status <> 'reported' AS decided,
           status IN ('assessed', 'referred', 'closed') AS answered,
           status IN ('assessed', 'referred', 'closed') AS assessed,
           CASE WHEN status = 'closed'
                THEN least(reported_at + (5 + 85 * q) * interval '1 day',
                           now() - interval '1 hour') END AS closed_at
    FROM (
        SELECT g, q,
               CASE WHEN k < 0.5 THEN %(county)s
                    ELSE (%(others)s::text[])[1 + g %% cardinality(%(others)s::text[])]
               END AS county,
               CASE WHEN k < 0.5
                    THEN (%(villages)s::text[])[1 + g %% cardinality(%(villages)s::text[])]
                    ELSE (%(others)s::text[])[1 + g %% cardinality(%(others)s::text[])]
               END AS area,
               CASE WHEN s < 0.01 THEN 'reported' WHEN s < 0.02 THEN 'accepted'
                    WHEN s < 0.04 THEN 'assessed' WHEN s < 0.10 THEN 'referred'
                    ELSE 'closed' END AS status,
               CASE WHEN r < 0.03 THEN 'high' WHEN r < 0.08 THEN 'sensitive'
                    ELSE 'normal' END AS sensitivity,
               now() - CASE WHEN s < 0.01 THEN q * interval '48 hours'
                            WHEN s < 0.02 THEN q * interval '10 days'
                            WHEN s < 0.04 THEN q * interval '60 days'
                            WHEN s < 0.10 THEN q * interval '180 days'
                            ELSE interval '90 days' + q * interval '1000 days'
                       END AS reported_at
        FROM (
            SELECT g, random() AS s, random() AS r, random() AS k, random() AS q
            FROM generate_series(1, %(cases)s) AS g
        ) draws
    ) chosen
) t
"""

# Referrals of the referred and closed cases, round-robin over them: a referred
# case's are pending (30% when sent in the last 30 days, else 2%; some past their
# response time), accepted (to 80%) or answered; a closed case's are all answered.
REFERRALS_SQL = """
WITH targets AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM protection_case
    WHERE status IN ('referred', 'closed')
)
INSERT INTO protection_referral (
    created_at, updated_at, case_id, county_id, unit, service, reason, timeframe,
    respond_by, status, sent_by_id, responded_at, responded_by_id, reject_reason,
    done_at, done_by_id, successful, done_note, revoked_at, revoked_by_id,
    revoke_reason, escalated_at
)
SELECT sent, sent, c.id, c.county_id,
       (ARRAY['education', 'police', 'womens_federation', 'court',
              'procuratorate'])[1 + (c.id + n) %% 5],
       (ARRAY['schooling', 'psychological', 'legal', 'family_education',
              'living'])[1 + n %% 5],
       '基准测试转介', tf, sent + tf * interval '1 hour', st, NULL,
       CASE WHEN st <> 'pending' THEN sent + interval '10 hours' END, NULL,
       CASE WHEN st = 'rejected' THEN '不属于本单位职责' ELSE '' END,
       CASE WHEN st = 'done' THEN sent + interval '5 days' END, NULL,
       CASE WHEN st = 'done' THEN true END,
       CASE WHEN st = 'done' THEN '已办结' ELSE '' END,
       CASE WHEN st = 'revoked' THEN sent + interval '1 day' END, NULL,
       CASE WHEN st = 'revoked' THEN '改由他人跟进' ELSE '' END, NULL
FROM (
    SELECT n, ids[1 + n %% cardinality(ids)] AS case_id, random() AS d,
           (ARRAY[24, 72, 168, 720])[1 + n %% 4] AS tf
    FROM targets, generate_series(0, %(referrals)s - 1) AS n
) pick
JOIN protection_case c ON c.id = pick.case_id
CROSS JOIN LATERAL (
    SELECT c.assessed_at + (pick.n %% 48) * interval '1 hour' AS sent,
           CASE WHEN c.status = 'referred' THEN
                CASE WHEN pick.d < CASE WHEN c.assessed_at > now() - interval '30 days'
                                        THEN 0.3 ELSE 0.02 END THEN 'pending'
                     WHEN pick.d < 0.8 THEN 'accepted'
                     WHEN pick.d < 0.9 THEN 'done' WHEN pick.d < 0.95 THEN 'rejected'
                     ELSE 'revoked' END
                ELSE CASE WHEN pick.d < 0.85 THEN 'done' WHEN pick.d < 0.95
                          THEN 'rejected' ELSE 'revoked' END
           END AS st
) step
"""

HANDLERS_SQL = """
INSERT INTO protection_casehandler (
    created_at, updated_at, case_id, user_id, added_by_id, removed_at, removed_by_id
)
SELECT c.reported_at, c.reported_at, c.id, u.id, NULL, NULL, NULL
FROM protection_case c CROSS JOIN unnest(%(users)s::bigint[]) AS u(id)
WHERE c.sensitivity = 'high' AND c.county_id = %(county)s
"""


def user(username: str, role: str, area_id: str, name: str, unit: str = "") -> User:
    found = User.objects.filter(username=username).first() or User(username=username)
    found.full_name, found.role, found.area_id, found.unit = name, role, area_id, unit
    found.is_active = True
    found.set_unusable_password()
    found.save()
    return found


def counties() -> list[str]:
    """The measured county and OTHER_COUNTIES other real counties of Hunan."""
    others = list(
        Area.objects.filter(level=AreaLevel.COUNTY, code__startswith="43")
        .exclude(code=COUNTY)
        .order_by("code")
        .values_list("code", flat=True)[:OTHER_COUNTIES]
    )
    return [COUNTY, *others]


def viewers() -> tuple[User, User]:
    police = user("bench_gongan", Role.DEPARTMENT, COUNTY, "基准公安", Unit.POLICE)
    civil = user("bench_minzheng", Role.CIVIL_AFFAIRS, COUNTY, "基准县民政")
    return police, civil


def seed() -> dict[str, float]:
    """Migrate, and seed the cases and referrals unless the database holds them."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    villages = [
        v.code for v in common.bench_areas(COUNTY, TOWNSHIPS, VILLAGES_PER_TOWNSHIP)
    ]
    police, civil = viewers()
    if (
        Case.objects.filter(found_place=BENCH_MARK).count() == CASES
        and Referral.objects.count() == REFERRALS
    ):
        timings["reused"] = 1
        return timings
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE protection_case, protection_referral, protection_casehandler,"
            " protection_caseevent, protection_caseaction, protection_breakglass"
            " RESTART IDENTITY CASCADE"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2027)")
        cursor.execute(
            CASES_SQL,
            {
                "mark": BENCH_MARK,
                "county": COUNTY,
                "others": counties()[1:],
                "villages": villages,
                "cases": CASES,
            },
        )
    timings["cases"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2028)")
        cursor.execute(REFERRALS_SQL, {"referrals": REFERRALS})
        cursor.execute(HANDLERS_SQL, {"users": [police.pk, civil.pk], "county": COUNTY})
    timings["referrals"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "protection_case",
            "protection_referral",
            "protection_casehandler",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


# The same rows by hand ------------------------------------------------------------------

# Cases a viewer sees whole (protection.access.full_q), written out: inside the
# jurisdiction; by role (the police: 一般 and 敏感; the desk: 一般, and 敏感 in its
# county); or named a handler; or holding an unexpired break-the-glass grant.
VISIBLE = """
    c.area_id BETWEEN %(low)s AND %(high)s
    AND (c.sensitivity = ANY(%(sensitivities)s)
         OR (c.sensitivity = 'sensitive' AND c.county_id = ANY(%(desk)s))
         OR EXISTS (SELECT 1 FROM protection_casehandler h
                    WHERE h.case_id = c.id AND h.user_id = %(user)s
                      AND h.removed_at IS NULL)
         OR EXISTS (SELECT 1 FROM protection_breakglass g
                    WHERE g.case_id = c.id AND g.user_id = %(user)s
                      AND g.expires_at > %(now)s))
"""
INBOX_SQL = [
    f"SELECT count(*) FROM protection_case c WHERE c.police_due_at IS NOT NULL AND {VISIBLE}",
    f"""
    SELECT c.*, a.*, ch.*
    FROM protection_case c
    JOIN areas_area a ON a.code = c.area_id
    LEFT JOIN registry_child ch ON ch.id = c.child_id
    WHERE c.police_due_at IS NOT NULL AND {VISIBLE}
    ORDER BY c.police_due_at, c.id
    LIMIT {INBOX_SHOWN}
    """,
]
# The police's other inbox section: referrals to the police, open, in the county.
REFERRAL_INBOX_SQL = [
    """
    SELECT count(*) FROM protection_referral r
    JOIN protection_case c ON c.id = r.case_id
    WHERE r.unit = 'police' AND r.status IN ('pending', 'accepted')
      AND r.county_id = %(county)s AND c.area_id BETWEEN %(low)s AND %(high)s
    """,
    f"""
    SELECT r.*, c.*, a.*
    FROM protection_referral r
    JOIN protection_case c ON c.id = r.case_id
    JOIN areas_area a ON a.code = c.area_id
    WHERE r.unit = 'police' AND r.status IN ('pending', 'accepted')
      AND r.county_id = %(county)s AND c.area_id BETWEEN %(low)s AND %(high)s
    ORDER BY r.status DESC, r.respond_by, r.id
    LIMIT {INBOX_SHOWN}
    """,
]
OVERDUE = (
    "(c.police_due_at < %(now)s OR c.feedback_due_at < %(now)s"
    " OR c.assessment_due_at < %(now)s)"
)
SUPERVISION_SQL = [
    f"""
    SELECT c.id, c.number, c.status, c.situation, c.sensitivity, c.reported_at,
           c.police_due_at, c.feedback_due_at, c.assessment_due_at, c.escalated_at,
           c.area_id, a.name, a.level, c.county_id, k.name
    FROM protection_case c
    JOIN areas_area a ON a.code = c.area_id
    JOIN areas_area k ON k.code = c.county_id
    WHERE {OVERDUE} AND {VISIBLE}
    ORDER BY c.reported_at
    LIMIT 500
    """,
    f"""
    SELECT r.id, r.unit, r.service, r.status, r.respond_by, r.escalated_at,
           c.id, c.number, c.status, c.situation, c.sensitivity, c.reported_at,
           c.police_due_at, c.feedback_due_at, c.assessment_due_at, c.escalated_at,
           c.area_id, a.name, a.level, c.county_id, k.name
    FROM protection_referral r
    JOIN protection_case c ON c.id = r.case_id
    JOIN areas_area a ON a.code = c.area_id
    JOIN areas_area k ON k.code = c.county_id
    WHERE r.status = 'pending' AND r.respond_by < %(now)s AND {VISIBLE}
    ORDER BY r.respond_by
    LIMIT 500
    """,
    f"""
    SELECT count(*) FILTER (WHERE c.police_due_at < %(now)s)
         + count(*) FILTER (WHERE c.feedback_due_at < %(now)s)
         + count(*) FILTER (WHERE c.assessment_due_at < %(now)s)
    FROM protection_case c
    WHERE {OVERDUE} AND {VISIBLE}
    """,
    f"""
    SELECT count(*)
    FROM protection_referral r JOIN protection_case c ON c.id = r.case_id
    WHERE r.status = 'pending' AND r.respond_by < %(now)s AND {VISIBLE}
    """,
]


def sql_params(viewer: User, now: datetime, *, police: bool) -> dict:
    low, high = codes.prefix_bounds(codes.prefix_of(viewer.area_id))
    return {
        "low": low,
        "high": high,
        "sensitivities": ["normal", "sensitive"] if police else ["normal"],
        "desk": [] if police else [COUNTY],
        "user": viewer.pk,
        "now": now,
        "county": COUNTY,
    }


def run_sql(statements: list[str], params: dict) -> list[list[tuple]]:
    with connection.cursor() as cursor:
        results = []
        for statement in statements:
            cursor.execute(statement, params)
            results.append(cursor.fetchall())
        return results


# Measuring ------------------------------------------------------------------------------


def timed(call, reps: int = REPS) -> list[float]:
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def captured_selects(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().startswith("SELECT")
    ]


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def inbox_call(police: User):
    def call():
        items = selectors.police_inbox_for(police)
        return items.count(), list(items[:INBOX_SHOWN])

    return call


def referral_inbox_call(police: User):
    def call():
        items = selectors.referral_inbox_for(police)
        return items.count(), list(items[:INBOX_SHOWN])

    return call


def supervision_call(civil: User, now: datetime):
    def call():
        return (
            selectors.supervision_for(civil, now=now),
            selectors.supervision_count_for(civil, now=now),
        )

    return call


def check_same_rows(police: User, civil: User, now: datetime) -> list[str]:
    """The hand-written SQL returns the selectors' rows (ids in order, and counts)."""
    problems = []
    total, rows = inbox_call(police)()
    count, page = run_sql(INBOX_SQL, sql_params(police, now, police=True))
    if (total, [c.pk for c in rows]) != (count[0][0], [r[0] for r in page]):
        problems.append("公安待受理：手写 SQL 与 selector 的结果不同")
    total, rows = referral_inbox_call(police)()
    count, page = run_sql(REFERRAL_INBOX_SQL, sql_params(police, now, police=True))
    if (total, [r.pk for r in rows]) != (count[0][0], [r[0] for r in page]):
        problems.append("转介给公安：手写 SQL 与 selector 的结果不同")
    items, number = supervision_call(civil, now)()
    cases, referrals, late, late_referrals = run_sql(
        SUPERVISION_SQL, sql_params(civil, now, police=False)
    )
    # supervision_for's last step, on the SQL's rows: an item per passed deadline,
    # most overdue first, the first 500.
    by_sql_items = [
        (due, row[0], None) for row in cases for due in row[6:9] if due and due < now
    ]
    by_sql_items += [(row[4], row[6], row[0]) for row in referrals]
    by_sql_items = sorted(by_sql_items, key=lambda item: item[0])[:500]
    by_selector = [
        (item.due_at, item.case.pk, item.referral.pk if item.referral else None)
        for item in items
    ]
    if sorted(by_selector, key=str) != sorted(by_sql_items, key=str):
        problems.append("督办清单：手写 SQL 与 selector 的结果不同")
    by_sql = late[0][0] + late_referrals[0][0]
    if number != by_sql or (len(items) < 500 and number != len(items)):
        problems.append(
            f"督办数：supervision_count_for {number}，清单 {len(items)} 项，手写 SQL {by_sql}"
        )
    return problems


def view_samples(viewer: User, url: str) -> list[float] | None:
    client = Client()
    client.force_login(viewer)
    response = client.get(url)
    if response.status_code != 200:
        print(f"  （{url} 返回 {response.status_code}，不计时）")
        return None
    return timed(lambda: client.get(url))


def row(label: str, samples: list[float], sql: list[float] | None, queries: str):
    p50, p95, pmax = percentiles(samples)
    line = cell(label, 44) + "".join(
        cell(f"{n:.1f}", 9, right=True) for n in (p50, p95, pmax)
    )
    if sql:
        s50, s95, smax = percentiles(sql)
        line += "".join(cell(f"{n:.1f}", 9, right=True) for n in (s50, s95, smax))
        line += cell(f"{p95 / s95:.1f}", 7, right=True)
    else:
        line += cell("—", 9, right=True) * 3 + cell("—", 7, right=True)
    print(line + cell(queries, 8, right=True))
    return p95


def describe(police: User, civil: User, now: datetime) -> None:
    county = Case.objects.filter(county_id=COUNTY)
    print(
        f"  分布：protection_case {Case.objects.count():,} 行（{COUNTY} 隆回县 "
        f"{county.count():,} 行，其余 {len(counties()) - 1} 个县），protection_referral "
        f"{Referral.objects.count():,} 行，protection_casehandler "
        f"{CaseHandler.objects.count():,} 行"
    )
    waiting = county.filter(police_due_at__isnull=False)
    print(
        f"  隆回县：待公安受理 {waiting.count():,} 件（逾期 "
        f"{waiting.filter(police_due_at__lt=now).count():,} 件），"
        f"未结 {county.exclude(status='closed').count():,} 件，待接收的转介 "
        f"{Referral.objects.filter(county_id=COUNTY, status='pending').count():,} 条"
        f"（逾期 {Referral.objects.filter(county_id=COUNTY, status='pending', respond_by__lt=now).count():,} 条）"
    )
    print(
        f"  督办数（supervision_count_for，县民政）：{selectors.supervision_count_for(civil, now=now):,}"
    )


def main() -> int:
    print(
        "R7 保护案件基准：公安待受理清单与县督办清单（selector vs 同样结果的手写 SQL）"
    )
    for key, value in machine():
        print(f"  {key:<11}{value}")
    print(f"  {'负载':<9}开始时 load average {load()}")
    timings = seed()
    if created:
        print(f"  已新建数据库 {urlsplit(BENCH_URL).path.lstrip('/')}")
    if "reused" in timings:
        print(f"  数据：沿用已有数据（迁移检查 {timings['migrate']:.1f} 秒）")
    else:
        print(
            f"  数据：{CASES:,} 件案件（INSERT … SELECT）{timings['cases']:.1f} 秒；"
            f"{REFERRALS:,} 条转介和高度敏感案件的经办人 {timings['referrals']:.1f} 秒；"
            f"VACUUM ANALYZE {timings['vacuum_analyze']:.1f} 秒"
        )
    police, civil = viewers()
    now = timezone.now()
    describe(police, civil, now)
    problems = check_same_rows(police, civil, now)
    for problem in problems:
        print(f"  ！{problem}")
    print(f"  每个场景：预热 {WARMUP} 次，计时 {REPS} 次；单位毫秒（ms）\n")

    inbox = inbox_call(police)
    supervision = supervision_call(civil, now)
    inbox_params = sql_params(police, now, police=True)
    supervision_params = sql_params(civil, now, police=False)
    results = [
        (
            f"(a) 公安待受理 police_inbox_for（计数+前{INBOX_SHOWN}行）",
            timed(inbox),
            timed(lambda: run_sql(INBOX_SQL, inbox_params)),
            captured_selects(inbox),
        ),
        (
            "（附加）公安 转介给本单位 referral_inbox_for",
            timed(referral_inbox_call(police)),
            timed(lambda: run_sql(REFERRAL_INBOX_SQL, inbox_params)),
            captured_selects(referral_inbox_call(police)),
        ),
        (
            "(b) 县督办 supervision_for + supervision_count_for",
            timed(supervision),
            timed(lambda: run_sql(SUPERVISION_SQL, supervision_params)),
            captured_selects(supervision),
        ),
    ]
    views = [
        ("（附加）视图 GET /protection/inbox/（公安）", police, "/protection/inbox/"),
        (
            "（附加）视图 GET /protection/supervision/（县民政）",
            civil,
            "/protection/supervision/",
        ),
    ]
    print(
        cell("场景", 44)
        + "".join(
            cell(c, 9, right=True)
            for c in ("p50", "p95", "max", "SQLp50", "SQLp95", "SQLmax")
        )
        + cell("比值", 7, right=True)
        + cell("查询数", 8, right=True)
    )
    worst = 0.0
    for label, samples, sql, selects in results:
        p95 = row(label, samples, sql, str(len(selects)))
        if not label.startswith("（附加）"):
            worst = max(worst, p95)
    for label, viewer, url in views:
        samples = view_samples(viewer, url)
        if samples:
            row(label, samples, None, "—")
    print(
        "比值 = selector p95 / 手写 SQL p95；手写 SQL 返回与 selector 相同的行"
        "（已逐行核对），用游标依次执行；查询数 = selector 执行的 SELECT 条数。"
    )
    print(
        f"目标（服务器端 p95 ≤ {GOAL_MS:.0f} ms）：{'达成' if worst <= GOAL_MS else '未达成'}"
        f"（较慢的 selector 场景 p95 = {worst:.1f} ms）\n"
    )
    for label, _, _, selects in results:
        print(f"== {label}")
        for sql in selects:
            print(f"  {sql}")
            print(explain(sql))
            print()
    print(f"结束时 load average {load()}")
    return 0


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
