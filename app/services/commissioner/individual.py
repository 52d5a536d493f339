"""个人科技特派员 (TC-01 … TC-04): registration, basic information, the application on the review
engine (home city → province → 推送 to the intended city → accept → province final approval,
which makes the person a 省级科技特派员), and the service agreement with its PDF and scan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.commissioner.module import INDIVIDUAL as INDIVIDUAL_ROLE
from app.services.commissioner.module import LEADER as LEADER_ROLE
from app.services.commissioner.module import MEMBER as MEMBER_ROLE
from app.services.core import attachments, audit
from app.services.core import users as user_service
from app.services.core.validators import check_length, check_mobile, to_id
from app.services.errors import BusinessError
from app.workflow import MatterType, register, review_of
from models.commissioner.individual import Agreement, Application, Commissioner
from models.core.unit import Category, Unit, unit_category

PERSON_ROLES = {"individual": INDIVIDUAL_ROLE, "leader": LEADER_ROLE, "member": MEMBER_ROLE}


class CommissionerError(BusinessError):
    """A refused 科技特派员 form: the first problem, with every other (field, reason) shown at once."""

    def errors(self) -> dict[str, str]:
        """Each field's reason, for the form's page ("_": the page's own)."""
        out: dict[str, str] = {}
        for field, message in self.problems:
            out.setdefault(field or "_", message)
        return out

    def summary(self) -> str:
        if len(self.problems) == 1:
            return str(self)
        return _("有%(n)s处需要修改，请查看标红的项：%(first)s", n=len(self.problems), first=str(self))


def _units_of(code: str) -> list[Unit]:
    return list(db.session.scalars(
        select(Unit).join(unit_category, unit_category.c.unit_id == Unit.id)
        .join(Category, Category.id == unit_category.c.category_id)
        .where(Category.code == code, Unit.active.is_(True)).order_by(Unit.sort, Unit.id)
    ).all())


def province() -> Unit:
    units = _units_of("commissioner.province")
    if not units:
        raise CommissionerError(_("系统尚未设置省科技厅"))
    return units[0]


def cities() -> list[Unit]:
    return _units_of("commissioner.city")


def _city(raw: Any, field: str) -> Unit:
    unit = db.session.get(Unit, to_id(raw)) if to_id(raw) else None
    if unit is None or unit.id not in {c.id for c in cities()}:
        raise CommissionerError(_("请选择地市"), field)
    return unit


def register_person(data: dict[str, Any]) -> Any:
    """注册: an individual account (it sees only its own records); the caller commits."""
    kind = data.get("kind")
    problems: list[tuple[str | None, str]] = [] if kind in PERSON_ROLES else [("kind", _("请选择角色"))]
    problems += [(f, str(m)) for f, m in user_service.new_user_problems(data)]  # every problem at once
    if problems:
        raise CommissionerError.of(problems)
    role = user_service.role_by_name(PERSON_ROLES[kind])
    user = user_service.create_user(province(), username=data["username"].strip(), name=data["name"].strip(),
                                    phone=data["phone"].strip(), password=data["password"], roles=[role],
                                    commit=False)
    user.roles = [role]
    user.user_type = "person"
    user.line = "commissioner"
    user.must_change_password = False  # they chose it themselves
    audit.record("register", user, user=user)
    return user


PROFILE_FIELDS = [("name", _l("姓名")), ("sex", _l("性别")), ("birth_ym", _l("出生年月")), ("native_place", _l("籍贯")),
                  ("politics", _l("政治面貌")), ("education", _l("学历")), ("workplace", _l("工作单位")),
                  ("post", _l("单位职务")), ("title", _l("职称")), ("phone", _l("联系电话"))]
APPLICATION_FIELDS = [("major", _l("专业")), ("intended_county", _l("拟服务县（市、区）")),
                      ("intended_enterprise", _l("拟服务企业")), ("industry", _l("服务产业领域")),
                      ("introduction", _l("个人介绍")), ("achievements", _l("主要业绩"))]
AGREEMENT_FIELDS = [("specialty", _l("专业技术特长")), ("enterprise_business", _l("服务企业主营业务")),
                    ("needs", _l("科技服务需求")), ("work_plan", _l("工作内容及时间安排")), ("targets", _l("预期完成任务指标"))]


def _required(data: dict[str, Any], fields: list[tuple[str, Any]], model: Any,
              checks: tuple[tuple[str, Any], ...] = ()) -> dict[str, str]:
    """The stripped values of ``fields``, each present and fitting its column of ``model`` and passing
    its check in ``checks`` ((field, value -> reason or None)); every problem is raised at once."""
    out: dict[str, str] = {}
    problems: list[tuple[str | None, str]] = []
    for key, label in fields:
        value = (data.get(key) or "").strip()
        if not value:
            problems.append((key, _("%(f)s为必填项，若无相关信息请填写“无”", f=str(label))))
            continue
        reason = check_length(value, getattr(model, key), label)
        if reason:
            problems.append((key, str(reason)))
            continue
        out[key] = value
    for key, check in checks:
        reason = check(out[key]) if key in out else None
        if reason:
            problems.append((key, str(reason)))
    if problems:
        raise CommissionerError.of(problems)
    return out


def _birth_ym_problem(value: str) -> str | None:
    return None if len(value) == 6 and value.isdigit() else _("出生年月格式应为 yyyyMM，如 198005")


def profile_of(user: Any) -> Commissioner | None:
    return db.session.scalar(select(Commissioner).where(Commissioner.user_id == user.id))


def save_profile(user: Any, data: dict[str, Any]) -> Commissioner:
    values = _required(data, PROFILE_FIELDS, Commissioner, checks=(("birth_ym", _birth_ym_problem),
                                                                    ("phone", check_mobile)))
    kind = rec_kind(user)
    city = _city(data.get("city"), "city") if kind == "individual" or data.get("city") else None
    rec = profile_of(user) or Commissioner(user_id=user.id, kind=kind)
    for k, v in values.items():
        setattr(rec, k, v)
    rec.unit_id = city.id if city is not None else province().id
    db.session.add(rec)
    app_rec = application_of(user)
    if city is not None and app_rec is not None and app_rec.editable:
        app_rec.unit_id = city.id  # the home city reviews first
    return rec


def rec_kind(user: Any) -> str:
    names = {r.name for r in user.roles}
    return next((k for k, n in PERSON_ROLES.items() if n in names), "individual")


def application_of(user: Any) -> Application | None:
    return db.session.scalar(select(Application).where(Application.user_id == user.id))


def save_application(user: Any, data: dict[str, Any]) -> Application:
    profile = profile_of(user)
    if profile is None:
        raise CommissionerError(_("请先填写基本信息"))
    rec = application_of(user)
    if rec is not None and not rec.editable:
        raise CommissionerError(_("申请表已提交审核，退回后才能修改"))
    values = _required(data, APPLICATION_FIELDS, Application)
    city = _city(data.get("intended_city"), "intended_city")
    rec = rec or Application(user_id=user.id, commissioner_id=profile.id)
    for k, v in values.items():
        setattr(rec, k, v)
    rec.intended_city_id = city.id
    rec.unit_id = profile.unit_id
    db.session.add(rec)
    return rec


def _route(rec: Application) -> list[Any]:
    prov = province().id
    return [rec.unit_id, prov, (prov, "push")]


def _certified(rec: Application, review: Any) -> None:
    rec.commissioner.certified_at = dt.datetime.now(dt.UTC)


INDIVIDUAL = register(MatterType(
    code="commissioner.individual", name=_l("个人科技特派员申请"), model=Application, route_builder=_route,
    returns_to="applicant", push_target=lambda r: r.intended_city_id, decline_returns=True,
    # seed 003: 不通过 asks for a 退回意见 and the applicant edits and submits again
    final_reject=False, labels={"return": _l("不通过")},
    opinion_required=("return", "reject", "decline"), list_endpoint="CommissionerApplicationView.list",
    permission=("can_review", "commissioner.Application"), on_approved=_certified,
    title_of=lambda r: str(r),
))


def approved(user: Any) -> Application | None:
    rec = application_of(user)
    return rec if rec is not None and rec.review_state == "approved" else None


def agreement_of(user: Any) -> Agreement | None:
    return db.session.scalar(select(Agreement).where(Agreement.user_id == user.id))


def save_agreement(user: Any, data: dict[str, Any]) -> Agreement:
    rec_app = approved(user)
    if rec_app is None:
        raise CommissionerError(_("个人申请表通过省科技厅终审后，才能填写服务协议"))
    values = _required(data, AGREEMENT_FIELDS, Agreement)
    rec = agreement_of(user) or Agreement(application_id=rec_app.id, user_id=user.id, unit_id=rec_app.unit_id)
    for k, v in values.items():
        setattr(rec, k, v)
    db.session.add(rec)
    return rec


attachments.register_owner("commissioner.agreement", Agreement, [
    attachments.Slot("stamped", _l("盖章后的个人服务协议（PDF扫描件）"), kinds=("pdf",), max_mb=20, required=True),
], edit_permission=("can_agreement", "commissioner.My"), personal=True,
    # the commissioner, once the application has passed the final review
    writers=attachments.Writers(attachments.OWNER_PERSON, ("can_agreement", "commissioner.My"), states=("approved",),
                                state_of=lambda rec: rec.application.review_state, label=_l("特派员本人")))


MATTER = INDIVIDUAL  # the matter of this module's applicant pages (views/commissioner/pages.py)


def status(user: Any) -> dict[str, Any]:
    rec = application_of(user)
    review = review_of(INDIVIDUAL.code, rec.id) if rec is not None else None
    return {"application": rec, "review": review}


attachments.register_owner("commissioner.application", Application, [
    attachments.Slot("city_stamped", _l("地市科技局盖章的个人申请表（PDF扫描件）"), kinds=("pdf",), max_mb=20),
], edit_permission=("can_upload", "commissioner.Files"), personal=True,
    # the home city (the record's unit, first node of the route; not the intended city it is pushed
    # to), once submitted and not sent back
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_upload", "commissioner.Files"),
                                states=attachments.SUBMITTED_STATES, label=_l("申请人所在地市科技局")))


def sheet_pdf(rec: Application) -> bytes:
    """个人申请表 as a Chinese PDF, to print and stamp (the phone masked as on screen)."""
    from app.security.personal import shown
    from app.services.core import dicts
    from app.services.documents import pdf
    from models.core.workflow import STATES

    return pdf.document("commissioner_application", application=rec, person=rec.commissioner,
                        sex=dicts.label("sex", rec.commissioner.sex), phone=shown("phone", rec.commissioner.phone),
                        state=str(STATES.get(rec.review_state, rec.review_state)))


def agreement_pdf(rec: Agreement) -> bytes:
    from app.services.core import dicts
    from app.services.documents import pdf

    app_rec = rec.application
    return pdf.document("commissioner_agreement", agreement=rec, application=app_rec, person=app_rec.commissioner,
                        province=province(), labels={"sex": dicts.label("sex", app_rec.commissioner.sex)})
