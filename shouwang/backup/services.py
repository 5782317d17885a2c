"""Backups of a running instance in one .tar file, and their restore.

A backup holds a consistent copy of the database (SQLite's backup API, or pg_dump's
custom format, each one snapshot), then the files under ROSTER_UPLOAD_DIR,
VISIT_UPLOAD_DIR, REPORTS_DIR and EXCHANGE_UPLOAD_DIR, and last the manifest (see archive.py). The
database is copied before the files: the directories only grow, so every file the
copied rows name is in the backup (newer files are harmless extras).

A restore checks everything before it changes anything: the format, every checksum,
the vendor, that the code knows every migration. It writes into an empty database;
over one that holds data only when forced, and then only after saving what is there
as another backup.
"""

import hashlib
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from . import databases
from .archive import (
    CHUNK,
    DIRECTORIES,
    MANIFEST,
    BackupRefused,
    BytesReader,
    Manifest,
    Member,
    add_member,
    copy_checked,
    damaged,
    manifest_member,
    member_place,
    now_ts,
    open_backup,
    read_manifest,
    verify_members,
)
from .databases import DATABASE_MEMBERS, VENDOR_LABELS

# Tables `migrate` fills by itself: a database holding rows only there is empty.
MIGRATION_FILLED = ("contenttypes.ContentType", "auth.Permission", "areas.Area")

__all__ = ["BackupRefused", "backup_check", "backup_restore", "backup_write"]


@dataclass(frozen=True)
class BackupWritten:
    path: Path
    size: int
    vendor: str
    files: int


@dataclass(frozen=True)
class Restored:
    created_at: str
    files: int
    files_kept: int  # already on disk with the same bytes
    pending_migrations: list[str]
    saved_current: Path | None  # the backup of what a forced restore replaced


def backup_write(*, out: Path, using: str = "default") -> BackupWritten:
    """Write a consistent backup of the database and the file directories to `out`
    (a new file, or a directory to name one in); never leaves half a file behind."""
    out = Path(out)
    if out.is_dir():
        out = out / f"shouwang-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    if out.exists():
        raise BackupRefused(
            f"“{out}”已存在：为免覆盖已有的备份，请换一个文件名，或给出一个目录。"
        )
    if not out.parent.is_dir():
        raise BackupRefused(f"目录“{out.parent}”不存在：请先建好这个目录。")
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupRefused(
            f"不支持备份 {vendor} 数据库：只支持 SQLite 和 PostgreSQL。"
        )
    with tempfile.TemporaryDirectory(
        dir=out.parent, prefix=".shouwang-backup-"
    ) as work:
        dump = Path(work) / DATABASE_MEMBERS[vendor]
        if vendor == "sqlite":
            databases.sqlite_copy(using, dump)
            migrations = databases.sqlite_migrations(dump)
        else:
            databases.pg_dump(using, dump)
            migrations = databases.pg_dump_migrations(dump)
        manifest = Manifest(
            created_at=timezone.now().isoformat(timespec="seconds"),
            vendor=vendor,
            database_member=dump.name,
            migrations=migrations,
            versions=databases.versions(connection),
        )
        partial = Path(work) / "backup.tar"  # same directory as out: rename is atomic
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            with dump.open("rb") as stream:
                manifest.members.append(
                    add_member(archive, dump.name, stream, dump.stat().st_size)
                )
            for name, path in _files_on_disk():
                try:
                    stream = path.open("rb")
                except FileNotFoundError:
                    continue  # removed since listed: a rolled-back upload
                with stream:
                    size = os.fstat(stream.fileno()).st_size
                    manifest.members.append(add_member(archive, name, stream, size))
            body = manifest.as_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, now_ts()
            archive.addfile(info, BytesReader(body))
        partial.chmod(0o600)
        os.replace(partial, out)
    return BackupWritten(
        path=out,
        size=out.stat().st_size,
        vendor=vendor,
        files=len(manifest.members) - 1,
    )


def _directory(key: str) -> Path:
    return Path(getattr(settings, DIRECTORIES[key]))


def _files_on_disk() -> Iterator[tuple[str, Path]]:
    """(member name, path) of every regular file under the three directories, sorted;
    a directory that does not exist yet holds nothing."""
    for key in DIRECTORIES:
        root = _directory(key)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield f"files/{key}/{path.relative_to(root).as_posix()}", path


def _verify_fits(manifest: Manifest, using: str) -> list[str]:
    """Refuse a backup of another vendor or with migrations this code does not know;
    the migrations the code has and the backup lacks (run `migrate` after)."""
    vendor = connections[using].vendor
    if manifest.vendor != vendor:
        raise BackupRefused(
            f"这个备份来自 {VENDOR_LABELS.get(manifest.vendor, manifest.vendor)} 数据库，"
            f"当前用的是 {VENDOR_LABELS.get(vendor, vendor)}：不能恢复到另一种数据库。"
            "未做任何改动。"
        )
    if manifest.database_member != DATABASE_MEMBERS[vendor]:
        raise damaged(f"数据库成员应为 {DATABASE_MEMBERS[vendor]}。")
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    in_backup = {
        (app, name) for app, names in manifest.migrations.items() for name in names
    }
    unknown = sorted(in_backup - on_disk)
    if unknown:
        shown = "、".join(f"{app}.{name}" for app, name in unknown[:5])
        more = f"等 {len(unknown)} 个" if len(unknown) > 5 else ""
        raise BackupRefused(
            f"这个备份来自更新版本的程序（{manifest.versions.get('shouwang', '未知')}）："
            f"本程序不认识其中的数据库迁移 {shown}{more}。"
            "请先把程序升级到写出备份的版本，再恢复。未做任何改动。"
        )
    return sorted(f"{app}.{name}" for app, name in on_disk - in_backup)


def backup_check(*, path: Path, using: str = "default") -> tuple[Manifest, list[str]]:
    """The manifest of a backup whose every member matches its checksum and which
    fits this code and database, with the migrations to run after restoring it;
    BackupRefused (nothing changed) otherwise."""
    with open_backup(path) as archive:
        manifest = read_manifest(archive, Path(path).name)
        verify_members(archive, manifest)
    return manifest, _verify_fits(manifest, using)


def tables_with_rows(*, using: str = "default") -> list[str]:
    """The tables holding rows other than those `migrate` writes by itself (content
    types, permissions, the shipped divisions); none means the database is empty."""
    connection = connections[using]
    skip = {"django_migrations"} | {
        apps.get_model(label)._meta.db_table for label in MIGRATION_FILLED
    }
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skip or table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                found.append(table)
    return found


def _file_targets(manifest: Manifest) -> list[tuple[Member, Path]]:
    targets = []
    for member in manifest.members:
        place = member_place(member.name, manifest.database_member)
        if place is None:
            continue
        key, relative = place
        targets.append((member, _directory(key) / Path(*relative.parts)))
    return targets


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _private_dirs(path: Path) -> None:
    """Create path and its missing parents owner-only (mkdir's parents ignore mode)."""
    if path.is_dir():
        return
    _private_dirs(path.parent)
    path.mkdir(mode=0o700)
    path.chmod(0o700)


def _write_file(archive: tarfile.TarFile, member: Member, target: Path) -> None:
    """The member's bytes at target (owner-only, as the storages write), replaced in
    one rename so a reader never sees half a file."""
    _private_dirs(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    try:
        with os.fdopen(handle, "wb") as out:
            copy_checked(archive, member, out)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def backup_restore(
    *, path: Path, using: str = "default", force: bool = False
) -> Restored:
    """Restore a checked backup: the files, then the database, into an empty database;
    over data only with force, after saving that data as a backup of its own."""
    manifest, pending = backup_check(path=path, using=using)
    occupied = tables_with_rows(using=using)
    if occupied and not force:
        shown = "、".join(occupied[:3])
        raise BackupRefused(
            f"当前数据库里已有数据（{len(occupied)} 个表有记录，如 {shown}）："
            "为免覆盖，未做任何改动。如确要用备份替换现有的全部数据，请加 --force"
            "（替换前会先把现有数据另存为一份备份）。"
        )
    targets = _file_targets(manifest)
    kept = {
        member.name
        for member, target in targets
        if target.is_file() and _sha256_of(target) == member.sha256
    }
    clashes = [
        target
        for member, target in targets
        if target.exists() and member.name not in kept
    ]
    if clashes and not force:
        raise BackupRefused(
            f"目录里已有与备份同名而内容不同的文件（如“{clashes[0]}”）：为免覆盖，"
            "未做任何改动。如确要用备份里的文件替换，请加 --force。"
        )
    saved_current = None
    if occupied or clashes:
        folder = Path(settings.VAR_DIR) / "backups"
        _private_dirs(folder)
        saved_current = backup_write(
            out=folder / f"before-restore-{timezone.localtime():%Y%m%d-%H%M%S-%f}.tar",
            using=using,
        ).path
    with (
        open_backup(path) as archive,
        tempfile.TemporaryDirectory(
            dir=Path(settings.VAR_DIR), prefix=".shouwang-restore-"
        ) as work,
    ):
        for member, target in targets:
            if member.name not in kept:
                _write_file(archive, member, target)
        dump = Path(work) / manifest.database_member
        with dump.open("wb") as copy:
            copy_checked(archive, manifest_member(manifest), copy)
        if manifest.vendor == "sqlite":
            databases.sqlite_restore(dump, using)
        else:
            databases.pg_restore(dump, using, Path(work))
    return Restored(
        created_at=manifest.created_at,
        files=len(targets),
        files_kept=len(kept),
        pending_migrations=pending,
        saved_current=saved_current,
    )
