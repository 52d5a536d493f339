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


# -- the layouts (each mirrors app/templates/pdf/<name>.html) ----------------------------------


def _stamps() -> Stamps:
    return Stamps([_("派出单位（盖章）"), _("被服务企业（盖章）"), _("被服务企业所在市州科技局（盖章）"), _("省科技厅（盖章）")])


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def _members(team: Any) -> str:
    return "、".join(m.user.name for m in team.members)


def ktp_application(c: dict[str, Any]) -> Form:
    rec, person = c["application"], c["person"]
    return Form(
        title=_("湖北省科技特派员个人申请表"),
        sub=_("所在地市：%(unit)s　　审核状态：%(state)s", unit=_name(rec.unit), state=c["state"]),
        rows=[
            Section(_("基本信息")),
            Pair(_("姓名"), person.name, _("性别"), c["sex"]),
            Pair(_("出生年月"), person.birth_ym, _("籍贯"), person.native_place),
            Pair(_("工作单位"), person.workplace, _("单位职务"), person.post),
            Pair(_("职称"), person.title, _("联系电话"), c["phone"]),
            Section(_("申请信息")),
            Pair(_("专业"), rec.major, _("服务产业领域"), rec.industry),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市、区）"), rec.intended_county),
            Wide(_("拟服务企业"), rec.intended_enterprise),
            Wide(_("个人介绍"), rec.introduction),
            Wide(_("主要业绩"), rec.achievements),
        ],
        after=[Line(_("所在地市科技管理部门（盖章）：____________　　　年　　月　　日"), "right", 30)],
    )


def ktp_agreement(c: dict[str, Any]) -> Form:
    ag, rec, person = c["agreement"], c["application"], c["person"]
    return Form(
        title=_("湖北省科技特派员个人服务协议"),
        sub=_("%(province)s制", province=_name(c["province"])),
        rows=[
            Section(_("科技特派员基本情况")),
            Pair(_("姓名"), person.name, _("性别"), c["labels"]["sex"]),
            Pair(_("工作单位"), person.workplace, _("职务/职称"), f"{person.post or ''}／{person.title or ''}"),
            Pair(_("专业"), rec.major, _("联系电话"), person.phone),
            Section(_("服务对象")),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市、区）"), rec.intended_county),
            Wide(_("服务企业"), rec.intended_enterprise),
            Wide(_("服务企业主营业务"), ag.enterprise_business),
            Section(_("服务内容")),
            Wide(_("专业技术特长"), ag.specialty),
            Wide(_("科技服务需求"), ag.needs),
            Wide(_("工作内容及时间安排"), ag.work_plan),
            Wide(_("预期完成任务指标"), ag.targets),
        ],
        after=[_stamps()],
    )


def ktp_team_application(c: dict[str, Any]) -> Form:
    rec = c["application"]
    team = rec.team
    return Form(
        title=_("湖北省法人科技特派员团队申请表"),
        sub=_("法人单位：%(unit)s　　审核状态：%(state)s", unit=_name(team.unit), state=c["state"]),
        rows=[
            Section(_("团队情况")),
            Pair(_("团队名称"), team.name, _("团队人数"), team.size),
            Pair(_("负责人"), _name(team.leader), _("团队成员"), _members(team)),
            Section(_("申请信息")),
            Wide(_("专业技术领域"), rec.field),
            Wide(_("取得的成就"), rec.achievements),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市）"), rec.intended_county),
            Wide(_("拟服务企业"), rec.intended_enterprise),
            Wide(_("依托产业链"), rec.chain),
        ],
        after=[Line(_("法人单位（盖章）：____________　　　年　　月　　日"), "right", 30)],
    )


def ktp_team_agreement(c: dict[str, Any]) -> Form:
    ag, rec, team = c["agreement"], c["application"], c["team"]
    return Form(
        title=_("湖北省法人科技特派员团队服务协议"),
        sub=_("%(province)s制", province=_name(c["province"])),
        rows=[
            Section(_("团队基本情况")),
            Pair(_("团队名称"), team.name, _("法人单位"), _name(team.unit)),
            Pair(_("负责人"), _name(c.get("leader")), _("团队人数"), team.size),
            Wide(_("团队成员"), _members(team)),
            Wide(_("专业技术领域"), rec.field),
            Section(_("服务对象与内容")),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市）"), rec.intended_county),
            Wide(_("服务企业"), rec.intended_enterprise),
            Wide(_("服务企业主营业务"), ag.enterprise_business),
            Wide(_("科技服务需求"), ag.needs),
            Wide(_("工作内容及时间安排"), ag.work_plan),
            Wide(_("预期完成任务指标"), ag.targets),
        ],
        after=[_stamps()],
    )


def ktp_org_sheet(c: dict[str, Any]) -> Form:
    unit, org = c["unit"], c.get("org")

    def of_org(attr: str) -> Any:
        return getattr(org, attr) if org is not None else ""

    return Form(
        title=_("湖北省法人科技特派员派出单位申请表"),
        sub=_("附件2　单位概况"),
        rows=[
            Section(_("单位概况")),
            Wide(_("单位名称"), unit.name),
            Pair(_("统一社会信用代码"), unit.credit_code, _("单位性质"), c.get("nature")),
            Pair(_("法人代表"), unit.legal_name, _("单位电话"), unit.phone),
            Wide(_("所在地"), of_org("location")),
            Pair(_("联系人"), of_org("contact"), _("联系电话"), of_org("contact_phone")),
            Wide(_("主营业务"), of_org("business")),
        ],
        after=[
            Line(_("本单位承诺以上信息真实有效，同意选派本单位科技人员作为法人科技特派员开展科技服务。"), "left", 30),
            Line(_("单位（盖章）：____________　　　年　　月　　日"), "right", 24),
        ],
    )


LAYOUTS: dict[str, Callable[[dict[str, Any]], Form]] = {
    "ktp_application": ktp_application,
    "ktp_agreement": ktp_agreement,
    "ktp_team_application": ktp_team_application,
    "ktp_team_agreement": ktp_team_agreement,
    "ktp_org_sheet": ktp_org_sheet,
}
