"""manage.py backup / restore: a running instance backed up and restored into an empty
database row for row and byte for byte; damaged, foreign and mismatched backups and
non-empty databases refused (exit code 2) with nothing changed."""

import io
import json
import os
import secrets
import subprocess
import tarfile
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from shouwang.backup import services
from shouwang.registry import services as registry
from shouwang.registry.models import Child, ChildChange
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.roster import services as roster
from shouwang.roster.models import ImportJob
from shouwang.roster.tests import files as roster_files
from shouwang.visits.models import Attachment, Visit
from shouwang.visits.services.visit import visit_record

# Rows must be committed for pg_dump (another process) to see them, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(256)
PDF = b"%PDF-1.4\n" + secrets.token_bytes(256)
DOCX = b"PK\x03\x04" + secrets.token_bytes(512)
DIRECTORY_SETTINGS = (
    "ROSTER_UPLOAD_DIR",
    "VISIT_UPLOAD_DIR",
    "REPORTS_DIR",
    "EXCHANGE_UPLOAD_DIR",
)


def _use_directories(settings, root: Path) -> None:
    settings.VAR_DIR = root / "var"
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    settings.ROSTER_UPLOAD_DIR = root / "uploads"
    settings.VISIT_UPLOAD_DIR = root / "attachments"
    settings.REPORTS_DIR = root / "reports"
    settings.EXCHANGE_UPLOAD_DIR = root / "exchange"


def _visit_values(visit_date) -> dict:
    aspects = ("guardianship", "living", "study", "safety", "emotion")
    return {
        "visit_date": visit_date,
        "mode": "入户",
        "visitors": "主任张",
        "met": "祖母王桂兰",
        **{aspect: "正常" for aspect in aspects},
        **{f"{aspect}_note": "" for aspect in aspects},
        "living": "有问题",
        "living_note": "屋顶漏雨",
        "problems": "住房漏雨",
        "measures": "联系村委维修",
        "followup_needed": True,
        "followup_due": visit_date + timedelta(days=7),
    }


@pytest.fixture
def instance(settings, tmp_path):
    """A running instance: areas, users of every role, children with history, a visit
    with two files, a checked roster upload with its file, a generated bulletin."""
    _use_directories(settings, tmp_path / "live")
    place = make_place()
    child = make_child(place.village, name="李娜", sex="女")
    make_child(place.other_village, name="王强")
    registry.child_update(
        actor=place.civil,
        child_id=child.pk,
        expected_version=child.version,
        data={"guardian_phone": "13800000000"},
    )
    visit_record(
        actor=place.director,
        child_id=child.pk,
        data=_visit_values(timezone.localdate() - timedelta(days=2)),
        uploads=[
            SimpleUploadedFile("屋顶.png", PNG, content_type="image/png"),
            SimpleUploadedFile("确认书.pdf", PDF, content_type="application/pdf"),
        ],
    )
    # Committed at once (autocommit), so the check task runs inline right away.
    roster.import_upload(
        actor=place.director,
        upload=SimpleUploadedFile(
            "花名册.xlsx",
            roster_files.xlsx(
                [
                    roster_files.roster_row(place.village, 姓名="张晓明"),
                    roster_files.roster_row(place.village, 姓名="赵六", 性别="男性"),
                ]
            ),
        ),
    )
    bulletin = settings.REPORTS_DIR / "bulletins" / "2026" / "09" / "通报.docx"
    bulletin.parent.mkdir(parents=True)
    bulletin.write_bytes(DOCX)
    assert ChildChange.objects.count() >= 3
    assert Attachment.objects.count() == 2
    job = ImportJob.objects.get()
    assert job.file and job.error_report  # the upload and its error report
    return place


def _backup(out: Path, **options) -> str:
    printed = StringIO()
    call_command("backup", str(out), stdout=printed, **options)
    return printed.getvalue()


def _restore(path: Path, **options) -> str:
    printed = StringIO()
    call_command("restore", str(path), stdout=printed, **options)
    return printed.getvalue()


def _refused(path: Path, **options) -> str:
    with pytest.raises(CommandError) as refused:
        _restore(path, **options)
    assert refused.value.returncode == 2
    return str(refused.value)


def _tables(alias: str) -> dict[str, list[tuple]]:
    """Every row of every model of every app (and the migration records), by pk."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = list(
            model._base_manager.using(alias).order_by("pk").values_list(*columns)
        )
    rows["django_migrations"] = list(
        MigrationRecorder(connections[alias])
        .migration_qs.order_by("pk")
        .values_list("pk", "app", "name", "applied")
    )
    return rows


def _files(settings) -> dict[str, bytes]:
    found = {}
    for name in DIRECTORY_SETTINGS:
        root = Path(getattr(settings, name))
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                found[f"{name}/{path.relative_to(root)}"] = path.read_bytes()
    return found


@contextmanager
def empty_database(tmp_path):
    """A second, empty database as the connection alias "restored": a temporary file
    on SQLite, a database created for the test on PostgreSQL."""
    alias = "restored"
    params = {**connection.settings_dict}
    if connection.vendor == "sqlite":
        params["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        params["NAME"] = f"{connection.settings_dict['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{params["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{params["NAME"]}"')
    # Reachable as connections["restored"] without joining settings.DATABASES (the
    # test case allows such dynamically created connections).
    connections[alias] = type(connections["default"])(params, alias=alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{params["NAME"]}"')


def test_a_restore_reproduces_the_backup_row_for_row_and_byte_for_byte(
    instance, settings, tmp_path
):
    printed = _backup(tmp_path / "nightly.tar")
    assert printed.startswith(f"已写出备份 {tmp_path / 'nightly.tar'}（")
    assert "数据库和 5 个文件。备份里有完整身份号码，请按敏感数据保管。" in printed
    assert (tmp_path / "nightly.tar").stat().st_mode & 0o777 == 0o600
    rows, stored = _tables("default"), _files(settings)
    assert len(stored) == 5  # two attachments, a roster, its error report, a bulletin
    for label in (
        "registry.Child",
        "registry.ChildChange",
        "visits.Visit",
        "audit.AuditEvent",
    ):
        assert rows[label], label

    # Another machine: empty directories, an empty database.
    _use_directories(settings, tmp_path / "elsewhere")
    with empty_database(tmp_path) as alias:
        printed = _restore(tmp_path / "nightly.tar", database=alias)
        assert printed.endswith(
            "的备份恢复数据库和 5 个文件（其中 0 个原已存在且内容相同）。\n"
        )
        restored = _tables(alias)
    assert restored.keys() == rows.keys()
    for label, table in rows.items():
        assert restored[label] == table, label
    assert _files(settings) == stored
    for path in Path(settings.VISIT_UPLOAD_DIR).rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600)


def test_the_manifest_lists_every_member_with_its_checksum(instance, tmp_path):
    _backup(tmp_path / "b.tar")
    with tarfile.open(tmp_path / "b.tar") as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert names[-1] == "manifest.json"
    assert manifest["format"] == "shouwang-backup"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["registry"][0] == "0001_initial"
    assert set(manifest["versions"]) == {"shouwang", "django", "python", "database"}
    assert [m["name"] for m in manifest["members"]] == names[:-1]
    attachment = Attachment.objects.get(original_name="屋顶.png")
    listed = {m["name"]: m for m in manifest["members"]}
    entry = listed[f"files/attachments/{attachment.file.name}"]
    assert (entry["size"], entry["sha256"]) == (len(PNG), attachment.sha256)


def test_a_backup_never_overwrites_a_file_and_names_one_in_a_directory(
    instance, tmp_path
):
    (tmp_path / "old.tar").write_bytes(b"an older backup")
    with pytest.raises(CommandError) as refused:
        _backup(tmp_path / "old.tar")
    assert refused.value.returncode == 2
    assert str(refused.value) == (
        f"“{tmp_path / 'old.tar'}”已存在：为免覆盖已有的备份，请换一个文件名，或给出一个目录。"
    )
    assert (tmp_path / "old.tar").read_bytes() == b"an older backup"
    with pytest.raises(CommandError) as refused:
        _backup(tmp_path / "missing" / "b.tar")
    assert (
        str(refused.value) == f"目录“{tmp_path / 'missing'}”不存在：请先建好这个目录。"
    )

    folder = tmp_path / "nightly"
    folder.mkdir()
    printed = _backup(folder)
    [written] = folder.iterdir()
    assert written.name.startswith("shouwang-backup-") and written.suffix == ".tar"
    assert str(written) in printed


def test_missing_directories_are_backed_up_as_empty(settings, tmp_path, db):
    _use_directories(settings, tmp_path / "fresh")
    assert not Path(settings.REPORTS_DIR).exists()
    assert "数据库和 0 个文件。" in _backup(tmp_path / "b.tar")


# ------------------------------------------------------------------ refusals


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {
            info.name: archive.extractfile(info).read() for info in archive.getmembers()
        }


def _write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _with_manifest(source: Path, out: Path, change) -> Path:
    members = _members(source)
    manifest = json.loads(members["manifest.json"])
    change(manifest, members)
    members["manifest.json"] = json.dumps(manifest).encode()
    return _write_archive(out, members)


@pytest.fixture
def backup_file(instance, settings, tmp_path) -> Path:
    """A good backup of the instance; the instance's directories stay in place."""
    path = tmp_path / "good.tar"
    _backup(path)
    return path


@pytest.fixture
def elsewhere(settings, tmp_path):
    """Empty directories for what a refused restore must not touch."""
    _use_directories(settings, tmp_path / "elsewhere")
    return tmp_path / "elsewhere"


def _untouched(elsewhere: Path, rows: dict) -> None:
    assert not any(p.is_file() for p in elsewhere.rglob("*"))
    assert _tables("default") == rows


def test_a_changed_byte_is_refused_by_its_checksum(backup_file, elsewhere):
    rows = _tables("default")
    attachment = Attachment.objects.get(original_name="屋顶.png")
    member = f"files/attachments/{attachment.file.name}"
    with tarfile.open(backup_file) as archive:
        offset = archive.getmember(member).offset_data
    with backup_file.open("r+b") as stream:
        stream.seek(offset + 20)
        byte = stream.read(1)
        stream.seek(offset + 20)
        stream.write(bytes([byte[0] ^ 0xFF]))
    assert _refused(backup_file, force=True) == (
        f"备份文件已损坏：“{member}”的校验和（SHA-256）与清单不符。未做任何改动。"
    )
    _untouched(elsewhere, rows)


def test_a_truncated_backup_is_refused(backup_file, elsewhere):
    rows = _tables("default")
    data = backup_file.read_bytes()
    with tarfile.open(backup_file) as archive:
        middle = archive.getmember(archive.getnames()[0]).offset_data + 1000
    cut = backup_file.with_name("cut.tar")
    cut.write_bytes(data[:middle])
    assert _refused(cut, force=True) == (
        "备份文件已损坏：文件在读取途中意外结束（文件可能被截断）。未做任何改动。"
    )
    # Cut at a member boundary the archive ends early: the manifest (last) is missing.
    with tarfile.open(backup_file) as archive:
        boundary = archive.getmember("manifest.json").offset
    cut.write_bytes(data[:boundary] + b"\0" * 1024)
    assert _refused(cut, force=True) == (
        "“cut.tar”不是完整的守望备份：里面没有清单 manifest.json"
        "（文件可能被截断，或不是 backup 命令写出的）。未做任何改动。"
    )
    _untouched(elsewhere, rows)


def test_files_that_are_not_our_backups_are_refused(backup_file, elsewhere, tmp_path):
    rows = _tables("default")
    noise = tmp_path / "noise.tar"
    noise.write_bytes(os.urandom(4096))
    assert _refused(noise) == (
        "“noise.tar”不是守望的备份文件（不是 backup 命令写出的 .tar，或已损坏）。"
        "未做任何改动。"
    )
    assert _refused(tmp_path / "nowhere.tar") == (
        f"找不到备份文件“{tmp_path / 'nowhere.tar'}”。"
    )
    other = _write_archive(tmp_path / "other.tar", {"manifest.json": b'{"a": 1}'})
    assert _refused(other) == (
        "“other.tar”的清单 manifest.json 无法读取：不是守望备份的格式，或已损坏。"
        "未做任何改动。"
    )
    _untouched(elsewhere, rows)


def test_members_the_manifest_does_not_list_or_unsafe_paths_are_refused(
    backup_file, elsewhere, tmp_path
):
    rows = _tables("default")

    def extra(manifest, members):
        members["files/uploads/extra.xlsx"] = b"x"

    assert _refused(_with_manifest(backup_file, tmp_path / "x.tar", extra)) == (
        "备份文件已损坏：文件中有清单里没有的“files/uploads/extra.xlsx”。未做任何改动。"
    )

    def escape(manifest, members):
        name = "files/uploads/../../../escaped.txt"
        members[name] = b"x"
        manifest["members"].append(
            {
                "name": name,
                "size": 1,
                "sha256": services.hashlib.sha256(b"x").hexdigest(),
            }
        )

    assert _refused(_with_manifest(backup_file, tmp_path / "y.tar", escape)) == (
        "备份里的“files/uploads/../../../escaped.txt”不是可以恢复的路径：未做任何改动。"
    )
    assert not (tmp_path / "escaped.txt").exists()
    _untouched(elsewhere, rows)


def test_a_backup_of_another_vendor_or_newer_code_is_refused(
    backup_file, elsewhere, tmp_path
):
    rows = _tables("default")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

    def vendor(manifest, members):
        manifest["database"]["vendor"] = other

    assert _refused(_with_manifest(backup_file, tmp_path / "v.tar", vendor)) == (
        f"这个备份来自 {labels[other]} 数据库，当前用的是 {labels[connection.vendor]}："
        "不能恢复到另一种数据库。未做任何改动。"
    )

    def newer(manifest, members):
        manifest["migrations"]["registry"].append("0099_from_the_future")
        manifest["versions"]["shouwang"] = "9.0.0"

    assert _refused(_with_manifest(backup_file, tmp_path / "n.tar", newer)) == (
        "这个备份来自更新版本的程序（9.0.0）：本程序不认识其中的数据库迁移 "
        "registry.0099_from_the_future。请先把程序升级到写出备份的版本，再恢复。"
        "未做任何改动。"
    )
    _untouched(elsewhere, rows)


def test_a_database_with_data_is_not_overwritten_without_force(backup_file, elsewhere):
    rows = _tables("default")
    occupied = services.tables_with_rows()
    assert "registry_child" in occupied
    assert _refused(backup_file) == (
        f"当前数据库里已有数据（{len(occupied)} 个表有记录，如 "
        f"{'、'.join(occupied[:3])}）：为免覆盖，未做任何改动。"
        "如确要用备份替换现有的全部数据，请加 --force（替换前会先把现有数据另存为一份备份）。"
    )
    _untouched(elsewhere, rows)


def test_force_replaces_the_data_after_saving_it(backup_file, instance, settings):
    rows, stored = _tables("default"), _files(settings)
    child = Child.objects.get(name="王强")
    registry.child_update(
        actor=instance.civil,
        child_id=child.pk,
        expected_version=child.version,
        data={"name": "王小强"},
    )
    Visit.objects.update(measures="改过的措施")
    later = _tables("default")

    printed = _restore(backup_file, force=True)
    saved = next((Path(settings.VAR_DIR) / "backups").glob("before-restore-*.tar"))
    assert printed.startswith(f"恢复前的数据已另存为 {saved}。\n")
    assert "个文件（其中 5 个原已存在且内容相同）。" in printed
    assert _tables("default") == rows
    assert _files(settings) == stored
    assert Child.objects.get(pk=child.pk).name == "王强"

    # What was replaced can itself be restored.
    _restore(saved, force=True)
    assert _tables("default") == later


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's test database is in memory"
)
def test_a_backup_is_taken_online_while_another_transaction_writes(instance, tmp_path):
    """pg_dump neither waits for a writer's open transaction nor copies its rows."""
    default = connections["default"]
    writer = type(default)({**default.settings_dict}, alias="test-writer")
    try:
        writer.set_autocommit(False)
        with writer.cursor() as cursor:
            cursor.execute("UPDATE registry_child SET name = %s", ["写到一半"])
        _backup(tmp_path / "online.tar")
    finally:
        writer.rollback()
        writer.close()
    with tarfile.open(tmp_path / "online.tar") as archive:
        (tmp_path / "db.pgdump").write_bytes(
            archive.extractfile("database.pgdump").read()
        )
    dump = str(tmp_path / "db.pgdump")
    script = subprocess.run(
        ["pg_restore", "--data-only", "--table=registry_child", "--file=-", dump],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "李娜" in script and "写到一半" not in script
