"""The database inside a backup: SQLite through its online backup API, PostgreSQL
through pg_dump's custom format and, on restore, pg_restore's script run by psql in
one transaction."""

import os
import platform
import re
import shutil
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

import django
from django.db import connections

from .archive import BackupRefused

DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _grouped(rows) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for app, name in sorted(rows):
        grouped.setdefault(app, []).append(name)
    return grouped


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's variables for the connection (the password never on a command line)."""
    params = connections[using].settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
    ):
        if value := params.get("OPTIONS", {}).get(option):
            env[variable] = str(value)
    return env


def _run(program: str, args: list[str], *, env: dict[str, str] | None = None) -> str:
    if shutil.which(program) is None:
        raise BackupRefused(
            f"找不到 {program}：请安装与数据库服务器主版本相同的 PostgreSQL 客户端"
            "（Debian/Ubuntu 的 postgresql-client）。"
        )
    done = subprocess.run(
        [program, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupRefused(
            f"{program} 出错，未做任何改动：{done.stderr.strip()[-800:]}"
        )
    return done.stdout


def sqlite_copy(using: str, dump: Path) -> None:
    """One consistent copy through SQLite's online backup API (all pages in one step,
    under one read snapshot), left as a single file without a WAL."""
    connection = connections[using]
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def sqlite_migrations(path: Path) -> dict[str, list[str]]:
    copy = sqlite3.connect(path)
    try:
        known = copy.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
        ).fetchone()
        rows = (
            copy.execute("SELECT app, name FROM django_migrations").fetchall()
            if known
            else []
        )
    finally:
        copy.close()
    return _grouped(rows)


def pg_dump(using: str, dump: Path) -> None:
    """pg_dump's custom format: one snapshot of the whole database, taken online."""
    _run("pg_dump", ["--format=custom", f"--file={dump}"], env=_pg_environment(using))


_COPY_MIGRATIONS = re.compile(r"^COPY \S*django_migrations \((?P<columns>[^)]*)\)")


def pg_dump_migrations(dump: Path) -> dict[str, list[str]]:
    """The django_migrations rows inside the dump itself (same snapshot as the data)."""
    script = _run(
        "pg_restore",
        ["--data-only", "--table=django_migrations", "--file=-", str(dump)],
    )
    rows, columns = [], None
    for line in script.splitlines():
        if columns is None:
            if found := _COPY_MIGRATIONS.match(line):
                columns = [c.strip().strip('"') for c in found["columns"].split(",")]
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, line.split("\t"), strict=False))
        rows.append((values["app"], values["name"]))
    return _grouped(rows)


def versions(connection) -> dict[str, str]:
    try:
        own = metadata.version("shouwang")
    except metadata.PackageNotFoundError:
        own = "unknown"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            server = sqlite3.sqlite_version
        else:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
    return {
        "shouwang": own,
        "django": django.get_version(),
        "python": platform.python_version(),
        "database": server,
    }


def sqlite_restore(dump: Path, using: str) -> None:
    """Copy every page of the backup over the database through the backup API: one
    write transaction, so the database is either all old or all restored."""
    connection = connections[using]
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
        connection.close()


def pg_restore(dump: Path, using: str, work: Path) -> None:
    """Drop what the database holds and load the dump in one psql transaction: on any
    error nothing changes."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
    connection.close()
    drop = work / "drop.sql"
    drop.write_text(
        f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in tables)} CASCADE;\n"
        if tables
        else "SELECT 1;\n"
    )
    script = work / "restore.sql"
    _run(
        "pg_restore",
        ["--no-owner", "--no-privileges", f"--file={script}", str(dump)],
    )
    _run(
        "psql",
        [
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={drop}",
            f"--file={script}",
        ],
        env=_pg_environment(using),
    )
