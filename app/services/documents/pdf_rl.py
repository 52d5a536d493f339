"""The reportlab renderer of the PDF service: fixed-layout forms printed in bulk.

A layout is a function of the same context its HTML template gets (``pdf/<kind>.html`` stays
the reference of the look and the ``html`` renderer's input) that returns a :class:`Form`: a
title, a subtitle, the rows of the bordered four-column form table (section bars, label/value
pairs, wide rows) and what follows the table (a stamp table, a signature line, a paragraph).
:func:`render` draws it with platypus in the shipped CJK font, registered once per process
(``pdf.register_font``), with CJK line breaking, and stamps "第 N 页，共 M 页" on each page.

The measures follow pdf/base.html: A4, margins 2 cm × 1.8 cm, 10.5 pt text at 1.5 line height,
0.6 pt borders, label columns of 18 %, cell padding 4 pt × 5 pt.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from app.services.documents import pdf

MARGIN_X = 1.8 * cm
MARGIN_Y = 2 * cm
WIDTH = A4[0] - 2 * MARGIN_X
LABEL_SHARE = 0.18
PAD_X, PAD_Y = 5.0, 4.0
BORDER = colors.HexColor("#333333")
LABEL_BG = colors.HexColor("#eef3f9")
SECTION_BG = colors.HexColor("#dde7f3")


# -- what a layout returns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A bar across the table: 基本信息."""

    text: str


@dataclass(frozen=True)
class Pair:
    """Two label/value pairs on one row."""

    label: str
    value: Any
    label2: str
    value2: Any


@dataclass(frozen=True)
class Wide:
    """One label, its value across the other three columns."""

    label: str
    value: Any


@dataclass(frozen=True)
class Full:
    """A value across all four columns, at least ``height`` points tall (所获荣誉 …)."""

    value: Any
    height: float = 0.0


@dataclass(frozen=True)
class Stamps:
    """The stamp table: one column per party, room for the seal, the date under it."""

    labels: list[str]
    height: float = 80.0
    space_before: float = 14.0


@dataclass(frozen=True)
class Line:
    """A paragraph after the table: a pledge, a signature line."""

    text: str
    align: str = "left"
    space_before: float = 24.0


Row = Section | Pair | Wide | Full


@dataclass
class Form:
    title: str
    sub: str
    rows: list[Row]
    after: list[Stamps | Line] = field(default_factory=list)


# -- drawing -----------------------------------------------------------------------------------

_styles: dict[str, ParagraphStyle] = {}


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles, built once (after the font is registered)."""
    if not _styles:
        font = pdf.register_font()
        base = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=15.75, wordWrap="CJK",
                              alignment=TA_LEFT)
        _styles.update(
            cell=base,
            label=ParagraphStyle("label", parent=base, alignment=TA_CENTER),
            title=ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=6),
            sub=ParagraphStyle("sub", parent=base, fontSize=9, leading=13.5, alignment=TA_CENTER,
                               textColor=colors.HexColor("#555555"), spaceAfter=10),
            left=base,
            right=ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
            center=ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        )
    return _styles


def text(value: Any) -> str:
    """A value as paragraph markup: escaped, line breaks kept, nothing for None."""
    if value is None:
        return ""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def _p(value: Any, style: str = "cell") -> Paragraph:
    return Paragraph(text(value), styles()[style])


def form_table(rows: list[Row]) -> Table:
    label_w = WIDTH * LABEL_SHARE
    value_w = (WIDTH - 2 * label_w) / 2
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), pdf.FONT_NAME),
        ("GRID", (0, 0), (-1, -1), 0.6, BORDER),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
    ]
    heights: list[float | None] = []
    for i, row in enumerate(rows):
        height: float | None = None
        if isinstance(row, Section):
            data.append([_p(row.text), "", "", ""])
            commands += [("SPAN", (0, i), (3, i)), ("BACKGROUND", (0, i), (3, i), SECTION_BG)]
        elif isinstance(row, Pair):
            data.append([_p(row.label, "label"), _p(row.value), _p(row.label2, "label"), _p(row.value2)])
            commands += [("BACKGROUND", (0, i), (0, i), LABEL_BG), ("BACKGROUND", (2, i), (2, i), LABEL_BG)]
        elif isinstance(row, Wide):
            data.append([_p(row.label, "label"), _p(row.value), "", ""])
            commands += [("SPAN", (1, i), (3, i)), ("BACKGROUND", (0, i), (0, i), LABEL_BG)]
        else:
            data.append([_p(row.value), "", "", ""])
            commands.append(("SPAN", (0, i), (3, i)))
            if row.height:
                height = row.height + 2 * PAD_Y
        heights.append(height)
    table = Table(data, colWidths=[label_w, value_w, label_w, value_w], rowHeights=heights,
                  style=TableStyle(commands), splitByRow=1, repeatRows=0)
    return table


def stamp_table(block: Stamps) -> Table:
    n = len(block.labels)
    data = [[_p(label, "label") for label in block.labels], [""] * n, [_p(_("年　月　日")) for _i in range(n)]]
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, BORDER),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
    ])
    return Table(data, colWidths=[WIDTH / n] * n, rowHeights=[None, block.height + 2 * PAD_Y, None], style=style)


def story(form: Form) -> list[Flowable]:
    out: list[Flowable] = [_p(form.title, "title"), _p(form.sub, "sub"), form_table(form.rows)]
    for block in form.after:
        out.append(Spacer(1, block.space_before))
        if isinstance(block, Stamps):
            out.append(stamp_table(block))
        else:
            out.append(_p(block.text, block.align))
    return out


def draw(form: Form) -> bytes:
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_Y,
                          bottomMargin=MARGIN_Y, title=form.title, author="", subject="", creator="",
                          initialFontName=pdf.FONT_NAME, initialFontSize=10.5)
    # no frame padding: the content box is the page less its margins, as in the HTML documents
    frame = Frame(MARGIN_X, MARGIN_Y, WIDTH, A4[1] - 2 * MARGIN_Y, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="body", frames=[frame], pagesize=A4)])
    doc.build(story(form), canvasmaker=pdf.FooterCanvas)
    return buf.getvalue()


def render(layout: str, context: dict[str, Any]) -> bytes:
    try:
        build = LAYOUTS[layout]
    except KeyError as e:
        raise pdf.PdfError(f"unknown layout {layout!r}") from e
    return draw(build(context))


# -- the layouts: each line registers its own (mirroring app/templates/pdf/<name>.html) ----------

LAYOUTS: dict[str, Callable[[dict[str, Any]], Form]] = {}


def register_layout(name: str, build: Callable[[dict[str, Any]], Form]) -> Callable[[dict[str, Any]], Form]:
    LAYOUTS[name] = build
    return build
