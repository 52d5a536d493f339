"""Jinja helpers, and gettext callables that look the catalogue up once per request.

flask-babel resolves the translation directories and the catalogue on every ``_()``
call; a list page makes a few hundred of them (every row's buttons), about a third of
its rendering time. The catalogue does not change within a request.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context
from flask_babel import get_translations

from app.security.personal import shown
from app.services.core import dicts


def _translations() -> Any:
    if not has_app_context():
        return get_translations()
    t = g.get("_babel_translations")
    if t is None:
        t = get_translations()
        g._babel_translations = t
    return t


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _configured_zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai") if has_app_context() else "Asia/Shanghai"
    return _zone(name)


def _in_zone(value: Any, zone: ZoneInfo, fmt: str) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # stored in UTC; SQLite gives it back naive
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).strftime(fmt)


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time in the configured zone (Asia/Shanghai), the one rule for every page, export
    and PDF. Times are stored in UTC; a naive one (SQLite gives them back so) is UTC too."""
    return _in_zone(value, _configured_zone(), fmt)


def local_time_formatter(fmt: str = "%Y-%m-%d %H:%M") -> Any:
    """:func:`local_time` with the zone looked up once (exports format many cells). Where the format
    shows no seconds, each minute is converted once: rows written together (an import, a batch)
    share their minutes, and the conversion is most of a time cell's cost."""
    zone = _configured_zone()
    if "%S" in fmt or "%f" in fmt or "%s" in fmt:
        return lambda value: _in_zone(value, zone, fmt)
    memo: dict[Any, str] = {}

    def cell(value: Any) -> str:
        if value is None:
            return ""
        key = value.replace(second=0, microsecond=0)
        text = memo.get(key)
        if text is None:
            if len(memo) >= 100_000:
                memo.clear()
            text = memo[key] = _in_zone(key, zone, fmt)
        return text

    return cell


def local_now(fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Now, as :func:`local_time` shows it (print and export stamps)."""
    return local_time(dt.datetime.now(dt.UTC), fmt)


def install(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    # {{ person.phone|personal("phone") }}: masked as in lists unless the user may see it in full
    app.jinja_env.filters["personal"] = lambda value, kind: shown(kind, value)
    app.jinja_env.filters["dict_label"] = lambda code, type_code: dicts.label(type_code, code)
    app.jinja_env.filters["region_label"] = lambda code: dicts.full_label("region", code)
    def unread_messages() -> int:
        from app.services.core import messages

        return messages.unread_count(g.get("user"))

    app.jinja_env.globals["unread_messages"] = unread_messages

    def permission_of(endpoint: str) -> str:
        """The permission name of the view serving ``endpoint`` ("CommissionerApplicationView" ->
        "commissioner.Application"): a line's views carry their slug in FAB's permissions."""
        names = app.extensions.get("view_permission_names")
        if names is None:
            names = {v.endpoint: v.class_permission_name for v in app.appbuilder.baseviews}
            app.extensions["view_permission_names"] = names
        return names.get(endpoint.split(".")[0], endpoint.split(".")[0])

    app.jinja_env.globals["permission_of"] = permission_of

    def slot_kinds(slot: Any) -> str:
        from app.services.core.attachments import KIND_LABELS

        return "、".join(dict.fromkeys(KIND_LABELS.get(k, k) for k in slot.kinds))

    app.jinja_env.globals["slot_kinds"] = slot_kinds

    def slot_writable(record: Any, slot: Any) -> bool:
        """Whether the page offers upload and delete on the slot: the rule the endpoints apply."""
        from app.services.core.attachments import can_write

        return can_write(record, slot.code)

    app.jinja_env.globals["slot_writable"] = slot_writable
    app.jinja_env.globals["breadcrumb"] = breadcrumb
    fab_visible = app.jinja_env.filters.get("is_menu_visible")
    if fab_visible is not None:
        # FAB's navbar ignores a menu item's ``cond`` (only its API reads it): honour it here
        def is_menu_visible(item: Any) -> bool:
            from app.services.core import menus

            if menus.hidden(item.name):  # 系统菜单: hidden in this deployment
                return False
            if not (fab_visible(item) and item.should_render()):
                return False
            if item.childs:  # a category shows when one of its items does (conditions included)
                return any(is_menu_visible(child) for child in item.childs if child.name != "-")
            unit = getattr(g.get("user"), "unit", None)
            if unit is not None and not unit.active:
                # a unit waiting for its registration: only what it may open (用户权限申请, 机构信息 …)
                from app.services.core.registration import PENDING_ENDPOINTS

                return item.href in PENDING_ENDPOINTS
            return True

        app.jinja_env.filters["is_menu_visible"] = is_menu_visible
    fab_access = fab_visible or (lambda item: current_app.appbuilder.sm.has_access("menu_access", item.name))
    app.jinja_env.globals["navbar_menu"] = lambda: navbar_menu(fab_access)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )


_NAVBAR_CACHE: dict[Any, Any] = {}
NAVBAR_CACHE_SIZE = 512


def _menu_access(fab_visible: Any) -> Any:
    """``name -> bool``: FAB's ``has_access("menu_access", name)`` for this request, with the user
    resolved once (FAB resolves it again for every entry); any case but a signed-in active user
    goes through FAB's own check."""
    from flask_login import current_user

    sm = current_app.appbuilder.sm
    if g.get("_api_key_user", False) or not current_user.is_authenticated:
        return lambda item: fab_visible(item)
    user = sm._get_safe_user(g.user)
    if not (user and user.is_active):
        return lambda item: False
    resolve = getattr(user, "_get_current_object", None)  # g.user is flask-login's proxy: resolved once
    user = resolve() if resolve is not None else user
    return lambda item: sm._has_view_access(user, "menu_access", item.name)


def navbar_menu(fab_visible: Any) -> Any:
    """The navigation bar's entries (FAB's navbar_menu.html): each entry's visibility is decided once
    per request by the rules of ``is_menu_visible`` (系统菜单 hiding, the menu_access permission, the
    entry's condition, a category shown when one of its entries is, a unit waiting for its
    registration), and the HTML drawn for that visibility, the entries' labels and the locale is
    kept per process: another user with the same visible entries gets the same HTML."""
    from flask import request
    from flask_babel import get_locale
    from markupsafe import Markup

    from app.services.core import menus

    menu = current_app.appbuilder.menu
    access = _menu_access(fab_visible)
    unit = getattr(g.get("user"), "unit", None)
    pending = unit is not None and not unit.active
    if pending:
        from app.services.core.registration import PENDING_ENDPOINTS

    def own(item: Any) -> bool:
        return not menus.hidden(item.name) and access(item) and item.should_render()

    shown: set[int] = set()
    key: list[Any] = [str(get_locale()), request.script_root]
    for item in menu.get_list():
        label = item.label if type(item.label) is str else id(item.label)
        if not own(item):
            key.append((id(item), label, False))
            continue
        if item.childs:
            children = []
            for child in item.childs:
                if child.name == "-":
                    children.append(None)
                    continue
                ok = own(child) and (not pending or child.href in PENDING_ENDPOINTS)
                if ok:
                    shown.add(id(child))
                clabel = child.label if type(child.label) is str else id(child.label)
                children.append((id(child), clabel, ok))
            visible = any(c is not None and c[2] for c in children)
            key.append((id(item), label, visible, tuple(children)))
        else:
            visible = not pending or item.href in PENDING_ENDPOINTS
            key.append((id(item), label, visible))
        if visible:
            shown.add(id(item))
    cache_key = tuple(key)
    html = _NAVBAR_CACHE.get(cache_key)
    if html is None:
        template = current_app.jinja_env.get_template("platform/navbar_menu.html")
        html = Markup(template.render(menu=menu, shown=lambda item: id(item) in shown))
        if len(_NAVBAR_CACHE) >= NAVBAR_CACHE_SIZE:
            _NAVBAR_CACHE.clear()
        _NAVBAR_CACHE[cache_key] = html
    return html


_STEP_LABELS = {"add": "新增", "edit": "编辑", "show": "查看", "review": "审核"}


def breadcrumb() -> list[tuple[str, str | None]]:
    """首页 › category › menu item › step, for the page being shown (empty off the menus)."""
    from flask import current_app, request

    from views.registry import MENU_OF

    endpoint = request.endpoint or ""
    view, _sep, method = endpoint.partition(".")
    menus = MENU_OF.get(view)
    if not menus:
        return []
    name, category = menus[0]
    best = -1
    for item in current_app.appbuilder.menu.get_list():  # a view with several menu links: the one opened
        for child in item.childs or []:
            if child.href == endpoint and (child.name, item.name) in menus:
                args = getattr(child, "args", None) or {}
                if all(request.args.get(k) == str(v) for k, v in args.items()) and len(args) > best:
                    name, category, best = child.name, item.name, len(args)
    t = _translations()
    crumbs: list[tuple[str, str | None]] = [(t.ugettext("首页"), current_app.appbuilder.get_url_for_index)]
    for item in current_app.appbuilder.menu.get_list():
        if category and item.name == category:
            crumbs.append((str(item.label), None))
            for child in item.childs or []:
                if child.name == name:
                    crumbs.append((str(child.label), child.get_url()))
        elif not category and item.name == name:
            crumbs.append((str(item.label), item.get_url()))
    step = _STEP_LABELS.get(method)
    if step:
        crumbs.append((t.ugettext(step), None))
    return crumbs
