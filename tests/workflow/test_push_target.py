"""推送管理 as seed 003 runs it: approve, then push only to the unit the record names; the pushed
unit accepts or declines (a decline goes back to the applicant); the pushing unit decides last."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.workflow import MatterType, Push, ReviewError, ToUnit, act, allowed_actions, register, review_of
from models.core.parent_change import ParentChange
from models.core.user import UnitUser
from tests.conftest import unit_by_name


def _u(login: str) -> UnitUser:
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def test_push_to_the_named_unit_decline_returns_and_repush(app):
    with app.app_context():
        ja, wh, hb, yc = (unit_by_name(n) for n in ("江岸区人力资源局", "武汉市人力资源和社会保障局",
                                                    "湖北省人力资源和社会保障厅", "宜昌市人力资源和社会保障局"))
        wh_id, hb_id, yc_id = wh.id, hb.id, yc.id
        matter = register(MatterType(
            code="test.push_target", name="测试推送", model=ParentChange,
            route=[ToUnit(lambda: wh_id), ToUnit(lambda: hb_id), Push()],
            push_target=lambda r: r.new_parent_id, decline_returns=True,
        ))
        rec = ParentChange(unit_id=ja.id, old_parent_id=wh.id, new_parent_id=yc.id, reason="意向宜昌")
        db.session.add(rec)
        db.session.commit()
        applicant, city, prov, target = _u("hb_wh_ja_admin"), _u("hb_wh_admin"), _u("hb_admin"), _u("hb_yc_admin")
        act(matter, rec, applicant, "submit")
        act(matter, rec, city, "approve")
        act(matter, rec, prov, "approve")  # first-stage approval: now at 推送管理
        db.session.commit()
        review = review_of(matter.code, rec.id)
        assert review.nodes[review.step].kind == "push"
        assert allowed_actions(matter, review, prov) == ["push", "return"]
        # approving instead of pushing, or pushing to another city, is refused and changes nothing
        version = review.version
        with pytest.raises(ReviewError):
            act(matter, rec, prov, "approve")
        db.session.rollback()
        with pytest.raises(ReviewError, match="只能推送给申请中选择的单位：宜昌市人力资源和社会保障局"):
            act(matter, rec, prov, "push", target=str(wh_id))
        db.session.rollback()
        assert review_of(matter.code, rec.id).version == version
        act(matter, rec, prov, "push", target=str(yc_id))
        db.session.commit()
        # the pushed city declines with an opinion: back to the applicant
        with pytest.raises(ReviewError, match="请填写意见"):
            act(matter, rec, target, "decline")
        db.session.rollback()
        act(matter, rec, target, "decline", opinion="本市暂无匹配企业")
        db.session.commit()
        review = review_of(matter.code, rec.id)
        assert review.state == "returned" and review.trail[-1].opinion == "本市暂无匹配企业"
        # resubmitted, it goes straight back to 推送管理; a second push replaces the first one's nodes
        act(matter, rec, applicant, "submit")
        db.session.commit()
        review = review_of(matter.code, rec.id)
        assert review.current_unit_id == hb_id and review.nodes[review.step].kind == "push"
        act(matter, rec, prov, "push", target=str(yc_id))
        act(matter, rec, target, "accept")
        db.session.commit()
        review = review_of(matter.code, rec.id)
        assert [n.kind for n in review.nodes] == ["review", "review", "push", "accept", "review"]
        assert review.current_unit_id == hb_id
        act(matter, rec, prov, "approve")  # final approval
        db.session.commit()
        assert review_of(matter.code, rec.id).state == "approved"
