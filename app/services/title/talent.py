"""专技人才审核 and 专技人才统计 (004 §1.2.13, TR-24).

A person fills their 专技人才信息 (basic data, education, current title, series, level, party membership,
ethnicity, 港澳台及外籍) and submits it; it climbs the unit tree on the review engine (matter
``title.talent``): the person's own unit first, then each unit above it up to the first 人社部门. 审核通过 passes
it to the parent unit, 审核不通过 ends it, 审核退回 lets the person edit and submit again (straight back to the
unit that returned it). 专技人才统计 counts the approved records in the user's unit subtree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, select

from app.extensions import db
from app.security.scope import path_in_subtree, user_unit
from app.services.core import dicts
from app.services.core.charts import GroupCount
from app.services.core.charts import register as register_chart
from app.services.core.validators import check_id_number
from app.services.title.common import TitleError, kinds_of
from app.workflow import MatterType, register
from models.core.unit import Unit
from models.core.workflow import editable_state
from models.title.talent import KINDS, Talent

HAN = "01"  # 汉族 (dict ethnicity)
PARTY = ("01", "02")  # 中国共产党党员, 中国共产党预备党员 (dict politics)
FEMALE = "2"
EDUCATIONS = (("11", _l("博士")), ("14", _l("硕士")), ("21", _l("大学本科")))
LEVELS = (("1", _l("正高级")), ("2", _l("副高级")), ("3", _l("中级")), ("junior", _l("初级")))  # 初级 = 助理级 + 员级
AGE_BANDS = (("a", _l("35岁及以下")), ("b", _l("36至45岁")), ("c", _l("46至55岁")), ("d", _l("56岁及以上")))


# -- the matter ---------------------------------------------------------------------------------------------


def talent_route(record: Talent) -> list[int]:
    """The person's unit, then each unit above it up to (and including) the first 人社部门 (the root counts as
    one). A person of a 人社部门 is reviewed by that unit alone."""
    unit = db.session.get(Unit, record.unit_id)
    ids = list(reversed(unit.ancestor_ids))  # the unit first
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    route: list[int] = []
    for uid in ids:
        route.append(uid)
        if "hr" in kinds_of(units.get(uid)):
            break
    return route


TALENT = register(MatterType(
    code="title.talent", name=_l("专技人才信息"), model=Talent,
    route_builder=talent_route,
    returns_to="applicant",  # 审核退回: the person edits and submits again
    labels={"approve": _l("审核通过"), "reject": _l("审核不通过"), "return": _l("审核退回")},
    list_endpoint="TitleTalentView.list",
    permission=("can_review", "title.Talent"),
    title_of=lambda r: f"{r.name}（{r.unit.name if r.unit else ''}）",
))


# -- the person's record --------------------------------------------------------------------------------------


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def prepare(item: Talent, user: Any) -> None:
    """The person's 专技人才信息: theirs, in their unit; one open record at a time (a record 不通过 is final,
    a new one may follow); checked before it is saved."""
    if getattr(user, "unit_id", None) is None:
        raise TitleError(_("您的账号没有所在单位，不能填报专技人才信息"))
    if item.id is not None and not item.editable:
        raise TitleError(_("专技人才信息已提交或已办结，不能修改"))
    if item.user_id is None:
        others = db.session.scalar(select(func.count()).select_from(Talent).where(
            Talent.user_id == user.id, Talent.review_state != "rejected"))
        if others:
            raise TitleError(_("您已填报专技人才信息，请修改已有的记录"))
        item.user_id, item.unit_id = user.id, user.unit_id
    item.id_number = (item.id_number or "").strip().upper()
    problem = check_id_number(item.id_number)
    if problem:
        raise TitleError(problem, "id_number")
    if item.birth_date is None:
        raise TitleError(_("请填写出生日期"), "birth_date")
    if item.id_number[6:14] != item.birth_date.strftime("%Y%m%d"):
        raise TitleError(_("出生日期与身份证号码不一致"), "birth_date")
    if item.birth_date > dt.date.today():
        raise TitleError(_("出生日期不能晚于今天"), "birth_date")
    if item.kind not in KINDS:
        raise TitleError(_("请选择专业技术人员类别"), "kind")
    if not item.series:
        raise TitleError(_("请选择职称系列（从事专业的系列）"), "series")
    if item.kind == "title" and not item.level:
        raise TitleError(_("具有专业技术职务人员请选择职称层级"), "level")
    if item.kind != "title":
        item.level = None
    for attr, code, label in (("sex", "sex", _l("性别")), ("ethnicity", "ethnicity", _l("民族")),
                              ("politics", "politics", _l("政治面貌")), ("education", "education", _l("学历")),
                              ("series", "title_series", _l("职称系列")), ("level", "title_level", _l("职称层级"))):
        value = getattr(item, attr)
        if value and not dicts.has_code(code, value):
            raise TitleError(_("%(f)s不在字典中", f=label), attr)


def check_deletable(item: Talent) -> None:
    if not editable_state(item.review_state):
        raise TitleError(_("该专技人才信息已提交或已办结，不能删除"))


def own_record(user: Any) -> Talent | None:
    """The person's latest record (the one their page opens)."""
    return db.session.scalar(select(Talent).where(Talent.user_id == user.id).order_by(Talent.id.desc()).limit(1))


# -- 专技人才统计 ---------------------------------------------------------------------------------------------


def _scope(user: Any) -> Any:
    """Approved records of the user's unit subtree (nothing without a unit)."""
    unit = user_unit(user)
    if unit is None:
        return None
    return and_(Talent.review_state == "approved", Talent.unit_id.in_(
        select(Unit.id).where(path_in_subtree(Unit.path, unit.path))))


def _counts(user: Any, today: dt.date | None = None) -> Counter:
    """One grouped query: (series, level, kind, female, minority, party, overseas, education, age band) -> n."""
    where = _scope(user)
    if where is None:
        return Counter()
    today = today or dt.date.today()

    def born_after(years: int) -> dt.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    # age <= 35 ⇔ born after today − 36 years; 36–45 ⇔ after today − 46; 46–55 ⇔ after today − 56
    band = case((Talent.birth_date > born_after(36), "a"), (Talent.birth_date > born_after(46), "b"),
                (Talent.birth_date > born_after(56), "c"), else_="d")
    cols = (Talent.series, Talent.level, Talent.kind, Talent.sex == FEMALE, Talent.ethnicity != HAN,
            Talent.politics.in_(PARTY), Talent.overseas, Talent.education, band)
    rows = db.session.execute(select(*cols, func.count()).where(where).group_by(*cols)).all()
    out: Counter = Counter()
    for *key, n in rows:
        out[tuple(bool(k) if i in (3, 4, 5, 6) else k for i, k in enumerate(key))] += int(n)
    return out


def _level_key(level: str | None) -> str | None:
    return "junior" if level in ("4", "5") else level


def series_table(counts: Counter) -> tuple[list[str], list[list[Any]]]:
    """图2.10.3: per 职称系列, 合计, the levels of those with a title, 只具有职业资格证书, 其他, 女, 少数民族, 中共党员,
    港澳台及外籍, 博士, 硕士, 大学本科; a 合计 row last."""
    headers = [_("系列"), _("合计")] + [str(lb) for _c, lb in LEVELS] + [
        str(_l("只具有职业资格证书人员")), str(_l("其他人员")), _("女"), _("少数民族"), _("中共党员"), _("港澳台及外籍人士"),
    ] + [str(lb) for _c, lb in EDUCATIONS]
    width = len(headers) - 1
    by_series: dict[str, list[int]] = {code: [0] * width for code, _n in dicts.choices("title_series")}
    for (series, level, kind, female, minority, party, overseas, education, _band), n in counts.items():
        row = by_series.setdefault(series or "", [0] * width)
        row[0] += n
        if kind == "title":
            lk = _level_key(level)
            for i, (code, _lb) in enumerate(LEVELS):
                if code == lk:
                    row[1 + i] += n
        elif kind == "cert":
            row[5] += n
        else:
            row[6] += n
        for i, flag in enumerate((female, minority, party, overseas)):
            if flag:
                row[7 + i] += n
        for i, (code, _lb) in enumerate(EDUCATIONS):
            if education == code:
                row[11 + i] += n
    rows = [[dicts.label("title_series", code) if code else _("未填"), *vals] for code, vals in by_series.items()]
    rows.append([_("合计"), *[sum(r[i + 1] for r in rows) for i in range(width)]])
    return headers, rows


def _simple(counts: Counter, index: int, items: list[tuple[Any, Any]]) -> list[list[Any]]:
    found: Counter = Counter()
    for key, n in counts.items():
        found[key[index]] += n
    rows = [[str(label), found.get(code, 0)] for code, label in items]
    rows.append([_("合计"), sum(found.values())])
    return rows


def tables(user: Any) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
    """Every table of 专技人才统计 as code -> (title, headers, rows), within the user's subtree."""
    counts = _counts(user)
    headers, rows = series_table(counts)
    edu = dicts.choices("education")
    return {
        "series": (_("按系列和层级统计"), headers, rows),
        "education": (_("按学历统计"), [_("学历"), _("人数")],
                      _simple(counts, 7, list(edu))),
        "age": (_("按年龄段统计"), [_("年龄段"), _("人数")], _simple(counts, 8, list(AGE_BANDS))),
        "minority": (_("按是否少数民族统计"), [_("民族"), _("人数")],
                     _simple(counts, 4, [(False, _("汉族")), (True, _("少数民族"))])),
        "party": (_("按是否中共党员统计"), [_("政治面貌"), _("人数")],
                  _simple(counts, 5, [(True, _("中共党员（含预备党员）")), (False, _("非中共党员"))])),
        "overseas": (_("按是否港澳台及外籍人士统计"), [_("类别"), _("人数")],
                     _simple(counts, 6, [(True, _("港澳台及外籍人士")), (False, _("其他人员"))])),
    }


# the platform's 统计分析 screen shows two of them as well (the same scope: approved, the user's subtree)
STATS_PERMISSION = ("can_list", "title.TalentStats")
register_chart(GroupCount(
    "title_talent_by_series", _l("专技人才人数（按职称系列）"), model=Talent, group=Talent.series,
    scope=lambda user: _scope(user) if _scope(user) is not None else false(),
    label=lambda v: dicts.label("title_series", v) if v else "", category_title=_l("职称系列"), value_title=_l("人数"),
    permission=STATS_PERMISSION,
))
register_chart(GroupCount(
    "title_talent_by_education", _l("专技人才人数（按学历）"), model=Talent, group=Talent.education, kind="pie",
    scope=lambda user: _scope(user) if _scope(user) is not None else false(),
    label=lambda v: dicts.label("education", v) if v else "", category_title=_l("学历"), value_title=_l("人数"),
    permission=STATS_PERMISSION,
))


CODES = ("series", "education", "age", "minority", "party", "overseas")


def chart_option(code: str, table: tuple[str, list[str], list[list[Any]]]) -> dict[str, Any]:
    """The ECharts option of one table (the page script only draws it): 系列×层级 as stacked bars of the
    series that have anyone, the others as a pie (two values) or bars."""
    title, headers, rows = table
    body = [r for r in rows if r[0] != _("合计")]
    base: dict[str, Any] = {"toolbox": {"feature": {"saveAsImage": {"title": _("保存为图片")}}}}
    if code == "series":
        body = [r for r in body if r[1]]
        base.update({
            "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
            "grid": {"left": 40, "right": 20, "bottom": 60, "top": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": [r[0] for r in body], "axisLabel": {"interval": 0, "rotate": 20}},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"type": "bar", "stack": "n", "name": headers[i], "data": [r[i] for r in body]}
                       for i in range(2, 8)],
        })
        return base
    if code in ("minority", "party", "overseas"):
        base.update({"tooltip": {"trigger": "item"}, "legend": {"top": 0},
                     "series": [{"type": "pie", "radius": ["35%", "65%"], "name": title,
                                 "data": [{"name": r[0], "value": r[1]} for r in body],
                                 "label": {"formatter": "{b}：{c}（{d}%）"}}]})
        return base
    base.update({
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 20, "bottom": 40, "top": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [r[0] for r in body]},
        "yAxis": {"type": "value", "minInterval": 1, "name": headers[1]},
        "series": [{"type": "bar", "name": headers[1], "data": [r[1] for r in body],
                    "label": {"show": True, "position": "top"}}],
    })
    return base
