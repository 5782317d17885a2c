"""Checks of an uploaded zip-based file (.xlsx, .ods, .docx) made before anything
parses it, from the central directory alone: how many members, each member's declared
uncompressed size, the sum of them, the compression method, and the ratio of
uncompressed to compressed size, against limits the caller sizes from the largest real
file of its kind. A zip bomb is refused in milliseconds, without inflating a byte.

The declared sizes are a cap as well as a claim: Python's zipfile and the zip crate
under python-calamine both stop a member at its declared uncompressed size (a longer
stream is a read error, not more data). A member that lies about its size therefore
fails to read instead of inflating past the limits checked here; code that inflates by
other means must cap its own reads.
"""

import io
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024
# Deflate cannot expand data by more than 1032 times, nor shrink the incompressible by
# more than its block headers (5 bytes per 65,535); a pair of declared sizes outside
# those bounds describes no real member.
_DEFLATE_MAX_RATIO = 1032
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
SUSPECT = "文件可能已损坏或被恶意构造，"


@dataclass(frozen=True)
class ZipLimits:
    member_bytes: int  # one member, uncompressed
    total_bytes: int  # all members, uncompressed
    ratio: int  # uncompressed ÷ compressed, for members larger than ratio_floor
    ratio_floor: int = 8 * MB  # a smaller member may compress as well as it likes
    members: int = 10_000


class ZipRejected(ValueError):
    """The archive may not be opened; the message says which member and why."""


def check_zip(data: bytes, *, limits: ZipLimits, fix: str, label: str = "文件") -> None:
    """Raise ZipRejected (a Chinese message naming the file as `label` and ending in
    `fix`) when the archive's declared contents exceed limits or cannot be real;
    return quietly when they fit or when data is no readable zip at all (its reader
    then says it is damaged)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if len(members) > limits.members:
        raise ZipRejected(
            f"{label}中有 {len(members):,} 个部件，超过 {limits.members:,} 个："
            f"{SUSPECT}{fix}"
        )
    total = 0
    for member in members:
        _check_member(member, limits, fix, label)
        total += member.file_size
        if total > limits.total_bytes:
            raise ZipRejected(
                f"{label}解压后共超过 {size_text(limits.total_bytes)}：{SUSPECT}{fix}"
            )


def _check_member(
    member: zipfile.ZipInfo, limits: ZipLimits, fix: str, label: str
) -> None:
    name, size, packed = member.filename, member.file_size, member.compress_size
    where = f"{label}中的“{_shown(name)}”"
    if member.compress_type not in _METHODS:
        raise ZipRejected(f"{where}使用了不支持的压缩方式：{SUSPECT}{fix}")
    if size > limits.member_bytes:
        raise ZipRejected(
            f"{where}解压后有 {size_text(size)}，超过上限 {size_text(limits.member_bytes)}："
            f"{SUSPECT}{fix}"
        )
    encrypted = 12 if member.flag_bits & 0x1 else 0  # ZipCrypto's header
    if member.compress_type == zipfile.ZIP_STORED:
        possible = packed == size + encrypted
    else:
        possible = (
            size <= packed * _DEFLATE_MAX_RATIO
            and packed <= size + 5 * (size // 65_535 + 1) + 64 + encrypted
        )
    if not possible:
        raise ZipRejected(
            f"{where}记录的大小（压缩后 {packed:,} 字节、解压后 {size:,} 字节）"
            f"不可能成立：{SUSPECT}{fix}"
        )
    if size > limits.ratio_floor and size > packed * limits.ratio:
        raise ZipRejected(
            f"{where}解压后是压缩时的 {size // max(packed, 1):,} 倍，正常文件不超过 "
            f"{limits.ratio:,} 倍：{SUSPECT}{fix}"
        )


def size_text(size: int) -> str:
    """A size as a message gives it: whole MB, or bytes below one MB."""
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size:,} 字节"


def _shown(name: str) -> str:
    """A member's name as a message shows it: printable, and not a page long."""
    name = "".join(ch if ch.isprintable() else "?" for ch in name)
    return name if len(name) <= 80 else name[:77] + "…"
