"""职称申报 (004 §1.2.3, TR-10): the applicant's side.

* 注册: a person registers with the ID number as the login name, chooses the title unit they work for
  (``unit_id``) and takes the role 职称申报人 (line ``title``).
* 评审活动: the published activities whose committee takes the person's unit (region, internal
  committee, unit nature); activities of other regions can be applied for by 委托评审 only.
* 职称申报: one application per person per activity; its sections follow the activity (申报信息, 个人信息,
  现专业技术职称, 学历, 工作经历, 个人专业技术工作总结, one section per configured achievement item in its
  template's fields with attachments, 评审会需求材料), each saved on its own with every problem named
  beside its field, nothing changed on a refusal.
* 提交 on the review engine (the matter ``title.application`` of ``app.services.title.review``), whose
  submit requirement calls :func:`submit_problem`; the engine refuses after the deadlines itself.
  Edits only while the application is editable: before 个人初次提交截止时间, and after a return until
  个人修改提交截止时间 (:func:`edit_problem`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app.extensions import db
from app.services.core import attachments, audit, dicts
from app.services.core import users as user_service
from app.services.core.validators import check_id_number, check_length, check_mobile, check_password, to_id
from app.services.title.common import TitleError, region_within
from app.services.title.module import APPLICANT
from app.services.title.templates import TEMPLATES, Template
from models.core.unit import Category, Unit, unit_category
from models.core.user import UnitUser
from models.core.workflow import Review
from models.title.activity import AchievementItem, Activity, ActivityMaterial
from models.title.application import (
    CATEGORIES,
    EVAL_METHODS,
    AchievementEntry,
    Application,
    ApplicationEducation,
    ApplicationWork,
)

MATTER_CODE = "title.application"
PERMISSION = ("can_application", "title.My")


class ApplicationError(TitleError):
    """A refused 职称申报 form: the first problem, with every other (field, reason) shown at once."""

    def summary(self) -> str:
        if len(self.problems) == 1:
            return str(self)
        return _("有%(n)s处需要修改，请查看标红的项：%(first)s", n=len(self.problems), first=str(self))


def _raise(problems: list[tuple[str | None, str]]) -> None:
    if problems:
        raise ApplicationError.of(problems)


# -- time -------------------------------------------------------------------------------------


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(t: dt.datetime) -> dt.datetime:
    """A stored time (naive ones are UTC, as everywhere on the platform)."""
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def fmt(t: dt.datetime | None) -> str:
    from app.filters import local_time

    return local_time(t) if t is not None else ""


# -- the ID number ----------------------------------------------------------------------------


def normalize_id(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def sex_of(id_number: str) -> str:
    """性别 from the ID number (the 17th digit: odd 男 "1", even 女 "2")."""
    return "1" if int(id_number[16]) % 2 == 1 else "2"


def birth_of(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


# -- registration -----------------------------------------------------------------------------


def _title_units() -> Any:
    """The active units of the title line (one of its categories)."""
    return (select(Unit).join(unit_category, unit_category.c.unit_id == Unit.id)
            .join(Category, Category.id == unit_category.c.category_id)
            .where(Category.code.startswith("title."), Unit.active.is_(True)))


def unit_options(q: str = "", page: int = 1, per_page: int = 20) -> tuple[list[Unit], bool]:
    """The registration's unit picker: title units whose name holds ``q``, by depth and id."""
    stmt = _title_units()
    if q:
        stmt = stmt.where(Unit.name.contains(q, autoescape=True))
    rows = list(db.session.scalars(stmt.distinct().order_by(Unit.depth, Unit.id)
                                   .offset((max(page, 1) - 1) * per_page).limit(per_page + 1)).all())
    return rows[:per_page], len(rows) > per_page


def title_unit(raw: Any) -> Unit | None:
    unit_id = to_id(raw)
    if unit_id is None:
        return None
    return db.session.scalar(_title_units().where(Unit.id == unit_id).limit(1))


def registered(id_number: str) -> bool:
    """Whether an account already holds this ID number (as its login name or its ID)."""
    return bool(user_service.login_taken(id_number) or db.session.scalar(
        select(func.count()).select_from(UnitUser).where(func.upper(UnitUser.id_number) == id_number)))


REGISTER_FIELDS = [("name", _l("姓名")), ("id_number", _l("证件号码")), ("phone", _l("手机号")),
                   ("password", _l("密码")), ("password2", _l("确认密码")), ("unit", _l("工作单位"))]


def register_person(data: Mapping[str, Any]) -> UnitUser:
    """注册: an account whose login name is the ID number, role 职称申报人, in the chosen title unit.
    Every problem at once; the caller commits."""
    problems: list[tuple[str | None, str]] = []
    name = (data.get("name") or "").strip()
    if not name:
        problems.append(("name", _("请填写姓名")))
    else:
        reason = check_length(name, UnitUser.first_name, _l("姓名"))
        if reason:
            problems.append(("name", reason))
    id_number = normalize_id(data.get("id_number"))
    reason = check_id_number(id_number)
    if reason:
        problems.append(("id_number", reason))
    elif registered(id_number):
        problems.append(("id_number", _("该用户已经被注册")))
    phone = (data.get("phone") or "").strip()
    reason = check_mobile(phone)
    if reason:
        problems.append(("phone", reason))
    elif user_service.phone_registered(phone):
        problems.append(("phone", _("该用户已经被注册")))
    password = data.get("password") or ""
    reason = check_password(password, id_number)
    if reason:
        problems.append(("password", reason))
    elif (data.get("password2") or "") != password:
        problems.append(("password2", _("两次输入的密码不一致")))
    unit = title_unit(data.get("unit"))
    if unit is None:
        problems.append(("unit", _("请选择工作单位")))
    _raise(problems)
    role = user_service.role_by_name(APPLICANT)
    if role is None:
        raise ApplicationError(_("系统尚未设置“职称申报人”角色，请联系管理员"))
    user = user_service.create_user(unit, username=id_number, name=name, phone=phone, password=password, roles=[role],
                                    commit=False)
    user.roles = [role]
    user.user_type = "person"
    user.line = "title"
    user.id_number = id_number
    user.must_change_password = False  # they chose it themselves
    audit.record("register", user, user=user)
    return user


# -- activities ----------------------------------------------------------------------------------


def published(activity: Activity) -> bool:
    return activity.review_state == "approved" and activity.published_at is not None


def internal_problem(activity: Activity, unit: Unit) -> str | None:
    committee = activity.committee
    if committee.internal_only and committee.unit_id not in unit.ancestor_ids:
        return _("“%(c)s”为单位内部自主评审委员会，只受理%(u)s及其下级单位人员的申报",
                 c=committee.name, u=committee.unit.name if committee.unit else "")
    return None


def region_problem(activity: Activity, unit: Unit) -> str | None:
    committee = activity.committee
    if committee.internal_only:
        return None  # its unit, not a region
    if any(region_within(unit.region_code, code) for code in committee.region_list):
        return None
    return _("“%(c)s”的评审区域不包含您所在单位（%(u)s）", c=committee.name, u=unit.name)


def nature_problem(activity: Activity, unit: Unit) -> str | None:
    natures = [c for c in (activity.committee.applicant_natures or "").split(",") if c]
    if natures and unit.nature not in natures:
        wanted = "、".join(dicts.label("unit_nature", c) or c for c in natures)
        return _("“%(c)s”只受理单位性质为%(n)s的申报单位人员，您所在单位的单位性质为%(m)s",
                 c=activity.committee.name, n=wanted, m=dicts.label("unit_nature", unit.nature) or _("未填写"))
    return None


def _published_query() -> Any:
    return (select(Activity).where(Activity.review_state == "approved", Activity.published_at.is_not(None))
            .order_by(Activity.apply_start.desc(), Activity.id.desc()))


def open_activities(user: Any) -> tuple[list[Activity], list[Activity]]:
    """评审活动: the published activities still receiving (until 评委会接收申报截止时间) that take the
    person's unit (the activities part's ``open_activities``), and the public ones of other regions that
    take its unit nature (委托评审 only)."""
    from app.services.title import activities

    unit = getattr(user, "unit", None)
    if unit is None:
        return [], []
    moment = now()
    mine = [a for a in activities.open_activities(unit) if aware(a.receive_until) >= moment]
    taken = {a.id for a in mine}
    others = [a for a in db.session.scalars(_published_query().where(Activity.public.is_(True))).all()
              if a.id not in taken and aware(a.receive_until) >= moment and not internal_problem(a, unit)
              and not nature_problem(a, unit) and region_problem(a, unit)]
    return mine, others


def visible_activity(user: Any, pk: int) -> Activity | None:
    """A published activity the person may open (its own region, or a public one of another region)."""
    activity = db.session.get(Activity, pk)
    unit = getattr(user, "unit", None)
    if activity is None or unit is None or not published(activity):
        return None
    if internal_problem(activity, unit):
        return None
    if region_problem(activity, unit) and not activity.public:
        return None
    return activity


def activity_phase(activity: Activity) -> str:
    moment = now()
    if moment < aware(activity.apply_start):
        return str(_("未开始"))
    if moment <= aware(activity.first_submit_until):
        return str(_("申报中"))
    return str(_("个人提交已截止"))


def policy_files(activity: Activity) -> list[Any]:
    """The activity's 评审政策文件 (对外发布使用); its 评审工作方案 is internal and not shown."""
    try:
        return attachments.current(activity, "policy")
    except attachments.AttachmentError:  # the activities part registers the owner
        return []


def policy_file(user: Any, activity_id: int, file_id: int) -> Any:
    """One policy file of an activity the person may open (None otherwise)."""
    from models.core.attachment import Attachment

    activity = visible_activity(user, activity_id)
    row = db.session.get(Attachment, file_id)
    if activity is None or row is None or row.owner_type != "title.activity" or row.owner_id != activity.id \
            or row.slot != "policy":
        return None
    return row


# -- the application -------------------------------------------------------------------------------


def my_applications(user: Any) -> list[Application]:
    return list(db.session.scalars(select(Application).where(Application.user_id == user.id)
                                   .order_by(Application.id.desc())).all())


def own_application(user: Any, pk: Any) -> Application | None:
    """The person's own application (None for anyone else's: the views answer 404)."""
    app = db.session.get(Application, to_id(pk)) if to_id(pk) else None
    if app is None or user is None or app.user_id != user.id:
        return None
    return app


def application_for(user: Any, activity: Activity) -> Application | None:
    return db.session.scalar(select(Application).where(Application.user_id == user.id,
                                                       Application.activity_id == activity.id))


def edit_problem(app: Application) -> str | None:
    """Why the application cannot be changed now (None: it can)."""
    state = app.review_state
    if state == "pending":
        return _("申报已提交，正在审核中，不能修改（下一级审核单位办理前可以撤回后修改）")
    if state == "approved":
        return _("申报已审核通过，不能修改")
    if state == "rejected":
        return _("申报审核不通过，不能修改")
    activity = app.activity
    if state == "returned":
        if now() > aware(activity.resubmit_until):
            return _("个人修改提交截止时间（%(t)s）已过，不能再修改", t=fmt(activity.resubmit_until))
        return None
    if now() > aware(activity.first_submit_until):
        return _("个人初次提交截止时间（%(t)s）已过，不能再修改", t=fmt(activity.first_submit_until))
    return None


def check_editable(app: Application) -> None:
    problem = edit_problem(app)
    if problem:
        raise ApplicationError(problem)


def _text(data: Mapping[str, Any], key: str) -> str:
    return (data.get(key) or "").strip()


def _date(value: str, field: str, label: Any, problems: list[tuple[str | None, str]],
          required: bool = False) -> dt.date | None:
    if not value:
        if required:
            problems.append((field, _("请填写%(f)s", f=str(label))))
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        problems.append((field, _("%(f)s格式应为 年-月-日，如 2010-07-01", f=str(label))))
        return None
    if day > dt.date.today():
        problems.append((field, _("%(f)s不能晚于今天", f=str(label))))
        return None
    return day


def _value(data: Mapping[str, Any], key: str, label: Any, column: Any, problems: list[tuple[str | None, str]],
           required: bool = False) -> str | None:
    value = _text(data, key)
    if not value:
        if required:
            problems.append((key, _("请填写%(f)s", f=str(label))))
        return None
    reason = check_length(value, column, label)
    if reason:
        problems.append((key, reason))
        return None
    return value


def _dict_value(data: Mapping[str, Any], key: str, dict_code: str, label: Any,
                problems: list[tuple[str | None, str]], required: bool = False) -> str | None:
    value = _text(data, key)
    if not value:
        if required:
            problems.append((key, _("请选择%(f)s", f=str(label))))
        return None
    if not dicts.has_code(dict_code, value):
        problems.append((key, _("请从列表中选择%(f)s", f=str(label))))
        return None
    return value


def _apply_values(activity: Activity, unit: Unit, data: Mapping[str, Any]) -> dict[str, Any]:
    """申报信息: 申报层级 among the activity's levels, 申报专业 among that level's majors, 评价方式, 申报类别."""
    problems: list[tuple[str | None, str]] = []
    levels = {lv.level: lv for lv in activity.levels}
    level = _text(data, "level")
    major = _text(data, "major")
    if not level:
        problems.append(("level", _("请选择申报层级")))
    elif level not in levels:
        problems.append(("level", _("该评审活动未开设“%(l)s”层级", l=dicts.label("title_level", level) or level)))
    if not major:
        problems.append(("major", _("请选择申报专业")))
    elif level in levels:
        majors = levels[level].major_list
        if majors and major not in majors:
            problems.append(("major", _("该评审活动的%(l)s未开设“%(m)s”专业", l=dicts.label("title_level", level) or level,
                                        m=major)))
        else:
            reason = check_length(major, Application.major, _l("申报专业"))
            if reason:
                problems.append(("major", reason))
    method = _text(data, "eval_method")
    if method not in EVAL_METHODS:
        problems.append(("eval_method", _("请选择评价方式")))
    elif method == "exceptional" and not activity.exceptional:
        problems.append(("eval_method", _("该评审活动不受理破格申报")))
    category = _text(data, "category")
    if category not in CATEGORIES:
        problems.append(("category", _("请选择申报类别")))
    elif category == "direct" and region_problem(activity, unit):
        problems.append(("category", _("%(r)s，只能选择委托评审", r=region_problem(activity, unit))))
    _raise(problems)
    return {"level": level, "major": major, "eval_method": method, "category": category}


def start_application(user: Any, activity_id: Any, data: Mapping[str, Any]) -> Application:
    """申报: the 申报信息 section creates the application (one per person per activity), the personal
    data taken from the account; the caller commits."""
    activity = visible_activity(user, to_id(activity_id) or 0)
    if activity is None:
        raise ApplicationError(_("评审活动不存在或未发布"))
    if application_for(user, activity) is not None:
        raise ApplicationError(_("您已申报该评审活动，每人每个评审活动只能申报一次，请在“我的职称申报”中查看"))
    if now() > aware(activity.first_submit_until):
        raise ApplicationError(_("个人初次提交截止时间（%(t)s）已过，不能再申报", t=fmt(activity.first_submit_until)))
    unit = user.unit
    problem = internal_problem(activity, unit) or nature_problem(activity, unit)
    if problem:
        raise ApplicationError(problem)
    values = _apply_values(activity, unit, data)
    id_number = normalize_id(user.id_number or user.username)
    app = Application(user_id=user.id, unit_id=unit.id, activity_id=activity.id, committee_id=activity.committee_id,
                      year=activity.year, series=activity.committee.series, name=user.name,
                      sex=sex_of(id_number) if check_id_number(id_number) is None else "1", id_number=id_number,
                      birth_date=birth_of(id_number) if check_id_number(id_number) is None else None,
                      phone=(user.phone or "")[:11], workplace=unit.name[:100], **values)
    db.session.add(app)
    db.session.flush()
    audit.record("create", app, user=user)
    return app


SECTIONS = {
    "apply": _l("申报信息"), "person": _l("个人信息"), "current": _l("现专业技术职称"), "education": _l("学历及学习经历"),
    "works": _l("工作经历"), "summary": _l("个人专业技术工作总结"),
}
PERSON_FIELDS = [("ethnicity", _l("民族")), ("politics", _l("政治面貌")), ("phone", _l("手机号")), ("post", _l("现任职务")),
                 ("work_start", _l("参加工作时间"))]
CURRENT_FIELDS = [("current_series", _l("现职称系列")), ("current_level", _l("现职称层级")),
                  ("current_title", _l("现专业技术职称名称")), ("current_title_date", _l("取得时间"))]
EDUCATION_FIELDS = [("education", _l("最高学历")), ("school", _l("毕业院校")), ("school_major", _l("所学专业")),
                    ("graduated_on", _l("毕业时间"))]
EDU_ROW = [("start", _l("开始时间")), ("end", _l("结束时间")), ("school", _l("学校")), ("major", _l("专业")),
           ("education", _l("学历"))]
WORK_ROW = [("start", _l("开始时间")), ("end", _l("结束时间")), ("workplace", _l("工作单位")), ("post", _l("职务")),
            ("content", _l("主要工作内容"))]


def _rows(data: Any, prefix: str, names: list[str]) -> list[dict[str, str]]:
    """The rows of a repeated group (``<prefix>_<name>`` lists); wholly empty rows are dropped."""
    getlist = getattr(data, "getlist", None)
    columns = {n: [v.strip() for v in (getlist(f"{prefix}_{n}") if getlist else [data.get(f"{prefix}_{n}") or ""])]
               for n in names}
    count = max((len(v) for v in columns.values()), default=0)
    rows = [{n: (columns[n][i] if i < len(columns[n]) else "") for n in names} for i in range(count)]
    return [r for r in rows if any(r.values())]


def _save_person(app: Application, data: Mapping[str, Any]) -> None:
    problems: list[tuple[str | None, str]] = []
    ethnicity = _dict_value(data, "ethnicity", "ethnicity", _l("民族"), problems, required=True)
    politics = _dict_value(data, "politics", "politics", _l("政治面貌"), problems, required=True)
    phone = _text(data, "phone")
    reason = check_mobile(phone)
    if reason:
        problems.append(("phone", reason))
    post = _value(data, "post", _l("现任职务"), Application.post, problems)
    work_start = _date(_text(data, "work_start"), "work_start", _l("参加工作时间"), problems, required=True)
    _raise(problems)
    app.ethnicity, app.politics, app.phone, app.post, app.work_start = ethnicity, politics, phone, post, work_start


def _save_current(app: Application, data: Mapping[str, Any]) -> None:
    problems: list[tuple[str | None, str]] = []
    series = _dict_value(data, "current_series", "title_series", _l("现职称系列"), problems)
    level = _dict_value(data, "current_level", "title_level", _l("现职称层级"), problems)
    title = _value(data, "current_title", _l("现专业技术职称名称"), Application.current_title, problems)
    day = _date(_text(data, "current_title_date"), "current_title_date", _l("取得时间"), problems)
    if title and not level:
        problems.append(("current_level", _("请选择%(f)s", f=str(_l("现职称层级")))))
    if title and not day:
        problems.append(("current_title_date", _("请填写%(f)s", f=str(_l("取得时间")))))
    _raise(problems)
    app.current_series, app.current_level, app.current_title, app.current_title_date = series, level, title, day


def _row_period(row: dict[str, str], key: str, i: int, problems: list[tuple[str | None, str]]) -> tuple[Any, Any]:
    start = _date(row["start"], f"{key}_start-{i}", _l("开始时间"), problems, required=True)
    end = _date(row["end"], f"{key}_end-{i}", _l("结束时间"), problems)
    if start and end and end < start:
        problems.append((f"{key}_end-{i}", _("结束时间不能早于开始时间")))
    return start, end


def _save_education(app: Application, data: Mapping[str, Any]) -> None:
    problems: list[tuple[str | None, str]] = []
    education = _dict_value(data, "education", "education", _l("最高学历"), problems, required=True)
    school = _value(data, "school", _l("毕业院校"), Application.school, problems, required=True)
    school_major = _value(data, "school_major", _l("所学专业"), Application.school_major, problems, required=True)
    graduated = _date(_text(data, "graduated_on"), "graduated_on", _l("毕业时间"), problems, required=True)
    rows: list[ApplicationEducation] = []
    for i, row in enumerate(_rows(data, "edu", [n for n, _x in EDU_ROW])):
        start, end = _row_period(row, "edu", i, problems)
        values = {}
        for name, label, column in (("school", _l("学校"), ApplicationEducation.school),
                                    ("major", _l("专业"), ApplicationEducation.major)):
            before = len(problems)
            values[name] = _value(row, name, label, column, problems, required=True)
            if len(problems) > before:
                problems[-1] = (f"edu_{name}-{i}", problems[-1][1])
        level = row["education"]
        if not level:
            problems.append((f"edu_education-{i}", _("请选择%(f)s", f=str(_l("学历")))))
        elif not dicts.has_code("education", level):
            problems.append((f"edu_education-{i}", _("请从列表中选择%(f)s", f=str(_l("学历")))))
        rows.append(ApplicationEducation(start=start, end=end, school=values["school"], major=values["major"],
                                         education=level))
    _raise(problems)
    app.education, app.school, app.school_major, app.graduated_on = education, school, school_major, graduated
    app.educations = rows


def _save_works(app: Application, data: Mapping[str, Any]) -> None:
    problems: list[tuple[str | None, str]] = []
    rows: list[ApplicationWork] = []
    for i, row in enumerate(_rows(data, "work", [n for n, _x in WORK_ROW])):
        start, end = _row_period(row, "work", i, problems)
        values = {}
        for name, label, column, required in (("workplace", _l("工作单位"), ApplicationWork.workplace, True),
                                              ("post", _l("职务"), ApplicationWork.post, True),
                                              ("content", _l("主要工作内容"), ApplicationWork.content, False)):
            before = len(problems)
            values[name] = _value(row, name, label, column, problems, required=required)
            if len(problems) > before:
                problems[-1] = (f"work_{name}-{i}", problems[-1][1])
        rows.append(ApplicationWork(start=start, end=end, **values))
    if not rows:
        problems.append(("work_workplace-0", _("请至少填写一段工作经历")))
    _raise(problems)
    app.works = rows


def _save_summary(app: Application, data: Mapping[str, Any]) -> None:
    problems: list[tuple[str | None, str]] = []
    summary = _value(data, "summary", _l("个人专业技术工作总结"), Application.summary, problems, required=True)
    _raise(problems)
    app.summary = summary


def save_section(user: Any, app: Application, section: str, data: Mapping[str, Any]) -> Application:
    """Save one section of the application (every problem at once; nothing changed on a refusal)."""
    if app.user_id != user.id:
        raise ApplicationError(_("只能修改本人的申报"))
    check_editable(app)
    if section == "apply":
        for key, value in _apply_values(app.activity, app.unit, data).items():
            setattr(app, key, value)
    elif section == "person":
        _save_person(app, data)
    elif section == "current":
        _save_current(app, data)
    elif section == "education":
        _save_education(app, data)
    elif section == "works":
        _save_works(app, data)
    elif section == "summary":
        _save_summary(app, data)
    else:
        raise ApplicationError(_("申报信息栏目不正确"))
    audit.record("update", app, detail=f"section:{section}", user=user)
    return app


# -- achievement entries -----------------------------------------------------------------------------


def item_of(app: Application, item_id: Any) -> AchievementItem | None:
    item = db.session.get(AchievementItem, to_id(item_id)) if to_id(item_id) else None
    return item if item is not None and item.activity_id == app.activity_id else None


def entry_of(app: Application, entry_id: Any) -> AchievementEntry | None:
    entry = db.session.get(AchievementEntry, to_id(entry_id)) if to_id(entry_id) else None
    return entry if entry is not None and entry.application_id == app.id else None


def field_key(name: str) -> str:
    """The form name of a template field (prefixed: a field named like the form's own keys stays apart)."""
    return f"e_{name}"


def entry_values(template: Template, data: Mapping[str, Any]) -> dict[str, str]:
    """The entry's values in its template's fields: required, lengths, choices, dates, numbers — every
    problem at once, keyed by the form name."""
    problems: list[tuple[str | None, str]] = []
    out: dict[str, str] = {}
    for f in template.fields:
        key = field_key(f.name)
        value = _text(data, key)
        label = str(f.label)
        if not value:
            if f.required:
                problems.append((key, _("请填写%(f)s", f=label) if f.kind not in ("select",)
                                 else _("请选择%(f)s", f=label)))
            continue
        if f.max_length and len(value) > f.max_length:
            problems.append((key, _("%(f)s不能超过%(n)s个字", f=label, n=f.max_length)))
            continue
        if len(value) > 2000:
            problems.append((key, _("%(f)s不能超过%(n)s个字", f=label, n=2000)))
            continue
        if f.kind == "select" and value not in f.choices:
            problems.append((key, _("请从列表中选择%(f)s", f=label)))
            continue
        if f.kind == "date":
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                problems.append((key, _("%(f)s格式应为 年-月-日，如 2010-07-01", f=label)))
                continue
            if day > dt.date.today():
                problems.append((key, _("%(f)s不能晚于今天", f=label)))
                continue
        if f.kind == "month" and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            problems.append((key, _("%(f)s格式应为 年-月，如 2010-07", f=label)))
            continue
        if f.kind == "number":
            try:
                number = float(value)
            except ValueError:
                number = -1.0
            if not (0 <= number < 10**6) or number != number:
                problems.append((key, _("%(f)s应为不小于0的数字", f=label)))
                continue
        out[f.name] = value
    if template.code == "general" and not problems and out.get("end", "") < out.get("start", ""):
        problems.append((field_key("end"), _("结束时间不能早于开始时间")))
    _raise(problems)
    return out


def save_entry(user: Any, app: Application, item: AchievementItem, template_code: str, data: Mapping[str, Any],
               entry: AchievementEntry | None = None) -> AchievementEntry:
    """Add or change one achievement entry of an item; the caller commits."""
    if app.user_id != user.id:
        raise ApplicationError(_("只能修改本人的申报"))
    check_editable(app)
    if item is None or item.activity_id != app.activity_id:
        raise ApplicationError(_("业绩成果栏目不存在"))
    code = entry.template if entry is not None else template_code
    if code not in item.template_list or code not in TEMPLATES:
        raise ApplicationError(_("“%(h)s”不使用该模板类别", h=item.heading), "template")
    values = entry_values(TEMPLATES[code], data)
    if entry is None:
        entry = AchievementEntry(application_id=app.id, item_id=item.id, template=code, data=values)
        db.session.add(entry)
        db.session.flush()
        audit.record("create", entry, user=user, detail=f"{item.heading}:{code}")
    else:
        entry.data = values
        audit.record("update", entry, user=user, detail=f"{item.heading}:{code}")
    return entry


def delete_entry(user: Any, app: Application, entry: AchievementEntry) -> None:
    if app.user_id != user.id or entry.application_id != app.id:
        raise ApplicationError(_("只能修改本人的申报"))
    check_editable(app)
    for row in attachments.current(entry):
        attachments.remove(row)
    audit.record("delete", entry, user=user)
    db.session.delete(entry)


def entry_summary(entry: AchievementEntry) -> str:
    template = TEMPLATES.get(entry.template)
    if template is None:
        return ""
    return "，".join(str(entry.data.get(n) or "") for n in template.summary if entry.data.get(n))


def entry_missing(entry: AchievementEntry) -> list[str]:
    """Labels of the required fields of its template the entry lacks."""
    template = TEMPLATES.get(entry.template)
    if template is None:
        return []
    data = entry.data or {}
    return [str(f.label) for f in template.fields if f.required and not str(data.get(f.name) or "").strip()]


def _entry_writable(entry: AchievementEntry, user: Any) -> str | None:
    return edit_problem(entry.application)


attachments.register_owner("title.achievement", AchievementEntry, [
    attachments.Slot("file", _l("佐证材料"), multiple=True,
                     writers=attachments.Writers(attachments.OWNER_PERSON, PERMISSION,
                                                 states=attachments.EDITABLE_STATES,
                                                 state_of=lambda e: e.application.review_state,
                                                 check=_entry_writable, label=_l("申报人本人"))),
], personal=True,
    # downloads: whoever may see the application (the person, the units above, the units on its route)
    public=lambda entry: entry.application is not None and _application_visible(entry.application))


def _application_visible(app: Application) -> bool:
    from app.security.scope import record_in_scope

    return record_in_scope(app)


# -- 评审会需求材料 ------------------------------------------------------------------------------------


def material_prefix(material: ActivityMaterial) -> str:
    """Each uploaded file is named after its material: 【材料名】原文件名."""
    return f"【{material.name}】"


def materials_of(app: Application) -> list[tuple[ActivityMaterial, list[Any]]]:
    files = attachments.current(app, "material")
    return [(m, [f for f in files if f.file_name.startswith(material_prefix(m))]) for m in app.activity.materials]


def material_of(app: Application, material_id: Any) -> ActivityMaterial | None:
    material = db.session.get(ActivityMaterial, to_id(material_id)) if to_id(material_id) else None
    return material if material is not None and material.activity_id == app.activity_id else None


def upload_material(user: Any, app: Application, material: ActivityMaterial, stream: BinaryIO, file_name: str) -> Any:
    """Upload one file of a material (the "material" slot), named after it; the caller commits."""
    if app.user_id != user.id:
        raise ApplicationError(_("只能修改本人的申报"))
    check_editable(app)
    if material is None or material.activity_id != app.activity_id:
        raise ApplicationError(_("申报材料不存在"))
    name = attachments.clean_name(file_name)
    return attachments.save_upload(app, "material", stream, material_prefix(material) + name, user)


def delete_material_file(user: Any, app: Application, file_id: Any) -> str:
    from models.core.attachment import Attachment

    row = db.session.get(Attachment, to_id(file_id)) if to_id(file_id) else None
    if row is None or row.owner_type != MATTER_CODE or row.owner_id != app.id or row.slot != "material":
        raise ApplicationError(_("文件不存在"))
    check_editable(app)
    attachments.delete_upload(row, user)
    return row.file_name


# -- the submission check --------------------------------------------------------------------------------


def _section_problems(app: Application) -> list[str]:
    missing: list[str] = []
    for attr, label in ((a, label) for a, label in PERSON_FIELDS if a != "post"):
        if not getattr(app, attr, None):
            missing.append(f"{SECTIONS['person']}：{label}")
    for attr, label in EDUCATION_FIELDS:
        if not getattr(app, attr, None):
            missing.append(f"{SECTIONS['education']}：{label}")
    if not app.works:
        missing.append(str(SECTIONS["works"]))
    if not (app.summary or "").strip():
        missing.append(str(SECTIONS["summary"]))
    return missing


def year_barred(app: Application) -> bool:
    """The same person was rejected (不通过) this year in the same series (in review, or at the 评审结果确认)."""
    today = dt.date.today()
    if db.session.scalar(
            select(func.count()).select_from(Application)
            .where(Application.id != app.id, Application.series == app.series, Application.year == today.year,
                   Application.confirm_state == "rejected",
                   (Application.user_id == app.user_id) | (Application.id_number == app.id_number))):
        return True
    return bool(db.session.scalar(
        select(func.count()).select_from(Application)
        .join(Review, and_(Review.matter == MATTER_CODE, Review.record_id == Application.id))
        .where(Application.id != app.id, Application.series == app.series, Application.review_state == "rejected",
               (Application.user_id == app.user_id) | (Application.id_number == app.id_number),
               Review.barred_until.is_not(None), Review.barred_until >= today)))


def submit_problem(record: Application, user: Any) -> str | None:
    """What stops the applicant's submission, in Chinese (None: nothing). The engine checks the
    deadlines (个人初次提交截止时间, 个人修改提交截止时间) and the committee's receipt itself."""
    activity = record.activity
    if activity is None or not published(activity):
        return _("评审活动“%(a)s”未发布，不能提交", a=activity.name if activity else "")
    if now() < aware(activity.apply_start):
        return _("评审活动“%(a)s”的申报开始时间为%(t)s，尚未开始，不能提交", a=activity.name, t=fmt(activity.apply_start))
    unit = db.session.get(Unit, record.unit_id)
    problem = internal_problem(activity, unit) or nature_problem(activity, unit)
    if problem:
        return problem
    region = region_problem(activity, unit)
    if region and record.category != "entrusted":
        return _("%(r)s，不能直接申报；如需申报请在“申报信息”中选择委托评审", r=region)
    levels = {lv.level: lv for lv in activity.levels}
    if record.level not in levels:
        return _("评审活动“%(a)s”未开设%(l)s，请修改申报层级", a=activity.name,
                 l=dicts.label("title_level", record.level) or record.level)
    majors = levels[record.level].major_list
    if majors and record.major not in majors:
        return _("评审活动“%(a)s”的%(l)s未开设“%(m)s”专业，请修改申报专业", a=activity.name,
                 l=dicts.label("title_level", record.level) or record.level, m=record.major)
    missing = _section_problems(record)
    if missing:
        return _("请先填写：%(m)s", m="、".join(missing))
    items = {item.id: (n, item) for n, item in enumerate(activity.items, start=1)}
    counts: dict[int, int] = {}
    for entry in sorted(record.entries, key=lambda e: e.id):
        counts[entry.item_id] = counts.get(entry.item_id, 0) + 1
        lacking = entry_missing(entry)
        if lacking:
            heading = items[entry.item_id][1].heading if entry.item_id in items else ""
            return _("业绩成果“%(h)s”的第%(n)s条（%(s)s）缺少必填项：%(f)s", h=heading, n=counts[entry.item_id],
                     s=entry_summary(entry) or TEMPLATES[entry.template].label, f="、".join(lacking))
    absent = [m.name for m, files in materials_of(record) if m.required and not files]
    if absent:
        return _("请上传评审会需求材料：%(m)s", m="、".join(absent))
    if year_barred(record):
        return _("您本年度已有%(s)s系列的职称申报审核不通过，本年度不能再申报该系列",
                 s=dicts.label("title_series", record.series) or record.series)
    return None


# -- what the person's pages show ---------------------------------------------------------------------------


def related_messages(app: Application, user: Any) -> list[Any]:
    """站内消息 about the application (returns, results; later the defense notices and results)."""
    from models.core.message import Message, MessageRecipient

    return list(db.session.scalars(
        select(MessageRecipient).join(Message, Message.id == MessageRecipient.message_id)
        .where(MessageRecipient.user_id == user.id, MessageRecipient.deleted_at.is_(None),
               Message.title.contains(app.activity.name, autoescape=True))
        .order_by(MessageRecipient.id.desc()).limit(50)).all())


def values_of(app: Application | None) -> dict[str, Any]:
    """The stored values as the form shows them (dates as yyyy-mm-dd)."""
    if app is None:
        return {}
    out: dict[str, Any] = {}
    for key in ("level", "major", "eval_method", "category", "ethnicity", "politics", "phone", "post", "work_start",
                "current_series", "current_level", "current_title", "current_title_date", "education", "school",
                "school_major", "graduated_on", "summary"):
        value = getattr(app, key)
        out[key] = value.isoformat() if isinstance(value, dt.date) else (value or "")
    return out


def rows_of(app: Application | None, kind: str) -> list[dict[str, str]]:
    if app is None:
        return []
    rows = app.educations if kind == "edu" else app.works
    names = [n for n, _x in (EDU_ROW if kind == "edu" else WORK_ROW)]
    return [{n: (getattr(r, n).isoformat() if isinstance(getattr(r, n), dt.date) else (getattr(r, n) or ""))
             for n in names} for r in rows]


def posted_rows(data: Any, kind: str) -> list[dict[str, str]]:
    """The rows as typed (wholly empty ones dropped, as the save drops them: errors name rows by this order)."""
    return _rows(data, kind, [n for n, _x in (EDU_ROW if kind == "edu" else WORK_ROW)])
