"""Zip files built byte by byte for the tests of zipguard and of the readers that
use it: members whose deflated data is made by streaming zlib (a gigabyte of
repeated text in about a megabyte), and members whose declared sizes lie.

`Member.deflated(name, pieces)` compresses an iterable of byte strings without
holding their whole; `zip_bytes(members)` lays out local headers, data and the
central directory (no ZIP64: every size stays under 4 GiB).
"""

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

STORED, DEFLATED = 0, 8


@dataclass(frozen=True)
class Member:
    name: str
    payload: bytes  # as stored in the zip (deflated or not)
    crc: int
    size: int  # the uncompressed size written in the headers
    method: int = DEFLATED

    @classmethod
    def deflated(cls, name: str, pieces: Iterable[bytes]) -> "Member":
        """A member holding the concatenation of pieces, deflated as it streams."""
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        out, crc, size = [], 0, 0
        for piece in pieces:
            out.append(packer.compress(piece))
            crc = zlib.crc32(piece, crc)
            size += len(piece)
        out.append(packer.flush())
        return cls(name, b"".join(out), crc, size)

    @classmethod
    def repeated(cls, name: str, head: bytes, unit: bytes, times: int, tail: bytes):
        """head + unit × times + tail, deflated quickly: a block of units is
        compressed once with a full flush and its output repeated, which is a valid
        deflate stream since a full flush starts the next block afresh."""
        block_units = max(1, (1 << 20) // len(unit))
        block = unit * block_units
        blocks, rest = divmod(times, block_units)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
        packed = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
        last = packer.compress(unit * rest + tail) + packer.flush()
        crc = zlib.crc32(head)
        for _ in range(blocks):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(unit * rest + tail, crc)
        size = len(head) + len(unit) * times + len(tail)
        return cls(name, first + packed * blocks + last, crc, size)

    @classmethod
    def text(cls, name: str, content: bytes) -> "Member":
        return cls.deflated(name, [content])

    def declaring(self, size: int) -> "Member":
        """The same data under a false uncompressed size."""
        return replace(self, size=size)


def zip_bytes(members: Iterable[Member]) -> bytes:
    """A zip archive of the members, their sizes as declared."""
    local, central, offset = [], [], 0
    count = 0
    for member in members:
        name = member.name.encode()
        fields = (20, 0x800, member.method, 0, 0x21, member.crc)
        sizes = (len(member.payload), member.size, len(name), 0)
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, *sizes) + name
        local += [header, member.payload]
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                *fields,
                *sizes,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        offset += len(header) + len(member.payload)
        count += 1
    directory = b"".join(central)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), offset, 0
    )
    return b"".join(local) + directory + end
