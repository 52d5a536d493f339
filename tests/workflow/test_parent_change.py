"""The review engine through its first customer, 更换上级部门 (P-07)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from models.core.parent_change import ParentChange
from models.core.unit import Unit
from models.core.workflow import Review
from tests.conftest import make_unit, make_user, unit_by_name


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
        trail = db.session.scalar(select(Review).where(Review.matter == "core.parent_change", Review.record_id == rid)).trail
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
            rev = db.session.scalar(select(Review).where(Review.matter == "core.parent_change", Review.record_id == rid))
            assert rev.level == 2 and rev.current_unit_id == wh_id
        _post(admin_c, rid, "approve", opinion="复审同意")
        assert _state(app, rid)[:2] == ("pending", yc_id)
    finally:
        with app.app_context():
            for p in db.session.scalars(select(ReviewPost).where(ReviewPost.matter == "core.parent_change")):
                db.session.delete(p)
            staff = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_wh_staff"))
            staff.roles = [r for r in staff.roles if r.name != "单位管理员"]  # later tests meet the seeded staff
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
        version = db.session.scalar(select(Review.version).where(Review.matter == "core.parent_change", Review.record_id == rid))
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
        rev = db.session.scalar(select(Review).where(Review.matter == "core.parent_change", Review.record_id == rid))
        assert [t.action for t in rev.trail] == ["submit", "approve"] and rev.version == version + 1


# -- issue 14.5: nothing of the subtree may be mid-route or managed from the old branch -------------


def _admin_login(app, unit_id):
    with app.app_context():
        from app.services.core import users as user_service

        return user_service.unit_admin(unit_id).username


def _snapshot(app, rid, unit_id):
    with app.app_context():
        rev = db.session.scalar(select(Review).where(Review.matter == "core.parent_change", Review.record_id == rid))
        unit = db.session.get(Unit, unit_id)
        return rev.state, rev.current_unit_id, rev.version, len(rev.trail), unit.parent_id, unit.path


def test_refused_while_a_record_below_is_under_review(app, login_as):
    county_id, child_id, login, yc_id = _setup(app)
    with app.app_context():
        sc_id = unit_by_name("四川省人力资源和社会保障厅").id
        count = db.session.scalar(select(db.func.count()).select_from(ParentChange))
    applicant, child = login_as(login), login_as(_admin_login(app, child_id))
    # the child unit's own matter waits at the county
    child_rid = _request(child, sc_id)
    # the county cannot even ask while it is open: refused at submission, naming the matter
    r = applicant.post("/parentchanges/request", {"new_parent": str(yc_id), "reason": "业务划转"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "不能更换上级部门" in body and "迁移测试区下属" in body and "审核中" in body
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ParentChange)) == count + 1  # the child's only
    # withdrawn, the county asks; the child's matter starts again meanwhile
    _post(child, child_rid, "withdraw")
    rid = _request(applicant, yc_id)
    _post(child, child_rid, "submit")
    wh = login_as("hb_wh_admin")
    before = _snapshot(app, rid, county_id)
    body = _post(wh, rid, "approve", opinion="同意").get_data(as_text=True)
    assert "不能更换上级部门" in body and "迁移测试区下属" in body
    assert _snapshot(app, rid, county_id) == before  # state, version, trail and the tree unchanged
    r = wh.post("/parentchanges/review_batch", {"action": "approve", "rowid": [str(rid)]}, follow_redirects=True)
    assert "成功0条，失败1条" in r.get_data(as_text=True) and _snapshot(app, rid, county_id) == before
    # the old parent passed it before the child's matter started: the final approval refuses
    _post(child, child_rid, "withdraw")
    _post(wh, rid, "approve", opinion="同意")
    _post(child, child_rid, "submit")
    yc = login_as("hb_yc_admin")
    before = _snapshot(app, rid, county_id)
    assert before[:2] == ("pending", yc_id)
    assert "不能更换上级部门" in _post(yc, rid, "approve", opinion="同意接收").get_data(as_text=True)
    assert _snapshot(app, rid, county_id) == before
    # allowed once nothing is open: the subtree moves as before
    _post(child, child_rid, "withdraw")
    _post(yc, rid, "approve", opinion="同意接收")
    with app.app_context():
        county, child_unit, yc_unit = (db.session.get(Unit, i) for i in (county_id, child_id, yc_id))
        assert county.parent_id == yc_id and county.path == f"{yc_unit.path}{county_id}/"
        assert child_unit.path == f"{county.path}{child_id}/"


def test_a_returned_record_below_resubmits_along_the_new_tree(app, login_as):
    county_id, child_id, login, yc_id = _setup(app)
    with app.app_context():
        sc_id = unit_by_name("四川省人力资源和社会保障厅").id
    applicant, child = login_as(login), login_as(_admin_login(app, child_id))
    county_admin = applicant
    child_rid = _request(child, sc_id)
    _post(county_admin, child_rid, "approve", opinion="同意")
    _post(login_as("sc_admin"), child_rid, "return", opinion="请补充材料")
    assert _state(app, child_rid)[0] == "returned"  # with its applicant: not mid-route
    rid = _request(applicant, yc_id)
    _post(login_as("hb_wh_admin"), rid, "approve")
    _post(login_as("hb_yc_admin"), rid, "approve")
    assert _state(app, rid)[0] == "approved"
    with app.app_context():
        rev = db.session.scalar(select(Review).where(Review.matter == "core.parent_change",
                                                     Review.record_id == child_rid))
        assert rev.state == "returned" and rev.returned_step is None  # re-routed by the approval
    _post(child, child_rid, "submit")
    assert _state(app, child_rid)[:2] == ("pending", county_id)  # climbs afresh, not straight back


def _exec_with_team(app, finished: bool):
    """An executing unit under a fresh county, with a team the county recorded for it."""
    import datetime as dt

    from app.services.grassroots.teams import MATERIALS
    from models.grassroots.team import ServiceTeam

    county_id, _child, _login, yc_id = _setup(app)
    with app.app_context():
        county = db.session.get(Unit, county_id)
        ex = make_unit(county, f"执行单位{county_id}", categories=("grassroots.exec",))
        team = ServiceTeam(name=f"示范团{ex.id}", year=dt.date.today().year, field="农业", unit_id=ex.id,
                           managing_unit_id=county_id, started=True, start_date=dt.date.today(), mode="single",
                           ended=finished, end_date=dt.date.today() if finished else None)
        db.session.add(team)
        db.session.flush()
        if finished:
            for model, _matter in MATERIALS:
                db.session.add(model(team_id=team.id, unit_id=ex.id, review_state="approved"))
        db.session.commit()
        return ex.id, team.name, yc_id


def test_refused_while_a_team_below_is_managed_from_the_old_branch(app, login_as):
    ex_id, team_name, yc_id = _exec_with_team(app, finished=False)
    c = login_as(_admin_login(app, ex_id))
    r = c.post("/parentchanges/request", {"new_parent": str(yc_id), "reason": "划转"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "不能更换上级部门" in body and team_name in body and "尚未办结" in body
    with app.app_context():
        assert not db.session.scalar(select(ParentChange.id).where(ParentChange.unit_id == ex_id))
    # a finished team (ended, its materials decided) does not hold the unit back
    ex_id, _name, yc_id = _exec_with_team(app, finished=True)
    rid = _request(login_as(_admin_login(app, ex_id)), yc_id)
    assert _state(app, rid)[0] == "pending"


def test_direct_move_obeys_the_same_rule(app, login_as):
    """移动单位 (the tree screen) and 基地单位转移 go through unit_service.move_subtree, which
    refuses like the parent-change matter while something below is mid-route."""
    county_id, child_id, _login, yc_id = _setup(app)
    with app.app_context():
        sc_id = unit_by_name("四川省人力资源和社会保障厅").id
    child = login_as(_admin_login(app, child_id))
    child_rid = _request(child, sc_id)  # waits at the county
    hb = login_as("sysadmin")  # 系统管理员 holds 移动单位
    r = hb.post(f"/units/move/{county_id}", {"parent": str(yc_id)})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "不能更换上级部门" in body and "迁移测试区下属" in body
    with app.app_context():
        assert db.session.get(Unit, county_id).parent_id != yc_id
    _post(child, child_rid, "withdraw")
    r = hb.post(f"/units/move/{county_id}", {"parent": str(yc_id)})
    assert r.status_code == 302, r.get_data(as_text=True)[-500:]
    with app.app_context():
        assert db.session.get(Unit, county_id).parent_id == yc_id


def test_a_post_configured_while_items_wait(app, login_as):
    """Issue 15.4: items pending at a unit when its 多岗审核配置 is added follow the new
    configuration from its lowest level (nobody is left without the item), and the
    configuration accepts only a person who holds the matter's review permission."""
    from models.core.workflow import ReviewPost

    _county_id, _child, login, yc_id = _setup(app)
    rid = _request(login_as(login), yc_id)  # waits at 武汉 before any configuration
    with app.app_context():
        from models.core.user import UnitUser

        wh = unit_by_name("武汉市人力资源和社会保障局")
        admin = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_wh_admin"))
        staff = make_user(wh)  # no role: no review permission
        admin_id, staff_id = admin.id, staff.id
        db.session.add(ReviewPost(unit_id=wh.id, matter="core.parent_change", level=2, user_id=admin.id))
        db.session.commit()
    try:
        # the staff member holds no review permission: the screen refuses to make them a post
        wh_c = login_as("hb_wh_admin")
        r = wh_c.post("/reviewposts/add", {"matter": "core.parent_change", "level": "1", "user": str(staff_id),
                                           "mode": "any"})
        assert "没有“更换上级部门”的审核权限" in r.get_data(as_text=True)
        # the waiting item is the level-2 post's now: shown to the administrator and decided
        body = wh_c.get(f"/parentchanges/show/{rid}").get_data(as_text=True)
        assert 'value="approve"' in body
        _post(wh_c, rid, "approve", opinion="同意")
        assert _state(app, rid)[:2] == ("pending", yc_id)
        with app.app_context():
            rev = db.session.scalar(select(Review).where(Review.matter == "core.parent_change", Review.record_id == rid))
            assert [t.user_id for t in rev.trail if t.action == "approve"] == [admin_id]
    finally:
        with app.app_context():
            for p in db.session.scalars(select(ReviewPost).where(ReviewPost.matter == "core.parent_change")):
                db.session.delete(p)
            db.session.commit()
