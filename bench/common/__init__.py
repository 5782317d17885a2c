"""What the page benchmarks share: the benchmark database, the synthetic county, the
machine's description, percentiles and a table cell that counts Chinese characters as
two columns. Django is imported inside the functions that need it, so a script may
import this module before django.setup()."""

import os
import platform
import statistics
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_STEMS = "桃花 石门 金龙 清水 白马 青山 长乐 高坪 马鞍 柳塘 荷田 罗洪 岩口 司门 横板 山界".split()
_VILLAGE_STEMS = "新田 大坪 东山 枫树 井塘 兰溪 茶园 竹林 松坡 杨家 李家 双江".split()


def ensure_database(url: str) -> bool:
    """Create the benchmark database when missing; True when it was created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def machine() -> list[tuple[str, str]]:
    """The machine, PostgreSQL's main settings and the software versions."""
    import django
    from django.db import connection

    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return [
        ("nproc", str(os.cpu_count())),
        ("内存", f"{int(meminfo[1]) / 1024 / 1024:.1f} GiB"),
        ("CPU", cpu),
        ("PostgreSQL", f"{pg}（shared_buffers={shared}, work_mem={work_mem}）"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
    ]


def bench_areas(county_code: str, townships: int, villages_per_township: int) -> list:
    """One county with `townships` townships of `villages_per_township` villages each
    (synthetic names under the real county code); returns the villages."""
    from shouwang.areas.models import Area, AreaLevel

    county = Area.objects.get(code=county_code)
    villages = []
    for t in range(1, townships + 1):
        code = f"{county_code[:6]}{100 + t:03d}000"
        township, _ = Area.objects.get_or_create(
            code=code,
            defaults={
                "name": f"{_STEMS[t % len(_STEMS)]}{'' if t <= len(_STEMS) else t}镇",
                "level": AreaLevel.TOWNSHIP,
                "parent": county,
            },
        )
        for v in range(1, villages_per_township + 1):
            stem = _VILLAGE_STEMS[v % len(_VILLAGE_STEMS)]
            village, _ = Area.objects.get_or_create(
                code=f"{code[:9]}{200 + v:03d}",
                defaults={
                    "name": f"{stem}{'' if v <= len(_VILLAGE_STEMS) else '新'}村",
                    "level": AreaLevel.VILLAGE,
                    "parent": township,
                },
            )
            villages.append(village)
    return villages


def cell(text: str, width: int, right: bool = False) -> str:
    """Text padded to a terminal width, counting a Chinese character as two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(0, width - used)
    return space + text if right else text + space


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """Median, p95 and max of the samples."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]
