"""Rules that hold whichever screen, API or command changes a user.

A flush listener sees every change of ``ab_user`` and its roles, so no path can skip:
* logout, disable, password change and role change bump ``session_version`` (every
  existing session of that user ends);
* nobody grants roles to themselves (giving one away, as in 设为超级管理员, is allowed);
* no user holds two of the three administrator roles (三员分立).
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from app.services.core.validators import check_password

THREE_ADMINS = ("系统管理员", "安全管理员", "审计管理员")


class SecurityRuleError(Exception):
    """A change refused by the security baseline; the transaction is rolled back."""


def fab_password_validator(password: str) -> None:
    reason = check_password(password or "")
    if reason:
        raise PasswordComplexityValidationError(reason)


def audit_now(action: str, user: Any = None, username: str | None = None, result: str = "ok",
              detail: str | None = None) -> None:
    """Write an audit row in its own transaction when the audit service is present."""
    try:
        from app.services.core import audit
    except ImportError:  # pragma: no cover - the audit log lands separately
        return
    try:
        audit.record_now(action, user=user, result=result, detail=detail,
                         object_type="user", object_id=getattr(user, "id", None),
                         object_repr=username or getattr(user, "username", None))
    except Exception:  # never block a login on the audit writer
        import logging

        logging.getLogger(__name__).exception("audit write failed")


def _acting_user_id() -> int | None:
    if not has_request_context():
        return None
    user = g.get("user")
    return getattr(user, "id", None) if user is not None and getattr(user, "is_authenticated", False) else None


def _check_user(obj: Any) -> None:
    from models.core.user import UnitUser

    if not isinstance(obj, UnitUser):
        return
    state = sa_inspect(obj)
    roles_hist = state.attrs.roles.history
    roles_changed = bool(roles_hist.added or roles_hist.deleted)
    bump = roles_changed
    for attr in ("password", "active"):
        if state.attrs[attr].history.has_changes() and not state.pending:
            bump = True
    added = {r.name for r in roles_hist.added} - {"工作人员"}  # the base staff role grants nothing new
    if added and not state.pending and _acting_user_id() == obj.id:
        raise SecurityRuleError(_("不能给本人授予角色"))
    names = {r.name for r in (obj.roles or [])}
    if len(names & set(THREE_ADMINS)) > 1:
        raise SecurityRuleError(_("系统管理员、安全管理员、审计管理员不能由同一人兼任"))
    if bump and not state.pending:
        obj.session_version = int(obj.session_version or 0) + 1


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        _check_user(obj)


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
