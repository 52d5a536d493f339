"""The review engine through its first customer, 更换上级部门 (P-07)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from models.core.parent_change import ParentChange
from models.core.unit import Unit
from models.core.workflow import Review
from tests.conftest import make_unit, unit_by_name


def _setup(app):
    """A fresh county unit under 武汉 with one child, asking to move under 宜昌."""
    with app.app_context():
        wh = unit_by_name("武汉市人力资源和社会保障局")
        county = make_unit(wh, f"迁移测试区{wh.id}{Unit.query.count() if hasattr(Unit, 'query') else ''}")
        child = make_unit(county, f"迁移测试区下属{county.id}")
        from app.services.core import users as user_service

        admin = user_service.unit_admin(county.id)
        return county.id, child.id, admin.username, unit_by_name("宜昌市人力资源和社会保障局").id


def _request(c, yc_id):
    r = c.post("/parentchanges/request", {"new_parent": str(yc_id), "reason": "业务划转"})
    assert r.status_code == 302, r.get_data(as_text=True)[-500:]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def _state(app, rid):
    with app.app_context():
        rev = db.session.scalar(select(Review).where(Review.matter == "core.parent_change", Review.record_id == rid))
        return rev.state, rev.current_unit_id, rev.version


def _post(c, rid, action, **kw):
    return c.post(f"/parentchanges/review/{rid}", {"action": action, **kw}, follow_redirects=True)


def test_old_then_new_parent_with_return_and_resubmit(app, login_as):
    county_id, child_id, login, yc_id = _setup(app)
    applicant, wh, yc = login_as(login), login_as("hb_wh_admin"), login_as("hb_yc_admin")
    rid = _request(applicant, yc_id)
    with app.app_context():
        wh_id = unit_by_name("武汉市人力资源和社会保障局").id
    assert _state(app, rid)[:2] == ("pending", wh_id)
    # the new parent cannot act before the old one (a forged POST changes nothing)
    before = _state(app, rid)
    body = _post(yc, rid, "approve").get_data(as_text=True)
    assert "当前状态或您的权限不能执行该操作" in body and _state(app, rid) == before
    # to-do on the old parent's home page
    assert "更换上级部门" in wh.get("/").get_data(as_text=True)
    assert _post(wh, rid, "approve", opinion="同意", version=str(before[2])).status_code == 200
    assert _state(app, rid)[:2] == ("pending", yc_id)
    # the new parent, in another branch, sees it through the route
    assert "迁移测试区" in yc.get("/parentchanges/list/?todo=1").get_data(as_text=True)
    # return needs an opinion
    assert "请填写意见" in _post(yc, rid, "return").get_data(as_text=True)
    _post(yc, rid, "return", opinion="请补充划转文件", target="applicant")
    assert _state(app, rid)[0] == "returned"
    _post(applicant, rid, "submit")
    assert _state(app, rid)[:2] == ("pending", yc_id)  # straight back to the node that returned it
    _post(yc, rid, "approve", opinion="同意接收")
    assert _state(app, rid)[0] == "approved"
    with app.app_context():
        county, child, yc_unit = (db.session.get(Unit, i) for i in (county_id, child_id, yc_id))
        assert county.parent_id == yc_id and county.path == f"{yc_unit.path}{county_id}/"
        assert child.path == f"{county.path}{child_id}/"
        trail = db.session.scalar(select(Review).where(Review.record_id == rid)).trail
        assert [t.action for t in trail] == ["submit", "approve", "return", "submit", "approve"]
        assert trail[2].opinion == "请补充划转文件" and trail[2].unit_name == "宜昌市人力资源和社会保障局"
    # terminal: nothing more is allowed
    assert "当前状态或您的权限不能执行该操作" in _post(yc, rid, "reject", opinion="x").get_data(as_text=True)


def test_withdraw_only_before_the_reviewer_acts_and_out_of_scope_refused(app, login_as):
    _county_id, _child, login, yc_id = _setup(app)
    applicant = login_as(login)
    rid = _request(applicant, yc_id)
    assert login_as("sc_admin").get(f"/parentchanges/review/{rid}").status_code == 404
    assert login_as("sc_admin").post(f"/parentchanges/review/{rid}", {"action": "approve"}).status_code == 404
    _post(applicant, rid, "withdraw")
    assert _state(app, rid)[0] == "withdrawn"
    _post(applicant, rid, "submit")
    wh = login_as("hb_wh_admin")
    _post(wh, rid, "approve")
    assert "当前状态或您的权限不能执行该操作" in _post(applicant, rid, "withdraw").get_data(as_text=True)


def test_stale_version_is_refused(app, login_as):
    _county_id, _child, login, yc_id = _setup(app)
    rid = _request(login_as(login), yc_id)
    wh = login_as("hb_wh_admin")
    state = _state(app, rid)
    body = _post(wh, rid, "approve", version=str(state[2] - 1)).get_data(as_text=True)
    assert "已被他人处理" in body and _state(app, rid) == state


def test_reject_is_final_and_batch_gives_per_row_results(app, login_as):
    rows = []
    for _ in range(2):
        _county_id, _child, login, yc_id = _setup(app)
        rows.append(_request(login_as(login), yc_id))
    wh = login_as("hb_wh_admin")
    r = wh.post("/parentchanges/action_post", {"action": "batch_approve", "rowid": [str(x) for x in rows]},
                follow_redirects=True)
    assert "成功2条，失败0条" in r.get_data(as_text=True)
    yc = login_as("hb_yc_admin")
    r = yc.post("/parentchanges/review_batch", {"action": "reject", "rowid": [str(x) for x in rows]},
                follow_redirects=True)
    assert "成功0条，失败2条" in r.get_data(as_text=True)  # reject needs an opinion
    yc.post("/parentchanges/review_batch", {"action": "reject", "opinion": "不符合规定", "rowid": [str(rows[0])]})
    assert _state(app, rows[0])[0] == "rejected"
    assert "当前状态或您的权限不能执行该操作" in _post(yc, rows[0], "approve").get_data(as_text=True)


def test_in_unit_posts(app, login_as):
    from models.core.workflow import ReviewPost

    _county_id, _child, login, yc_id = _setup(app)
    with app.app_context():
        from models.core.user import UnitUser

        wh = unit_by_name("武汉市人力资源和社会保障局")
        wh_id = wh.id
        staff = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_wh_staff"))
        admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_wh_admin"))
        db.session.add_all([ReviewPost(unit_id=wh.id, matter="core.parent_change", level=1, user_id=staff.id),
                            ReviewPost(unit_id=wh.id, matter="core.parent_change", level=2, user_id=admin.id)])
        db.session.commit()
        from seed.roles import sync_roles

        sync_roles(app.appbuilder)
        role = app.appbuilder.sm.find_role("单位管理员")
        staff.roles = list(staff.roles) + [role]
        db.session.commit()
    try:
        rid = _request(login_as(login), yc_id)
        admin_c, staff_c = login_as("hb_wh_admin"), login_as("hb_wh_staff")
        assert "当前状态或您的权限不能执行该操作" in _post(admin_c, rid, "approve").get_data(as_text=True)
        _post(staff_c, rid, "approve", opinion="初审同意")
        with app.app_context():
            rev = db.session.scalar(select(Review).where(Review.record_id == rid))
            assert rev.level == 2 and rev.current_unit_id == wh_id
        _post(admin_c, rid, "approve", opinion="复审同意")
        assert _state(app, rid)[:2] == ("pending", yc_id)
    finally:
        with app.app_context():
            for p in db.session.scalars(select(ReviewPost).where(ReviewPost.matter == "core.parent_change")):
                db.session.delete(p)
            db.session.commit()


def test_two_reviewers_at_once_give_one_transition(app):
    from app.services.core.parent_change import PARENT_CHANGE, request_change
    from app.workflow import ReviewError, act

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    county_id, _child, login, yc_id = _setup(app)
    with app.app_context():
        from models.core.user import UnitUser

        applicant = db.session.scalar(select(UnitUser).where(UnitUser.username == login))
        record = request_change(db.session.get(Unit, county_id), db.session.get(Unit, yc_id), "并发", applicant)
        rid = record.id
        version = db.session.scalar(select(Review.version).where(Review.record_id == rid))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def reviewer(name: str) -> None:
        with app.app_context():
            from models.core.user import UnitUser

            user = db.session.scalar(select(UnitUser).where(UnitUser.username == name))
            rec = db.session.get(ParentChange, rid)
            barrier.wait()
            try:
                act(PARENT_CHANGE, rec, user, "approve", opinion=name, expected_version=version)
                db.session.commit()
                results.append("ok")
            except ReviewError as e:
                db.session.rollback()
                results.append(str(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in ("hb_wh_admin", "hb_wh_admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(["ok", "已被他人处理，请刷新后查看"]), results
    with app.app_context():
        rev = db.session.scalar(select(Review).where(Review.record_id == rid))
        assert [t.action for t in rev.trail] == ["submit", "approve"] and rev.version == version + 1
