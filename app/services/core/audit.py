"""The audit writer (P-19).

* ``record(...)`` adds a row to the current session: it commits or rolls back together
  with the business change it describes;
* ``record_now(...)`` writes in its own transaction (login failures, downloads…);
* a ``before_flush`` listener records every create, update and delete of a model that
  does not set ``__audit__ = False``, with the changed fields before and after;
  passwords never appear and personal columns are masked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from app.extensions import db
from models.core.audit import AuditLog

SECRET_COLUMNS = {"password", "code_hash"}
QUIET_USER_COLUMNS = {"last_login", "login_count", "fail_login_count", "changed_on", "session_version"}
SKIP_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "core_password_reset", "core_audit_log"}


def _actor(user: Any = None) -> Any:
    if user is not None:
        return user
    if has_request_context():
        u = g.get("user")
        if u is not None and getattr(u, "is_authenticated", False):
            return u
    return None


def _ip() -> str | None:
    if not has_request_context():
        return None
    if current_app.config.get("TRUST_PROXY") and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[0].strip()[:64]
    return (request.remote_addr or "")[:64] or None


DEFAULT_REPR = re.compile(r"^<[\w.]+ object at 0x[0-9a-fA-F]+>$")


def readable(obj: Any, object_id: Any = None) -> str:
    """How a record is named in the log: its own name, else its number (never a Python repr)."""
    text = str(obj)
    if DEFAULT_REPR.match(text):
        return f"#{object_id}" if object_id is not None else ""
    return text[:200]


def _row(action: str, obj: Any = None, *, changes: dict[str, Any] | None = None, result: str = "ok",
         detail: str | None = None, user: Any = None, object_type: str | None = None,
         object_id: Any = None, object_repr: str | None = None, actor_user: Any = None) -> AuditLog:
    """One row. The acting user (``actor_user``, else the logged-in user) is recorded;
    ``user`` is the account concerned, recorded when nobody is logged in (a login
    attempt, a lockout)."""
    actor = _actor(actor_user)
    subject = user
    who = actor or subject
    unit = getattr(who, "unit", None) if who is not None else None
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
        object_repr = object_repr or readable(obj, object_id)
    return AuditLog(
        created_at=dt.datetime.now(dt.UTC),
        user_id=getattr(who, "id", None),
        username=getattr(who, "username", None) or (object_repr if action.startswith("login") else None),
        unit_id=getattr(unit, "id", None),
        unit_name=getattr(unit, "name", None),
        ip=_ip(),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        object_repr=(object_repr or "")[:200] or None,
        changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
        result=result,
        detail=detail,
    )


def record(action: str, obj: Any = None, *, changes: dict[str, Any] | None = None, result: str = "ok",
           detail: str | None = None, user: Any = None, object_type: str | None = None,
           object_id: Any = None, object_repr: str | None = None, actor_user: Any = None) -> AuditLog:
    """Add an audit row to the current transaction (kept or rolled back with it)."""
    row = _row(action, obj, changes=changes, result=result, detail=detail, user=user,
               object_type=object_type, object_id=object_id, object_repr=object_repr,
               actor_user=actor_user)
    db.session.add(row)
    return row


def record_now(action: str, obj: Any = None, *, changes: dict[str, Any] | None = None, result: str = "ok",
               detail: str | None = None, user: Any = None, object_type: str | None = None,
               object_id: Any = None, object_repr: str | None = None, actor_user: Any = None) -> AuditLog:
    """Write an audit row in its own short transaction (events without a business commit)."""
    row = _row(action, obj, changes=changes, result=result, detail=detail, user=user,
               object_type=object_type, object_id=object_id, object_repr=object_repr,
               actor_user=actor_user)
    with Session(db.engine, expire_on_commit=False) as s:
        s.add(row)
        s.commit()
    return row


def _value(model: Any, col: str, value: Any) -> Any:
    if col in SECRET_COLUMNS:
        return "******" if value else value
    from app.security.personal import mask, personal_columns

    kind = personal_columns(model).get(col)
    return mask(kind, value) if kind and value else value


def _changes(obj: Any, deleted: bool = False) -> dict[str, list[Any]]:
    state = sa_inspect(obj)
    model = type(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        hist = state.attrs[key].history
        if deleted:
            out[key] = [_value(model, key, getattr(obj, key)), None]
        elif state.pending:
            value = hist.added[0] if hist.added else None
            if value is not None:
                out[key] = [None, _value(model, key, value)]
        elif hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                out[key] = [_value(model, key, before), _value(model, key, after)]
    return out


def _relation_change(obj: Any, rel: str) -> dict[str, list[Any]] | None:
    hist = sa_inspect(obj).attrs[rel].history
    if not (hist.added or hist.deleted):
        return None
    return {rel: [[str(x) for x in hist.deleted], [str(x) for x in hist.added]]}


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Compute the changes now (history resets at flush); write the rows once ids exist."""
    if not session.info.get("audit", True):
        return
    rows: list[tuple[str, Any, dict | None]] = session.info.setdefault("_audit_pending", [])
    for obj, action in [(o, "create") for o in session.new] + [(o, "update") for o in session.dirty] + [
        (o, "delete") for o in session.deleted
    ]:
        model = type(obj)
        table = getattr(model, "__tablename__", "")
        if getattr(model, "__audit__", True) is False or table in SKIP_TABLES or isinstance(obj, AuditLog):
            continue
        if action == "update" and not session.is_modified(obj, include_collections=True):
            continue
        changes = _changes(obj, deleted=(action == "delete"))
        if table == "ab_user":
            roles = _relation_change(obj, "roles") if action != "delete" else None
            if roles:
                rows.append(("role_change", obj, roles))
            changes = {k: v for k, v in changes.items() if k not in QUIET_USER_COLUMNS}
            if action == "update" and not changes:
                continue
        if table == "ab_role" and action != "delete":
            perms = _relation_change(obj, "permissions")
            if perms:
                rows.append(("permission_change", obj, perms))
        if action == "update" and not changes:
            continue
        rows.append((action, obj, changes))


def _after_flush_postexec(session: Session, flush_context: Any) -> None:
    pending = session.info.pop("_audit_pending", None)
    if not pending:
        return
    for action, obj, changes in pending:  # ids are known now; commit flushes these too
        session.add(_row(action, obj, changes=changes))


def _after_rollback(session: Session) -> None:
    session.info.pop("_audit_pending", None)


_installed = False


def install(app: Any = None) -> None:
    """Install the flush listeners once per process (``app`` is accepted, not needed)."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)
        event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
        _installed = True
