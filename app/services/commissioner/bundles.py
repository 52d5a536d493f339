"""附件上传/下载 (TC-07 … TC-09): bundles of PDFs in one zip, and the stamped scans uploaded back in
bulk.

Every file in a downloaded bundle starts with the record's number (``00012_张三_个人申请表.pdf``).
Entry names are flat file names built from that number and sanitized names (``safe_name``): a name
someone typed (``x/../../../../tmp/zipslip``) never becomes a folder or a path out of the archive.
The department prints, stamps and scans; it uploads the scans as one zip (or one PDF), and each
PDF is matched to its record by that number, or else by the one record in scope whose name the
file name contains. A file that matches nothing, or more than one record, is reported and not
stored; the others are stored through the attachment pipeline (scope, type and size checked).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.services.core import attachments
from app.services.errors import BusinessError

MAX_FILES = 500
MAX_TOTAL = 500 * 1024 * 1024  # what a bulk upload may unpack to
NUMBER = re.compile(r"^0*(\d+)_")
NAME_LIMIT = 120  # characters of one entry name
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_DOTS = re.compile(r"\.{2,}")
Progress = Callable[[int, int], None]


def safe_name(name: str, limit: int = NAME_LIMIT) -> str:
    """A flat file name from any text: no path separators, no ``..``, no control or reserved
    characters, no leading dot, at most ``limit`` characters (the extension kept)."""
    name = unicodedata.normalize("NFC", str(name))
    name = _DOTS.sub("_", _UNSAFE.sub("_", name)).strip(" .")
    base, ext = os.path.splitext(name)
    if len(ext) > 10:
        base, ext = name, ""
    base = base[:max(1, limit - len(ext))].strip(" .")
    return f"{base or '_'}{ext}"


class BundleError(BusinessError):
    """The whole upload was refused; nothing was stored."""


class ZipBuilder:
    """One zip built in memory; names are kept unique."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.zf = zipfile.ZipFile(self.buf, "w", zipfile.ZIP_DEFLATED)
        self.names: set[str] = set()
        self.count = 0

    def add(self, name: str, data: bytes) -> None:
        name = safe_name(name)
        base, ext = os.path.splitext(name)
        n, unique = 1, name
        while unique in self.names:
            n += 1
            unique = f"{base}({n}){ext}"
        self.names.add(unique)
        self.zf.writestr(unique, data)
        self.count += 1

    def add_attachments(self, prefix: str, record: Any, slot: str | None = None) -> None:
        for f in attachments.current(record, slot) if record is not None else []:
            with attachments.storage().open(f.storage_key) as fh:
                self.add(f"{prefix}_{f.file_name}", fh.read())

    def finish(self) -> bytes:
        self.zf.close()
        return self.buf.getvalue()


def prefix(record: Any, label: str) -> str:
    """``00012_张三``: the record's number and its sanitized name."""
    return f"{int(record.id):05d}_{safe_name(label or '', 60)}"


def zip_sheets(records: Iterable[Any], *, label: Callable[[Any], str], sheet: Callable[[Any], bytes],
               sheet_name: str, agreement_of: Callable[[Any], Any], scans: str | None = None,
               progress: Progress | None = None) -> tuple[bytes, int]:
    """One zip: ``<number>_<label>_<sheet_name>.pdf`` per record, the stamped scans uploaded for the
    record (slot ``scans``) and the scans attached to its agreement. ``progress(done, total)`` is
    called after each record."""
    records = list(records)  # read whole: no cursor stays open while a job reports progress
    z = ZipBuilder()
    n = 0
    for rec in records:
        n += 1
        head = prefix(rec, label(rec))
        z.add(f"{head}_{sheet_name}.pdf", sheet(rec))
        if scans:
            z.add_attachments(head, rec, scans)
        z.add_attachments(head, agreement_of(rec))
        if progress is not None:
            progress(n, len(records))
    return z.finish(), n


def zip_attachments(records: Iterable[Any], *, label: Callable[[Any], str],
                    fallback: Callable[[Any], tuple[str, bytes]] | None = None,
                    progress: Progress | None = None) -> tuple[bytes, int]:
    """Every file attached to each record; ``fallback`` gives a generated file for a record with none."""
    records = list(records)
    z = ZipBuilder()
    n = 0
    for rec in records:
        n += 1
        head = prefix(rec, label(rec))
        before = z.count
        z.add_attachments(head, rec)
        if z.count == before and fallback is not None:
            name, data = fallback(rec)
            z.add(f"{head}_{name}", data)
        if progress is not None:
            progress(n, len(records))
    return z.finish(), n


@dataclass
class Outcome:
    file_name: str
    record: Any = None
    error: str | None = None


def _pdfs(file_name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The PDFs of an uploaded zip (or the single uploaded PDF), refused whole when it is unsafe."""
    if data[:5] == b"%PDF-":
        return [(os.path.basename(file_name), data)]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise BundleError(_("请上传PDF文件或包含PDF文件的zip压缩包")) from e
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not os.path.basename(i.filename).startswith(".")
                 and "__MACOSX" not in i.filename]
        if not infos:
            raise BundleError(_("压缩包中没有文件"))
        if len(infos) > MAX_FILES:
            raise BundleError(_("压缩包中的文件超过%(n)s个，请分批上传", n=MAX_FILES))
        if sum(i.file_size for i in infos) > MAX_TOTAL:
            raise BundleError(_("压缩包解压后过大，已拒绝"))
        out = []
        for info in infos:
            name = info.filename
            if not info.flag_bits & 0x800:  # not marked UTF-8: Chinese Windows zips names in GBK
                try:
                    name = name.encode("cp437").decode("gbk")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
            with zf.open(info) as fh:
                body = fh.read(info.file_size + 1)
            if len(body) > info.file_size:
                raise BundleError(_("压缩包异常，已拒绝"))
            out.append((os.path.basename(name), body))
        return out


def attach_scans(file_name: str, data: bytes, records: list[Any], *, slot: str, label: Callable[[Any], str],
                 user: Any) -> list[Outcome]:
    """Store each PDF of the upload as ``slot`` of its record among ``records`` (already scoped);
    the caller commits. Returns one outcome per file."""
    by_id = {r.id: r for r in records}
    outcomes = []
    for name, body in _pdfs(file_name, data):
        hit = NUMBER.match(name)
        record = by_id.get(int(hit.group(1))) if hit else None
        if record is not None and label(record) not in name:
            record = None  # a number that is not this person's: do not guess
        if record is None:
            named = [r for r in records if label(r) and label(r) in name]
            if len(named) > 1:
                outcomes.append(Outcome(name, error=_("文件名对应多条记录，请在文件名前保留下载时的编号")))
                continue
            record = named[0] if named else None
        if record is None:
            outcomes.append(Outcome(name, error=_("未找到对应的记录（请保留下载时的文件名）")))
            continue
        try:
            attachments.save_upload(record, slot, io.BytesIO(body), name, user=user)
        except attachments.AttachmentError as e:
            outcomes.append(Outcome(name, record, str(e)))
            continue
        outcomes.append(Outcome(name, record))
    return outcomes
