"""The backup file: a plain .tar whose last member, `manifest.json`, lists every other
member with its size and SHA-256, the database vendor, the migrations in the copy and
the program's versions; reading one refuses anything that does not match."""

import hashlib
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.utils import timezone

from shouwang.core.exceptions import DomainError

FORMAT = "shouwang-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Member folder under files/ → the setting naming the directory it comes from.
DIRECTORIES = {
    "uploads": "ROSTER_UPLOAD_DIR",
    "attachments": "VISIT_UPLOAD_DIR",
    "reports": "REPORTS_DIR",
    "exchange": "EXCHANGE_UPLOAD_DIR",
}
CHUNK = 1024 * 1024


class BackupRefused(DomainError):
    """A backup could not be written, or a file may not be restored (and nothing was
    changed); the message says why, in Chinese."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    vendor: str
    database_member: str
    migrations: dict[str, list[str]]
    versions: dict[str, str]
    members: list[Member] = field(default_factory=list)

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": self.created_at,
                "database": {"vendor": self.vendor, "member": self.database_member},
                "migrations": self.migrations,
                "versions": self.versions,
                "directories": DIRECTORIES,
                "members": [m.__dict__ for m in self.members],
            },
            ensure_ascii=False,
            indent=2,
        ).encode()


def now_ts() -> int:
    return int(timezone.now().timestamp())


class BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


class _HashingReader:
    """Reads at most `limit` bytes of a stream, hashing what it hands out (a file that
    grows while it is copied is cut at the size it had when opened)."""

    def __init__(self, stream, limit: int) -> None:
        self.stream, self.left = stream, limit
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        chunk = self.stream.read(size)
        self.left -= len(chunk)
        self.digest.update(chunk)
        return chunk


def add_member(archive: tarfile.TarFile, name: str, stream, size: int) -> Member:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, now_ts()
    reader = _HashingReader(stream, size)
    archive.addfile(info, reader)
    return Member(name=name, size=size, sha256=reader.digest.hexdigest())


def damaged(message: str) -> BackupRefused:
    return BackupRefused(f"备份文件已损坏：{message}未做任何改动。")


def member_place(name: str, database_member: str) -> tuple[str, PurePosixPath] | None:
    """(directory key, relative path) of a files/ member, None for the database one;
    BackupRefused for a name that is neither or that could leave its directory."""
    if name == database_member:
        return None
    path = PurePosixPath(name)
    parts = path.parts
    if (
        len(parts) < 3
        or parts[0] != "files"
        or parts[1] not in DIRECTORIES
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in parts)
        or "\\" in name
        or "\0" in name
    ):
        raise BackupRefused(f"备份里的“{name}”不是可以恢复的路径：未做任何改动。")
    return parts[1], PurePosixPath(*parts[2:])


def read_manifest(archive: tarfile.TarFile, label: str) -> Manifest:
    try:
        info = archive.getmember(MANIFEST)
    except KeyError:
        raise BackupRefused(
            f"“{label}”不是完整的守望备份：里面没有清单 {MANIFEST}"
            "（文件可能被截断，或不是 backup 命令写出的）。未做任何改动。"
        ) from None
    try:
        raw = json.loads(archive.extractfile(info).read())
        if raw.get("format") != FORMAT:
            raise ValueError
        if not isinstance(raw.get("format_version"), int):
            raise ValueError
        if raw["format_version"] > FORMAT_VERSION:
            raise BackupRefused(
                f"这个备份的格式（第 {raw['format_version']} 版）比本程序新："
                "请用写出它的版本或更新的版本恢复。未做任何改动。"
            )
        manifest = Manifest(
            created_at=str(raw["created_at"]),
            vendor=str(raw["database"]["vendor"]),
            database_member=str(raw["database"]["member"]),
            migrations={
                str(app): [str(n) for n in names]
                for app, names in raw["migrations"].items()
            },
            versions={str(k): str(v) for k, v in raw["versions"].items()},
            members=[
                Member(
                    name=str(m["name"]), size=int(m["size"]), sha256=str(m["sha256"])
                )
                for m in raw["members"]
            ],
        )
    except BackupRefused:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, tarfile.TarError):
        raise BackupRefused(
            f"“{label}”的清单 {MANIFEST} 无法读取：不是守望备份的格式，或已损坏。"
            "未做任何改动。"
        ) from None
    return manifest


def verify_members(archive: tarfile.TarFile, manifest: Manifest) -> None:
    listed = {m.name: m for m in manifest.members}
    if manifest.database_member not in listed:
        raise damaged(f"清单里没有数据库（{manifest.database_member}）。")
    for info in archive.getmembers():
        if info.name == MANIFEST:
            continue
        if info.name not in listed:
            raise damaged(f"文件中有清单里没有的“{info.name}”。")
        if not info.isfile():
            raise BackupRefused(f"备份里的“{info.name}”不是普通文件：未做任何改动。")
    present = set(archive.getnames())
    for member in manifest.members:
        member_place(member.name, manifest.database_member)
        if member.name not in present:
            raise damaged(f"清单里的“{member.name}”不在文件中（文件可能被截断）。")
        info = archive.getmember(member.name)
        if info.size != member.size:
            raise damaged(f"“{member.name}”的大小与清单不符（文件可能被截断）。")
        digest = hashlib.sha256()
        stream = archive.extractfile(info)
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != member.sha256:
            raise damaged(f"“{member.name}”的校验和（SHA-256）与清单不符。")


class open_backup:
    """The backup as an open tar archive, BackupRefused for what is not one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __enter__(self) -> tarfile.TarFile:
        if not self.path.is_file():
            raise BackupRefused(f"找不到备份文件“{self.path}”。")
        try:
            self.archive = tarfile.open(self.path, "r:")
        except (tarfile.TarError, EOFError, OSError):
            raise BackupRefused(
                f"“{self.path.name}”不是守望的备份文件（不是 backup 命令写出的 .tar，"
                "或已损坏）。未做任何改动。"
            ) from None
        return self.archive

    def __exit__(self, kind, error, trace) -> bool:
        self.archive.close()
        if isinstance(error, tarfile.TarError | EOFError):
            raise damaged("文件在读取途中意外结束（文件可能被截断）。") from error
        return False


def copy_checked(archive: tarfile.TarFile, member: Member, out) -> None:
    """Copy a member, checking its bytes again (the file was read once already)."""
    digest = hashlib.sha256()
    stream = archive.extractfile(member.name)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)
    if digest.hexdigest() != member.sha256:
        raise damaged(f"“{member.name}”在恢复时读到的内容与清单不符。")


def manifest_member(manifest: Manifest) -> Member:
    return next(m for m in manifest.members if m.name == manifest.database_member)
