"""打包下载 (TC-07, TC-08): application sheets as Chinese PDFs with the stamped agreement scans, one zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from app.services.core import attachments


def zip_sheets(records: Iterable[Any], *, label: Callable[[Any], str], sheet: Callable[[Any], bytes],
               sheet_name: str, agreement_of: Callable[[Any], Any]) -> tuple[bytes, int]:
    """One zip: ``NNN_<label>_<sheet_name>.pdf`` per record plus the scans attached to its agreement."""
    buf = io.BytesIO()
    n = 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rec in records:
            n += 1
            prefix = f"{n:03d}_{label(rec)}"
            zf.writestr(f"{prefix}_{sheet_name}.pdf", sheet(rec))
            agreement = agreement_of(rec)
            for f in attachments.current(agreement) if agreement is not None else []:
                with attachments.storage().open(f.storage_key) as fh:
                    zf.writestr(f"{prefix}_{f.file_name}", fh.read())
    return buf.getvalue(), n
