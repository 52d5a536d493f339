"""What a step requires and when a step closes: refused with a Chinese reason, nothing changed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.core import attachments
from app.workflow import ATTACHMENT_CHECK, Deadlines, MatterType, Require, ReviewError, act, register, review_of
from models.core.parent_change import ParentChange
from models.core.user import UnitUser
from tests.conftest import unit_by_name


def _user(login: str) -> UnitUser:
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def _record() -> ParentChange:
    ja, wh = unit_by_name("江岸区人力资源局"), unit_by_name("武汉市人力资源和社会保障局")
    rec = ParentChange(unit_id=ja.id, old_parent_id=wh.id, new_parent_id=wh.id)
    db.session.add(rec)
    db.session.commit()
    return rec


def _route():
    return [unit_by_name("武汉市人力资源和社会保障局").id, unit_by_name("湖北省人力资源和社会保障厅").id]


def test_required_fields_and_attachments(app):
    with app.app_context():
        route = _route()
        matter = register(MatterType(
            code="test.requires", name="测试", model=ParentChange, route_builder=lambda r: route,
            requires=[Require(actions=("submit",), fields=(("reason", "变更理由"),)),
                      Require(actions=("approve",), attachments=("gongshi",),
                              when=lambda rec, review, user: review is not None and review.step == 0)],
        ))
        rec = _record()
        with pytest.raises(ReviewError, match="请先填写或上传：变更理由"):
            act(matter, rec, _user("hb_wh_ja_admin"), "submit")
        db.session.rollback()
        assert review_of(matter.code, rec.id) is None
        rec.reason = "业务调整"
        act(matter, rec, _user("hb_wh_ja_admin"), "submit")
        db.session.commit()
        # without the documents pipeline the engine fails closed
        saved = list(ATTACHMENT_CHECK)
        ATTACHMENT_CHECK.clear()
        try:
            with pytest.raises(ReviewError, match="附件检查未配置"):
                act(matter, rec, _user("hb_wh_admin"), "approve")
            db.session.rollback()
        finally:
            ATTACHMENT_CHECK.extend(saved)
        # the real pipeline: the slot is declared, the file uploaded through it
        # the reviewing unit uploads it at its own step (a slot declares its writers)
        attachments.register_owner("test.parent_change", ParentChange,
                                   [attachments.Slot("gongshi", "公示证明附件", kinds=("pdf",))],
                                   writers=attachments.Writers(attachments.CURRENT_REVIEWER))
        with pytest.raises(ReviewError, match="请先填写或上传：公示证明附件"):
            act(matter, rec, _user("hb_wh_admin"), "approve")
        db.session.rollback()
        assert review_of(matter.code, rec.id).step == 0
        row = attachments.save_upload(rec, "gongshi", io.BytesIO(b"%PDF-1.4 test"), "公示证明.pdf",
                                      user=_user("hb_wh_admin"))
        db.session.commit()
        act(matter, rec, _user("hb_wh_admin"), "approve")
        db.session.commit()
        assert review_of(matter.code, rec.id).step == 1
        # the requirement applies to step 0 only: the province approves without more files
        act(matter, rec, _user("hb_admin"), "approve")
        db.session.commit()
        assert review_of(matter.code, rec.id).state == "approved"
        attachments.remove(row)
        db.session.commit()
        del attachments.OWNERS["test.parent_change"]
        del ParentChange.__attachment_owner__


def test_deadlines_close_steps(app):
    with app.app_context():
        route = _route()
        past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        future = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
        limits = {"submit": future, "resubmit": future, "receive": {}}
        matter = register(MatterType(
            code="test.deadlines", name="测试", model=ParentChange, route_builder=lambda r: route,
            deadlines=Deadlines(submit=lambda r: limits["submit"], resubmit=lambda r: limits["resubmit"],
                                receive=lambda r, unit_id: limits["receive"].get(unit_id)),
        ))
        applicant = _user("hb_wh_ja_admin")
        rec = _record()
        limits["submit"] = past
        with pytest.raises(ReviewError, match="提交已于.*截止"):
            act(matter, rec, applicant, "submit")
        db.session.rollback()
        assert review_of(matter.code, rec.id) is None
        limits["submit"] = future
        act(matter, rec, applicant, "submit")
        db.session.commit()
        act(matter, rec, _user("hb_wh_admin"), "return", opinion="补充材料")
        db.session.commit()
        limits["resubmit"] = past
        with pytest.raises(ReviewError, match="修改后再次提交已于.*截止"):
            act(matter, rec, applicant, "submit")
        db.session.rollback()
        assert review_of(matter.code, rec.id).state == "returned"
        limits["resubmit"] = future
        act(matter, rec, applicant, "submit")
        db.session.commit()
        # the province stopped receiving: the city cannot pass it up, nothing moves
        limits["receive"][route[1]] = past
        version = review_of(matter.code, rec.id).version
        with pytest.raises(ReviewError, match="湖北省人力资源和社会保障厅已于.*截止接收"):
            act(matter, rec, _user("hb_wh_admin"), "approve")
        db.session.rollback()
        review = review_of(matter.code, rec.id)
        assert (review.step, review.state, review.version) == (0, "pending", version)
        assert review.trail[-1].action == "submit"
        limits["receive"][route[1]] = future
        act(matter, rec, _user("hb_wh_admin"), "approve")
        db.session.commit()
        assert review_of(matter.code, rec.id).step == 1
