"""Excel import (P-15): one pipeline for every module.

template → upload → read (python-calamine; csv) → validate every row → preview (successes,
failures with row, column and reason) → fix a row in place or delete failures → download
the workbook back with a 错误信息 column and the bad cells marked → commit the good rows in
one transaction. A module declares an ``ImportSpec`` and registers it; nothing else.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.documents.columns import Column
from models.core.document import ImportBatch

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNZIPPED = 200 * 1024 * 1024  # a workbook that unpacks to more is refused (zip bomb)
MAX_RATIO = 200


class ImportError_(Exception):  # noqa: N801 - "ImportError" is a builtin
    """The file as a whole is refused (not a workbook, too large, wrong headers); nothing changed."""


@dataclass
class ImportSpec:
    code: str
    title: Any
    model: type
    columns: list[Column]
    build: Callable[..., Any]  # (parsed values, user[, context object]) -> a new model instance
    key: str | None = None  # the column whose value must be new (duplicates in the file and in the database)
    row_check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None  # cross-field checks
    max_rows: int = 50000
    list_endpoint: str | None = None
    permission: tuple[str, str] | None = None  # (permission, view) needed to import
    # a spec that imports into one parent record (a team's projects) resolves ?ctx=<id> to it, or refuses
    context: Callable[[str, Any], Any] | None = None
    context_endpoint: Callable[[Any], str] | None = None  # where to go after the import

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SPECS: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    SPECS[spec.code] = spec
    return spec


# -- template --------------------------------------------------------------------------------


def template(spec: ImportSpec) -> bytes:
    """The template: Chinese headers (* marks required), notes, drop-downs, text-formatted IDs."""
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
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading ---------------------------------------------------------------------------------


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
            if "xl/workbook.xml" not in zf.namelist():
                raise ImportError_(_("文件不是有效的Excel工作簿"))
    except zipfile.BadZipFile as e:
        raise ImportError_(_("文件不是有效的Excel工作簿")) from e


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_rows(data: bytes, file_name: str) -> Iterator[list[Any]]:
    """Every row of the first sheet as a list (the header included); the kind comes from the content."""
    head = data[:8]
    if head.startswith(XLSX_MAGIC) or head.startswith(XLS_MAGIC):
        if head.startswith(XLSX_MAGIC):
            _check_zip(data)
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = wb.get_sheet_by_index(0)
            rows = sheet.iter_rows()
        except Exception as e:  # calamine raises its own errors for broken files
            raise ImportError_(_("文件无法读取：不是有效的Excel工作簿")) from e
        for row in rows:
            yield [_cell(v) for v in row]
        return
    if file_name.lower().endswith(".csv"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportError_(_("CSV文件编码无法识别，请另存为UTF-8"))
        yield from csv.reader(io.StringIO(text))
        return
    raise ImportError_(_("请上传Excel文件（.xlsx、.xls）或CSV文件"))


def _blank(row: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _raw(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_file(spec: ImportSpec, data: bytes, file_name: str) -> list[dict[str, Any]]:
    """[{"row": excel row number, "values": {key: raw text}}]; blank rows (trailing or not) are skipped."""
    rows = read_rows(data, file_name)
    header = next(rows, None)
    if header is None:
        raise ImportError_(_("文件是空的"))
    names = [str(h or "").strip().lstrip("*").strip() for h in header]
    index: dict[str, int] = {}
    for col in spec.columns:
        if col.label in names:
            index[col.key] = names.index(col.label)
        elif col.required:
            raise ImportError_(_("缺少必填列“%(c)s”，请使用下载的模板", c=col.label))
    if not index:
        raise ImportError_(_("没有识别到任何列，请使用下载的模板"))
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=2):
        if _blank(row):
            continue
        if len(out) >= spec.max_rows:
            raise ImportError_(_("数据超过%(n)s行，请分批导入", n=spec.max_rows))
        values = {key: _raw(row[i]) if i < len(row) else "" for key, i in index.items()}
        out.append({"row": n, "values": values})
    if not out:
        raise ImportError_(_("文件中没有数据"))
    return out


# -- validation ------------------------------------------------------------------------------


def _resolve_units(spec: ImportSpec, rows: list[dict[str, Any]], user: Any) -> dict[str, Any]:
    """Unit names or credit codes of the "unit" columns -> the unit, only within the importer's scope."""
    from app.security.scope import unit_in_scope
    from models.core.unit import Unit

    keys = [c.key for c in spec.columns if c.kind == "unit"]
    texts = {r["values"].get(k, "").strip() for r in rows for k in keys} - {""}
    found: dict[str, Any] = {}
    items = sorted(texts)
    for i in range(0, len(items), 500):
        part = items[i:i + 500]
        for unit in db.session.scalars(select(Unit).where((Unit.name.in_(part)) | (Unit.credit_code.in_(part)))):
            for text in (unit.name, unit.credit_code):
                if text in texts and (text not in found or unit_in_scope(unit, user)):
                    found[text] = unit
    return {t: u for t, u in found.items() if u is not None}


def validate(spec: ImportSpec, rows: list[dict[str, Any]], user: Any = None) -> dict[str, list[list[str]]]:
    """{row number: [[column key, reason], ...]} for every failing row."""
    from app.security.scope import unit_in_scope

    errors: dict[str, list[list[str]]] = {}
    units = _resolve_units(spec, rows, user) if any(c.kind == "unit" for c in spec.columns) else {}
    seen: dict[str, int] = {}
    parsed_keys: dict[int, str] = {}
    for item in rows:
        n = item["row"]
        problems: list[list[str]] = []
        parsed: dict[str, Any] = {}
        for col in spec.columns:
            value, reason = col.parse(item["values"].get(col.key, ""))
            if col.kind == "unit" and value:
                unit = units.get(value)
                if unit is None:
                    value, reason = None, _("单位“%(u)s”不存在", u=value)
                elif not unit_in_scope(unit, user):
                    value, reason = None, _("单位“%(u)s”不在本单位管辖范围内", u=value)
            if reason:
                problems.append([col.key, reason])
            parsed[col.key] = value
        if spec.row_check:  # cross-field checks on the values that parsed
            bad = {k for k, _r in problems}
            problems += [list(p) for p in spec.row_check(parsed) if p[0] not in bad]
        if spec.key and parsed.get(spec.key):
            key = str(parsed[spec.key])
            if key in seen:
                problems.append([spec.key, _("与第%(n)s行重复", n=seen[key])])
            else:
                seen[key] = n
                parsed_keys[n] = key
        if problems:
            errors[str(n)] = problems
    if spec.key and parsed_keys:
        column = getattr(spec.model, spec.key)
        keys = list(parsed_keys.values())
        existing: set[str] = set()
        for i in range(0, len(keys), 500):
            existing.update(str(k) for k in db.session.scalars(select(column).where(column.in_(keys[i:i + 500]))))
        for n, key in parsed_keys.items():
            if key in existing:
                errors.setdefault(str(n), []).append([spec.key, _("系统中已存在")])
    return errors


def store_original(data: bytes) -> str:
    from app.services.core.attachments import storage

    key = uuid.uuid4().hex
    storage().save(key, iter([data]))
    return key


def start(spec: ImportSpec, data: bytes, file_name: str, user: Any, storage_key: str | None = None,
          context: str | None = None) -> ImportBatch:
    """Read and check the upload; the batch holds the rows until committed. The caller commits."""
    max_bytes = int(current_app.config.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
    if len(data) > max_bytes:
        raise ImportError_(_("文件超过%(m)sMB", m=max_bytes // (1024 * 1024)))
    if not data:
        raise ImportError_(_("文件是空的"))
    rows = parse_file(spec, data, file_name)
    errors = validate(spec, rows, user)
    if spec.context is not None:
        spec.context(context or "", user)  # refuses a context the user may not import into
    batch = ImportBatch(spec=spec.code, context=context, user_id=user.id, unit_id=user.unit_id, file_name=file_name[:255],
                        storage_key=storage_key or store_original(data), rows=json.dumps(rows, ensure_ascii=False),
                        errors=json.dumps(errors, ensure_ascii=False), total=len(rows))
    db.session.add(batch)
    return batch


# -- the preview's operations ----------------------------------------------------------------


def rows_of(batch: ImportBatch) -> list[dict[str, Any]]:
    return json.loads(batch.rows)


def errors_of(batch: ImportBatch) -> dict[str, list[list[str]]]:
    return json.loads(batch.errors)


def _check_open(batch: ImportBatch) -> None:
    if batch.state != "preview":
        raise ImportError_(_("该批数据已处理，不能再修改"))


def fix_row(spec: ImportSpec, batch: ImportBatch, row: int, values: dict[str, str], user: Any = None) -> list[list[str]]:
    """Replace one row's values and check the whole batch again; returns that row's problems."""
    _check_open(batch)
    rows = rows_of(batch)
    item = next((r for r in rows if r["row"] == row), None)
    if item is None:
        raise ImportError_(_("第%(n)s行不存在", n=row))
    item["values"] = {c.key: str(values.get(c.key, "")).strip() for c in spec.columns}
    errors = validate(spec, rows, user)
    batch.rows = json.dumps(rows, ensure_ascii=False)
    batch.errors = json.dumps(errors, ensure_ascii=False)
    return errors.get(str(row), [])


def delete_rows(spec: ImportSpec, batch: ImportBatch, which: list[int] | None, user: Any = None) -> int:
    """Delete the given failed rows, or every failed row (which=None)."""
    _check_open(batch)
    errors = errors_of(batch)
    doomed = set(errors) if which is None else {str(n) for n in which} & set(errors)
    rows = [r for r in rows_of(batch) if str(r["row"]) not in doomed]
    batch.rows = json.dumps(rows, ensure_ascii=False)
    batch.errors = json.dumps(validate(spec, rows, user), ensure_ascii=False)
    return len(doomed)


def commit(spec: ImportSpec, batch: ImportBatch, user: Any) -> int:
    """Insert every good row in one transaction (checked again first); the caller commits."""
    from app.services.core import audit

    _check_open(batch)
    rows = rows_of(batch)
    errors = validate(spec, rows, user)
    batch.errors = json.dumps(errors, ensure_ascii=False)
    good = [r for r in rows if str(r["row"]) not in errors]
    units = _resolve_units(spec, good, user)
    ctx = spec.context(batch.context or "", user) if spec.context is not None else None
    for item in good:
        parsed = {c.key: c.parse(item["values"].get(c.key, ""))[0] for c in spec.columns}
        for c in spec.columns:
            if c.kind == "unit" and parsed.get(c.key):
                parsed[c.key] = units[parsed[c.key]].id
        db.session.add(spec.build(parsed, user, ctx) if spec.context is not None else spec.build(parsed, user))
    db.session.flush()
    batch.state = "committed"
    batch.imported = len(good)
    batch.committed_at = dt.datetime.now(dt.UTC)
    audit.record("import", batch, object_type=spec.code, object_id=batch.id, object_repr=batch.file_name,
                 detail=_("导入%(n)s条，失败%(f)s条", n=len(good), f=len(errors)), user=user)
    return len(good)


def error_workbook(spec: ImportSpec, batch: ImportBatch) -> bytes:
    """The uploaded workbook back with a 错误信息 column and every bad cell filled red and annotated
    (an .xls or .csv upload comes back as a new .xlsx of its rows)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from app.services.core.attachments import storage

    errors = errors_of(batch)
    red = PatternFill("solid", fgColor="FFC7CE")
    with storage().open(batch.storage_key) as fh:
        data = fh.read()
    if data.startswith(XLSX_MAGIC):
        try:
            wb = load_workbook(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - fall back to a fresh workbook of the rows
            wb = None
        if wb is not None:
            ws = wb.worksheets[0]
            names = [str(c.value or "").strip().lstrip("*").strip() for c in ws[1]]
            err_col = len(names) + 1
            if names and names[-1] == _("错误信息"):
                err_col = len(names)
            head = ws.cell(row=1, column=err_col, value=_("错误信息"))
            head.font = Font(bold=True, color="C00000")
            for n, problems in errors.items():
                r = int(n)
                ws.cell(row=r, column=err_col,
                        value="；".join(f"{spec.column(k).label}：{reason}" for k, reason in problems)).font = Font(
                    color="C00000")
                for k, reason in problems:
                    label = spec.column(k).label
                    if label in names:
                        cell = ws.cell(row=r, column=names.index(label) + 1)
                        cell.fill = red
                        cell.comment = Comment(reason, _("导入检查"))
            ws.column_dimensions[head.column_letter].width = 60
            buf = io.BytesIO()
            wb.save(buf)
            return buf.getvalue()
    return _rows_workbook(spec, batch, errors, red)


def _rows_workbook(spec: ImportSpec, batch: ImportBatch, errors: dict[str, Any], red: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("导入数据")
    ws.append([("*" if c.required else "") + c.label for c in spec.columns] + [_("错误信息")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.cell(row=1, column=len(spec.columns) + 1).font = Font(bold=True, color="C00000")
    keys = [c.key for c in spec.columns]
    for item in rows_of(batch):
        problems = errors.get(str(item["row"]), [])
        values = [_safe(item["values"].get(k, "")) for k in keys]
        text = "；".join(f"{spec.column(k).label}：{reason}" for k, reason in problems)
        ws.append(values + [text])
        r = ws.max_row
        for c in range(1, len(keys) + 1):
            ws.cell(row=r, column=c).number_format = "@"
        for k, reason in problems:
            cell = ws.cell(row=r, column=keys.index(k) + 1)
            cell.fill = red
            cell.comment = Comment(reason, _("导入检查"))
        if problems:
            ws.cell(row=r, column=len(keys) + 1).font = Font(color="C00000")
    for i, col in enumerate(spec.columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(col.width, 10)
    ws.column_dimensions[ws.cell(row=1, column=len(keys) + 1).column_letter].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@dataclass
class Preview:
    batch: ImportBatch
    good: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[dict[str, Any], list[list[str]]]] = field(default_factory=list)


def preview(batch: ImportBatch) -> Preview:
    errors = errors_of(batch)
    out = Preview(batch)
    for item in rows_of(batch):
        problems = errors.get(str(item["row"]))
        if problems:
            out.bad.append((item, problems))
        else:
            out.good.append(item)
    return out
