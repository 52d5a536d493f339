"""Chinese PDF documents (P-18) from Jinja templates with xhtml2pdf.

The CJK font ships with the project (app/fonts/wqy-microhei.ttc, WenQuanYi Micro Hei,
Apache-2.0; licence beside it), so no system font is assumed. Templates live under
app/templates/pdf/ and extend pdf/base.html, which declares the font.
"""

from __future__ import annotations

import io
import os
from typing import Any

from flask import render_template

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "fonts")
FONT_FILE = os.path.join(FONT_DIR, "wqy-microhei.ttc")


class PdfError(Exception):
    pass


def _link(uri: str, rel: str) -> str:
    """Only the shipped font may be loaded: no network, no other file."""
    if uri.endswith("wqy-microhei.ttc"):
        return FONT_FILE
    raise PdfError(f"refused resource {uri!r}")


def render(template: str, **context: Any) -> bytes:
    from xhtml2pdf import pisa

    html = render_template(template, font_path="wqy-microhei.ttc", **context)
    out = io.BytesIO()
    # xhtml2pdf reads local files only below the document's base path (the working directory by
    # default): the document is placed beside the font, so the PDF does not depend on where it runs
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_link,
                            path=os.path.join(FONT_DIR, "document.html"))
    if result.err:
        raise PdfError(f"PDF rendering failed with {result.err} errors")
    return out.getvalue()
