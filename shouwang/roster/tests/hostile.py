"""Hostile workbooks built in code for the bad-input tests: real .xlsx files that
python-calamine opens, each made to exhaust the memory of whatever parses it.

- shared_strings_bomb(): an .xlsx whose xl/sharedStrings.xml inflates to 1 GiB:
  of 4,096-letter strings in 1.2 MB, or (letters=1) of one-letter strings, 63
  million of them, in 2.6 MB (a dense reader needs gigabytes for those);
- formula_bomb(): a few hundred KB whose sheet inflates to rows of 16,384 formula
  cells without saved results (no cell references: every row is the same bytes);
- far_corner(): a few hundred bytes whose two cells, A1 and XFD1048576, make a dense
  reader allocate the whole sheet (550 GB);
- lying(): a workbook whose shared strings declare another size than the one they
  inflate to;
- ods_bomb(): an .ods whose content.xml inflates to size.
"""

import zlib

from shouwang.core.tests.zipbombs import STORED, Member, zip_bytes

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

GB = 1024 * 1024 * 1024


def _skeleton(*, shared_strings: bool) -> list[Member]:
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{_CT}.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_CT}.sharedStrings+xml"/>'
            if shared_strings
            else ""
        )
        + "</Types>"
    )
    rels = (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            if shared_strings
            else ""
        )
        + "</Relationships>"
    )
    return [
        Member.text("[Content_Types].xml", XML + types.encode()),
        Member.text("_rels/.rels", XML + rels.encode()),
        Member.text("xl/workbook.xml", XML + workbook.encode()),
        Member.text("xl/_rels/workbook.xml.rels", XML + book_rels.encode()),
    ]


def _sheet(rows: str) -> Member:
    return Member.text(
        "xl/worksheets/sheet1.xml",
        XML
        + f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode(),
    )


_HEADER_ROW = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
)


def shared_strings(count: int, *, unit: bytes = b"<si><t>a</t></si>") -> Member:
    """xl/sharedStrings.xml of count strings (unit each), deflated in blocks."""
    head = XML + f'<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">'.encode()
    return Member.repeated("xl/sharedStrings.xml", head, unit, count, b"</sst>")


def shared_strings_bomb(size: int = GB, *, letters: int = 4096) -> bytes:
    """An .xlsx whose shared strings, each of `letters` letters, inflate to size."""
    unit = b"<si><t>" + b"a" * letters + b"</t></si>"
    return zip_bytes(
        [
            *_skeleton(shared_strings=True),
            _sheet(_HEADER_ROW),
            shared_strings(size // len(unit), unit=unit),
        ]
    )


def formula_bomb(rows: int = 2_000) -> bytes:
    """Rows of 16,384 formula cells each, without saved results: about 0.5 GB of
    sheet (with the default rows) in a few hundred KB."""
    row = b"<row>" + b"<c><f>1+1</f></c>" * 16_384 + b"</row>"
    head = XML + f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
    sheet = Member.repeated(
        "xl/worksheets/sheet1.xml", head, row, rows, b"</sheetData></worksheet>"
    )
    return zip_bytes([*_skeleton(shared_strings=False), sheet])


def far_corner() -> bytes:
    """Two cells at opposite corners of the largest sheet Excel allows."""
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
        "</row>"
    )
    return zip_bytes([*_skeleton(shared_strings=False), _sheet(cells)])


def lying(*, declared_ratio: float, size: int = GB) -> bytes:
    """A workbook whose shared strings inflate to size (one-letter strings) but
    declare declared_ratio times their compressed size."""
    unit = b"<si><t>a</t></si>"
    strings = shared_strings(size // len(unit), unit=unit)
    declared = int(len(strings.payload) * declared_ratio)
    return zip_bytes(
        [
            *_skeleton(shared_strings=True),
            _sheet(_HEADER_ROW),
            strings.declaring(declared),
        ]
    )


def ods_bomb(size: int = 256 * 1024 * 1024) -> bytes:
    """An OpenDocument spreadsheet whose content.xml inflates to size bytes."""
    mime = b"application/vnd.oasis.opendocument.spreadsheet"
    ns = 'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    head = XML + f"<office:document-content {ns}><table:table>".encode()
    unit = b"<table:table-row><table:table-cell/></table:table-row>"
    content = Member.repeated(
        "content.xml",
        head,
        unit,
        size // len(unit),
        b"</table:table></office:document-content>",
    )
    return zip_bytes(
        [Member("mimetype", mime, zlib.crc32(mime), len(mime), STORED), content]
    )
