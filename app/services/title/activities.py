"""评审活动发布 and 评审活动发布审核 (004 §1.2.4.1, §1.2.4.2; TR-09).

A committee's unit (组建单位) writes the activity part by part, in the order of ``PARTS``: 基本信息
(对外公布信息), 对内评审方案, 开设级别及专业, 业绩成果配置, 破格条件需求配置, 评审会需求材料配置; each
part is saved before the next opens (``Activity.saved_part``). Submitted to the committee's 授权管理单位
on the review engine (matter ``title.activity``, 多岗审核 by the engine), it is published on the final
approval (``published_at``, stage ``receiving``). The applicant part and the portal read
:func:`open_activities` and :func:`public_activities`.

Every refusal is a :class:`TitleError` naming the field; nothing changes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.extensions import db
from app.services.core import attachments, dicts
from app.services.core.validators import check_length, to_id
from app.services.documents import imports
from app.services.documents.columns import Column
from app.services.title.common import COMMITTEE_KINDS, TitleError, kinds_of, region_within
from app.services.title.templates import TEMPLATES
from app.workflow import MatterType, Require, register
from models.core.unit import Unit
from models.title.activity import (
    DEFENSES,
    GROUP_METHODS,
    HEADINGS,
    KINDS,
    METHODS,
    PARTS,
    WRITTEN_TESTS,
    AchievementItem,
    Activity,
    ActivityCondition,
    ActivityLevel,
    ActivityMaterial,
)
from models.title.committee import Committee

PART_LABELS: dict[str, Any] = {
    "basic": _l("基本信息"), "plan": _l("对内评审方案"), "levels": _l("开设级别及专业"),
    "achievements": _l("业绩成果配置"), "conditions": _l("破格条件需求配置"), "materials": _l("评审会需求材料配置"),
}
MAX_ROWS = 50  # rows of a configured list (items, conditions, materials)


# -- committees --------------------------------------------------------------------------------


def is_filed(committee: Committee | None) -> bool:
    """已备案 and not expired: the filing approved and valid until today or later."""
    return (committee is not None and committee.review_state == "approved" and committee.valid_until is not None
            and committee.valid_until >= dt.date.today())


def filed_committees(unit_id: int | None) -> list[Committee]:
    """The filed committees of the unit (the only ones an activity may name)."""
    if unit_id is None:
        return []
    return list(db.session.scalars(
        select(Committee).where(Committee.unit_id == unit_id, Committee.review_state == "approved",
                                Committee.valid_until >= dt.date.today()).order_by(Committee.id)))


def own_committee(user: Any, committee_id: Any) -> Committee:
    """A committee of the user's own unit (any filing state), else refused."""
    committee = db.session.get(Committee, to_id(committee_id)) if to_id(committee_id) else None
    if committee is None or committee.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("评委会不存在或不属于本单位"), "committee_id")
    return committee


def listed_clause(unit_id: int | None) -> Any:
    """评审活动发布's list: the activities of the unit's own committees and those on whose route the unit is."""
    from models.core.workflow import Review, ReviewNode

    on_route = (select(Review.record_id).join(ReviewNode, ReviewNode.review_id == Review.id)
                .where(Review.matter == "title.activity", ReviewNode.unit_id == unit_id))
    return or_(Activity.unit_id == unit_id, Activity.id.in_(on_route))


def may_publish(user: Any) -> bool:
    """Whether the user's unit is of a kind that constitutes committees and publishes activities."""
    return bool(kinds_of(getattr(user, "unit", None)) & set(COMMITTEE_KINDS))


# -- parsing helpers ---------------------------------------------------------------------------


def _zone() -> Any:
    from app.filters import _configured_zone

    return _configured_zone()


def parse_local_time(raw: Any) -> dt.datetime | None:
    """A typed local time (2024-02-26 14:45[:00], or the browser's 2024-02-26T14:45) as a naive UTC
    datetime (times are stored in UTC); None when it cannot be read."""
    text = str(raw or "").strip().replace("T", " ").replace("/", "-")
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            local = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=_zone()).astimezone(dt.UTC).replace(tzinfo=None)
    return None


def local_input(value: dt.datetime | None) -> str:
    """A stored (UTC) time as the form shows it (local, 2024-02-26 14:45)."""
    from app.filters import local_time

    return local_time(value, "%Y-%m-%d %H:%M") if value else ""


def _yes(raw: Any) -> bool | None:
    text = str(raw or "").strip()
    if text in ("1", "true", "yes", "是", "on"):
        return True
    if text in ("0", "false", "no", "否"):
        return False
    return None


class _Problems:
    """Collects (field, reason) and raises them together."""

    def __init__(self) -> None:
        self.items: list[tuple[str | None, str]] = []

    def add(self, field: str | None, reason: str) -> None:
        self.items.append((field, str(reason)))

    def raise_if_any(self) -> None:
        if self.items:
            raise TitleError.of(self.items)


def _text(data: Any, key: str, label: Any, column: Any, problems: _Problems, required: bool = True) -> str | None:
    value = str(data.get(key) or "").strip()
    if not value:
        if required:
            problems.add(key, _("请填写%(f)s", f=str(label)))
        return None
    reason = check_length(value, column, label)
    if reason:
        problems.add(key, reason)
        return None
    return value


def _choice(data: Any, key: str, label: Any, options: dict[str, str], problems: _Problems) -> str | None:
    value = str(data.get(key) or "").strip()
    if value not in options:
        problems.add(key, _("请选择%(f)s", f=str(label)))
        return None
    return value


def _flag(data: Any, key: str, label: Any, problems: _Problems) -> bool | None:
    value = _yes(data.get(key))
    if value is None:
        problems.add(key, _("请选择%(f)s", f=str(label)))
    return value


# -- the parts ---------------------------------------------------------------------------------


def _check_editable(user: Any, activity: Activity) -> None:
    if activity.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有组建评委会的单位可以编辑本评审活动"))
    if not activity.editable:
        raise TitleError(_("评审活动已提交审核或已发布，不能修改"))


def _check_order(activity: Activity | None, part: str) -> None:
    index = PARTS.index(part)
    done = activity.part_done if activity is not None else 0
    if index > done:
        missing = PARTS[done]
        raise TitleError(_("请先保存“%(p)s”，再填写“%(q)s”", p=str(PART_LABELS[missing]), q=str(PART_LABELS[part])))


def _mark_saved(activity: Activity, part: str) -> None:
    if PARTS.index(part) >= activity.part_done:
        activity.saved_part = part


DEADLINES = (("apply_start", _l("申报开始时间")), ("first_submit_until", _l("个人初次提交截止时间")),
             ("resubmit_until", _l("个人修改提交截止时间")), ("receive_until", _l("评委会接收申报截止时间")))


def _basic_values(user: Any, activity: Activity | None, data: Any) -> dict[str, Any]:
    p = _Problems()
    values: dict[str, Any] = {}
    committee = db.session.get(Committee, to_id(data.get("committee_id"))) if to_id(data.get("committee_id")) else None
    if committee is None or committee.unit_id != getattr(user, "unit_id", None):
        p.add("committee_id", _("请选择评委会名称"))
    elif not is_filed(committee):
        p.add("committee_id", _("评委会“%(c)s”未备案或备案已过期，请先在【评委会备案申报】完成备案", c=committee.name))
    values["committee_id"] = committee.id if committee is not None else None
    values["name"] = _text(data, "name", _l("评审活动名称"), Activity.name, p)
    values["scope_text"] = _text(data, "scope_text", _l("申报范围"), Activity.scope_text, p)
    year = to_id(data.get("year"))
    if year is None or not 2000 <= year <= 2100:
        p.add("year", _("请填写评审归属年份（如%(y)s）", y=dt.date.today().year))
    values["year"] = year
    values["kind"] = _choice(data, "kind", _l("评审活动类别"), KINDS, p)
    values["method"] = _choice(data, "method", _l("评审方式"), METHODS, p)
    values["written_test"] = _choice(data, "written_test", _l("评委会组织笔试"), WRITTEN_TESTS, p)
    values["defense"] = _choice(data, "defense", _l("是否组织面试答辩"), DEFENSES, p)
    for key, label in DEADLINES:
        raw = str(data.get(key) or "").strip()
        when = parse_local_time(raw)
        if not raw:
            p.add(key, _("请填写%(f)s", f=str(label)))
        elif when is None:
            p.add(key, _("%(f)s格式不正确，应为 2024-02-26 14:45", f=str(label)))
        values[key] = when
    start, first, again, receive = (values[k] for k, _l_ in DEADLINES)
    if start and first and not start < first:
        p.add("first_submit_until", _("个人初次提交截止时间应晚于申报开始时间"))
    if first and again and again < first:
        p.add("resubmit_until", _("个人修改提交截止时间不能早于个人初次提交截止时间"))
    if again and receive and receive < again:
        p.add("receive_until", _("评委会接收申报截止时间不能早于个人修改提交截止时间"))
    for key, label in (("page_health", _l("是否显示卫生专用页面")), ("page_school", _l("是否显示中小学教师专用页面")),
                       ("page_vocational", _l("是否显示中职教师专用页面")), ("public", _l("是否对外公开"))):
        values[key] = _flag(data, key, label, p)
    values["doc_number"] = _text(data, "doc_number", _l("文号录入"), Activity.doc_number, p, required=False)
    if not p.items and values["kind"] == "annual":
        clash = select(Activity.id).where(Activity.committee_id == values["committee_id"],
                                          Activity.year == values["year"], Activity.kind == "annual")
        if activity is not None and activity.id is not None:
            clash = clash.where(Activity.id != activity.id)
        if db.session.scalar(clash) is not None:
            p.add("kind", _("该评委会%(y)s年已有年度评审活动，一年只能开展一次；如需再次开展请选择专项评审活动",
                            y=values["year"]))
    p.raise_if_any()
    return values


def save_basic(user: Any, activity: Activity | None, data: Any) -> Activity:
    """基本信息 (对外公布信息): creates the activity on its first save (in the committee's unit)."""
    if activity is None:
        if not may_publish(user):
            raise TitleError(_("本单位不能发布评审活动"))
    else:
        _check_editable(user, activity)
    values = _basic_values(user, activity, data)
    fresh = activity is None
    if fresh:
        activity = Activity(unit_id=user.unit_id, review_state="draft", stage="preparing")
    old_committee = activity.committee_id
    for key, value in values.items():
        setattr(activity, key, value)
    if fresh:
        db.session.add(activity)
        db.session.flush()
    if fresh or old_committee != activity.committee_id:
        # a new committee: its default achievement set, and only its filed levels
        db.session.flush()
        committee = db.session.get(Committee, activity.committee_id)
        if old_committee is not None:
            allowed = set(committee.level_codes)
            for row in list(activity.levels):
                if row.level not in allowed:
                    activity.levels.remove(row)
        if not activity.items:
            _prefill_items(activity, committee)
    _mark_saved(activity, "basic")
    return activity


def _prefill_items(activity: Activity, committee: Committee) -> None:
    for row in default_items(committee):
        activity.items.append(AchievementItem(committee_id=None, sort=row.sort, heading=row.heading,
                                              templates=row.templates, requirement=row.requirement))


def save_plan(user: Any, activity: Activity, data: Any) -> Activity:
    """对内评审方案: 破格评议, 专业组 and its method (only with groups)."""
    _check_editable(user, activity)
    _check_order(activity, "plan")
    p = _Problems()
    exceptional = _flag(data, "exceptional", _l("是否进行破格评议"), p)
    groups = _flag(data, "groups", _l("是否设置专业组"), p)
    method = None
    if groups:
        method = _choice(data, "group_method", _l("专业组评审方式"), GROUP_METHODS, p)
    p.raise_if_any()
    activity.exceptional, activity.groups, activity.group_method = bool(exceptional), bool(groups), method
    _mark_saved(activity, "plan")
    return activity


def level_label(code: str) -> str:
    return dicts.label("title_level", code)


def save_levels(user: Any, activity: Activity, levels: list[str], majors: dict[str, str]) -> Activity:
    """开设级别及专业: levels among the committee's filed ones (another level is refused by name), the
    majors of each level one per line."""
    _check_editable(user, activity)
    _check_order(activity, "levels")
    p = _Problems()
    chosen = [c for c in dict.fromkeys(str(v).strip() for v in levels) if c]
    allowed = set(activity.committee.level_codes)
    if not chosen:
        p.add("levels", _("请选择开设级别"))
    for code in chosen:
        if code not in allowed:
            p.add("levels", _("评委会“%(c)s”未备案“%(l)s”层级，不能开设该级别", c=activity.committee.name,
                              l=level_label(code) or code))
    cleaned: dict[str, str] = {}
    for code in chosen:
        lines = [m.strip() for m in re.split(r"[\r\n]+", str(majors.get(code) or "")) if m.strip()]
        text = "\n".join(dict.fromkeys(lines))
        if not lines:
            p.add(f"majors_{code}", _("请填写“%(l)s”开设的专业", l=level_label(code) or code))
        elif any(len(m) > 50 for m in lines):
            p.add(f"majors_{code}", _("每个专业名称不能超过50个字"))
        elif len(text) > 5000:
            p.add(f"majors_{code}", _("专业太多，不能超过5000字"))
        cleaned[code] = text
    p.raise_if_any()
    existing = {row.level: row for row in activity.levels}
    for code, row in existing.items():
        if code not in cleaned:
            activity.levels.remove(row)
    for code, text in cleaned.items():
        if code in existing:
            existing[code].majors = text
        else:
            activity.levels.append(ActivityLevel(level=code, majors=text))
    _mark_saved(activity, "levels")
    return activity


# -- achievement items (an activity's, or a committee's default set) -----------------------------


@dataclass
class ItemRow:
    sort: int
    heading: str
    templates: str
    requirement: str


def parse_template_kinds(raw: Any) -> tuple[list[str], list[str]]:
    """(template codes, unknown names) from codes or Chinese names, one or several (、，, ; or a list)."""
    values = raw if isinstance(raw, (list, tuple)) else re.split(r"[、，,;；\s]+", str(raw or ""))
    by_label = {str(t.label): code for code, t in TEMPLATES.items()}
    codes: list[str] = []
    unknown: list[str] = []
    for v in values:
        text = str(v or "").strip()
        if not text:
            continue
        code = text if text in TEMPLATES else by_label.get(text)
        if code is None:
            unknown.append(text)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def template_names(codes: str | list[str]) -> str:
    items = codes.split(",") if isinstance(codes, str) else codes
    return "、".join(str(TEMPLATES[c].label) for c in items if c in TEMPLATES)


def parse_item_rows(rows: list[dict[str, Any]]) -> list[ItemRow]:
    """业绩成果配置 rows as typed (``sort``, ``heading``, ``templates`` list, ``requirement``); blank rows
    are dropped; every problem is named ``items-<n>-<column>``."""
    p = _Problems()
    out: list[ItemRow] = []
    for n, row in enumerate(rows):
        sort_raw = str(row.get("sort") or "").strip()
        heading = str(row.get("heading") or "").strip()
        kinds = row.get("templates") or []
        requirement = str(row.get("requirement") or "").strip()
        if not (sort_raw or heading or kinds or requirement):
            continue
        key = f"items-{n}-"
        sort = to_id(sort_raw)
        if sort is None or sort > 999:
            p.add(key + "sort", _("第%(n)s行：请填写序号（正整数）", n=n + 1))
        if heading not in HEADINGS:
            p.add(key + "heading", _("第%(n)s行：请选择展示标题", n=n + 1))
        codes, unknown = parse_template_kinds(kinds)
        if unknown:
            p.add(key + "templates", _("第%(n)s行：模板类别“%(t)s”不存在", n=n + 1, t="、".join(unknown)))
        elif not codes:
            p.add(key + "templates", _("第%(n)s行：请选择模板类别（可多选）", n=n + 1))
        if len(requirement) > 2000:
            p.add(key + "requirement", _("第%(n)s行：业绩要求描述不能超过2000字", n=n + 1))
        out.append(ItemRow(sort or 0, heading, ",".join(codes), requirement))
    if len(out) > MAX_ROWS:
        p.add("items", _("业绩成果配置不能超过%(n)s项", n=MAX_ROWS))
    p.raise_if_any()
    return out


def default_items(committee: Committee) -> list[AchievementItem]:
    """The committee's default set (rows with the committee and no activity), by 序号."""
    return list(db.session.scalars(
        select(AchievementItem).where(AchievementItem.committee_id == committee.id,
                                      AchievementItem.activity_id.is_(None))
        .order_by(AchievementItem.sort, AchievementItem.id)))


def save_default_items(user: Any, committee: Committee, rows: list[dict[str, Any]]) -> Committee:
    """业绩成果默认配置 of a committee of the user's unit: replaces the set (new activities copy it)."""
    if committee.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("评委会不存在或不属于本单位"))
    parsed = parse_item_rows(rows)
    for old in default_items(committee):
        db.session.delete(old)
    for row in parsed:
        db.session.add(AchievementItem(committee_id=committee.id, activity_id=None, sort=row.sort,
                                       heading=row.heading, templates=row.templates, requirement=row.requirement))
    return committee


def save_achievements(user: Any, activity: Activity, rows: list[dict[str, Any]]) -> Activity:
    """业绩成果配置: the activity's items as typed (at least one)."""
    _check_editable(user, activity)
    _check_order(activity, "achievements")
    parsed = parse_item_rows(rows)
    if not parsed:
        raise TitleError(_("请至少配置一项业绩成果"), "items")
    activity.items.clear()
    db.session.flush()
    for row in parsed:
        activity.items.append(AchievementItem(sort=row.sort, heading=row.heading, templates=row.templates,
                                              requirement=row.requirement))
    _mark_saved(activity, "achievements")
    return activity


def save_conditions(user: Any, activity: Activity, texts: list[str]) -> Activity:
    """破格条件需求配置: rows of text (none is allowed)."""
    _check_editable(user, activity)
    _check_order(activity, "conditions")
    p = _Problems()
    kept = []
    for n, raw in enumerate(texts):
        text = str(raw or "").strip()
        if not text:
            continue
        if len(text) > 2000:
            p.add(f"conditions-{n}", _("第%(n)s行：破格条件不能超过2000字", n=n + 1))
        kept.append(text)
    if len(kept) > MAX_ROWS:
        p.add("conditions", _("破格条件不能超过%(n)s项", n=MAX_ROWS))
    p.raise_if_any()
    activity.conditions.clear()
    db.session.flush()
    for i, text in enumerate(kept, start=1):
        activity.conditions.append(ActivityCondition(sort=i, text=text))
    _mark_saved(activity, "conditions")
    return activity


def save_materials(user: Any, activity: Activity, rows: list[dict[str, Any]]) -> Activity:
    """评审会需求材料配置: rows of (name, required?, note)."""
    _check_editable(user, activity)
    _check_order(activity, "materials")
    p = _Problems()
    kept: list[tuple[str, bool, str | None]] = []
    names: set[str] = set()
    for n, row in enumerate(rows):
        name = str(row.get("name") or "").strip()
        note = str(row.get("note") or "").strip() or None
        if not name and not note:
            continue
        key = f"materials-{n}-"
        if not name:
            p.add(key + "name", _("第%(n)s行：请填写材料名称", n=n + 1))
        elif len(name) > 50:
            p.add(key + "name", _("第%(n)s行：材料名称不能超过50个字", n=n + 1))
        elif name in names:
            p.add(key + "name", _("第%(n)s行：材料“%(m)s”重复", n=n + 1, m=name))
        if note and len(note) > 200:
            p.add(key + "note", _("第%(n)s行：说明不能超过200个字", n=n + 1))
        names.add(name)
        kept.append((name, _yes(row.get("required")) is not False, note))
    if len(kept) > MAX_ROWS:
        p.add("materials", _("需求材料不能超过%(n)s项", n=MAX_ROWS))
    p.raise_if_any()
    activity.materials.clear()
    db.session.flush()
    for i, (name, required, note) in enumerate(kept, start=1):
        activity.materials.append(ActivityMaterial(sort=i, name=name, required=required, note=note))
    _mark_saved(activity, "materials")
    return activity


def save_part(user: Any, activity: Activity | None, part: str, form: Any) -> Activity:
    """Save one part from a posted form (the views' one call)."""
    if part not in PARTS:
        raise TitleError(_("没有这一部分"))
    if part == "basic":
        return save_basic(user, activity, form)
    if activity is None:
        raise TitleError(_("请先保存“%(p)s”", p=str(PART_LABELS["basic"])))
    if part == "plan":
        return save_plan(user, activity, form)
    if part == "levels":
        levels = form.getlist("levels")
        return save_levels(user, activity, levels, {c: form.get(f"majors_{c}", "") for c in levels})
    if part == "achievements":
        return save_achievements(user, activity, item_rows_of(form))
    if part == "conditions":
        return save_conditions(user, activity, form.getlist("condition"))
    return save_materials(user, activity, material_rows_of(form))


def _indices(form: Any, prefix: str) -> list[int]:
    found = set()
    for key in form.keys():
        m = re.match(rf"{prefix}-(\d+)-", key)
        if m:
            found.add(int(m.group(1)))
    return sorted(n for n in found if n < 500)


def item_rows_of(form: Any) -> list[dict[str, Any]]:
    """The posted rows items-<n>-sort/heading/templates/requirement, in row order (gaps kept as blank rows)."""
    idx = _indices(form, "items")
    size = (max(idx) + 1) if idx else 0
    return [{"sort": form.get(f"items-{n}-sort", ""), "heading": form.get(f"items-{n}-heading", ""),
             "templates": form.getlist(f"items-{n}-templates"), "requirement": form.get(f"items-{n}-requirement", "")}
            for n in range(size)]


def material_rows_of(form: Any) -> list[dict[str, Any]]:
    idx = _indices(form, "materials")
    size = (max(idx) + 1) if idx else 0
    return [{"name": form.get(f"materials-{n}-name", ""), "required": form.get(f"materials-{n}-required", "0"),
             "note": form.get(f"materials-{n}-note", "")} for n in range(size)]


def delete_activity(user: Any, activity: Activity) -> None:
    """删除: a draft never submitted, by its own unit."""
    _check_editable(user, activity)
    from app.workflow import review_of

    if review_of(ACTIVITY.code, activity.id) is not None:
        raise TitleError(_("评审活动已提交过审核，不能删除"))
    for row in attachments.current(activity):
        attachments.remove(row)
    db.session.delete(activity)


# -- the review ----------------------------------------------------------------------------------


def submit_problem(activity: Activity) -> str | None:
    """Why the activity cannot be submitted yet (every part saved, ≥1 level, ≥1 item, a filed committee
    that is filed for every level opened, the deadlines in order)."""
    if activity.part_done < len(PARTS):
        missing = [str(PART_LABELS[p]) for p in PARTS[activity.part_done:]]
        return _("请先保存：%(p)s", p="、".join(missing))
    if not activity.levels:
        return _("请先在“开设级别及专业”中选择开设级别")
    if not activity.items:
        return _("请先在“业绩成果配置”中至少配置一项业绩成果")
    committee = activity.committee
    if not is_filed(committee):
        return _("评委会“%(c)s”未备案或备案已过期，不能提交", c=committee.name if committee else "")
    allowed = set(committee.level_codes)
    bad = [level_label(row.level) for row in activity.levels if row.level not in allowed]
    if bad:
        return _("评委会“%(c)s”未备案“%(l)s”层级，不能开设该级别", c=committee.name, l="、".join(bad))
    return None


def _ready(record: Activity, review: Any, user: Any) -> str | None:
    return submit_problem(record)


def _route(record: Activity) -> list[int]:
    return [record.committee.authority_unit_id]


def _published(record: Activity, review: Any) -> None:
    record.published_at = dt.datetime.now(dt.UTC)
    record.stage = "receiving"


ACTIVITY = register(MatterType(
    code="title.activity", name=_l("评审活动发布"), model=Activity,
    route_builder=_route, returns_to="applicant",
    list_endpoint="TitleActivityView.list",
    permission=("can_review", "title.Activity"),
    on_approved=_published,
    requires=[Require(actions=("submit",), check=_ready)],
    title_of=lambda r: f"{r.name}（{r.year}）",
))


def _committee_unit(record: Activity) -> int:
    return record.unit_id


attachments.register_owner("title.activity", Activity, [
    attachments.Slot("policy", _l("评审政策文件（对外发布使用）"), multiple=True),
    attachments.Slot("plan", _l("评审工作方案（对内审核使用）"), multiple=True),
], edit_permission=("can_edit", "title.Activity"),
    # the committee's unit, while the activity is its to change (before submission, returned)
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_edit", "title.Activity"),
                                states=attachments.EDITABLE_STATES, label=_l("评委会组建单位")))


# -- published activities ----------------------------------------------------------------------


def _published_query() -> Any:
    return (select(Activity).where(Activity.published_at.is_not(None), Activity.review_state == "approved")
            .order_by(Activity.published_at.desc(), Activity.id.desc()))


def activity_fits(activity: Activity, unit: Unit | None) -> bool:
    """Whether a unit's people may apply to the activity: the committee's region holds the unit's
    region, or (a committee internal to its unit) the unit lies in the committee unit's branch; and the
    unit's nature among the committee's applicant natures when it names any."""
    committee = activity.committee
    if unit is None or committee is None:
        return False
    if committee.internal_only:
        owner = db.session.get(Unit, committee.unit_id)
        inside = bool(owner is not None and unit.path and unit.path.startswith(owner.path))
    else:
        inside = any(region_within(unit.region_code, code) for code in committee.region_list)
    if not inside:
        return False
    natures = [n for n in (committee.applicant_natures or "").split(",") if n]
    return not natures or (unit.nature or "") in natures


def open_activities(unit: Unit | None) -> list[Activity]:
    """Published activities whose committee's scope holds ``unit`` (for the applicant part)."""
    if unit is None:
        return []
    return [a for a in db.session.scalars(_published_query()).all() if activity_fits(a, unit)]


def public_activities(limit: int | None = None) -> list[Activity]:
    """Published activities marked 对外公开 (the portal)."""
    q = _published_query().where(Activity.public.is_(True))
    if limit:
        q = q.limit(limit)
    return list(db.session.scalars(q).all())


def public_activity(pk: int) -> Activity | None:
    activity = db.session.get(Activity, pk)
    if activity is None or activity.published_at is None or activity.review_state != "approved" \
            or not activity.public:
        return None
    return activity


def portal_panel() -> dict[str, Any]:
    """The portal home page's 评审活动 panel: the newest public activities and their count."""
    total = db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.published_at.is_not(None), Activity.review_state == "approved", Activity.public.is_(True))) or 0
    return {"rows": public_activities(limit=8), "total": int(total)}


# -- import of achievement items -------------------------------------------------------------


@dataclass
class _ListColumn(Column):
    """A column whose drop-down is a fixed list (its labels are its values)."""

    options: tuple[str, ...] = ()

    def choices(self) -> list[tuple[str, str]]:
        return [(o, o) for o in self.options]


ITEM_COLUMNS: list[Column] = [
    Column("sort", _l("序号"), required=True, kind="int", width=8),
    _ListColumn("heading", _l("展示标题"), required=True, kind="dict", options=tuple(HEADINGS), width=28),
    Column("templates", _l("模板类别"), required=True, max_len=120, width=30,
           note=_l("一个或多个，用顿号分隔，可选：通用、专利、获奖/荣誉称号、论文、科技成果奖、重要专业报告、著作/译著、标准/规范")),
    Column("requirement", _l("业绩要求描述"), max_len=2000, width=50),
]


def _item_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    sort = values.get("sort")
    if sort is not None and not 0 < int(sort) <= 999:
        problems.append(("sort", _("序号应为1至999的整数")))
    if values.get("templates"):
        codes, unknown = parse_template_kinds(values["templates"])
        if unknown:
            problems.append(("templates", _("模板类别“%(t)s”不存在", t="、".join(unknown))))
        elif not codes:
            problems.append(("templates", _("请填写模板类别")))
    return problems


def _item_context(ctx: str, user: Any) -> Activity:
    activity = db.session.get(Activity, to_id(ctx)) if to_id(ctx) else None
    if activity is None or activity.unit_id != getattr(user, "unit_id", None):
        raise imports.ImportError_(_("评审活动不存在"))
    try:
        _check_editable(user, activity)
        _check_order(activity, "achievements")
    except TitleError as e:
        raise imports.ImportError_(str(e)) from e
    return activity


def _item_values(values: dict[str, Any], user: Any, activity: Activity) -> dict[str, Any]:
    codes, _unknown = parse_template_kinds(values.get("templates"))
    return {"activity_id": activity.id, "committee_id": None, "sort": int(values.get("sort") or 1),
            "heading": values.get("heading"), "templates": ",".join(codes),
            "requirement": values.get("requirement") or ""}


ITEM_IMPORT = imports.register(imports.ImportSpec(
    code="title.achievement_items", title=_l("业绩成果配置"), model=AchievementItem, columns=ITEM_COLUMNS,
    row_values=_item_values, row_check=_item_check, max_rows=MAX_ROWS,
    permission=("can_edit", "title.Activity"), context=_item_context,
    context_endpoint=lambda ctx: f"/title/activities/edit/{ctx}?part=achievements",
))
