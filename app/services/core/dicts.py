"""Dictionary look-ups with a short in-process cache.

Modules declare which dictionary a column uses (``__dict_columns__`` on the model);
forms, lists, imports and exports read the labels and choices from here.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from app.extensions import db
from models.core.dictionary import DictItem, DictType

_TTL = 60.0
_lock = threading.Lock()
_Item = tuple[str, str, "str | None"]
_cache: dict[str, tuple[float, list[_Item], dict[str, tuple[str, str | None]]]] = {}


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _load(type_code: str) -> tuple[list[_Item], dict[str, tuple[str, str | None]]]:
    now = time.monotonic()
    hit = _cache.get(type_code)
    if hit and now - hit[0] < _TTL:
        return hit[1], hit[2]
    rows = db.session.execute(
        select(DictItem.code, DictItem.name, DictItem.parent_code)
        .join(DictType, DictType.id == DictItem.type_id)
        .where(DictType.code == type_code, DictItem.active.is_(True))
        .order_by(DictItem.sort, DictItem.code)
    ).all()
    items = [(r[0], r[1], r[2]) for r in rows]
    mapping = {c: (n, p) for c, n, p in items}
    with _lock:
        _cache[type_code] = (now, items, mapping)
    return items, mapping


def _items(type_code: str) -> list[_Item]:
    return _load(type_code)[0]


def choices(type_code: str, parent: str | None = None, top: bool = False) -> list[tuple[str, str]]:
    """(code, label) pairs; ``parent`` selects children; ``top`` the first level."""
    items = _items(type_code)
    if parent is not None:
        return [(c, n) for c, n, p in items if p == parent]
    if top:
        return [(c, n) for c, n, p in items if not p]
    return [(c, n) for c, n, _p in items]


def label(type_code: str, code: str | None) -> str:
    if code is None or code == "":
        return ""
    hit = _load(type_code)[1].get(code)
    return hit[0] if hit else code


def labels(type_code: str) -> dict[str, str]:
    return {c: n for c, n, _p in _items(type_code)}


def has_code(type_code: str, code: str) -> bool:
    return code in _load(type_code)[1]


def chain(type_code: str, code: str | None) -> list[tuple[str, str]]:
    """The item and its ancestors, top first (for 省 / 市 / 区)."""
    if not code:
        return []
    by_code = _load(type_code)[1]
    out: list[tuple[str, str]] = []
    seen = set()
    while code and code in by_code and code not in seen:
        seen.add(code)
        name, parent = by_code[code]
        out.append((code, name))
        code = parent
    return list(reversed(out))


def full_label(type_code: str, code: str | None, sep: str = " / ") -> str:
    parts = chain(type_code, code)
    return sep.join(n for _c, n in parts) if parts else (code or "")
