"""The unit scope (P-06): one function builds every "what may this user see" predicate.

A model declares how it is scoped with ``__scope__``:

* ``"unit"``   – the record has ``unit_id``; visible within the user's unit subtree;
* ``"self"``   – the model is the unit tree itself (``path``);
* ``"owner"``  – visible only to the user named by ``__scope_owner__`` (a column name);
* ``"public"`` – reference data everybody may read.

A model that declares nothing gets no rows (fail closed). Users at the root of the
tree skip the predicate. Individual users (``user_type == "person"``) see only the
records whose ``__scope_owner__`` column names them.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, false, func, or_, select, true

from models.core.unit import Unit


class ScopeError(Exception):
    """A value or record outside the user's scope was submitted."""


def subtree_upper(prefix: str) -> str:
    """Upper bound of all paths starting with ``prefix`` ("/1/5/" -> "/1/50")."""
    return prefix[:-1] + "0"


def path_in_subtree(path_col: Any, prefix: str) -> ColumnElement[bool]:
    """Index-friendly prefix predicate, the same on SQLite and PostgreSQL."""
    return and_(path_col >= prefix, path_col < subtree_upper(prefix))


def get_user() -> Any:
    """The acting user, or None outside a request or when anonymous."""
    if not has_request_context():
        return getattr(g, "scope_user", None) if _has_g() else None
    override = getattr(g, "scope_user", None)
    if override is not None:
        return override
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _has_g() -> bool:
    from flask import has_app_context

    return has_app_context()


def user_unit(user: Any) -> Unit | None:
    if user is None:
        return None
    unit = getattr(user, "unit", None)
    if unit is None or not unit.active:
        return None
    return unit


def is_root_user(user: Any) -> bool:
    unit = user_unit(user)
    return unit is not None and unit.parent_id is None and user.user_type == "unit"


def scope_clause(model: Any, user: Any = None) -> ColumnElement[bool]:
    """The predicate restricting ``model`` to what ``user`` may reach."""
    if user is None:
        user = get_user()
    kind = getattr(model, "__scope__", None)
    if kind == "public":
        return true()
    if user is None or not getattr(user, "active", False):
        return false()
    owner_col = getattr(model, "__scope_owner__", None)
    if getattr(user, "user_type", "unit") == "person":
        if owner_col:
            return getattr(model, owner_col) == user.id
        return false()
    if kind == "owner":
        return getattr(model, owner_col) == user.id if owner_col else false()
    unit = user_unit(user)
    if unit is None:
        return false()
    root = unit.parent_id is None
    if kind == "self":
        return true() if root else path_in_subtree(model.path, unit.path)
    if kind == "unit":
        if root:
            return true()
        own = model.unit_id.in_(select(Unit.id).where(path_in_subtree(Unit.path, unit.path)))
        matter = getattr(model, "__review_matter__", None)
        if matter:  # a reviewed record is also visible to the units on its route
            from models.core.workflow import Review, ReviewNode

            on_route = (
                select(Review.record_id)
                .join(ReviewNode, ReviewNode.review_id == Review.id)
                .join(Unit, Unit.id == ReviewNode.unit_id)
                .where(Review.matter == matter, path_in_subtree(Unit.path, unit.path))
            )
            return or_(own, model.id.in_(on_route))
        return own
    return false()


def unit_column_in_scope(column: Any, user: Any = None) -> ColumnElement[bool]:
    """``column`` (a unit id) lies in the user's subtree: for tables without ``__scope__``
    whose rows name a unit (the audit log for statistics, say)."""
    if user is None:
        user = get_user()
    if user is None or not getattr(user, "active", False) or getattr(user, "user_type", "unit") != "unit":
        return false()
    unit = user_unit(user)
    if unit is None:
        return false()
    if unit.parent_id is None:
        return true()
    return column.in_(select(Unit.id).where(path_in_subtree(Unit.path, unit.path)))


def unit_in_scope(unit: Unit | None, user: Any = None) -> bool:
    """Whether ``unit`` lies in the acting user's subtree (Python-side check)."""
    if user is None:
        user = get_user()
    if unit is None or user is None or getattr(user, "user_type", "unit") != "unit":
        return False
    own = user_unit(user)
    if own is None:
        return False
    return bool(unit.path) and unit.path.startswith(own.path)


def record_in_scope(obj: Any, user: Any = None) -> bool:
    """Whether one loaded object is reachable by the user (Python-side check)."""
    if obj is None:
        return False
    if user is None:
        user = get_user()
    model = type(obj)
    kind = getattr(model, "__scope__", None)
    if kind == "public":
        return True
    if user is None or not getattr(user, "active", False):
        return False
    owner_col = getattr(model, "__scope_owner__", None)
    if getattr(user, "user_type", "unit") == "person" or kind == "owner":
        return bool(owner_col) and getattr(obj, owner_col) == user.id
    if kind == "self":
        return unit_in_scope(obj, user)
    if kind == "unit":
        from app.extensions import db

        unit = obj.unit if obj.unit is not None else db.session.get(Unit, obj.unit_id)
        if unit_in_scope(unit, user):
            return True
        if getattr(model, "__review_matter__", None) and obj.id is not None:
            return bool(db.session.scalar(select(func.count()).select_from(model).where(
                model.id == obj.id, scope_clause(model, user))))
        return False
    return False


def scoped_query(model: Any, user: Any = None):
    """``select(model)`` restricted to the user's scope."""
    return select(model).where(scope_clause(model, user))
