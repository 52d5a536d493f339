"""评委会管理 (004 §1.2.2; TR-03 … TR-06): committees, their filing on the review engine and their
expert libraries.

* 评委会备案申报 (TR-03): a unit of a committee kind (人社部门, 主管部门, 自主评审单位, 中央在川单位)
  constitutes a committee in three steps — basic information and review scope, the expert list
  (imported through the one import pipeline or picked from the shared expert library), the filing
  request (核准备案请示) — and files it: 授权管理单位 → 备案单位 on the engine (matter
  ``title.committee``). The final approval files it for FILING_YEARS years and takes the list's
  experts into the committee's library. An expired filing (or one ending within 90 days) is filed
  again as a new round (the engine's ``renewable``).
* 专家库管理 (TR-05): the experts of a filed committee; the committee's own unit adds experts straight
  into the library, a lower unit recommends them to the committee's unit.
* 专家库审核 (TR-06): the committee's unit passes or returns each recommended expert.

One person is one ``Expert`` row (unique ID number): an expert added or imported again is reused
(and updated when the user's unit or a unit below it entered the record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.extensions import db
from app.security.scope import record_in_scope, scope_clause
from app.services import experts as expert_library
from app.services.core import attachments, audit, dicts
from app.services.core.validators import check_length, check_phone, to_id
from app.services.documents import imports
from app.services.title.common import COMMITTEE_KINDS, TitleError, kinds_of, user_kinds
from app.workflow import MatterType, Require, register
from models.core.unit import Unit
from models.core.workflow import editable_state
from models.experts.expert import Expert
from models.title.committee import (
    BUILD_MODES,
    CHAIR_ROLES,
    FILING_YEARS,
    REVIEW_TYPES,
    Committee,
    CommitteeExpert,
)

AUTHORITY_KINDS = ("hr", "competent")  # 授权管理单位: 人社部门 or 主管部门
FILING_KINDS = ("hr",)  # 备案单位: 人社部门 only

TEXT_FIELDS = [("name", _l("评委会名称")), ("agency", _l("评委会办事机构")), ("office", _l("评委会办公室")),
               ("contact", _l("对外联系人")), ("contact_phone", _l("对外联系电话")), ("address", _l("联系地址"))]

LIBRARY_STATE_LABELS = {"draft": _l("新增待提交"), "recommended": _l("下级单位推荐待审核"), "in": _l("在库专家"),
                        "returned": _l("退回专家")}

# what an expert must have before a committee holding them is filed: the library's required columns
REQUIRED_EXPERT_FIELDS = [(c.key, c.header) for c in expert_library.COLUMNS if c.required]


class FormProblems(TitleError):
    """A refused committee or expert form: the first problem, every other (field, reason) shown at once."""

    def summary(self) -> str:
        if len(self.problems) == 1:
            return str(self)
        return _("有%(n)s处需要修改，请查看标红的项：%(first)s", n=len(self.problems), first=str(self))


# -- who ----------------------------------------------------------------------------------------


def may_constitute(user: Any) -> bool:
    """Units of the committee kinds constitute committees; a 申报单位 does not."""
    return bool(user_kinds(user) & set(COMMITTEE_KINDS))


def _require_constituting(user: Any) -> None:
    if not may_constitute(user):
        raise TitleError(_("只有人社部门、主管部门、自主评审单位和中央在川单位可以组建评委会"))


def _own_and_above(user: Any, kinds: tuple[str, ...]) -> list[Unit]:
    """The user's unit and its ancestors of ``kinds``, nearest first."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return []
    ids = list(reversed(unit.ancestor_ids))  # the unit itself first
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [units[i] for i in ids if i in units and kinds_of(units[i]) & set(kinds)]


def authority_choices(user: Any) -> list[Unit]:
    """授权管理单位 (发证机构): the user's unit or a 人社部门/主管部门 above it."""
    return _own_and_above(user, AUTHORITY_KINDS)


def filing_choices(user: Any) -> list[Unit]:
    """备案批复单位: the user's unit or a 人社部门 above it."""
    return _own_and_above(user, FILING_KINDS)


def region_choices(user: Any) -> list[tuple[str, str]]:
    """评审区域 offered: the region of the user's unit and the regions directly below it."""
    code = getattr(getattr(user, "unit", None), "region_code", None)
    if not code:
        return dicts.choices("region", top=True)
    return [(code, dicts.label("region", code))] + dicts.choices("region", parent=code)


def editable(committee: Committee) -> bool:
    """The constituting unit may change the committee: not yet filed, returned, withdrawn, or an
    approved filing that is due again."""
    return editable_state(committee.review_state) or committee.renewable


def _require_editable(committee: Committee, user: Any) -> None:
    if committee.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有评委会组建单位可以修改"))
    if not editable(committee):
        raise TitleError(_("评委会已提交备案或备案仍在有效期内，不能修改"))


# -- step 1: basic information and review scope ------------------------------------------------


def _many(data: Any, key: str) -> list[str]:
    if hasattr(data, "getlist"):
        values = data.getlist(key)
    else:
        raw = data.get(key)
        values = raw if isinstance(raw, (list, tuple)) else ([raw] if raw else [])
    out: list[str] = []
    for v in values:
        for part in str(v or "").split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _yes_no(data: Mapping[str, Any], key: str, label: Any, problems: list[tuple[str | None, str]]) -> bool:
    raw = str(data.get(key) or "").strip()
    if raw not in ("0", "1"):
        problems.append((key, _("请选择%(f)s", f=str(label))))
        return False
    return raw == "1"


def save_basic(user: Any, committee: Committee | None, data: Mapping[str, Any]) -> Committee:
    """新增/编辑 step 1 (基本信息 + 评审范围): every field checked, every problem named by its field."""
    _require_constituting(user)
    if committee is not None:
        _require_editable(committee, user)
    problems: list[tuple[str | None, str]] = []
    values: dict[str, Any] = {}
    for key, label in TEXT_FIELDS:
        text = str(data.get(key) or "").strip()
        if not text:
            problems.append((key, _("请填写%(f)s", f=str(label))))
            continue
        reason = check_length(text, getattr(Committee, key), label)
        if reason:
            problems.append((key, reason))
            continue
        values[key] = text
    if values.get("contact_phone") and check_phone(values["contact_phone"]):
        problems.append(("contact_phone", _("对外联系电话格式不正确（座机请填写区号，如0833-2123456）")))
    review_type = str(data.get("review_type") or "").strip()
    if review_type not in REVIEW_TYPES:
        problems.append(("review_type", _("请选择评审类型")))
    levels = _many(data, "levels")
    bad = [c for c in levels if not dicts.has_code("title_level", c)]
    if bad:
        problems.append(("levels", _("评审级别“%(v)s”不是有效的选项", v="、".join(bad))))
    authority = to_id(data.get("authority_unit_id"))
    if authority is None or authority not in {u.id for u in authority_choices(user)}:
        problems.append(("authority_unit_id", _("请选择授权管理单位（本单位或上级人社部门、主管部门）")))
    filing = to_id(data.get("filing_unit_id"))
    if filing is None or filing not in {u.id for u in filing_choices(user)}:
        problems.append(("filing_unit_id", _("请选择备案批复单位（本单位或上级人社部门）")))
    internal_only = _yes_no(data, "internal_only", _l("是否单位内部自主评审"), problems)
    natures = _many(data, "applicant_natures")
    bad = [c for c in natures if not dicts.has_code("unit_nature", c)]
    if bad:
        problems.append(("applicant_natures", _("单位性质“%(v)s”不是有效的选项", v="、".join(bad))))
    build_mode = str(data.get("build_mode") or "").strip()
    if build_mode not in BUILD_MODES:
        problems.append(("build_mode", _("请选择组建方式（按系列创建或按专业创建）")))
    series = str(data.get("series") or "").strip()
    if not series or not dicts.has_code("title_series", series):
        problems.append(("series", _("请选择评审系列")))
    majors = "\n".join(line.strip() for line in str(data.get("majors") or "").splitlines() if line.strip())
    if build_mode == "major" and not majors:
        problems.append(("majors", _("按专业创建时请填写评审专业（每行一个）")))
    elif majors and check_length(majors, Committee.majors, _l("评审专业")):
        problems.append(("majors", str(check_length(majors, Committee.majors, _l("评审专业")))))
    regions = _many(data, "region_codes")
    if not regions:
        problems.append(("region_codes", _("请选择评审区域")))
    else:
        bad = [c for c in regions if not dicts.has_code("region", c)]
        if bad:
            problems.append(("region_codes", _("评审区域“%(v)s”不是有效的行政区划", v="、".join(bad))))
    funded = _yes_no(data, "funded", _l("是否拨付经费"), problems)
    if values.get("name"):
        clash = select(Committee.id).where(Committee.unit_id == user.unit_id, Committee.name == values["name"])
        if committee is not None:
            clash = clash.where(Committee.id != committee.id)
        if db.session.scalar(clash):
            problems.append(("name", _("本单位已有名为“%(n)s”的评委会", n=values["name"])))
    if problems:
        raise FormProblems.of(problems)
    creating = committee is None
    committee = committee or Committee(unit_id=user.unit_id)
    for key, value in values.items():
        setattr(committee, key, value)
    committee.review_type, committee.levels = review_type, ",".join(levels)
    committee.authority_unit_id, committee.filing_unit_id = authority, filing
    committee.internal_only, committee.applicant_natures = internal_only, ",".join(natures)
    committee.build_mode, committee.series = build_mode, series
    committee.majors = majors if build_mode == "major" else ""
    committee.region_codes, committee.funded = ",".join(regions), funded
    db.session.add(committee)
    db.session.flush()
    audit.record("create" if creating else "update", committee, user=user)
    return committee


def check_deletable(user: Any, committee: Committee) -> None:
    """Only the constituting unit deletes, and only a committee never submitted for filing."""
    if committee.unit_id != user.unit_id or committee.review_state != "draft" or committee.filed_at is not None:
        raise TitleError(_("只能删除本单位从未提交备案的评委会"))


def delete_committee(user: Any, committee: Committee) -> None:
    check_deletable(user, committee)
    db.session.delete(committee)


# -- experts: completeness, the shared library ---------------------------------------------------


def expert_missing(expert: Expert) -> list[str]:
    """The labels of the required expert fields that are empty (信息是否完整)."""
    out = []
    for key, label in REQUIRED_EXPERT_FIELDS:
        value = getattr(expert, key, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(str(label))
    return out


def members(committee: Committee, states: Iterable[str] | None = None, unit_id: int | None = None) -> list[CommitteeExpert]:
    stmt = select(CommitteeExpert).where(CommitteeExpert.committee_id == committee.id)
    if states is not None:
        stmt = stmt.where(CommitteeExpert.state.in_(list(states)))
    if unit_id is not None:
        stmt = stmt.where(CommitteeExpert.unit_id == unit_id)
    return list(db.session.scalars(stmt.order_by(CommitteeExpert.id)))


def search_library(user: Any, text: str | None, limit: int = 20) -> list[Expert]:
    """The shared library's experts the user's scope sees, by name or full ID number."""
    text = (text or "").strip()[:30]
    stmt = select(Expert).where(scope_clause(Expert, user))
    if text:
        stmt = stmt.where(or_(Expert.name.contains(text), Expert.id_number == text.upper()))
    return list(db.session.scalars(stmt.order_by(Expert.id.desc()).limit(limit)))


def _join(committee: Committee, expert: Expert, user: Any) -> CommitteeExpert:
    row = db.session.scalar(select(CommitteeExpert).where(CommitteeExpert.committee_id == committee.id,
                                                          CommitteeExpert.expert_id == expert.id))
    if row is not None:
        if row.state == "returned" and row.unit_id == user.unit_id:
            row.state, row.return_reason = "draft", None
            return row
        raise TitleError(_("专家“%(n)s”已在本评委会专家库中（%(s)s）", n=expert.name,
                           s=str(LIBRARY_STATE_LABELS.get(row.state, row.state))), "expert_id")
    row = CommitteeExpert(committee_id=committee.id, expert_id=expert.id, unit_id=user.unit_id, state="draft")
    db.session.add(row)
    return row


def pick_expert(user: Any, committee: Committee, expert_id: Any) -> CommitteeExpert:
    """专家库名单: take an expert of the shared library (in the user's scope) into the list."""
    _require_editable(committee, user)
    expert = db.session.get(Expert, to_id(expert_id)) if to_id(expert_id) else None
    if expert is None or not record_in_scope(expert, user):
        raise TitleError(_("请从本单位可见的专家库中选择专家"), "expert_id")
    row = _join(committee, expert, user)
    db.session.flush()
    return row


def remove_member(user: Any, committee: Committee, member_id: Any) -> None:
    """专家库名单: remove an expert from the list (the shared library keeps the person)."""
    _require_editable(committee, user)
    row = db.session.get(CommitteeExpert, to_id(member_id)) if to_id(member_id) else None
    if row is None or row.committee_id != committee.id:
        raise TitleError(_("该专家不在本评委会名单中"))
    db.session.delete(row)


def _parse_expert(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of 图 2.2.25, parsed as the import parses them; every problem by its field."""
    problems: list[tuple[str | None, str]] = []
    values: dict[str, Any] = {}
    for col in expert_library.COLUMNS:
        raw = data.get(col.key)
        if col.kind == "bool":
            raw = {"1": "是", "0": "否"}.get(str(raw or "").strip(), raw)
        value, reason = col.parse(raw if raw is not None else "")
        if reason:
            problems.append((col.key, f"{col.label}：{reason}"))
        values[col.key] = value
    for key, reason in expert_library.check_identity(values):
        if not any(k == key for k, _r in problems):
            problems.append((key, reason))
    if problems:
        raise FormProblems.of(problems)
    return values


def _upsert_expert(values: dict[str, Any], user: Any) -> Expert:
    """One person, one expert: the ID number finds the existing record, which the user's unit (or a
    unit below it, i.e. in its scope) may update; another branch's record is reused as it is."""
    data = expert_library.row_values(values, user)
    expert = db.session.scalar(select(Expert).where(Expert.id_number == data["id_number"]))
    if expert is None:
        expert = Expert(**data)
        db.session.add(expert)
        db.session.flush()
        return expert
    if record_in_scope(expert, user):
        for key, value in data.items():
            if key not in ("unit_id", "entered_by"):
                setattr(expert, key, value)
    return expert


def add_expert(user: Any, committee: Committee, data: Mapping[str, Any], *, filing: bool = False) -> CommitteeExpert:
    """新增 one expert (the fields of 图 2.2.25) into a committee: its filing list (``filing``) or its
    library (新增待提交)."""
    if filing:
        _require_editable(committee, user)
    else:
        _require_library(user, committee)
    expert = _upsert_expert(_parse_expert(data), user)
    row = _join(committee, expert, user)
    db.session.flush()
    return row


# -- the import (step 2 and 批量新增) ---------------------------------------------------------------


def _member_row(values: dict[str, Any], user: Any, committee: Committee) -> dict[str, Any]:
    """One imported row: the expert created or reused, its membership written by the bulk insert (an
    existing membership is replaced by one that keeps its state, chair and activity)."""
    expert = _upsert_expert(values, user)
    row = {"committee_id": committee.id, "expert_id": expert.id, "unit_id": user.unit_id, "state": "draft",
           "chair": "", "active": True, "return_reason": None, "reviewed_at": None, "reviewed_by": None}
    old = db.session.scalar(select(CommitteeExpert).where(CommitteeExpert.committee_id == committee.id,
                                                          CommitteeExpert.expert_id == expert.id))
    if old is not None:
        if old.state in ("in", "recommended"):
            row.update(unit_id=old.unit_id, state=old.state, chair=old.chair, active=old.active,
                       reviewed_at=old.reviewed_at, reviewed_by=old.reviewed_by)
        db.session.delete(old)
        db.session.flush()
    return row


def _filing_context(ctx: str, user: Any) -> Committee:
    committee = db.session.get(Committee, to_id(ctx)) if to_id(ctx) else None
    if committee is None or not record_in_scope(committee, user):
        raise imports.ImportError_(_("评委会不存在"))
    try:
        _require_editable(committee, user)
    except TitleError as e:
        raise imports.ImportError_(str(e)) from e
    return committee


def _library_context(ctx: str, user: Any) -> Committee:
    committee = db.session.get(Committee, to_id(ctx)) if to_id(ctx) else None
    if committee is None or committee.id not in {c.id for c in library_committees(user)}:
        raise imports.ImportError_(_("评委会不存在"))
    return committee


FILING_IMPORT = imports.register(imports.ImportSpec(
    code="title.committee_experts", title=_l("评委会专家名单"), model=CommitteeExpert,
    columns=expert_library.COLUMNS, row_values=_member_row, rows_check=expert_library.check_identities,
    key="id_number", key_in_database=False, max_rows=imports.STAGE_ROWS,  # a person once per file; may be on record
    permission=("can_edit", "title.Committee"), context=_filing_context,
    context_endpoint=lambda ctx: f"/title/committees/step/experts/{ctx}",
))

LIBRARY_IMPORT = imports.register(imports.ImportSpec(
    code="title.library_experts", title=_l("评委会专家库"), model=CommitteeExpert,
    columns=expert_library.COLUMNS, row_values=_member_row, rows_check=expert_library.check_identities,
    key="id_number", key_in_database=False, max_rows=imports.STAGE_ROWS,
    permission=("can_manage", "title.ExpertLibrary"), context=_library_context,
    context_endpoint=lambda ctx: f"/title/expert-library/?committee={ctx}&tab=draft",
))


# -- filing on the review engine ------------------------------------------------------------------


def _route(committee: Committee) -> list[int]:
    """授权管理单位, then 备案单位 (once when they are the same unit)."""
    out: list[int] = []
    for uid in (committee.authority_unit_id, committee.filing_unit_id):
        if uid and uid not in out:
            out.append(uid)
    return out


def filing_problems(committee: Committee) -> list[str]:
    """What stops the filing, each named: the level, the experts (and each incomplete one), the request."""
    problems: list[str] = []
    if not committee.level_codes:
        problems.append(_("请选择评审级别"))
    listed = members(committee, states=("draft", "in", "recommended"))
    if not listed:
        problems.append(_("请先导入或选择专家库名单（至少一名专家）"))
    for row in listed:
        missing = expert_missing(row.expert)
        if missing:
            problems.append(_("专家“%(n)s”信息不完整，缺少：%(m)s", n=row.expert.name or row.expert.id_number,
                              m="、".join(missing)))
    if attachments.missing(committee, ("request",)):
        problems.append(_("请先上传核准备案请示"))
    return problems


def _filing_check(committee: Committee, review: Any, user: Any) -> str | None:
    problems = filing_problems(committee)
    return "；".join(problems) if problems else None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _filed(committee: Committee, review: Any) -> None:
    """The final approval: filed now, valid FILING_YEARS years; the list's experts enter the library."""
    committee.filed_at = dt.datetime.now(dt.UTC)
    committee.valid_until = add_years(dt.date.today(), FILING_YEARS)
    for row in members(committee, states=("draft",), unit_id=committee.unit_id):
        row.state, row.reviewed_at = "in", committee.filed_at


COMMITTEE = register(MatterType(
    code="title.committee", name=_l("评委会备案"), model=Committee, route_builder=_route,
    returns_to="any", list_endpoint="TitleCommitteeView.list", permission=("can_review", "title.Committee"),
    on_approved=_filed, requires=[Require(actions=("submit",), check=_filing_check)],
    title_of=lambda r: r.name, renewable=lambda r: r.renewable,
))


def _may_write_request(record: Committee, user: Any) -> str | None:
    return None if editable(record) else _("评委会已提交备案，退回后才能修改核准备案请示")


attachments.register_owner("title.committee", Committee, [
    attachments.Slot("request", _l("核准备案请示"), required=True, kinds=("pdf", "doc", "docx", "jpg", "png"),
                     multiple=True),
], edit_permission=("can_edit", "title.Committee"),
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_edit", "title.Committee"), states=None,
                                check=_may_write_request, label=_l("评委会组建单位")))


def submit_filing(user: Any, committee: Committee) -> Any:
    """提交备案 / 申请备案 (a new round once the filing is due)."""
    from app.workflow import act

    _require_constituting(user)
    if committee.unit_id != user.unit_id:
        raise TitleError(_("只有评委会组建单位可以提交备案"))
    return act(COMMITTEE, committee, user, "submit")


# -- 专家库管理 (TR-05) ----------------------------------------------------------------------------


def library_committees(user: Any) -> list[Committee]:
    """The committees whose library the user manages: its own unit's filed committees, and the
    committees of the units above it that are filed now (a lower unit recommends experts to them)."""
    unit = getattr(user, "unit", None)
    if unit is None or getattr(user, "user_type", "unit") != "unit":
        return []
    above = [i for i in unit.ancestor_ids if i != unit.id]
    stmt = select(Committee).where(or_(
        (Committee.unit_id == unit.id) & Committee.filed_at.is_not(None),
        Committee.unit_id.in_(above) & (Committee.valid_until >= dt.date.today()),
    )).order_by(Committee.unit_id, Committee.id)
    return list(db.session.scalars(stmt))


def library_committee(user: Any, committee_id: Any) -> Committee | None:
    cid = to_id(committee_id)
    return next((c for c in library_committees(user) if c.id == cid), None)


def _require_library(user: Any, committee: Committee) -> None:
    if committee.id not in {c.id for c in library_committees(user)}:
        raise TitleError(_("评委会不存在或不在您可管理的范围内"))


def is_committee_unit(user: Any, committee: Committee) -> bool:
    return getattr(user, "unit_id", None) == committee.unit_id


def library_rows(user: Any, committee: Committee, tab: str) -> list[CommitteeExpert]:
    """The tab's experts: 新增待提交 (the user's unit's drafts), 下级单位推荐待审核, 在库专家, 退回专家 —
    all of them for the committee's unit, the user's unit's own for a lower unit."""
    own = is_committee_unit(user, committee)
    state = {"draft": "draft", "recommended": "recommended", "in": "in", "returned": "returned"}.get(tab, "draft")
    unit_id = None if own and state != "draft" else user.unit_id
    return members(committee, states=(state,), unit_id=unit_id)


def library_counts(user: Any, committee: Committee) -> dict[str, int]:
    return {tab: len(library_rows(user, committee, tab)) for tab in ("draft", "recommended", "in", "returned")}


def _rows(committee: Committee, ids: Iterable[Any]) -> list[CommitteeExpert]:
    wanted = {i for i in (to_id(x) for x in ids) if i}
    if not wanted:
        return []
    return list(db.session.scalars(select(CommitteeExpert).where(CommitteeExpert.committee_id == committee.id,
                                                                 CommitteeExpert.id.in_(wanted))
                                   .order_by(CommitteeExpert.id)))


def submit_experts(user: Any, committee: Committee, ids: Iterable[Any]) -> int:
    """提交 the selected (or, none selected, every) draft of the user's unit: the committee's own unit
    puts them in the library, a lower unit recommends them to the committee's unit."""
    _require_library(user, committee)
    ids = list(ids)
    rows = _rows(committee, ids) if ids else members(committee, states=("draft",), unit_id=user.unit_id)
    rows = [r for r in rows if r.state == "draft" and r.unit_id == user.unit_id]
    if not rows:
        raise TitleError(_("没有可提交的新增待提交专家"))
    for row in rows:
        missing = expert_missing(row.expert)
        if missing:
            raise TitleError(_("专家“%(n)s”信息不完整，缺少：%(m)s", n=row.expert.name, m="、".join(missing)))
    own = is_committee_unit(user, committee)
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        row.state = "in" if own else "recommended"
        row.return_reason = None
        if own:
            row.reviewed_at, row.reviewed_by = now, user.id
    audit.record("submit", committee, detail=f"experts:{len(rows)}", user=user)
    return len(rows)


def remove_expert(user: Any, committee: Committee, member_id: Any) -> None:
    """删除 a draft or returned expert of the user's unit from the committee (the person stays in the
    shared library)."""
    _require_library(user, committee)
    rows = _rows(committee, [member_id])
    if not rows or rows[0].unit_id != user.unit_id or rows[0].state not in ("draft", "returned"):
        raise TitleError(_("只能删除本单位新增待提交或被退回的专家"))
    db.session.delete(rows[0])


def _committee_unit_row(user: Any, committee: Committee, member_id: Any, state: str = "in") -> CommitteeExpert:
    if not is_committee_unit(user, committee):
        raise TitleError(_("只有评委会组建单位可以设置"))
    rows = _rows(committee, [member_id])
    if not rows or rows[0].state != state:
        raise TitleError(_("该专家不在本评委会在库专家中"))
    return rows[0]


def set_chair(user: Any, committee: Committee, member_id: Any, role: str) -> CommitteeExpert:
    """标记主任委员/副主任委员 (or back to 委员)."""
    _require_library(user, committee)
    row = _committee_unit_row(user, committee, member_id)
    if role not in CHAIR_ROLES:
        raise TitleError(_("请选择主任委员、副主任委员或委员"), "chair")
    row.chair = role
    return row


def set_active(user: Any, committee: Committee, member_id: Any, active: bool) -> CommitteeExpert:
    """活跃 / 不活跃: only active experts are drawn for a meeting."""
    _require_library(user, committee)
    row = _committee_unit_row(user, committee, member_id)
    row.active = bool(active)
    return row


# -- 专家库审核 (TR-06) ----------------------------------------------------------------------------


def review_committees(user: Any) -> list[Committee]:
    """The committees of the user's unit (their libraries are reviewed here)."""
    if not may_constitute(user):
        return []
    return list(db.session.scalars(select(Committee).where(Committee.unit_id == user.unit_id)
                                   .order_by(Committee.id.desc())))


def review_committee(user: Any, committee_id: Any) -> Committee | None:
    cid = to_id(committee_id)
    committee = db.session.get(Committee, cid) if cid else None
    return committee if committee is not None and committee.unit_id == getattr(user, "unit_id", None) else None


def review_summary(user: Any) -> list[dict[str, Any]]:
    """Per committee: 主任委员, 副主任委员, 在库专家数, 待审专家数."""
    committees = review_committees(user)
    if not committees:
        return []
    ids = [c.id for c in committees]
    counts: dict[tuple[int, str], int] = {
        (cid, state): n for cid, state, n in db.session.execute(
            select(CommitteeExpert.committee_id, CommitteeExpert.state, func.count())
            .where(CommitteeExpert.committee_id.in_(ids)).group_by(CommitteeExpert.committee_id, CommitteeExpert.state))}
    chairs: dict[tuple[int, str], list[str]] = {}
    for cid, role, name in db.session.execute(
            select(CommitteeExpert.committee_id, CommitteeExpert.chair, Expert.name)
            .join(Expert, Expert.id == CommitteeExpert.expert_id)
            .where(CommitteeExpert.committee_id.in_(ids), CommitteeExpert.state == "in", CommitteeExpert.chair != "")
            .order_by(CommitteeExpert.id)):
        chairs.setdefault((cid, role), []).append(name)
    return [{"committee": c, "chairs": chairs.get((c.id, "chair"), []), "vices": chairs.get((c.id, "vice"), []),
             "in": counts.get((c.id, "in"), 0), "pending": counts.get((c.id, "recommended"), 0)} for c in committees]


def review_experts(user: Any, committee: Committee, ids: Iterable[Any], approve: bool, reason: str | None = None) -> int:
    """通过 (into the library) or 退回 (with a reason) the recommended experts chosen."""
    if not is_committee_unit(user, committee):
        raise TitleError(_("只有评委会组建单位可以审核"))
    rows = [r for r in _rows(committee, ids) if r.state == "recommended"]
    if not rows:
        raise TitleError(_("请选择待审核的专家"))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise TitleError(_("请填写退回原因"), "reason")
    if reason and check_length(reason, CommitteeExpert.return_reason, _l("退回原因")):
        raise TitleError(str(check_length(reason, CommitteeExpert.return_reason, _l("退回原因"))), "reason")
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        row.state = "in" if approve else "returned"
        row.return_reason = None if approve else reason
        row.reviewed_at, row.reviewed_by = now, user.id
    audit.record("review", committee, detail=f"experts:{'approve' if approve else 'return'}:{len(rows)}", user=user)
    return len(rows)


def member_of(user: Any, committee: Committee, member_id: Any) -> CommitteeExpert | None:
    """One membership the user may look at (查看详情): any of the committee's for its own unit, a lower
    unit's own otherwise."""
    rows = _rows(committee, [member_id])
    if not rows:
        return None
    if is_committee_unit(user, committee) or rows[0].unit_id == user.unit_id:
        return rows[0]
    return None
