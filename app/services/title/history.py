"""历史职称数据管理 (004 §1.2.8.2, TR-22).

* 历史评审机构管理 (§1.2.8.2.4): ``institutions`` / ``save_institution`` / ``delete_institution``.
* 数据上传 (§1.2.8.2.1): the import pipeline, one spec per way of obtaining (``SPECS[way]``, codes
  ``title.history.<way>``) with the context ``"<way>|<职称文件文号>"`` chosen on the page (``context_of``
  checks the number: 〔〕 brackets, a year). Every row check of the manual runs in ``_rows_check``; the
  commit is an INSERT … SELECT (``_sql_values``) into one new ``HistoryGroup`` (the 待提交 batch: document
  number and import time). The 社保风险 flag is a pluggable check (``RISK_CHECKS``), run by ``assess``
  after the import: a flag with its reason, never a refusal.
* 提交审核: ``submit(user, group, issuing_unit_id)`` along ``route_units`` (shown first by ``route_names``),
  the 任职资格文件 required (attachment slot ``qualification``); the engine's matter ``title.history``.
* 数据审核 (§1.2.8.2.2): ``mark_titles`` (a person 退回 with the reason before the group passes),
  ``review`` (batch: several groups; 一键通过: every group waiting at the unit), ``check_names`` (任职资格文件人员核验).
* 历史证书生成: the certificate source ``history`` (``eligible`` / ``facts``) registered with the cert part.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, func, literal, or_, select

from app.extensions import db
from app.services.core import attachments, audit
from app.services.core.validators import to_id
from app.services.documents import imports
from app.services.documents.columns import Column
from app.services.title.common import TitleError
from app.workflow import MatterType, Require, act, register
from models.core.unit import Unit
from models.core.workflow import Review
from models.title.committee import Committee
from models.title.history import WAYS, HistoryGroup, HistoryInstitution, HistoryTitle

PERMISSION = "title.History"
# 〔〕 (六角括号) with a four-digit year, then the number and 号: 川人社职〔2020〕60号
DOC_RE = re.compile(r"^(?P<org>[^〔〕\[\]【】()（）]{1,30})〔(?P<year>(?:19|20)\d{2})〕(?P<no>\d{1,8})号$")
WRONG_BRACKETS = re.compile(r"[\[\]【】()（）]|〔\s*〕")
INITIAL_NAME = {"initial": "初定", "confirm": "确认"}


# -- 职称文件文号 -------------------------------------------------------------------------------------


def parse_doc_number(text: str | None) -> tuple[str, int]:
    """(the number as written, its year) or a TitleError naming what is wrong."""
    value = re.sub(r"\s+", "", text or "")
    if not value:
        raise TitleError(_("请填写职称文件文号"))
    if len(value) > 50:
        raise TitleError(_("职称文件文号不能超过50个字"))
    if "〔" not in value or "〕" not in value:
        if WRONG_BRACKETS.search(value):
            raise TitleError(_("职称文件文号“%(d)s”须使用六角括号〔〕标注年份，如：川人社职〔2020〕60号", d=value))
        raise TitleError(_("职称文件文号“%(d)s”缺少六角括号〔〕标注的年份，如：川人社职〔2020〕60号", d=value))
    m = DOC_RE.match(value)
    if m is None:
        raise TitleError(_("职称文件文号“%(d)s”格式不正确，应为：发文机关代字〔四位年份〕序号号，如：川人社职〔2020〕60号",
                           d=value))
    return value, int(m.group("year"))


# -- 历史评审机构管理 (§1.2.8.2.4) ---------------------------------------------------------------------


def _unit_of(user: Any) -> Unit:
    unit = getattr(user, "unit", None)
    if unit is None or getattr(user, "user_type", "unit") != "unit":
        raise TitleError(_("只有单位用户可以使用历史职称数据管理"))
    return unit


def institutions(user: Any) -> list[HistoryInstitution]:
    """The institutions the user's unit keeps (for any collecting unit) or may collect for."""
    unit = _unit_of(user)
    return list(db.session.scalars(select(HistoryInstitution).where(or_(
        HistoryInstitution.owner_unit_id == unit.id, HistoryInstitution.unit_id == unit.id))
        .order_by(HistoryInstitution.id)))


def institution(user: Any, pk: Any, write: bool = False) -> HistoryInstitution:
    """One institution, only through the user's unit (kept by it; ``write``: only the keeping unit)."""
    unit = _unit_of(user)
    row = db.session.get(HistoryInstitution, to_id(pk)) if to_id(pk) else None
    if row is None or unit.id not in ((row.owner_unit_id,) if write else (row.owner_unit_id, row.unit_id)):
        raise TitleError(_("历史评审机构不存在或不由本单位维护"))
    return row


def _year(text: Any, label: str) -> int | None:
    value = str(text or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"(19|20)\d{2}", value):
        raise TitleError(_("%(f)s应为四位年份", f=label))
    return int(value)


def save_institution(user: Any, form: dict[str, Any], pk: Any = None) -> HistoryInstitution:
    """新增 / 修改 a historical institution; the collecting unit must be the user's unit or below it."""
    from app.security.scope import unit_in_scope
    from app.services.core import dicts

    unit = _unit_of(user)
    row = institution(user, pk, write=True) if pk else HistoryInstitution(owner_unit_id=unit.id)
    name = str(form.get("name") or "").strip()
    if not name:
        raise TitleError(_("请填写评审机构名称"))
    if len(name) > 100:
        raise TitleError(_("评审机构名称不能超过100个字"))
    series = str(form.get("series") or "").strip()
    if series not in {c for c, _label in dicts.choices("title_series")}:
        raise TitleError(_("请选择可采集的职称系列"))
    levels_in = form.get("levels") or []
    levels_in = [levels_in] if isinstance(levels_in, str) else list(levels_in)
    known = [c for c, _label in dicts.choices("title_level")]
    levels = [c for c in known if c in {str(x) for x in levels_in}]
    if not levels or len(levels) != len({str(x) for x in levels_in if x}):
        raise TitleError(_("请选择可采集的职称层级"))
    collector = db.session.get(Unit, to_id(form.get("unit_id"))) if to_id(form.get("unit_id")) else unit
    if collector is None or not unit_in_scope(collector, user):
        raise TitleError(_("采集单位须为本单位或下级单位"))
    year_from, year_to = _year(form.get("year_from"), _("存续年份起")), _year(form.get("year_to"), _("存续年份止"))
    if year_from and year_to and year_from > year_to:
        raise TitleError(_("存续年份起不能晚于存续年份止"))
    note = str(form.get("note") or "").strip() or None
    if note and len(note) > 500:
        raise TitleError(_("备注不能超过500个字"))
    clash = db.session.scalar(select(HistoryInstitution.id).where(
        HistoryInstitution.unit_id == collector.id, HistoryInstitution.name == name,
        HistoryInstitution.id != (row.id or 0)))
    if clash:
        raise TitleError(_("采集单位“%(u)s”已有名为“%(n)s”的历史评审机构", u=collector.name, n=name))
    row.name, row.series, row.levels, row.unit_id = name, series, ",".join(levels), collector.id
    row.year_from, row.year_to, row.note = year_from, year_to, note
    if row.id is None:
        db.session.add(row)
    db.session.flush()
    audit.record("update" if pk else "create", row)
    return row


def delete_institution(user: Any, pk: Any) -> None:
    row = institution(user, pk, write=True)
    audit.record("delete", row)
    db.session.delete(row)


# -- 数据上传: the import context ------------------------------------------------------------------------


@dataclass
class Upload:
    """An import's context: the way, the document number and the importing unit; the group is made at the
    commit (``group()``), so an abandoned upload leaves none."""

    way: str
    doc_number: str
    doc_year: int
    user: Any
    _group: HistoryGroup | None = None

    def group(self) -> HistoryGroup:
        if self._group is None:
            self._group = HistoryGroup(way=self.way, doc_number=self.doc_number, doc_year=self.doc_year,
                                       unit_id=self.user.unit_id, imported_by=self.user.id,
                                       imported_by_name=getattr(self.user, "name", None), review_state="draft")
            db.session.add(self._group)
            db.session.flush()
            audit.record("import", self._group)
        return self._group


def context_text(way: str, doc_number: str) -> str:
    return f"{way}|{doc_number}"


def context_of(ctx: str, user: Any) -> Upload:
    """``"<way>|<职称文件文号>"`` -> the upload, or the import is refused with the reason."""
    way, _sep, number = (ctx or "").partition("|")
    try:
        if way not in WAYS:
            raise TitleError(_("请选择职称证书取得方式"))
        _unit_of(user)
        if not number and has_request_context() and request.endpoint == "ImportView.template":
            return Upload(way, "", 0, user)  # the template of a way needs no number (an upload does)
        doc_number, year = parse_doc_number(number)
    except TitleError as e:
        raise imports.ImportError_(str(e)) from e
    upload = Upload(way, doc_number, year, user)
    g.title_history_upload = upload
    g.pop("title_history_taken", None)  # read again for this import (a seed imports many in one context)
    g.pop("title_history_names", None)
    return upload


def _current_upload() -> Upload | None:
    """The running import's context; a row fixed on the preview page reads it from its batch."""
    if not has_app_context():
        return None
    upload = g.get("title_history_upload")
    if upload is None and has_request_context():
        from app.security.scope import get_user
        from models.core.document import ImportBatch

        pk = (request.view_args or {}).get("pk")
        batch = db.session.get(ImportBatch, pk) if pk else None
        user = get_user()
        if batch is not None and batch.spec.startswith("title.history.") and batch.context and user is not None:
            with_ctx = batch.context
            try:
                upload = context_of(with_ctx, user)
            except imports.ImportError_:
                return None
    return upload


def institution_names(unit_id: int, way: str) -> dict[str, tuple[str, set[str]]]:
    """Institution name -> (series, levels) the importing unit may name: its filed committees and the
    historical institutions kept for it (委托评审: any filed committee, the entrusted one being elsewhere)."""
    out: dict[str, tuple[str, set[str]]] = {}
    q = select(Committee).where(Committee.filed_at.is_not(None))
    if way != "entrusted":
        q = q.where(Committee.unit_id == unit_id)
    for c in db.session.scalars(q):
        out[c.name] = (c.series, set(c.level_codes))
    for h in db.session.scalars(select(HistoryInstitution).where(HistoryInstitution.unit_id == unit_id)):
        out[h.name] = (h.series, set(h.level_codes))
    return out


def _rows_check(cols: dict[str, list[Any]]) -> list[tuple[int, str, str]]:
    """Every check of §1.2.8.2.1 on a chunk of rows: the institution, the dates, the document year, a
    certificate already imported."""
    upload = _current_upload()
    if upload is None:
        return []
    out: list[tuple[int, str, str]] = []
    cache = g.get("title_history_names")
    if cache is None or cache[0] != (upload.user.unit_id, upload.way):
        cache = ((upload.user.unit_id, upload.way), institution_names(upload.user.unit_id, upload.way))
        g.title_history_names = cache
    names = cache[1]
    fixed = INITIAL_NAME.get(upload.way)
    year = upload.doc_year
    for i, (inst, series, level, review_on, approved) in enumerate(zip(
            cols["institution"], cols["series"], cols["level"], cols["review_date"], cols["approved_on"],
            strict=True)):
        if inst:
            if fixed is not None:
                if inst != fixed:
                    out.append((i, "institution", _("%(w)s类证书评审机构只能填写“%(w)s”", w=fixed)))
            else:
                allowed = names.get(inst)
                if allowed is None:
                    out.append((i, "institution", _("评审机构“%(n)s”不是本单位已备案的评委会，也不是本单位负责的历史评审机构",
                                                    n=inst)))
                elif series and allowed[0] != series:
                    out.append((i, "series", _("评审机构“%(n)s”不能评审该职称系列", n=inst)))
                elif level and allowed[1] and level not in allowed[1]:
                    out.append((i, "level", _("评审机构“%(n)s”不能评审该职称层级", n=inst)))
        if review_on and approved and not review_on < approved:
            out.append((i, "review_date", _("评审时间须早于批准时间")))
        if approved and approved.year != year:
            out.append((i, "approved_on", _("批准时间的年份（%(a)s）须与职称文件文号的年份（%(d)s）一致",
                                            a=approved.year, d=year)))
    # the same certificate (person + qualification + document number) already on record: the document's
    # certificates are read once per import (one query, not one per chunk)
    taken = _taken(upload.doc_number)
    if taken:
        for i, (idn, qual) in enumerate(zip(cols["id_number"], cols["qualification"], strict=True)):
            if idn and (str(idn).upper(), qual) in taken:
                out.append((i, "id_number", _("该证书已导入（证件号码、资格名称、职称文件文号均相同），不能重复导入")))
    return out


def _taken(doc_number: str) -> set[tuple[str, str]]:
    cache = g.get("title_history_taken")
    if cache is None or cache[0] != doc_number:
        found = {(a, b) for a, b in db.session.execute(select(HistoryTitle.id_number, HistoryTitle.qualification)
                                                       .where(HistoryTitle.doc_number == doc_number))}
        cache = (doc_number, found)
        g.title_history_taken = cache
    return cache[1]


def columns_for(way: str) -> list[Column]:
    fixed = INITIAL_NAME.get(way)
    inst_note = (_l("只能填写“初定”") if way == "initial" else _l("只能填写“确认”") if way == "confirm"
                 else _l("填写本单位已备案的评委会名称或本单位负责的历史评审机构名称"))
    return [
        Column("region_code", _l("行政区划代码"), max_len=12, width=14),
        Column("name", _l("姓名"), required=True, max_len=30, width=12),
        Column("id_number", _l("证件号码"), required=True, kind="idcard", width=22),
        Column("sex", _l("性别"), kind="dict", dict_code="sex", width=8),
        Column("birth_date", _l("出生日期"), kind="date", width=14),
        Column("workplace", _l("工作单位"), max_len=100, width=28),
        Column("series", _l("职称系列"), required=True, kind="dict", dict_code="title_series", width=18),
        Column("level", _l("职称层级"), required=True, kind="dict", dict_code="title_level", width=10),
        Column("qualification", _l("资格名称"), required=True, max_len=60, width=20),
        Column("major", _l("专业"), max_len=60, width=16),
        Column("institution", _l("评审机构"), required=True, max_len=100, width=28, note=inst_note),
        Column("review_date", _l("评审时间"), required=fixed is None, kind="date", width=14,
               note=_l("须早于批准时间")),
        Column("approved_on", _l("批准时间"), required=True, kind="date", width=14,
               note=_l("年份须与职称文件文号的年份一致")),
        Column("paper_number", _l("纸质证书编号"), max_len=40, width=18),
    ]


def _row_values(values: dict[str, Any], user: Any, upload: Upload) -> dict[str, Any]:
    group = upload.group()
    row = {k: values.get(k) for k in ("region_code", "name", "sex", "birth_date", "workplace", "series", "level",
                                      "qualification", "major", "institution", "review_date", "approved_on",
                                      "paper_number")}
    row.update(id_number=str(values["id_number"]).upper(), group_id=group.id, unit_id=user.unit_id,
               doc_number=upload.doc_number, state="pending")
    return row


def _sql_values(cols: dict[str, Any], user: Any, upload: Upload) -> dict[str, Any]:
    group = upload.group()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    data = {k: cols[k] for k in ("region_code", "name", "sex", "birth_date", "workplace", "series", "level",
                                 "qualification", "major", "institution", "review_date", "approved_on",
                                 "paper_number")}
    data.update(id_number=cols[imports.STAGED_KEY], group_id=literal(group.id, Integer),
                unit_id=literal(user.unit_id, Integer), doc_number=literal(upload.doc_number, String),
                state=literal("pending", String), created_on=literal(now), changed_on=literal(now))
    return data


def _endpoint(ctx: str) -> str:
    """After the commit: the batch just imported (its 详情, where the risk checks run), else 待提交."""
    from app.security.scope import get_user

    way, _sep, number = (ctx or "").partition("|")
    user = get_user()
    pk = db.session.scalar(select(HistoryGroup.id).where(
        HistoryGroup.unit_id == getattr(user, "unit_id", None), HistoryGroup.way == way,
        HistoryGroup.doc_number == number).order_by(HistoryGroup.id.desc()).limit(1)) if user is not None else None
    return f"/title/history/group/{pk}" if pk else "/title/history/"


SPECS: dict[str, imports.ImportSpec] = {
    way: imports.register(imports.ImportSpec(
        code=f"title.history.{way}", title=_l("历史职称数据（%(w)s）", w=label), model=HistoryTitle,
        columns=columns_for(way), row_values=_row_values, rows_check=_rows_check, key="id_number",
        key_in_database=False, permission=("can_manage", PERMISSION), context=context_of,
        context_endpoint=_endpoint, sql_values=_sql_values,
    )) for way, label in WAYS.items()
}


# -- 社保风险 (a flag, not a refusal) --------------------------------------------------------------------

# a check: the group -> {title id: reason} of the rows it flags (a query; the group may hold 100,000 rows);
# the registered checks run in order and a row's reasons are joined
RiskCheck = Callable[[HistoryGroup], dict[int, str]]
RISK_CHECKS: list[RiskCheck] = []


def register_risk_check(check: RiskCheck) -> RiskCheck:
    RISK_CHECKS.append(check)
    return check


@register_risk_check
def outside_subtree(group: HistoryGroup) -> dict[int, str]:
    """The default: a holder whose recorded unit (人员信息库, the social-insurance record) is not the importing
    unit or below it."""
    from app.security.scope import path_in_subtree
    from models.core.person import Person

    unit = db.session.get(Unit, group.unit_id)
    stmt = (select(HistoryTitle.id, Unit.name).join(Person, Person.id_number == HistoryTitle.id_number)
            .join(Unit, Unit.id == Person.unit_id)
            .where(HistoryTitle.group_id == group.id, ~path_in_subtree(Unit.path, unit.path)))
    return {pk: _("社保参保单位“%(u)s”不在采集单位“%(c)s”及其下级单位范围内，存在高风险", u=unit_name, c=unit.name)
            for pk, unit_name in db.session.execute(stmt)}


def assess(group: HistoryGroup) -> int:
    """Run the risk checks over the group (once after the import; again on request); the flagged count."""
    from sqlalchemy import bindparam, update

    found: dict[int, list[str]] = {}
    for check in RISK_CHECKS:
        for pk, reason in check(group).items():
            found.setdefault(pk, []).append(reason)
    db.session.execute(update(HistoryTitle).where(HistoryTitle.group_id == group.id,
                                                  HistoryTitle.risk_reason.is_not(None)).values(risk_reason=None))
    if found:
        t = HistoryTitle.__table__
        db.session.execute(update(t).where(t.c.id == bindparam("pk")).values(risk_reason=bindparam("reason")),
                           [{"pk": pk, "reason": "；".join(reasons)} for pk, reasons in found.items()])
    db.session.expire_all()
    group.assessed_at = dt.datetime.now(dt.UTC)
    return len(found)


# -- 待提交 and submission ---------------------------------------------------------------------------------


def titles(group: HistoryGroup, states: Iterable[str] | None = None, page: int | None = None,
           size: int = 50) -> list[HistoryTitle]:
    """The group's rows (``page``: one page of ``size``)."""
    q = select(HistoryTitle).where(HistoryTitle.group_id == group.id)
    if states is not None:
        q = q.where(HistoryTitle.state.in_(list(states)))
    q = q.order_by(HistoryTitle.id)
    if page is not None:
        q = q.offset((max(page, 1) - 1) * size).limit(size)
    return list(db.session.scalars(q))


def titles_left(group_id: int, states: Iterable[str] | None = None) -> int:
    """How many rows the group holds (in ``states``)."""
    q = select(func.count()).select_from(HistoryTitle).where(HistoryTitle.group_id == group_id)
    if states is not None:
        q = q.where(HistoryTitle.state.in_(list(states)))
    return int(db.session.scalar(q) or 0)


def counts(group_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {gid: {} for gid in group_ids}
    if group_ids:
        stmt = (select(HistoryTitle.group_id, HistoryTitle.state, func.count(), func.count(HistoryTitle.risk_reason))
                .where(HistoryTitle.group_id.in_(group_ids)).group_by(HistoryTitle.group_id, HistoryTitle.state))
        for gid, state, n, risky in db.session.execute(stmt):
            out[gid][state] = out[gid].get(state, 0) + n
            out[gid]["all"] = out[gid].get("all", 0) + n
            out[gid]["risk"] = out[gid].get("risk", 0) + risky
    return out


def own_groups(user: Any, states: Iterable[str] = ("draft", "withdrawn", "returned")) -> list[HistoryGroup]:
    """待提交 (and, with other states, 已提交): the unit's imports, by document number and import time."""
    unit = _unit_of(user)
    return list(db.session.scalars(select(HistoryGroup).where(
        HistoryGroup.unit_id == unit.id, HistoryGroup.review_state.in_(list(states)))
        .order_by(HistoryGroup.doc_number, HistoryGroup.created_on.desc(), HistoryGroup.id.desc())))


def group_for(user: Any, pk: Any, *, write: bool = False) -> HistoryGroup:
    """A group, only for its importing unit, a unit on its route (reviewing it now or before) and its issuing
    unit; ``write``: the importing unit only."""
    unit = _unit_of(user)
    group = db.session.get(HistoryGroup, to_id(pk)) if to_id(pk) else None
    if group is None:
        raise TitleError(_("历史职称数据不存在"))
    if group.unit_id == unit.id:
        return group
    if not write:
        review = db.session.scalar(select(Review).where(Review.matter == MATTER_CODE, Review.record_id == group.id))
        if review is not None and unit.id in {n.unit_id for n in review.nodes}:
            return group
    raise TitleError(_("历史职称数据不存在或不在本单位的办理范围内"))


def _require_draft(group: HistoryGroup) -> None:
    if not group.editable:
        raise TitleError(_("该批数据已提交审核，退回后才能修改"))


def title_of(group: HistoryGroup, pk: Any) -> HistoryTitle:
    row = db.session.get(HistoryTitle, to_id(pk)) if to_id(pk) else None
    if row is None or row.group_id != group.id:
        raise TitleError(_("该人员不在本批历史职称数据中"))
    return row


def delete_titles(user: Any, group: HistoryGroup, ids: Iterable[Any] | None) -> int:
    """删除 the selected persons of a group not yet submitted (``ids`` None: 全部删除, and the group goes)."""
    from sqlalchemy import delete

    group = group_for(user, group.id, write=True)
    _require_draft(group)
    if ids is None:
        n = titles_left(group.id)
        db.session.execute(delete(HistoryTitle).where(HistoryTitle.group_id == group.id))
    else:
        rows = [title_of(group, i) for i in ids]
        if not rows:
            raise TitleError(_("请选择要删除的人员"))
        for r in rows:
            db.session.delete(r)
        n = len(rows)
    audit.record("delete", group, changes={"titles": [n, 0]})
    db.session.flush()
    if not titles_left(group.id):
        db.session.delete(group)
    return n


def issuing_choices(user: Any, group: HistoryGroup) -> list[Unit]:
    """发证机构 the user may choose: for 职称评审 the unit itself or a unit above it; otherwise the importing
    unit is the issuing unit (初定、确认、委托评审 are uploaded by the 发证机构 and reviewed inside it)."""
    unit = _unit_of(user)
    if group.way != "review":
        return [unit]
    ids = list(reversed(unit.ancestor_ids))  # the unit first, then its parent, up to the root
    found = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def route_units(group: HistoryGroup, issuing_unit_id: int | None = None) -> list[int]:
    """逐级: from the importing unit's parent up to the issuing unit (the importing unit alone when it issues)."""
    unit = db.session.get(Unit, group.unit_id)
    target = issuing_unit_id or group.issuing_unit_id
    if target is None:
        raise TitleError(_("请选择发证机构"))
    if target == unit.id:
        return [unit.id]
    above = list(reversed(unit.ancestor_ids[:-1]))  # the parent first
    if target not in above:
        raise TitleError(_("发证机构须为本单位或上级单位"))
    return above[:above.index(target) + 1]


def route_names(group: HistoryGroup, issuing_unit_id: int | None = None) -> list[str]:
    ids = route_units(group, issuing_unit_id)
    names = {i: n for i, n in db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))}
    return [names[i] for i in ids]


def _submit_check(group: HistoryGroup, review: Any, user: Any) -> str | None:
    if not titles_left(group.id):
        return _("该批没有历史职称数据")
    return None


def _approved(group: HistoryGroup, review: Any) -> None:
    """The issuing unit's approval: every person still 待审核 passes; persons marked 退回 go back to the
    collecting unit as a new 待提交 batch of the same document number, to be fixed and submitted again."""
    from sqlalchemy import update

    returned = titles_left(group.id, ("returned",))
    db.session.execute(update(HistoryTitle).where(HistoryTitle.group_id == group.id, HistoryTitle.state == "pending")
                       .values(state="passed"))
    if returned:
        back = HistoryGroup(way=group.way, doc_number=group.doc_number, doc_year=group.doc_year, unit_id=group.unit_id,
                            imported_by=group.imported_by, imported_by_name=group.imported_by_name,
                            review_state="draft")
        db.session.add(back)
        db.session.flush()
        db.session.execute(update(HistoryTitle).where(HistoryTitle.group_id == group.id,
                                                      HistoryTitle.state == "returned")
                           .values(group_id=back.id, state="pending"))


MATTER_CODE = "title.history"
MATTER = register(MatterType(
    code=MATTER_CODE, name=_l("历史职称数据审核"), model=HistoryGroup,
    route_builder=lambda group: route_units(group), returns_to="applicant", list_endpoint="TitleHistoryView.review_list",
    permission=("can_review", PERMISSION), on_approved=_approved,
    requires=[Require(actions=("submit",), attachments=("qualification",)),
              Require(actions=("submit",), check=_submit_check)],
    title_of=lambda g_: f"{g_.doc_number}（{g_.way_label}）", final_reject=False,
))


def _may_write_file(group: HistoryGroup, user: Any) -> str | None:
    return None if group.editable else _("该批数据已提交审核，退回后才能修改任职资格文件")


attachments.register_owner("title.history", HistoryGroup, [
    attachments.Slot("qualification", _l("任职资格文件"), required=True, kinds=("pdf", "jpg", "png", "doc", "docx"),
                     multiple=True),
], edit_permission=("can_manage", PERMISSION),
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_manage", PERMISSION), states=None,
                                check=_may_write_file, label=_l("采集单位")), personal=True)


def submit(user: Any, group: HistoryGroup, issuing_unit_id: Any) -> Review:
    """提交审核 to the chosen 发证机构 (the route shown first); the 任职资格文件 must be uploaded."""
    group = group_for(user, group.id, write=True)
    _require_draft(group)
    target = to_id(issuing_unit_id)
    if target not in {u.id for u in issuing_choices(user, group)}:
        raise TitleError(_("请选择发证机构（本单位或上级单位）"))
    group.issuing_unit_id = target
    route_units(group, target)
    if group.assessed_at is None:
        assess(group)
    group.submitted_at = dt.datetime.now(dt.UTC)
    return act(MATTER, group, user, "submit")


# -- 数据审核 (§1.2.8.2.2) ---------------------------------------------------------------------------------


def waiting(user: Any) -> list[HistoryGroup]:
    """待审核: the groups waiting at the user's unit."""
    unit = _unit_of(user)
    return list(db.session.scalars(select(HistoryGroup).where(
        HistoryGroup.review_state == "pending", HistoryGroup.review_unit_id == unit.id)
        .order_by(HistoryGroup.submitted_at, HistoryGroup.id)))


def reviewed(user: Any) -> list[HistoryGroup]:
    """已审核: groups whose route passed through the user's unit and that are no longer waiting there."""
    unit = _unit_of(user)
    ids = select(Review.record_id).where(Review.matter == MATTER_CODE, Review.nodes.any(unit_id=unit.id))
    return list(db.session.scalars(select(HistoryGroup).where(
        HistoryGroup.id.in_(ids), or_(HistoryGroup.review_unit_id.is_(None), HistoryGroup.review_unit_id != unit.id))
        .order_by(HistoryGroup.id.desc())))


def _require_waiting(user: Any, group: HistoryGroup) -> None:
    if group.review_state != "pending" or group.review_unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("该批数据当前不在本单位审核"))


def mark_titles(user: Any, group: HistoryGroup, ids: Iterable[Any], action: str, opinion: str | None = None) -> int:
    """批量审核 inside a group: persons marked 退回 (with the reason) or back to 待审核; the group's approval
    passes the others and sends the marked ones back to the collecting unit."""
    group = group_for(user, group.id)
    _require_waiting(user, group)
    rows = [title_of(group, i) for i in ids]
    if not rows:
        raise TitleError(_("请选择人员"))
    if action == "return":
        text = (opinion or "").strip()
        if not text:
            raise TitleError(_("请填写退回原因"))
        if len(text) > 500:
            raise TitleError(_("退回原因不能超过500个字"))
        for r in rows:
            r.state, r.opinion = "returned", text
    elif action == "pending":
        for r in rows:
            r.state, r.opinion = "pending", None
    else:
        raise TitleError(_("未知的审核操作"))
    audit.record("review", group, changes={"titles": [None, f"{action}:{len(rows)}"]})
    return len(rows)


def review(user: Any, ids: Iterable[Any] | None, action: str, opinion: str | None = None) -> int:
    """审核 several groups at once (``ids``) or 一键通过 (``ids`` None: every group waiting at the unit):
    通过 (approve) or 退回 (return, to the collecting unit, with the reason). All or nothing."""
    if action not in ("approve", "return"):
        raise TitleError(_("未知的审核操作"))
    groups = waiting(user) if ids is None else [group_for(user, i) for i in ids]
    if not groups:
        raise TitleError(_("没有待本单位审核的历史职称数据"))
    for group in groups:
        _require_waiting(user, group)
        if action == "approve" and not titles_left(group.id, ("pending",)) and \
                group.review_unit_id == group.issuing_unit_id:
            raise TitleError(_("“%(d)s”的人员均已退回，请整批退回", d=group.doc_number))
        act(MATTER, group, user, action, opinion=opinion)
    return len(groups)


def check_names(group: HistoryGroup, text: str) -> list[tuple[HistoryTitle, bool]]:
    """任职资格文件人员核验: the names of the document (separated by spaces, commas or new lines) against the
    group's persons; each person 存在 / 不存在."""
    names = {n for n in re.split(r"[\s,，、;；]+", text or "") if n}
    if not names:
        raise TitleError(_("请粘贴任职资格文件中的人员名单（姓名之间用空格分开）"))
    return [(r, r.name in names) for r in titles(group)]


# -- 历史证书生成: the certificate source ---------------------------------------------------------------------


def eligible(user: Any) -> list[HistoryTitle]:
    """Passed historical titles whose issuing unit is the user's and that no certificate holds yet."""
    from app.services.title import cert

    unit_id = getattr(user, "unit_id", None)
    q = (select(HistoryTitle).join(HistoryGroup, HistoryGroup.id == HistoryTitle.group_id)
         .where(HistoryTitle.state == "passed", HistoryGroup.review_state == "approved",
                HistoryGroup.issuing_unit_id == unit_id).order_by(HistoryTitle.group_id, HistoryTitle.id))
    rows = list(db.session.scalars(q))
    taken_of = getattr(cert, "taken_ids", None)  # the cert part: source ids already in a batch or issued
    if taken_of is not None and rows:
        taken = taken_of("history", [r.id for r in rows])
        rows = [r for r in rows if r.id not in taken]
    return rows


def facts(row: HistoryTitle) -> dict[str, Any]:
    from models.core.user import UnitUser

    holder = db.session.scalar(select(UnitUser.id).where(UnitUser.id_number == row.id_number,
                                                          UnitUser.user_type == "person").limit(1))
    group = row.group
    return {"holder_user_id": holder, "name": row.name, "id_number": row.id_number, "series": row.series,
            "level": row.level, "qualification": row.qualification, "approved_on": row.approved_on,
            "doc_number": row.doc_number, "issuing_unit_id": group.issuing_unit_id, "source_id": row.id}


def _register_source() -> None:
    from app.services.title import cert

    register_source = getattr(cert, "register_source", None)
    if register_source is not None:
        register_source("history", _l("历史证书"), eligible, facts)


_register_source()
