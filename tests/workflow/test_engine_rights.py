"""The engine asks the permission of the user it is given (issue 16, 5): not the request's user, and
nobody's when there is no application to ask."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.workflow import engine
from models.core.user import UnitUser


def _user(login: str) -> UnitUser:
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def test_the_given_user_is_checked_not_the_requests(app):
    from app.services.core.parent_change import PARENT_CHANGE

    with app.app_context():
        admin, auditor = _user("hb_wh_admin"), _user("auditadmin")
        with app.test_request_context("/"):
            from flask import g

            g.user = admin  # the request's user holds 审核 on 更换上级部门 …
            assert engine._has_permission(PARENT_CHANGE, admin)
            assert not engine._has_permission(PARENT_CHANGE, auditor)  # … the one asked about does not
            g.user = auditor
            assert engine._has_permission(PARENT_CHANGE, admin)
        # outside a request (a job, the command line) the given user is still checked
        assert engine._has_permission(PARENT_CHANGE, admin)
        assert not engine._has_permission(PARENT_CHANGE, auditor)
        assert not engine._has_permission(PARENT_CHANGE, None)


def test_without_an_application_nobody_holds_a_matters_permission(app):
    from app.services.core.parent_change import PARENT_CHANGE

    with app.app_context():
        admin = _user("hb_wh_admin")
        db.session.expunge(admin)
    assert not engine._has_permission(PARENT_CHANGE, admin)
