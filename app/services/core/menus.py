"""系统菜单 (seed 003 七): rename, reorder and hide entries of the navigation bar per deployment.

Settings are rows of ``core_menu_setting`` keyed by the entry's registered name. They are applied
to FAB's menu objects (label, order of a category's entries and of the categories) in each process:
right after a save in the saving process, and in the others when they notice a newer save (checked
at most every ``MENU_REFRESH_SECONDS``). Hidden entries are left out by the navbar's visibility
filter (``app.filters``); hiding never grants or removes a permission.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.services.errors import BusinessError
from models.core.setting import MenuSetting

_STATE: dict[str, Any] = {"stamp": None, "checked": 0.0, "hidden": frozenset()}
MAX_LABEL = 50


class MenuError(BusinessError, ValueError):
    """A refused 系统菜单 setting."""


def entries() -> list[tuple[Any, list[Any]]]:
    """(category or top-level entry, its entries) in the order shown, separators left out."""
    out = []
    for item in current_app.appbuilder.menu.get_list():
        out.append((item, [c for c in (item.childs or []) if c.name != "-"]))
    return out


def original_label(item: Any) -> Any:
    """The entry's built-in name (kept the first time a setting is applied)."""
    if not hasattr(item, "_platform_label"):
        item._platform_label = item.label
    return item._platform_label


def _stamp() -> Any:
    return db.session.execute(select(func.count(MenuSetting.id), func.max(MenuSetting.changed_on))).one()


def apply(force: bool = False) -> None:
    """Bring this process's menu up to the stored settings (cheap when nothing changed)."""
    now = time.monotonic()
    refresh = float(current_app.config.get("MENU_REFRESH_SECONDS", 30))
    if not force and now - _STATE["checked"] < refresh:
        return
    _STATE["checked"] = now
    stamp = tuple(_stamp())
    if not force and stamp == _STATE["stamp"]:
        return
    _STATE["stamp"] = stamp
    rows = {r.name: r for r in db.session.scalars(select(MenuSetting))}
    menu = current_app.appbuilder.menu
    top = menu.get_list()
    for pos, item in enumerate(top):
        if not hasattr(item, "_platform_pos"):
            item._platform_pos = pos
        for cpos, child in enumerate(item.childs or []):
            if not hasattr(child, "_platform_pos"):
                child._platform_pos = cpos
    for item in top:
        for node in [item, *(item.childs or [])]:
            label = original_label(node)
            row = rows.get(node.name)
            node.label = row.label if row is not None and row.label else label
        if item.childs:
            item.childs.sort(key=lambda c: (_sort_key(rows.get(c.name), c._platform_pos)))
    top.sort(key=lambda i: _sort_key(rows.get(i.name), i._platform_pos))
    _STATE["hidden"] = frozenset(name for name, r in rows.items() if r.hidden)


def _sort_key(row: MenuSetting | None, pos: int) -> tuple[int, int]:
    return (row.sort if row is not None and row.sort is not None else pos * 10, pos)


def hidden(name: str) -> bool:
    return name in _STATE["hidden"]


def save(form: dict[str, Any]) -> int:
    """The 系统菜单 form: label_<name>, sort_<name>, hidden_<name> per entry; returns rows changed."""
    names = {node.name for item, childs in entries() for node in [item, *childs]}
    rows = {r.name: r for r in db.session.scalars(select(MenuSetting))}
    changed = 0
    for name in sorted(names):
        label = (form.get(f"label_{name}") or "").strip()
        raw_sort = (form.get(f"sort_{name}") or "").strip()
        hide = form.get(f"hidden_{name}") in ("1", "on", "y")
        if len(label) > MAX_LABEL:
            raise MenuError(_("菜单名称不能超过%(n)s个字", n=MAX_LABEL), f"label_{name}")
        if raw_sort and not raw_sort.lstrip("-").isdigit():
            raise MenuError(_("排序须为整数"), f"sort_{name}")
        sort = int(raw_sort) if raw_sort else None
        row = rows.get(name)
        if not label and sort is None and not hide:
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is None:
            row = MenuSetting(name=name)
            db.session.add(row)
        if (row.label, row.sort, row.hidden) != (label or None, sort, hide):
            row.label, row.sort, row.hidden = label or None, sort, hide
            changed += 1
    return changed
