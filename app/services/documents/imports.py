"""Excel import (P-15): one pipeline for every module.

template → upload → read (python-calamine behind a streamed guard; csv) → check every row once
while reading and stage it (``core_import_row``, bulk inserts) → preview paged on the server
(successes, failures with row, column and reason) → fix a row in place or delete failures →
download the workbook back with a 错误信息 column and the bad cells marked → commit the good
rows in one transaction (Core bulk inserts in chunks; a background job with progress for large
batches), audited once per batch. A module declares an ``ImportSpec`` and registers it.

Settings: ``IMPORT_MAX_ROWS`` (100,000 data rows), ``IMPORT_BLANK_RUN`` (1,000 blank rows end a
sheet), ``IMPORT_MAX_CELLS`` (rows × columns calamine may hold), ``IMPORT_MAX_BYTES`` (upload
size), ``IMPORT_INLINE_ROWS`` (larger batches commit as a job), ``IMPORT_ERROR_XLSX_ROWS``
(larger error reports are written by streaming instead of annotating the upload),
``IMPORT_FORK_ROWS`` (0, off: from that many rows a ``parallel`` spec's check is shared with a
forked worker process).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import json
import os
import pickle
import re
import signal
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Boolean, String, bindparam, delete, exists, func, select, update

from app.extensions import db
from app.services.documents.columns import Column
from app.services.errors import BusinessError
from models.core.document import ImportBatch, ImportRow

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNZIPPED = 160 * 1024 * 1024  # a workbook that unpacks to more is refused (zip bomb; calamine's memory)
MAX_RATIO = 200
CHUNK_BYTES = 1 << 20
SEP = "\x1f"  # joined a staged row's cells before they were staged as a JSON array (still read)
STAGE_ROWS = 5000  # rows parsed, checked and staged at a time (and per page of the commit's Python path)
COMMIT_ROWS = 20000  # a check job commits its staged rows and reports its progress this often
PAGE_SIZE = 50
STAGED_KEY = "_key"  # in ``sql_values``' columns: the staged key (the key column's text as compared, an ID upper-cased)

Report = Callable[[int, int], None]


class ImportError_(BusinessError):  # noqa: N801 - "ImportError" is a builtin
    """The file as a whole is refused (not a workbook, too large, wrong headers); nothing changed."""


@dataclass
class ImportSpec:
    code: str
    title: Any
    model: type
    columns: list[Column]
    # (parsed values, user, context object or None) -> the model's column values for one bulk insert;
    # every call returns the same keys
    row_values: Callable[[dict[str, Any], Any, Any], dict[str, Any]]
    key: str | None = None  # the column whose value must be new (duplicates in the file and in the database)
    # False: the key must be unique in the file only (a person listed once, who may already be on record)
    key_in_database: bool = True
    row_check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None  # cross-field checks
    # the same checks for a chunk of rows at once (optional; used instead of row_check when given):
    # {column key: the chunk's values} -> [(position in the chunk, column key, reason)]
    rows_check: Callable[[dict[str, list[Any]]], list[tuple[int, str, str]]] | None = None
    max_rows: int | None = None  # default: IMPORT_MAX_ROWS
    list_endpoint: str | None = None
    permission: tuple[str, str] | None = None  # (permission, view) needed to import
    # a spec that imports into one parent record (a team's projects) resolves ?ctx=<id> to it, or refuses
    context: Callable[[str, Any], Any] | None = None
    context_endpoint: Callable[[Any], str] | None = None  # where to go after the import
    # ``row_values`` as SQL, for a commit by INSERT … SELECT from the staged rows (faster; optional):
    # ({column key: SQL expression of its staged value, NULL when empty; STAGED_KEY: the staged key},
    # user, context) -> {model column: SQL expression}; must give what ``row_values`` gives
    sql_values: Callable[[dict[str, Any], Any, Any], dict[str, Any]] | None = None
    # the checks need no database (no unit column; row_check/rows_check plain Python): a large upload may
    # be checked by two processes (a forked worker takes the second half; IMPORT_FORK_ROWS, off by default)
    parallel: bool = False
    # a template prefilled with rows (a defense schedule lists each received applicant): (context object,
    # user) -> rows of cell values in the columns' order; the template download passes ?ctx= through
    template_rows: Callable[[Any, Any], Iterable[list[Any]]] | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SPECS: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    SPECS[spec.code] = spec
    return spec


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is built: the rows are many live objects without
    cycles, and each collection would walk all of them (a third of the check's time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def max_rows_of(spec: ImportSpec) -> int:
    return spec.max_rows or _setting("IMPORT_MAX_ROWS", 100_000)


# -- template --------------------------------------------------------------------------------


def template(spec: ImportSpec, rows: Iterable[list[Any]] = ()) -> bytes:
    """The template: Chinese headers (* marks required), notes, drop-downs, text-formatted IDs; ``rows``
    prefilled below the headers (``ImportSpec.template_rows``)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = str(spec.title)[:31]
    lists = wb.create_sheet(_("选项"))
    lists.sheet_state = "hidden"
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=i, value=("*" if col.required else "") + col.label)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        hint = col.hint()
        if hint:
            cell.comment = Comment(hint, _("填写说明"), width=240, height=90)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(col.width, len(col.label) * 2 + 4)
        if col.kind in ("idcard", "mobile", "phone", "ym", "str"):
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "@"
        if col.kind == "dict" and col.choices():
            labels = [label for _code, label in col.choices()]
            for r, label in enumerate(labels, start=1):
                lists.cell(row=r, column=i, value=label)
            dv = DataValidation(type="list", formula1=f"={lists.title}!${letter}$1:${letter}${len(labels)}",
                                allow_blank=not col.required, showErrorMessage=True,
                                errorTitle=_("输入有误"), error=_("请从下拉列表中选择"))
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
        if col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    for r, values in enumerate(rows, start=2):
        for i, value in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=value)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading ---------------------------------------------------------------------------------
#
# python-calamine (0.9) loads a whole sheet before the first row is returned, as a dense range
# from the first to the last cell holding a value (an empty string counts). A small file can
# therefore ask for gigabytes: 2,000,000 rows of empty strings, or one cell at XFD1048576. The
# sheet's XML is streamed first: when its rows and columns fit the cap, calamine reads the file
# as it is; otherwise the rows are walked one by one (the cap and the run of blank rows enforced
# while reading) and calamine reads a copy of the workbook cut where reading stops.


def _zip_names(zf: zipfile.ZipFile) -> set[str]:
    return {i.filename for i in zf.infolist()}


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 << 20:
                    raise ImportError_(_("文件异常（压缩比过大），已拒绝"))
            if total > MAX_UNZIPPED:
                raise ImportError_(_("文件解压后过大，已拒绝"))
            if "xl/workbook.xml" not in _zip_names(zf):
                raise ImportError_(_("文件不是有效的Excel工作簿"))
    except zipfile.BadZipFile as e:
        raise ImportError_(_("文件不是有效的Excel工作簿")) from e


def _first_sheet(zf: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (the one calamine's index 0 reads)."""
    book = zf.read("xl/workbook.xml")[:1 << 20]
    m = re.search(rb'<(?:\w+:)?sheet\b[^>]*?\b(?:\w+:)?id="([^"]+)"', book)
    names = _zip_names(zf)
    if m and "xl/_rels/workbook.xml.rels" in names:
        rels = zf.read("xl/_rels/workbook.xml.rels")[:1 << 20]
        for rel in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
            tag = rel.group(0)
            if re.search(rb'\bId="' + re.escape(m.group(1)) + rb'"', tag):
                target = re.search(rb'\bTarget="([^"]+)"', tag)
                if target:
                    path = target.group(1).decode("utf-8", "replace")
                    path = path.lstrip("/") if path.startswith("/") else "xl/" + path
                    if path in names:
                        return path
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise ImportError_(_("文件不是有效的Excel工作簿"))


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _stream(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    with zf.open(name) as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            if not chunk:
                return
            yield chunk


def _prefix(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        head = fh.read(4096)
    m = re.search(rb"<(\w+:)?worksheet\b", head)
    return (m.group(1) or b"") if m else b""


@dataclass
class _Scan:
    ok: bool  # calamine may read the file as it is
    rows: int  # rows seen (an estimate of the data rows for the progress)


def _quick_scan(zf: zipfile.ZipFile, sheet: str, p: bytes, row_limit: int, max_cells: int) -> _Scan:
    """One pass over the sheet's XML without looking at single cells: the highest row number, the
    widest column reference, cells or rows without a reference (positional: not checked here)."""
    row_re = re.compile(rb"<" + re.escape(p) + rb'row[ >](?:r="(\d+)")?')
    odd_re = re.compile(rb"<" + re.escape(p) + rb'c(?:>| (?!r=")| r="([A-Z]{2,3})\d)')
    max_row = max_col = rows = 0
    carry = b""
    for chunk in _stream(zf, sheet):
        buf = carry + chunk
        cut = buf.rfind(b"<")
        if cut < 0:
            carry = buf
            continue
        buf, carry = buf[:cut], buf[cut:]
        found = row_re.findall(buf)
        if found:
            rows += len(found)
            if b"" in found:
                return _Scan(False, rows)
            top = max(map(int, found))
            max_row = max(max_row, top)
            if max_row > row_limit:
                return _Scan(False, rows)
        for m in odd_re.finditer(buf):
            if m.group(1) is None:
                return _Scan(False, rows)
            max_col = max(max_col, _col_number(m.group(1)))
        if max_row * max(max_col, 26) > max_cells:
            return _Scan(False, rows)
    return _Scan(True, rows)


def _blank_strings(zf: zipfile.ZipFile, p: bytes) -> set[int]:
    """Indexes of the shared strings that are empty or only spaces."""
    name = "xl/sharedStrings.xml"
    if name not in _zip_names(zf):
        return set()
    si_re = re.compile(rb"<" + re.escape(p) + rb"si\b[^>]*?(?:/>|>(.*?)</" + re.escape(p) + rb"si>)", re.S)
    text_re = re.compile(rb"<(?:\w+:)?t\b[^>]*>([^<]*)</(?:\w+:)?t>")
    blank: set[int] = set()
    index = 0
    carry = b""
    for chunk in _stream(zf, name):
        buf = carry + chunk
        end = 0
        for m in si_re.finditer(buf):
            body = m.group(1) or b""
            if not b"".join(text_re.findall(body)).strip():
                blank.add(index)
            index += 1
            end = m.end()
        carry = buf[end:]
        if len(carry) > 16 * CHUNK_BYTES:
            raise ImportError_(_("文件不是有效的Excel工作簿"))
    return blank


def _row_has_value(seg: bytes, p: bytes, blank_sst: set[int], cell_re: re.Pattern[bytes]) -> bool:
    if b"v>" not in seg and b"t>" not in seg:
        return False
    for m in cell_re.finditer(seg):
        attrs, body = m.group(1), m.group(2) or b""
        kind = re.search(rb'\bt="(\w+)"', attrs)
        t = kind.group(1) if kind else b"n"
        if t == b"inlineStr":
            if b"".join(re.findall(rb"<(?:\w+:)?t\b[^>]*>([^<]*)</", body)).strip():
                return True
            continue
        v = re.search(rb"<(?:\w+:)?v>([^<]*)</", body)
        if v is None:
            continue
        text = v.group(1).strip()
        if t == b"s":
            if text.isdigit() and int(text) in blank_sst:
                continue
            return True
        if text:
            return True
    return False


def _cut_sheet(data: bytes, zf: zipfile.ZipFile, sheet: str, p: bytes, max_rows: int, blank_run: int,
               max_cells: int) -> tuple[bytes, int]:
    """Walk the rows: stop after ``blank_run`` blank rows, refuse more than ``max_rows`` data rows;
    return a copy of the workbook whose first sheet ends there (and the data rows seen)."""
    blank_sst = _blank_strings(zf, p)
    ep = re.escape(p)
    row_re = re.compile(rb"<" + ep + rb"row\b([^>]*)>|</" + ep + rb"sheetData>")
    cell_re = re.compile(rb"<" + ep + rb"c\b([^>]*?)(?:/>|>(.*?)</" + ep + rb"c>)", re.S)
    last_ref = re.compile(rb'<' + ep + rb'c r="([A-Z]{1,3})\d')
    out = io.BytesIO()
    zout = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    for info in zf.infolist():
        if info.filename != sheet:
            with zf.open(info) as src, zout.open(info.filename, "w") as dst:
                while block := src.read(CHUNK_BYTES):
                    dst.write(block)
    seen = 0  # non-blank rows, the header included
    row_no = 0
    last_value_row = 0
    max_col = 0
    with zout.open(sheet, "w") as dst:
        carry = b""
        pending: list[bytes] = []  # blank rows, written only when a later row counts
        pending_size = 0
        started = False
        done = False
        for chunk in _stream(zf, sheet):
            buf = carry + chunk
            pos = 0
            marks = list(row_re.finditer(buf))
            if not started:
                if not marks:
                    carry = buf
                    continue
                dst.write(buf[:marks[0].start()])
                pos = marks[0].start()
                started = True
            # every row but the last of the buffer is complete
            for m, nxt in zip(marks, marks[1:], strict=False):
                if m.start() < pos or m.group(0).startswith(b"</"):
                    continue
                seg = buf[m.start():nxt.start()]
                r = re.search(rb'\br="(\d+)"', m.group(1))
                row_no = int(r.group(1)) if r else row_no + 1
                if row_no - last_value_row > blank_run:
                    done = True
                    break
                if _row_has_value(seg, p, blank_sst, cell_re):
                    seen += 1
                    if seen > max_rows + 1:
                        raise ImportError_(_("数据超过%(n)s行，请分批导入", n=max_rows))
                    refs = last_ref.findall(seg)
                    width = max(_col_number(refs[-1]) if refs else 0, seg.count(b"<" + p + b"c"))
                    max_col = max(max_col, width)
                    if row_no * max_col > max_cells:
                        raise ImportError_(_("表格范围过大（行数×列数超过%(n)s），请删除多余的行列后重试",
                                             n=max_cells))
                    dst.write(b"".join(pending))
                    pending.clear()
                    pending_size = 0
                    dst.write(seg)
                    last_value_row = row_no
                elif pending_size < 8 * CHUNK_BYTES:  # blank rows between data rows keep their places
                    pending.append(seg)
                    pending_size += len(seg)
                pos = nxt.start()
            if done:
                break
            if marks and marks[-1].group(0).startswith(b"</"):
                break
            carry = buf[pos:]
            if len(carry) > 16 * CHUNK_BYTES:
                raise ImportError_(_("文件不是有效的Excel工作簿"))
        if not started:
            raise ImportError_(_("文件不是有效的Excel工作簿"))
        dst.write(b"</" + p + b"sheetData></" + p + b"worksheet>")
    zout.close()
    return out.getvalue(), max(seen - 1, 0)


@dataclass
class Source:
    """The rows of an upload's first sheet: ``rows`` yields (row number, cells) for the header and
    every non-blank row; ``estimate`` is the number of data rows expected (for the progress)."""

    rows: _Guarded
    estimate: int


def _calamine_rows(data: bytes, max_cells: int | None = None) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
        start = sheet.start or (0, 0)
        if max_cells is not None and sheet.height * sheet.width > max_cells:
            # an .xls is read whole by calamine (no stream to cut): refused before any row is made
            raise ImportError_(_("表格范围过大（行数×列数超过%(n)s），请删除多余的行列后重试", n=max_cells))
        rows = sheet.iter_rows()
        height = sheet.height
    except ImportError_:
        raise
    except Exception as e:  # calamine raises its own errors for broken files
        raise ImportError_(_("文件无法读取：不是有效的Excel工作簿")) from e
    return zip(range(start[0] + 1, start[0] + 1 + height), rows, strict=False), height


# BIFF cell records: (record type, whether it spans columns: MULRK / MULBLANK end with the last column)
_BIFF_CELLS = {0x0006: False, 0x0201: False, 0x0203: False, 0x0204: False, 0x0205: False, 0x027E: False,
               0x00FD: False, 0x00BD: True, 0x00BE: True, 0x0406: False, 0x0021: False}


def _xls_extent(data: bytes) -> tuple[int, int]:
    """The first sheet of a legacy .xls: its number of cell records and the size of the range they
    span (rows × columns, what calamine would hold), read from the records themselves before calamine
    loads the sheet whole. A DIMENSIONS record is not trusted: a file can claim one size and hold
    another."""
    import struct

    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
    except Exception as e:
        raise ImportError_(_("文件无法读取：不是有效的Excel工作簿")) from e
    unpack = struct.unpack_from
    size = len(stream)
    pos, sheet_at = 0, None
    while pos + 4 <= size:  # the globals: the first BOUNDSHEET names where the first sheet starts
        rtype, length = unpack("<HH", stream, pos)
        if rtype == 0x0085 and length >= 4:
            sheet_at = unpack("<I", stream, pos + 4)[0]
            break
        pos += 4 + length
    if sheet_at is None or sheet_at >= size:
        return 0, 0
    pos, cells = sheet_at, 0
    min_r = min_c = 1 << 30
    max_r = max_c = -1
    bof_seen = False
    while pos + 4 <= size:
        rtype, length = unpack("<HH", stream, pos)
        body = pos + 4
        if rtype == 0x0809:  # BOF: the sheet's own, then a nested one (a chart) is skipped to its EOF
            if bof_seen:
                break
            bof_seen = True
        elif rtype == 0x000A:  # EOF of the sheet
            break
        elif rtype in _BIFF_CELLS and length >= 4:
            row, col = unpack("<HH", stream, body)
            last = unpack("<H", stream, body + length - 2)[0] if _BIFF_CELLS[rtype] and length >= 6 else col
            cells += max(last - col + 1, 1)
            min_r, max_r = min(min_r, row), max(max_r, row)
            min_c, max_c = min(min_c, col), max(max_c, last)
        pos = body + length
    if max_r < 0:
        return 0, 0
    return cells, (max_r - min_r + 1) * (max_c - min_c + 1)


def _csv_rows(data: bytes) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportError_(_("CSV文件编码无法识别，请另存为UTF-8"))
    return enumerate(csv.reader(io.StringIO(text)), start=1), data.count(b"\n")


def _is_blank(row: list[Any]) -> bool:
    for v in row:
        if v is None or v == "":
            continue
        if v.__class__ is str and v.isspace():
            continue
        return False
    return True


def read(data: bytes, file_name: str, max_rows: int, blank_run: int | None = None) -> Source:
    """The upload's rows (the kind comes from the content): blank rows skipped, reading stops after
    ``blank_run`` blank rows in a row, and more than ``max_rows`` data rows are refused while reading."""
    blank_run = blank_run or _setting("IMPORT_BLANK_RUN", 1000)
    max_cells = _setting("IMPORT_MAX_CELLS", 4_000_000)
    head = data[:8]
    if head.startswith(XLSX_MAGIC):
        _check_zip(data)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            sheet = _first_sheet(zf)
            p = _prefix(zf, sheet)
            scan = _quick_scan(zf, sheet, p, max_rows + blank_run + 1, max_cells)
            if not scan.ok:
                data, _seen = _cut_sheet(data, zf, sheet, p, max_rows, blank_run, max_cells)
        raw, estimate = _calamine_rows(data)
    elif head.startswith(XLS_MAGIC):
        # BIFF is read whole by calamine: its cell records are counted first, and a tighter cap keeps
        # the peak under 300 MB (65,536 rows x 17 columns, the most an .xls template holds, still fits)
        cap = min(max_cells, _setting("IMPORT_MAX_XLS_CELLS", 1_200_000))
        cells, span = _xls_extent(data)
        if max(cells, span) > cap:  # refused before calamine allocates the range
            raise ImportError_(_("表格范围过大（行数×列数超过%(n)s），请删除多余的行列后重试", n=cap))
        raw, estimate = _calamine_rows(data, cap)
    elif file_name.lower().endswith(".csv"):
        raw, estimate = _csv_rows(data)
    else:
        raise ImportError_(_("请上传Excel文件（.xlsx、.xls）或CSV文件"))
    return Source(_Guarded(raw, max_rows, blank_run), max(min(estimate - 1, max_rows), 0))


class _Guarded:
    """The rows of a source without blank rows: reading ends after ``blank_run`` blank rows in a row,
    and more than ``max_rows`` data rows (plus the header) are refused while reading. Iterated row by
    row, or taken a chunk at a time (``take``) with the same rules."""

    def __init__(self, raw: Iterable[tuple[int, list[Any]]], max_rows: int, blank_run: int) -> None:
        self.raw = iter(raw)
        self.max_rows, self.blank_run = max_rows, blank_run
        self.seen = 0
        self.last = 0
        self.ended = False

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self

    def __next__(self) -> tuple[int, list[Any]]:
        while not self.ended:
            item = next(self.raw, None)
            if item is None:
                self.ended = True
                break
            if self._keep(*item):
                return item
        raise StopIteration

    def _keep(self, n: int, row: list[Any]) -> bool:
        """Whether a row counts (False for a blank row); ends or refuses the reading as its rules say."""
        first = row[0] if row else None
        if first is None or first == "" or (first.__class__ is str and first.isspace()):
            if not row or _is_blank(row):
                if n - self.last > self.blank_run:
                    self.ended = True
                return False
        if n - self.last > self.blank_run:
            self.ended = True
            return False
        self.last = n
        self.seen += 1
        if self.seen > self.max_rows + 1:
            raise ImportError_(_("数据超过%(n)s行，请分批导入", n=self.max_rows))
        return True

    def take(self, size: int) -> list[tuple[int, list[Any]]]:
        """Up to ``size`` rows. A chunk of consecutive rows whose first cells all hold a value (a filled-in
        sheet) is taken as it is; any other chunk row by row."""
        out: list[tuple[int, list[Any]]] = []
        while len(out) < size and not self.ended:
            part = list(itertools.islice(self.raw, size - len(out)))
            if not part:
                self.ended = True
                break
            first_n, last_n = part[0][0], part[-1][0]
            plain = (last_n - first_n == len(part) - 1 and first_n - self.last <= self.blank_run
                     and self.blank_run >= 1 and self.seen + len(part) <= self.max_rows + 1)
            if plain:
                firsts = [row[0] if row else None for _n, row in part]
                plain = None not in firsts and "" not in firsts and not any(
                    [f.isspace() for f in firsts if f.__class__ is str])
            if plain:
                self.seen += len(part)
                self.last = last_n
                out.extend(part)
                continue
            for n, row in part:
                if self.ended:
                    break
                if self._keep(n, row):
                    out.append((n, row))
        return out


def read_rows(data: bytes, file_name: str) -> Iterator[list[Any]]:
    """Every non-blank row of the first sheet as a list (the header included)."""
    for _n, row in read(data, file_name, _setting("IMPORT_MAX_ROWS", 100_000)).rows:
        yield row


def _raw(value: Any) -> str:
    """A cell as the text the user typed (for the preview and the error report)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip().replace(SEP, " ")


# -- checking --------------------------------------------------------------------------------


def _encode(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# A staged row's ``data`` is a JSON array of texts, one per column of the spec (a good row: the
# parsed values encoded by ``_encode``, "" for none; a failing row: the cells as typed), which
# the commit's INSERT … SELECT reads with json_extract (SQLite) or ->> (PostgreSQL).
_JSON_PLAIN = re.compile(r'[\x00-\x1f"\\]')


def _json_rows(cols: list[Any]) -> list[str]:
    """Columns of texts -> each row's JSON array, joined as they are unless a text needs escaping."""
    if _JSON_PLAIN.search("".join(map("".join, cols))) is None:
        cols = list(cols)
        cols[0] = ['["' + v for v in cols[0]]
        cols[-1] = [v + '"]' for v in cols[-1]]
        return list(map('","'.join, zip(*cols, strict=True)))
    return [_json_array(list(texts)) for texts in zip(*cols, strict=True)]


def _json_array(texts: list[str]) -> str:
    return json.dumps(texts, ensure_ascii=False, separators=(",", ":"))


def _cells(data: str) -> list[str]:
    """A staged row's texts (a JSON array; rows staged before it was one are joined by SEP)."""
    if data[:1] == "[":
        try:
            cells = json.loads(data)
        except ValueError:
            cells = None
        if isinstance(cells, list):
            return [c if c.__class__ is str else _encode(c) for c in cells]
    return data.split(SEP)


def _decoder(col: Column) -> Callable[[str], Any]:
    if col.kind == "bool":
        return lambda s: True if s == "1" else (False if s == "0" else None)
    if col.kind in ("int", "unit"):
        return lambda s: int(s) if s else None
    if col.kind == "date":
        return lambda s: dt.date.fromisoformat(s) if s else None
    return lambda s: s or None


class Checker:
    """Checks rows against a spec with everything prepared once per import: the parsers (with
    their dictionaries and messages), the units named so far, the keys seen in the file."""

    def __init__(self, spec: ImportSpec, user: Any) -> None:
        self.spec = spec
        self.user = user
        self.keys = [c.key for c in spec.columns]
        # each dictionary's choices are read once and shared by the cell and the column parsers
        self.choices = [c.choices() if c.kind == "dict" else None for c in spec.columns]
        self.parsers = [c.parser(ch) for c, ch in zip(spec.columns, self.choices, strict=True)]
        self._column_parsers: list[Any] | None = None
        self.unit_cols = [i for i, c in enumerate(spec.columns) if c.kind == "unit"]
        self.key_index = self.keys.index(spec.key) if spec.key else None
        self.key_upper = bool(spec.key) and spec.column(spec.key).text_only
        self.units: dict[str, Any] = {}  # text -> unit (or None: unknown)
        self.unit_ok: dict[int, bool] = {}
        self.seen: dict[str, int] = {}  # key -> first row number in the file
        self.msg_exists = _("系统中已存在")
        self.msg_dup = _("与第%(n)s行重复", n="\x00").split("\x00")

    def parse(self, cells: list[Any], index: list[int | None]) -> tuple[list[Any], list[list[str]]]:
        values: list[Any] = []
        problems: list[list[str]] = []
        n = len(cells)
        for key, i, parse in zip(self.keys, index, self.parsers, strict=True):
            v, reason = parse(cells[i] if i is not None and i < n else None)
            if reason is not None:
                problems.append([key, reason])
            values.append(v)
        return values, problems

    def column_parsers(self) -> list[Any]:
        if self._column_parsers is None:
            self._column_parsers = [c.column_parser(ch) for c, ch in zip(self.spec.columns, self.choices,
                                                                         strict=True)]
        return self._column_parsers

    def parse_rows(self, rows: list[list[Any]], index: list[int | None]) -> tuple[list[list[Any]],
                                                                                  list[list[list[str]]]]:
        """A chunk of rows parsed column by column (``Column.column_parser``): the values and the
        problems of each row, the same as ``parse`` row by row."""
        column_parsers = self.column_parsers()
        n = len(rows)
        if len(set(map(len, rows))) == 1:
            cols: list[Any] = list(zip(*rows, strict=True))
        else:  # rows of different lengths (a CSV): a missing cell is None, as in ``parse``
            cols = list(itertools.zip_longest(*rows))
        width = len(cols)
        absent = (None,) * n
        problems: list[list[list[str]]] = [[] for _ in range(n)]
        parsed = []
        for key, i, parse in zip(self.keys, index, column_parsers, strict=True):
            values, errors = parse(cols[i] if i is not None and i < width else absent)
            for r, reason in errors:
                problems[r].append([key, reason])
            parsed.append(values)
        return list(map(list, zip(*parsed, strict=True))), problems

    def _resolve_units(self, texts: set[str]) -> None:
        from models.core.unit import Unit

        todo = sorted(t for t in texts if t not in self.units)
        for i in range(0, len(todo), 500):
            part = todo[i:i + 500]
            for t in part:
                self.units[t] = None
            for unit in db.session.scalars(select(Unit).where((Unit.name.in_(part)) | (Unit.credit_code.in_(part)))):
                for text in (unit.name, unit.credit_code):
                    if text in self.units and (self.units[text] is None or self._in_scope(unit)):
                        self.units[text] = unit

    def _in_scope(self, unit: Any) -> bool:
        from app.security.scope import unit_in_scope

        if unit.id not in self.unit_ok:
            self.unit_ok[unit.id] = unit_in_scope(unit, self.user)
        return self.unit_ok[unit.id]

    def finish(self, rows: list[tuple[int, list[Any], list[list[str]]]]) -> list[tuple[int, list[Any],
                                                                                      list[list[str]], str | None]]:
        """Units, cross-field checks and duplicates for a chunk of parsed rows -> (row, values, problems, key)."""
        self.cross(rows)
        return self.dedupe(self.keyed(rows))

    def cross(self, rows: list[tuple[int, list[Any], list[list[str]]]]) -> None:
        """Units (resolved, in scope) and the spec's cross-field checks; problems are appended."""
        spec = self.spec
        if self.unit_cols:
            self._resolve_units({v[i] for _n, v, _p in rows for i in self.unit_cols if v[i]})
            for _n, values, problems in rows:
                for i in self.unit_cols:
                    text = values[i]
                    if text:
                        unit = self.units.get(text)
                        if unit is None:
                            values[i] = None
                            problems.append([self.keys[i], _("单位“%(u)s”不存在", u=text)])
                        elif not self._in_scope(unit):
                            values[i] = None
                            problems.append([self.keys[i], _("单位“%(u)s”不在本单位管辖范围内", u=text)])
                        else:
                            values[i] = unit.id
        columns = self.keys
        if spec.rows_check is not None and rows:  # column by column, for the whole chunk
            found: dict[int, list[tuple[str, str]]] = {}
            cols = dict(zip(columns, map(list, zip(*[v for _n, v, _p in rows], strict=True)), strict=True))
            for pos, k, reason in spec.rows_check(cols):
                found.setdefault(pos, []).append((k, reason))
            for pos, cross in found.items():
                problems = rows[pos][2]
                bad = {k for k, _r in problems}
                problems.extend([k, str(reason)] for k, reason in cross if k not in bad)
        elif spec.row_check is not None:
            row_check = spec.row_check
            for _n, values, problems in rows:
                cross = row_check(dict(zip(columns, values, strict=True)))
                if cross:
                    bad = {k for k, _r in problems}
                    problems.extend([k, str(reason)] for k, reason in cross if k not in bad)

    def keyed(self, rows: list[tuple[int, list[Any], list[list[str]]]]) -> list[tuple[int, list[Any],
                                                                                      list[list[str]], str | None]]:
        """(row, values, problems, key): the key as compared (a text; upper-cased for an ID number)."""
        key_index, upper = self.key_index, self.key_upper
        if key_index is None:
            return [(n, values, problems, None) for n, values, problems in rows]
        out = []
        for n, values, problems in rows:
            key = values[key_index]
            if key:
                if key.__class__ is not str:
                    key = str(key)
                if upper:
                    key = key.upper()
            else:
                key = None
            out.append((n, values, problems, key))
        return out

    def dedupe(self, rows: list[tuple[int, Any, list[list[str]], str | None]]) -> list[tuple[int, Any,
                                                                                           list[list[str]], str | None]]:
        """Keys seen earlier in the file (the rows given in file order after every earlier row) and keys
        already in the database; problems are appended."""
        spec = self.spec
        keys: dict[str, int] = {}
        seen = self.seen
        for n, _values, problems, key in rows:
            if key is not None:
                first = seen.get(key)
                if first is not None and first != n:
                    problems.append([spec.key, self.msg_dup[0] + str(first) + self.msg_dup[-1]])
                else:
                    seen[key] = n
                    keys[key] = n
        if keys and spec.key_in_database:
            existing = self.existing(list(keys))
            if existing:
                for n, _values, problems, key in rows:
                    if key in existing and keys.get(key) == n:
                        problems.append([spec.key, self.msg_exists])
        return rows

    def existing(self, keys: list[str]) -> set[str]:
        column = getattr(self.spec.model, self.spec.key)
        found: set[str] = set()
        if db.session.get_bind().dialect.name == "postgresql":  # one array parameter, not thousands
            from sqlalchemy import any_
            from sqlalchemy.dialects.postgresql import ARRAY

            for i in range(0, len(keys), 20000):
                part = bindparam("keys", keys[i:i + 20000], type_=ARRAY(String))
                found.update(str(k) for k in db.session.scalars(select(column).where(column == any_(part))))
            return found
        if isinstance(column.type, String) and db.session.get_bind().dialect.name == "sqlite":
            # one JSON parameter read by json_each, not thousands of bound values
            for i in range(0, len(keys), 20000):
                each = func.json_each(bindparam("keys", json.dumps(keys[i:i + 20000], ensure_ascii=False),
                                                type_=String)).table_valued("value")
                found.update(str(k) for k in db.session.scalars(select(column).where(column.in_(select(each.c.value)))))
            return found
        for i in range(0, len(keys), 2000):
            found.update(str(k) for k in db.session.scalars(select(column).where(column.in_(keys[i:i + 2000]))))
        return found


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL COPY text format."""
    if value.__class__ is str:
        return value.translate(_COPY_ESCAPES)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


class BulkWriter:
    """Inserts many rows of one table inside the session's transaction, bypassing the ORM: COPY on
    PostgreSQL, one ``executemany`` of plain tuples on SQLite, Core ``insert()`` elsewhere. Columns
    with a Python-side default that the rows leave out get it once per writer (one timestamp for
    the whole import). Rows are tuples in ``keys`` order."""

    def __init__(self, table: Any, keys: list[str]) -> None:
        conn = db.session.connection()
        self.conn = conn
        self.dialect = conn.dialect
        self.table = table
        extra: dict[str, Any] = {}
        for col in table.columns:
            default = col.default
            if col.key in keys or col.primary_key or default is None:
                continue
            if default.is_callable:
                extra[col.key] = default.arg(None)  # type: ignore[attr-defined]
            elif default.is_scalar:
                extra[col.key] = default.arg  # type: ignore[attr-defined]
        self.keys = list(keys)
        self.extra = tuple(extra.values())
        self.columns = self.keys + list(extra)
        self.kind = self.dialect.name if self.dialect.name in ("sqlite", "postgresql") else "core"
        if self.kind == "sqlite":
            procs = [table.c[k].type.dialect_impl(self.dialect).bind_processor(self.dialect) for k in self.columns]
            self.extra = tuple(p(v) if p else v for p, v in zip(procs[len(self.keys):], self.extra, strict=True))
            # sqlite3 binds Python's True and False as 1 and 0 itself: no per-row conversion for them
            self.procs = [(i, p) for i, p in enumerate(procs[:len(self.keys)])
                          if p is not None and not isinstance(table.c[self.columns[i]].type, Boolean)]
            names = ", ".join(self.dialect.identifier_preparer.quote(table.c[c].name) for c in self.columns)
            self.sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(self.columns))})"
        elif self.kind == "postgresql":
            names = ", ".join(self.dialect.identifier_preparer.quote(table.c[c].name) for c in self.columns)
            self.sql = f"COPY {table.name} ({names}) FROM STDIN"

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        extra = self.extra
        if self.kind == "sqlite":
            if self.procs:
                out = []
                for row in rows:
                    row = list(row)
                    for i, proc in self.procs:
                        row[i] = proc(row[i])
                    out.append(tuple(row) + extra)
            else:
                out = [row + extra for row in rows] if extra else rows
            self.conn.exec_driver_sql(self.sql, out)
        elif self.kind == "postgresql":
            # COPY's text format built here, a block per chunk (psycopg's write_row costs ~30 µs a row)
            tail = "".join("\t" + _copy_text(v) for v in extra)
            lines = ["\t".join([_copy_text(v) for v in row]) + tail + "\n" for row in rows]
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(self.sql) as copy:
                copy.write("".join(lines))
        else:
            self.conn.execute(self.table.insert(), [dict(zip(self.columns, row + extra, strict=True)) for row in rows])


def _header_index(spec: ImportSpec, header: list[Any]) -> list[int | None]:
    names = [str(h or "").strip().lstrip("*").strip() for h in header]
    index: list[int | None] = []
    for col in spec.columns:
        if col.label in names:
            index.append(names.index(col.label))
        elif col.required:
            raise ImportError_(_("缺少必填列“%(c)s”，请使用下载的模板", c=col.label))
        else:
            index.append(None)
    if all(i is None for i in index):
        raise ImportError_(_("没有识别到任何列，请使用下载的模板"))
    return index


STAGE_KEYS = ["batch_id", "row_no", "ok", "key", "data", "errors"]


_TEXT_KINDS = ("str", "idcard", "mobile", "phone", "dict", "ym")  # parsed to a text or None


def _prepare(checker: Checker, part: list[tuple[int, list[Any]]], index: list[int | None],
             encoded: list[int]) -> tuple[list[int], list[str | None], list[list[list[str]]], list[str | None],
                                          list[str]]:
    """A chunk checked as far as it can be without the database or the earlier rows (parsed, units
    aside, cross-checked, keyed), for the check's worker process: the row numbers, keys, problems so
    far, each row's staged text if it stays good (None when it already fails) and its cells."""
    rows = [row for _n, row in part]
    values, problems = checker.parse_rows(rows, index)
    items = [(n, v, p) for (n, _row), v, p in zip(part, values, problems, strict=True)]
    checker.cross(items)
    keyed = checker.keyed(items)
    good_at = [i for i, p in enumerate(problems) if not p]
    good: list[str | None] = [None] * len(part)
    for i, text in zip(good_at, _good_json([keyed[i][1] for i in good_at], encoded), strict=True):
        good[i] = text
    return [n for n, _row in part], [k for _n, _v, _p, k in keyed], problems, good, rows


def _good_json(values: list[list[Any]], encoded: list[int]) -> list[str]:
    """Good rows' parsed values -> their staged JSON arrays (``encoded`` columns through ``_encode``)."""
    if not values:
        return []
    cols: list[Any] = list(zip(*values, strict=True))
    for i, col in enumerate(cols):
        if i in encoded:
            cols[i] = [_encode(v) for v in col]
        elif None in col:
            cols[i] = [v or "" for v in col]
    try:
        return _json_rows(cols)
    except TypeError:  # a value of a text column that is not a text after all
        return _json_rows([[v if v.__class__ is str else _encode(v) for v in col] for col in cols])


def _stage(writer: BulkWriter, batch_id: int, checked: list[tuple[int, list[Any], list[list[str]], str | None]],
           rows: list[list[Any]], index: list[int | None], encoded: list[int]) -> tuple[int, int]:
    """Stage a chunk of checked rows (``rows``: their cells, in the same order): a good row's parsed
    values (the columns in ``encoded`` through ``_encode``, "" for none), a failing row's cells as typed."""
    size = len(checked)
    oks = [not c[2] for c in checked]
    keys = [c[3] for c in checked]
    if max(len(k) if k is not None else 0 for k in keys) > 100:
        keys = [k[:100] if k is not None else None for k in keys]
    errors: list[str | None] = [None] * size
    good_at = [i for i, ok in enumerate(oks) if ok] if not all(oks) else None
    good = checked if good_at is None else [checked[i] for i in good_at]
    datas: list[str | None]
    texts = _good_json([c[1] for c in good], encoded)
    if good_at is None:
        datas = texts  # type: ignore[assignment]
    else:
        datas = [None] * size
        for i, text in zip(good_at, texts, strict=True):
            datas[i] = text
        for i, (_n, _values, problems, _key) in enumerate(checked):
            if problems:
                row = rows[i]
                width = len(row)
                datas[i] = _json_array([_raw(row[j]) if j is not None and j < width else "" for j in index])
                errors[i] = json.dumps(problems, ensure_ascii=False)
    numbers = [c[0] for c in checked]
    writer.write(list(zip(itertools.repeat(batch_id, size), numbers, oks, keys, datas, errors, strict=True)))
    return len(good), size - len(good)


def _stage_prepared(writer: BulkWriter, batch_id: int, checker: Checker, index: list[int | None],
                    chunk: tuple[list[int], list[str | None], list[list[list[str]]], list[str | None],
                                 list[list[Any]]]) -> int:
    """Stage a chunk ``_prepare``d by the worker: duplicates and keys in the database found here."""
    numbers, keys, problems, datas, rows = chunk
    checker.dedupe(list(zip(numbers, itertools.repeat(None), problems, keys, strict=False)))
    if any(k is not None and len(k) > 100 for k in keys):
        keys = [k[:100] if k is not None else None for k in keys]
    oks = [not p for p in problems]
    errors: list[str | None] = [None] * len(numbers)
    for i, p in enumerate(problems):
        if p:  # a failing row is staged as typed
            row = rows[i]
            width = len(row)
            datas[i] = _json_array([_raw(row[j]) if j is not None and j < width else "" for j in index])
            errors[i] = json.dumps(p, ensure_ascii=False)
    writer.write(list(zip(itertools.repeat(batch_id, len(numbers)), numbers, oks, keys, datas, errors,
                          strict=True)))
    return len(numbers)


class _Worker:
    """A forked process that checks the rows after the first ``split`` (everything but the database:
    ``_prepare``) while this process checks the first ones. Its chunks come back pickled, each framed by
    its length, in a temporary file that this process reads as they are written. The fork copies the
    sheet as read so far (copy-on-write), the reader's position included. If the worker fails in any
    way, ``failed`` is set and the caller reads on from its own position past the chunks it was given."""

    def __init__(self, checker: Checker, source: Source, index: list[int | None], encoded: list[int],
                 split: int) -> None:
        import tempfile

        self.split = split
        self.failed = False
        checker.column_parsers()  # prepared here: the worker asks nothing of the database
        self.file = tempfile.TemporaryFile()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: no database, no logging; it ends with os._exit
            code = 1
            try:
                with os.fdopen(os.dup(self.file.fileno()), "wb") as out:

                    def send(item: Any) -> None:
                        blob = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
                        out.write(len(blob).to_bytes(8, "little") + blob)
                        out.flush()

                    try:
                        skipped = 0
                        while skipped < split:
                            part = source.rows.take(min(STAGE_ROWS, split - skipped))
                            if not part:
                                break
                            skipped += len(part)
                        while part := source.rows.take(STAGE_ROWS):
                            send(("rows", _prepare(checker, part, index, encoded)))
                        send(("end", None))
                        code = 0
                    except ImportError_ as e:  # the sheet is refused (too many rows): the caller says why
                        send(("refused", str(e)))
                        code = 2
            finally:
                os._exit(code)

    def chunks(self, timeout: float) -> Iterator[Any]:
        """The worker's chunks as they are written; on a failure or after ``timeout`` seconds the
        iteration ends with ``failed`` set (the worker stopped), on a refusal ImportError_ is raised."""
        import time

        fd = self.file.fileno()
        offset = 0
        deadline = time.monotonic() + timeout
        while True:
            head = os.pread(fd, 8, offset)
            if len(head) == 8:
                size = int.from_bytes(head, "little")
                body = os.pread(fd, size, offset + 8)
                if len(body) == size:
                    offset += 8 + size
                    kind, payload = pickle.loads(body)
                    if kind == "rows":
                        yield payload
                        continue
                    self._reap(block=True)
                    if kind == "refused":
                        raise ImportError_(payload)
                    return
            if not self.pid or time.monotonic() > deadline:  # ended without its last frame, or too slow
                current_app.logger.warning("import worker failed or took too long; checking on here")
                self.failed = True
                self.close()
                return
            if not self._reap(block=False):
                time.sleep(0.002)

    def _reap(self, block: bool) -> bool:
        """Whether the worker has ended (its frames are then all written)."""
        if not self.pid:
            return True
        pid, _status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        if pid:
            self.pid = 0
        return bool(pid)

    def close(self) -> None:
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0
        self.file.close()


def _fork_split(spec: ImportSpec, source: Source) -> int:
    """How many rows this process checks before a worker takes the rest (0: no worker). A worker needs
    a spec whose checks need no database (``parallel``; no unit column), a large sheet and os.fork."""
    least = _setting("IMPORT_FORK_ROWS", 0)  # off: no gain measured on the 2-core machine (bench/README.md)
    if (not least or not spec.parallel or source.estimate < least or not hasattr(os, "fork")
            or any(c.kind == "unit" for c in spec.columns)):
        return 0
    # this process also stages the worker's rows after both parts, but the worker first reads past this
    # process's rows and pickles its own: half each (measured)
    return max(STAGE_ROWS, (source.estimate // 2) // STAGE_ROWS * STAGE_ROWS)


def store_original(data: bytes) -> str:
    from app.services.core.attachments import storage

    key = uuid.uuid4().hex
    storage().save(key, iter([data]))
    return key


def start(spec: ImportSpec, data: bytes, file_name: str, user: Any, storage_key: str | None = None,
          context: str | None = None, report: Report | None = None) -> ImportBatch:
    """Read, check and stage the upload. Without ``report`` the caller commits (one transaction);
    with it (a job), each chunk is committed and reported, and a refused file leaves nothing."""
    max_bytes = _setting("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    if len(data) > max_bytes:
        raise ImportError_(_("文件超过%(m)sMB", m=max_bytes // (1024 * 1024)))
    if not data:
        raise ImportError_(_("文件是空的"))
    if spec.context is not None:
        spec.context(context or "", user)  # refuses a context the user may not import into
    source = read(data, file_name, max_rows_of(spec))
    first = next(source.rows, None)
    if first is None:
        raise ImportError_(_("文件是空的"))
    index = _header_index(spec, first[1])
    batch = ImportBatch(spec=spec.code, context=context, user_id=user.id, unit_id=user.unit_id, file_name=file_name[:255],
                        storage_key=storage_key or store_original(data), total=0,
                        state="checking" if report else "preview")
    db.session.add(batch)
    db.session.flush()
    if report:
        db.session.commit()
        report(0, source.estimate)
    try:
        with _gc_paused():
            total = _check_all(spec, batch.id, source, index, user, report)
    except Exception:
        if report:
            db.session.rollback()
            db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
            db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch.id))
            db.session.commit()
        raise
    if not total:
        if report:
            db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch.id))
            db.session.commit()
        raise ImportError_(_("文件中没有数据"))
    batch.total = total
    batch.state = "preview"
    return batch


def _check_all(spec: ImportSpec, batch_id: int, source: Source, index: list[int | None], user: Any,
               report: Report | None) -> int:
    """Parse a chunk of rows column by column, finish it (units, cross-field checks, duplicates) and
    stage it; a job commits and reports every ``COMMIT_ROWS`` rows. A large sheet of a ``parallel``
    spec is checked by two processes: a forked worker prepares the rows after the first ``split``."""
    checker = Checker(spec, user)
    encoded = [i for i, c in enumerate(spec.columns) if c.kind not in _TEXT_KINDS]
    total = committed = 0
    writer: BulkWriter | None = None

    def staged(n: int) -> None:
        nonlocal total, committed, writer
        total += n
        if report and total - committed >= COMMIT_ROWS:
            db.session.commit()
            writer, committed = None, total  # after a commit the session may hand back another connection
            report(total, max(source.estimate, total))

    def own(limit: int | None) -> None:
        nonlocal writer
        while True:
            size = STAGE_ROWS if limit is None else min(STAGE_ROWS, limit - total)
            part = source.rows.take(size) if size > 0 else []
            if not part:
                return
            rows = [row for _n, row in part]
            values, problems = checker.parse_rows(rows, index)
            checked = checker.finish([(n, v, p) for (n, _row), v, p in zip(part, values, problems, strict=True)])
            writer = writer or BulkWriter(ImportRow.__table__, STAGE_KEYS)
            _stage(writer, batch_id, checked, rows, index, encoded)
            staged(len(part))

    split = _fork_split(spec, source)
    worker = _Worker(checker, source, index, encoded, split) if split else None
    try:
        own(split or None)
        if worker is not None:
            given = 0
            for chunk in worker.chunks(timeout=60.0 + source.estimate / 2000):
                writer = writer or BulkWriter(ImportRow.__table__, STAGE_KEYS)
                given += _stage_prepared(writer, batch_id, checker, index, chunk)
                staged(len(chunk[0]))
            if worker.failed:  # read on from here: past this process's rows and the chunks staged
                while given > 0 and (part := source.rows.take(min(STAGE_ROWS, given))):
                    given -= len(part)
                own(None)
    finally:
        if worker is not None:
            worker.close()
    if report and total > committed:
        db.session.commit()
        report(total, max(source.estimate, total))
    return total


# -- the preview's operations ----------------------------------------------------------------


@dataclass
class StagedRow:
    row: int
    ok: bool
    values: dict[str, Any]  # column key -> text shown (as typed for a failure, as understood for a success)
    problems: list[list[str]] = field(default_factory=list)


@dataclass
class Preview:
    batch: ImportBatch
    good_count: int = 0
    bad_count: int = 0
    good: list[StagedRow] = field(default_factory=list)
    bad: list[StagedRow] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    good_page: int = 1
    good_pages: int = 1


def counts(batch: ImportBatch) -> tuple[int, int]:
    """(good, failing) rows of the batch, counted by the database."""
    found = dict(db.session.execute(select(ImportRow.ok, func.count()).where(ImportRow.batch_id == batch.id)
                                    .group_by(ImportRow.ok)).all())
    return int(found.get(True, 0)), int(found.get(False, 0))


class Display:
    """Staged text -> what the preview shows, per column (dictionary labels for codes)."""

    def __init__(self, spec: ImportSpec) -> None:
        self.spec = spec
        self.decoders = [_decoder(c) for c in spec.columns]
        self.labels: list[dict[str, str] | None] = [
            {code: label for code, label in c.choices()} if c.kind == "dict" else None for c in spec.columns]
        self.unit_names: dict[int, str] = {}

    def good(self, data: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col, dec, labels, text in zip(self.spec.columns, self.decoders, self.labels, _cells(data),
                                          strict=False):
            if labels is not None:
                out[col.key] = labels.get(text, text)
            elif col.kind == "bool":
                out[col.key] = {"1": "是", "0": "否"}.get(text, "")
            elif col.kind == "unit" and text:
                out[col.key] = self._unit(int(text))
            else:
                value = dec(text)
                out[col.key] = "" if value is None else (value.isoformat() if isinstance(value, dt.date) else value)
        return out

    def _unit(self, pk: int) -> str:
        from models.core.unit import Unit

        if pk not in self.unit_names:
            unit = db.session.get(Unit, pk)
            self.unit_names[pk] = unit.name if unit else str(pk)
        return self.unit_names[pk]

    def typed(self, data: str) -> dict[str, Any]:
        return dict(zip((c.key for c in self.spec.columns), _cells(data), strict=False))

    def row(self, r: Any) -> StagedRow:
        if r.ok:
            return StagedRow(r.row_no, True, self.good(r.data))
        return StagedRow(r.row_no, False, self.typed(r.data), json.loads(r.errors or "[]"))


def _pages(count: int, page: int, size: int) -> tuple[int, int]:
    pages = max((count + size - 1) // size, 1)
    return min(max(page, 1), pages), pages


def preview(spec: ImportSpec, batch: ImportBatch, page: int = 1, good_page: int = 1,
            size: int = PAGE_SIZE) -> Preview:
    """Counts and one page of failures and of successes, by LIMIT/OFFSET on the staged rows."""
    good, bad = counts(batch)
    out = Preview(batch, good, bad)
    out.page, out.pages = _pages(bad, page, size)
    out.good_page, out.good_pages = _pages(good, good_page, size)
    show = Display(spec)
    for ok, pg, target in ((False, out.page, out.bad), (True, out.good_page, out.good)):
        q = (select(ImportRow.row_no, ImportRow.ok, ImportRow.data, ImportRow.errors)
             .where(ImportRow.batch_id == batch.id, ImportRow.ok.is_(ok))
             .order_by(ImportRow.row_no).limit(size).offset((pg - 1) * size))
        target.extend(show.row(r) for r in db.session.execute(q))
    return out


def staged_row(spec: ImportSpec, batch: ImportBatch, row: int) -> StagedRow | None:
    r = db.session.execute(select(ImportRow.row_no, ImportRow.ok, ImportRow.data, ImportRow.errors)
                           .where(ImportRow.batch_id == batch.id, ImportRow.row_no == row)).first()
    return Display(spec).row(r) if r is not None else None


def _check_open(batch: ImportBatch) -> None:
    if batch.state != "preview":
        raise ImportError_(_("该批数据已处理，不能再修改"))


def fix_row(spec: ImportSpec, batch: ImportBatch, row: int, values: dict[str, str], user: Any = None) -> list[list[str]]:
    """Replace one row's values and check that row again (its key against the batch's other good
    rows and the database); returns its problems."""
    _check_open(batch)
    staged = db.session.execute(select(ImportRow.id).where(ImportRow.batch_id == batch.id,
                                                           ImportRow.row_no == row)).scalar()
    if staged is None:
        raise ImportError_(_("第%(n)s行不存在", n=row))
    cells = [str(values.get(c.key, "")).strip().replace(SEP, " ") for c in spec.columns]
    checker = Checker(spec, user)
    parsed, problems = checker.parse(cells, list(range(len(cells))))
    n, parsed, problems, key = checker.finish([(row, parsed, problems)])[0]
    if key is not None and spec.key and not any(k == spec.key for k, _r in problems):
        other = db.session.scalar(select(func.min(ImportRow.row_no)).where(
            ImportRow.batch_id == batch.id, ImportRow.key == key[:100], ImportRow.ok.is_(True),
            ImportRow.row_no != row))
        if other is not None:
            problems.append([spec.key, checker.msg_dup[0] + str(other) + checker.msg_dup[-1]])
    if problems:
        data, errors = _json_array(cells), json.dumps(problems, ensure_ascii=False)
    else:
        data, errors = _json_array([v if v.__class__ is str else _encode(v) for v in parsed]), None
    db.session.execute(update(ImportRow).where(ImportRow.id == staged).values(
        ok=not problems, key=key and key[:100], data=data, errors=errors))
    return problems


def delete_rows(spec: ImportSpec, batch: ImportBatch, which: list[int] | None, user: Any = None) -> int:
    """Delete the given failed rows, or every failed row (which=None)."""
    _check_open(batch)
    q = delete(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.ok.is_(False))
    if which is not None:
        if not which:
            return 0
        q = q.where(ImportRow.row_no.in_(which))
    n = db.session.execute(q).rowcount or 0
    batch.total = max((batch.total or 0) - n, 0)
    return n


def _row_decoder(spec: ImportSpec) -> Callable[[str], dict[str, Any]]:
    """A good row's staged text -> {column key: parsed value}; text columns need no conversion."""
    keys = [c.key for c in spec.columns]
    special = [(i, _decoder(c)) for i, c in enumerate(spec.columns)
               if c.kind in ("bool", "int", "unit", "date")]

    def decode(data: str) -> dict[str, Any]:
        parts: list[Any] = [t or None for t in _cells(data)]
        for i, dec in special:
            parts[i] = dec(parts[i] or "")
        return dict(zip(keys, parts, strict=True))

    return decode


def _good_chunks(batch_id: int, size: int = STAGE_ROWS) -> Iterator[list[tuple[int, str]]]:
    """The good rows in row order, a chunk per query (keyset paging: no cursor stays open)."""
    t = ImportRow.__table__
    last = 0
    while True:
        part = db.session.connection().execute(
            select(t.c.row_no, t.c.data)
            .where(t.c.batch_id == batch_id, t.c.ok.is_(True), t.c.row_no > last)
            .order_by(t.c.row_no).limit(size)).all()
        if not part:
            return
        yield [(r[0], r[1]) for r in part]
        last = part[-1][0]


def _insert_all(chunks: Iterator[list[tuple[Any, ...]]], table: Any, columns: list[str], total: int,
                report: Report | None) -> int:
    done = 0
    writer: BulkWriter | None = None
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer: the progress (written through its own connection) is reported while
        # the rows are prepared, before this transaction takes the write lock; then one burst of inserts
        ready = []
        for rows in chunks:
            ready.append(rows)
            done += len(rows)
            if report:
                report(done, total)
        for rows in ready:
            if rows:
                writer = writer or BulkWriter(table, columns)
                writer.write(rows)
    else:
        for rows in chunks:
            if rows:
                writer = writer or BulkWriter(table, columns)
                writer.write(rows)
            done += len(rows)
            if report:
                report(done, total)
    return done


def _taken(spec: ImportSpec, batch: ImportBatch, user: Any) -> list[int]:
    """The good rows whose key someone has added to the database since the check (read only)."""
    if not spec.key or not spec.key_in_database:
        return []
    column = getattr(spec.model, spec.key)
    good = (ImportRow.batch_id == batch.id, ImportRow.ok.is_(True), ImportRow.key.is_not(None))
    if isinstance(column.type, String):  # one statement: the key column's index probed per staged row
        return list(db.session.scalars(select(ImportRow.id).where(*good, exists().where(column == ImportRow.key))))
    keys = list(db.session.scalars(select(ImportRow.key).where(*good)))
    now_taken = Checker(spec, user).existing(keys) if keys else set()
    if not now_taken:
        return []
    return list(db.session.scalars(select(ImportRow.id).where(*good, ImportRow.key.in_(list(now_taken)))))


def _insert_select(spec: ImportSpec, batch: ImportBatch, user: Any, ctx: Any, total: int,
                   report: Report | None) -> int:
    """The good rows inserted by the database itself: ``INSERT INTO <model> (…) SELECT <spec.sql_values>
    FROM core_import_row`` in row order (JSON read by json_extract on SQLite, ->> on PostgreSQL), in
    ranges of row numbers with the progress reported between them when ``report`` is given."""
    from sqlalchemy import Date, Integer, cast, insert
    from sqlalchemy.dialects.postgresql import JSONB

    t = ImportRow.__table__
    postgres = db.session.get_bind().dialect.name == "postgresql"
    lo, hi = bindparam("lo", type_=Integer), bindparam("hi", type_=Integer)
    rows = (t.c.batch_id == batch.id, t.c.ok.is_(True), t.c.row_no > lo, t.c.row_no <= hi)
    if postgres:  # OFFSET 0 keeps the subquery apart: each row's JSON is parsed once, not once per column
        src: Any = select(t.c.row_no, t.c.key, cast(t.c.data, JSONB).label("j")).where(*rows).offset(0).subquery()
        texts = [src.c.j.op("->>")(i) for i in range(len(spec.columns))]
        where: tuple[Any, ...] = ()
    else:
        src = t
        texts = [func.json_extract(t.c.data, f"$[{i}]") for i in range(len(spec.columns))]
        where = rows
    cols: dict[str, Any] = {}
    for col, text in zip(spec.columns, texts, strict=True):
        value = func.nullif(text, "")
        if col.kind == "bool":
            value = cast(value, Boolean)
        elif col.kind in ("int", "unit"):
            value = cast(value, Integer)
        elif col.kind == "date" and postgres:  # SQLite keeps a date as its ISO text, as SQLAlchemy writes it
            value = cast(value, Date)
        cols[col.key] = value
    cols[STAGED_KEY] = src.c.key
    assert spec.sql_values is not None
    values = spec.sql_values(cols, user, ctx)
    query = select(*values.values()).select_from(src).where(*where).order_by(src.c.row_no)
    stmt = (insert(spec.model.__table__).from_select(list(values), query, include_defaults=True)
            .execution_options(preserve_rowcount=True))  # psycopg's count of an INSERT is dropped otherwise
    first, last = db.session.execute(select(func.min(t.c.row_no), func.max(t.c.row_no)).where(*rows[:2])).one()
    if first is None:
        return 0
    parts = max(1, -(-total // COMMIT_ROWS)) if report else 1
    step = -(-(last - first + 1) // parts)
    done = 0
    for bottom in range(first - 1, last, step):
        done += db.session.execute(stmt, {"lo": bottom, "hi": bottom + step}).rowcount
        if report:
            report(done, total)
    return done


def commit(spec: ImportSpec, batch: ImportBatch, user: Any, report: Report | None = None) -> int:
    """Insert every good row in one transaction, with one audit entry for the batch; the caller
    commits. Keys taken in the database since the check are refused, not inserted.

    A spec with ``sql_values`` is inserted by one INSERT … SELECT per range of rows on SQLite and
    PostgreSQL (on SQLite one range: the progress, written through another connection, cannot be
    stored while this transaction holds the single write lock). Otherwise the rows are read back
    in pages, decoded, passed through ``row_values`` and written by ``BulkWriter``."""
    from app.services.core import audit

    if batch.state not in ("preview", "committing"):
        raise ImportError_(_("该批数据已处理，不能再修改"))
    ctx = spec.context(batch.context or "", user) if spec.context is not None else None
    good, _bad = counts(batch)
    if report:
        report(0, good)
    taken = _taken(spec, batch, user)  # someone may have added the same key since the check
    taken_errors = json.dumps([[spec.key, _("系统中已存在")]], ensure_ascii=False)
    dialect = db.session.get_bind().dialect.name
    total = max(good - len(taken), 0)
    with _gc_paused():
        if spec.sql_values is not None and dialect in ("sqlite", "postgresql"):
            if taken:
                db.session.execute(update(ImportRow).where(ImportRow.id.in_(taken)).values(ok=False,
                                                                                         errors=taken_errors))
            done = _insert_select(spec, batch, user, ctx, total, report if dialect == "postgresql" else None)
        else:
            skip_rows: set[int] = set()
            if taken:
                skip_rows = set(db.session.scalars(select(ImportRow.row_no).where(ImportRow.id.in_(taken))))
            decode = _row_decoder(spec)
            row_values = spec.row_values
            columns: list[str] = []

            def prepared() -> Iterator[list[tuple[Any, ...]]]:
                for part in _good_chunks(batch.id):
                    rows = []
                    for n, data in part:
                        if n in skip_rows:
                            continue
                        values = row_values(decode(data), user, ctx)
                        if not columns:
                            columns.extend(values)
                        rows.append(tuple(values.values()))
                    yield rows

            done = _insert_all(prepared(), spec.model.__table__, columns, total, report)
            if taken:
                db.session.execute(update(ImportRow).where(ImportRow.id.in_(taken)).values(ok=False,
                                                                                         errors=taken_errors))
    batch.state = "committed"
    batch.imported = done
    batch.committed_at = dt.datetime.now(dt.UTC)
    failed = counts(batch)[1] if taken else _bad
    audit.record("import", batch, object_type=spec.code, object_id=batch.id, object_repr=batch.file_name,
                 detail=_("导入批次%(b)s（文件“%(f)s”）：导入%(n)s条，失败%(x)s条",
                          b=batch.id, f=batch.file_name, n=done, x=failed), user=user)
    return done


# -- the error report ------------------------------------------------------------------------


def _failures(batch: ImportBatch) -> dict[int, list[list[str]]]:
    q = select(ImportRow.row_no, ImportRow.errors).where(ImportRow.batch_id == batch.id, ImportRow.ok.is_(False))
    return {n: json.loads(e or "[]") for n, e in db.session.execute(q)}


def error_workbook(spec: ImportSpec, batch: ImportBatch) -> bytes:
    """The uploaded workbook back with a 错误信息 column and every bad cell filled red and annotated.
    An .xls or .csv upload, or a batch above ``IMPORT_ERROR_XLSX_ROWS`` rows, comes back as a new
    workbook of the staged rows written by streaming (failing cells red, the first notes annotated)."""
    from app.services.core.attachments import storage

    if batch.total <= _setting("IMPORT_ERROR_XLSX_ROWS", 5000):
        with storage().open(batch.storage_key) as fh:
            data = fh.read()
        if data.startswith(XLSX_MAGIC):
            body = _annotated_upload(spec, batch, data)
            if body is not None:
                return body
    return _streamed_workbook(spec, batch)


def _annotated_upload(spec: ImportSpec, batch: ImportBatch, data: bytes) -> bytes | None:
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    try:
        wb = load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - fall back to a workbook of the staged rows
        return None
    red = PatternFill("solid", fgColor="FFC7CE")
    ws = wb.worksheets[0]
    names = [str(c.value or "").strip().lstrip("*").strip() for c in ws[1]]
    err_col = len(names) + 1
    if names and names[-1] == _("错误信息"):
        err_col = len(names)
    head = ws.cell(row=1, column=err_col, value=_("错误信息"))
    head.font = Font(bold=True, color="C00000")
    labels = {c.key: c.label for c in spec.columns}
    for r, problems in _failures(batch).items():
        ws.cell(row=r, column=err_col,
                value="；".join(f"{labels.get(k, k)}：{reason}" for k, reason in problems)).font = Font(color="C00000")
        for k, reason in problems:
            label = labels.get(k, k)
            if label in names:
                cell = ws.cell(row=r, column=names.index(label) + 1)
                cell.fill = red
                cell.comment = Comment(reason, _("导入检查"))
    ws.column_dimensions[head.column_letter].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _streamed_workbook(spec: ImportSpec, batch: ImportBatch, notes: int = 1000) -> bytes:
    import tempfile

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet(_("导入数据"))
    bold = wb.add_format({"bold": True})
    bold_red = wb.add_format({"bold": True, "font_color": "#C00000"})
    red_cell = wb.add_format({"bg_color": "#FFC7CE", "num_format": "@"})
    red_text = wb.add_format({"font_color": "#C00000"})
    text = wb.add_format({"num_format": "@"})
    cols = spec.columns
    for i, col in enumerate(cols):
        ws.set_column(i, i, max(col.width, 10))
        ws.write_string(0, i, ("*" if col.required else "") + col.label, bold)
    ws.set_column(len(cols), len(cols), 60)
    ws.write_string(0, len(cols), _("错误信息"), bold_red)
    labels = {c.key: c.label for c in cols}
    show = Display(spec)
    last = 0
    out_row = 0
    annotated = 0
    while True:  # every staged row in row order, a chunk per query
        part = db.session.execute(
            select(ImportRow.row_no, ImportRow.ok, ImportRow.data, ImportRow.errors)
            .where(ImportRow.batch_id == batch.id, ImportRow.row_no > last)
            .order_by(ImportRow.row_no).limit(STAGE_ROWS)).all()
        if not part:
            break
        for r in part:
            out_row += 1
            row = show.row(r)
            bad = {k: reason for k, reason in row.problems}
            for i, col in enumerate(cols):
                value = row.values.get(col.key, "")
                value = _safe(str(value)) if value is not None else ""
                if col.key in bad:
                    ws.write_string(out_row, i, value, red_cell)
                    if annotated < notes:
                        ws.write_comment(out_row, i, bad[col.key], {"author": _("导入检查")})
                        annotated += 1
                elif value:
                    ws.write_string(out_row, i, value, text)
            if row.problems:
                ws.write_string(out_row, len(cols), "；".join(f"{labels.get(k, k)}：{reason}"
                                                             for k, reason in row.problems), red_text)
        last = part[-1][0]
    wb.close()
    return buf.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# -- compatibility helpers (benches, scripts) ------------------------------------------------


def parse_file(spec: ImportSpec, data: bytes, file_name: str) -> list[dict[str, Any]]:
    """[{"row": excel row number, "values": {key: text}}] of the data rows (small files; scripts)."""
    source = read(data, file_name, max_rows_of(spec))
    first = next(source.rows, None)
    if first is None:
        raise ImportError_(_("文件是空的"))
    index = _header_index(spec, first[1])
    out = []
    for n, row in source.rows:
        size = len(row)
        out.append({"row": n, "values": {c.key: _raw(row[i]) if i is not None and i < size else ""
                                         for c, i in zip(spec.columns, index, strict=True)}})
    if not out:
        raise ImportError_(_("文件中没有数据"))
    return out


def validate(spec: ImportSpec, rows: list[dict[str, Any]], user: Any = None) -> dict[str, list[list[str]]]:
    """{row number: [[column key, reason], ...]} for every failing row of ``parse_file``'s rows."""
    checker = Checker(spec, user)
    index: list[int | None] = list(range(len(spec.columns)))
    parsed = []
    for item in rows:
        values, problems = checker.parse([item["values"].get(c.key, "") for c in spec.columns], index)
        parsed.append((item["row"], values, problems))
    return {str(n): p for n, _v, p, _k in checker.finish(parsed) if p}
