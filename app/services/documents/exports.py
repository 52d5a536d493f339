"""Excel export (P-16): one streaming writer for every list, within scope, masked, formula-safe.

XlsxWriter in ``constant_memory`` mode writes row by row to a temporary file, so memory
stays flat whatever the row count (figures in bench/README.md). Values arrive already
formatted by the caller (dictionary labels, masking); text that would start a formula
(= + - @) is written as plain text.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """A cell value that can never be read as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def write_xlsx(path: str, title: str, headers: list[str], rows: Iterable[list[Any]],
               progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """Write ``rows`` under ``headers`` to ``path``; returns the number of rows written."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet((title or "Sheet1")[:31])
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for c, h in enumerate(headers):
        ws.write_string(0, c, str(h), head)
        ws.set_column(c, c, max(10, min(40, len(str(h)) * 2 + 4)))
    ws.freeze_panes(1, 0)
    n = 0
    # XlsxWriter's undecorated writers (``_write_string`` …: the public ``write_string`` minus the
    # decorator that would parse "A1" cell names); row and column are always numbers here. The
    # public methods when a release does not have them.
    write_string = getattr(ws, "_write_string", ws.write_string)
    write_number = getattr(ws, "_write_number", ws.write_number)
    write_datetime = getattr(ws, "_write_datetime", ws.write_datetime)
    formula_start = FORMULA_START
    for n, row in enumerate(rows, start=1):
        c = -1
        for value in row:
            c += 1
            kind = type(value)
            if kind is str:  # the common case first: text, never a formula
                if value:
                    write_string(n, c, "'" + value if value[0] in formula_start else value)
            elif value is None:
                continue
            elif kind is int or kind is float:
                write_number(n, c, value)
            elif kind is bool:
                write_string(n, c, "是" if value else "否")
            elif isinstance(value, dt.datetime):
                write_datetime(n, c, value.replace(tzinfo=None), time_fmt)
            elif isinstance(value, dt.date):
                write_datetime(n, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, (int, float)):
                write_number(n, c, value)
            else:
                text = str(value)
                if text:
                    write_string(n, c, "'" + text if text[0] in formula_start else text)
        if progress and n % every == 0:
            progress(n)
    wb.close()
    if progress:
        progress(n)
    return n


def temp_path(suffix: str = ".xlsx") -> str:
    fd, path = tempfile.mkstemp(prefix="export-", suffix=suffix)
    os.close(fd)
    return path
