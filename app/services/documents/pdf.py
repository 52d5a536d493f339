"""Chinese PDF documents (P-18): one service, two renderers, the renderer chosen per document kind.

* ``html``: a Jinja template under app/templates/pdf/ (extending pdf/base.html) laid out by
  xhtml2pdf — for documents whose look is best written as HTML (the 专家信息表);
* ``reportlab``: a fixed layout built from reportlab platypus flowables in
  :mod:`app.services.documents.pdf_rl` — for the forms printed in bulk (service agreements,
  application sheets, later certificates), three to five times faster.

``document(kind, **context)`` renders a registered kind with its renderer; ``render(template,
**context)`` renders any HTML template. ``PDF_RENDERERS`` in the config ({kind: "html"}) sends a
kind back to its HTML template, which every kind keeps as the reference of its look.

The CJK font ships with the project (app/fonts/wqy-microhei.ttc, WenQuanYi Micro Hei,
Apache-2.0; licence beside it), so no system font is assumed. It is read and registered with
reportlab once per process (``register_font``) and both renderers draw with that one
registration: the templates name the family ``WQY`` and no ``@font-face`` is read per document.

The HTML documents are laid out in one pass: their footer says "第 N 页" (``<pdf:pagecount>``
would need a second pass); the reportlab documents draw "第 N 页，共 M 页" with their own canvas
when the document is saved, when the page count is known.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context, render_template
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "fonts")
FONT_FILE = os.path.join(FONT_DIR, "wqy-microhei.ttc")
FONT_NAME = "WQY"  # the reportlab name of the shipped font; the templates' font-family
FOOTER_SIZE = 8.5
FOOTER_BASELINE = 48.0  # points above the bottom edge (1.7 cm), where pdf/base.html's footer sat
FOOTER_GREY = 0.4

_font_lock = threading.Lock()
_font_ready = False


class PdfError(Exception):
    pass


def register_font() -> str:
    """Read the shipped CJK font and register it with reportlab, once per process."""
    global _font_ready
    if _font_ready:
        return FONT_NAME
    with _font_lock:
        if not _font_ready:
            from reportlab.lib.fonts import addMapping
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(FONT_NAME, FONT_FILE, subfontIndex=0))
            # one face: bold and italic draw with it too (as the HTML documents always did)
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
            _font_ready = True
    return FONT_NAME


def footer_text(page: int, total: int) -> str:
    if has_app_context():
        from flask_babel import gettext

        return gettext("第 %(n)s 页，共 %(t)s 页", n=page, t=total)
    return f"第 {page} 页，共 {total} 页"


class FooterMixin:
    """A canvas that keeps each finished page until the document is saved, then stamps every
    page with "第 N 页，共 M 页": the total without a second layout pass."""

    _pages: list[dict[str, Any]]

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        if not hasattr(self, "_pages"):
            self._pages = []
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        pages = getattr(self, "_pages", [])
        total = len(pages)
        for n, state in enumerate(pages, start=1):
            self.__dict__.update(state)
            self.saveState()  # type: ignore[attr-defined]
            self.setFont(FONT_NAME, FOOTER_SIZE)  # type: ignore[attr-defined]
            self.setFillGray(FOOTER_GREY)  # type: ignore[attr-defined]
            width = self._pagesize[0]  # type: ignore[attr-defined]
            self.drawCentredString(width / 2, FOOTER_BASELINE, footer_text(n, total))  # type: ignore[attr-defined]
            self.restoreState()  # type: ignore[attr-defined]
            Canvas.showPage(self)  # type: ignore[arg-type]
        Canvas.save(self)  # type: ignore[arg-type]


class FooterCanvas(FooterMixin, Canvas):
    """The reportlab renderer's canvas."""


# -- the HTML renderer (xhtml2pdf) -------------------------------------------------------------


def _link(uri: str, rel: str) -> str:
    """Nothing is fetched: no network, no file (the font is registered, not loaded)."""
    raise PdfError(f"refused resource {uri!r}")


def _convert(html: str) -> bytes:
    """xhtml2pdf's public ``CreatePDF`` with the font registered once: xhtml2pdf looks a
    font-family up in its ``DEFAULT_FONT`` table, so naming the registered font there replaces
    the ``@font-face`` that made it read and hash the 5 MB file for every document."""
    from xhtml2pdf import default, pisa

    register_font()
    default.DEFAULT_FONT.setdefault(FONT_NAME.lower(), FONT_NAME)
    out = io.BytesIO()
    # xhtml2pdf reads local files only below the document's base path: placed beside the font, the
    # PDF does not depend on the working directory (nothing is read, but the path is still checked)
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_link,
                            path=os.path.join(FONT_DIR, "document.html"))
    if result.err:
        raise PdfError(f"PDF rendering failed with {result.err} errors")
    return out.getvalue()


def render(template: str, **context: Any) -> bytes:
    """An HTML template (app/templates/pdf/…) as a PDF, through xhtml2pdf."""
    return _convert(render_template(template, **context))


# -- document kinds and their renderers --------------------------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its HTML template (the reference look, and the ``html`` renderer's
    input) and, for a fixed layout, the name of its layout in ``pdf_rl.LAYOUTS``."""

    template: str
    layout: str | None = None

    @property
    def renderer(self) -> str:
        return "reportlab" if self.layout else "html"


KINDS: dict[str, DocumentKind] = {
    "expert_sheet": DocumentKind("pdf/expert_sheet.html"),
}


def register_kind(name: str, kind: DocumentKind) -> DocumentKind:
    """A line's document kind (declared by the line's own module)."""
    KINDS[name] = kind
    return kind


def _render_html(kind: DocumentKind, context: dict[str, Any]) -> bytes:
    return render(kind.template, **context)


def _render_reportlab(kind: DocumentKind, context: dict[str, Any]) -> bytes:
    from app.services.documents import pdf_rl

    if kind.layout is None:
        raise PdfError(f"{kind.template} has no fixed layout")
    return pdf_rl.render(kind.layout, context)


RENDERERS: dict[str, Callable[[DocumentKind, dict[str, Any]], bytes]] = {
    "html": _render_html,
    "reportlab": _render_reportlab,
}


def renderer_of(kind: str) -> str:
    """The renderer a kind takes: its own, unless ``PDF_RENDERERS`` names another."""
    spec = KINDS[kind]
    chosen = (current_app.config.get("PDF_RENDERERS") or {}).get(kind) if has_app_context() else None
    return chosen or spec.renderer


def document(kind: str, *, renderer: str | None = None, **context: Any) -> bytes:
    """The PDF of a registered document kind, through the renderer chosen for it."""
    try:
        spec = KINDS[kind]
    except KeyError as e:
        raise PdfError(f"unknown document kind {kind!r}") from e
    name = renderer or renderer_of(kind)
    if name not in RENDERERS:
        raise PdfError(f"unknown PDF renderer {name!r}")
    return RENDERERS[name](spec, context)
