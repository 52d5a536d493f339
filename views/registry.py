"""Menu registration that remembers which menu item opens which view.

``flask seed roles`` reads this to grant ``menu_access`` with each view permission.
"""

from __future__ import annotations

from typing import Any

# a view's permission name (FAB's class_permission_name, else the class name) -> [(menu item name, category name)]
MENU_OF: dict[str, list[tuple[str, str | None]]] = {}
# (view permission name, menu item name) -> the permission that opens it, when not list/add/index
MENU_PERMISSION: dict[tuple[str, str], str] = {}


def permission_name(cls: type) -> str:
    """The name FAB's permissions use for a view class: a line's "<slug>.<Name>", else the class name."""
    return getattr(cls, "class_permission_name", None) or cls.__name__


def add_view(appbuilder: Any, view: Any, name: str, category: str | None = None, **kw: Any) -> Any:
    cls = view if isinstance(view, type) else type(view)
    key = permission_name(cls)
    MENU_OF.setdefault(key, [])
    if (name, category) not in MENU_OF[key]:
        MENU_OF[key].append((name, category))
    if category:
        return appbuilder.add_view(view, name, category=category, **kw)
    return appbuilder.add_view(view, name, **kw)


def add_link(appbuilder: Any, view: type, name: str, endpoint: str, permission: str, category: str,
             **kw: Any) -> None:
    """A menu item opening one exposed method of ``view``; roles holding ``permission`` see it."""
    key = permission_name(view)
    MENU_OF.setdefault(key, [])
    if (name, category) not in MENU_OF[key]:
        MENU_OF[key].append((name, category))
    MENU_PERMISSION[(key, name)] = permission
    args = kw.pop("args", None)
    appbuilder.add_link(name, href=endpoint, category=category, **kw)
    if args:  # a filtered list (待我审核 of one stage, say): the link carries its query string
        from flask import url_for

        item = appbuilder.menu.find(name)
        item.args = dict(args)
        item.get_url = lambda: url_for(endpoint, **args)
