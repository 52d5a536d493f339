"""Business lines as modules: each line declares itself once, in its own package.

A line (专家服务基层, 科技特派员, and the ones to come) is a package ``app/services/<slug>/``
whose ``module.py`` holds ``MODULE = Module(...)``: its models, its views' registration,
the modules that declare its matter types, import specs, attachment owners, charts,
document kinds and jobs, its unit categories, its roles and the permissions it adds to
the platform's 单位管理员 and 工作人员, its demo loader, its home-page links for its own
persons and its links on the portal. The application, ``flask seed``, the home page and
the portal iterate over the enabled modules (``ENABLED_MODULES``); nothing of a line is
named in core code or templates.

Membership (the gate): a unit belongs to the lines of its categories (``Category.line``;
the platform's root belongs to every line), a person to the line they registered in
(``UnitUser.line``). Each view, menu item and menu category a module registers is
remembered as that line's (``VIEW_LINE``); the security manager drops every permission
on a line the user is not in, whatever the roles grant, so neither a URL nor a menu of
another line opens. See docs/adding-a-line.md.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# the lines' own permission tables: view class (or menu) name -> permission names
Perms = dict[str, list[str]]


@dataclass(frozen=True)
class Module:
    slug: str
    label: Any  # the line's Chinese name (lazy)
    models: str  # the package of the line's models ("models.grassroots")
    views: str  # "package:function" registering the line's views and menus
    declarations: tuple[str, ...] = ()  # imported at start-up: matters, import specs, charts, jobs, owners
    # code -> (name, sort, the codes it may grant); codes are "<slug>.<kind>"
    categories: dict[str, tuple[str, int, list[str]]] = field(default_factory=dict)
    root_grants: tuple[str, ...] = ()  # the line's top categories, granted by the platform's root
    roles: dict[str, Perms] = field(default_factory=dict)  # the line's own roles (its persons)
    platform_roles: dict[str, Perms] = field(default_factory=dict)  # added to 单位管理员 / 工作人员
    demo: str | None = None  # "package:function", called with (root unit, random.Random)
    person_links: tuple[tuple[str, str, Any], ...] = ()  # (endpoint, icon, label) on a person's home page
    portal_links: tuple[tuple[str, Any], ...] = ()  # (endpoint, label) beside 单位注册 on the portal
    # templates included on the portal home page, each loading its own data (a Jinja global the line
    # registers with its views)
    portal_panels: tuple[str, ...] = ()
    object_types: dict[str, Any] = field(default_factory=dict)  # audit log: table -> Chinese name

    def call(self, target: str, *args: Any) -> Any:
        package, _sep, name = target.partition(":")
        return getattr(importlib.import_module(package), name)(*args)


# view, menu item and menu category names -> the line that registered them
VIEW_LINE: dict[str, str] = {}


def available() -> dict[str, Module]:
    """Every line shipped with the platform: each ``app/services/<slug>/module.py``."""
    import app.services as services

    found: dict[str, Module] = {}
    for info in sorted(pkgutil.iter_modules(services.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        try:
            manifest = importlib.import_module(f"app.services.{info.name}.module")
        except ModuleNotFoundError as e:
            if e.name == f"app.services.{info.name}.module":
                continue
            raise
        module: Module = manifest.MODULE
        if module.slug != info.name:
            raise RuntimeError(f"app/services/{info.name}/module.py declares the slug {module.slug!r}")
        found[module.slug] = module
    return found


def resolve(names: Iterable[str] | None) -> list[Module]:
    """The modules named by ``ENABLED_MODULES`` (None or "all": every available line)."""
    shipped = available()
    wanted = [n.strip() for n in (names or []) if n.strip() and n.strip() != "core"]
    if names is None or "all" in wanted:
        return list(shipped.values())
    unknown = [n for n in wanted if n not in shipped]
    if unknown:
        raise RuntimeError(f"ENABLED_MODULES names unknown lines: {', '.join(unknown)} "
                           f"(available: {', '.join(shipped)})")
    return [shipped[n] for n in shipped if n in wanted]


def enabled() -> list[Module]:
    """The enabled modules of the current application."""
    from flask import current_app

    return current_app.extensions["platform_modules"]


def enabled_slugs() -> list[str]:
    return [m.slug for m in enabled()]


def install(app: Any) -> list[Module]:
    """Import the enabled modules' models and declarations; remember them on ``app``."""
    modules = resolve(app.config.get("ENABLED_MODULES"))
    for module in modules:
        importlib.import_module(module.models)
        for name in module.declarations:
            importlib.import_module(name)
    app.extensions["platform_modules"] = modules

    @app.context_processor
    def _lines() -> dict[str, Any]:  # the portal's links and panels of the enabled lines
        return {"line_portal_links": [link for m in modules for link in m.portal_links],
                "line_portal_panels": [panel for m in modules for panel in m.portal_panels]}

    return modules


def register_views(appbuilder: Any, modules: list[Module]) -> None:
    """Each module registers its views; what it added is remembered as its line's."""
    for module in modules:
        views_before = {v.class_permission_name for v in appbuilder.baseviews}
        menu_before = _menu_names(appbuilder.menu.get_list())
        module.call(module.views, appbuilder)
        for view in appbuilder.baseviews:
            if view.class_permission_name not in views_before:
                VIEW_LINE[view.class_permission_name] = module.slug
                for previous in getattr(view, "previous_class_permission_name", None) or ():
                    VIEW_LINE[previous] = module.slug
        for name in _menu_names(appbuilder.menu.get_list()) - menu_before:
            VIEW_LINE[name] = module.slug


def _menu_names(items: list[Any]) -> set[str]:
    names: set[str] = set()
    for item in items:
        names.add(item.name)
        names |= _menu_names(item.childs or [])
    return names


def lines_of(user: Any) -> frozenset[str]:
    """The lines ``user`` belongs to: a person's own, a unit user's by the unit's categories."""
    if user is None or not getattr(user, "is_authenticated", True):
        return frozenset()
    if getattr(user, "user_type", "unit") == "person":
        line = getattr(user, "line", None)
        return frozenset([line]) if line else frozenset()
    unit = getattr(user, "unit", None)
    if unit is None:
        return frozenset()
    lines = {c.line for c in unit.categories}
    if "core" in lines:  # the platform's root takes part in every line
        return frozenset(VIEW_LINE.values()) | lines
    return frozenset(lines)


def gate(user: Any, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """``pairs`` without the permissions on lines ``user`` is not in."""
    if not VIEW_LINE:
        return pairs
    lines = lines_of(user)
    return {p for p in pairs if VIEW_LINE.get(p[1], "") in lines or p[1] not in VIEW_LINE}


def person_links(user: Any) -> list[tuple[str, str, Any]]:
    """The home page's quick links of the line ``user`` (a person) registered in — those whose page the
    logged-in user may open (an expert's 我的评审任务 only for the role 评审专家)."""
    return [link for m in enabled() if m.slug in lines_of(user) for link in m.person_links if _may_open(link[0])]


def _may_open(endpoint: str) -> bool:
    """Whether the logged-in user holds the permission of ``endpoint``'s view method (unknown: yes)."""
    from flask import current_app

    view_name, _dot, method = endpoint.partition(".")
    appbuilder = current_app.appbuilder
    for view in appbuilder.baseviews:
        if type(view).__name__ == view_name and getattr(view, "class_permission_name", None):
            permission = "can_" + (getattr(view, "method_permission_name", None) or {}).get(method, method)
            return bool(appbuilder.sm.has_access(permission, view.class_permission_name))
    return True


def each(attribute: str) -> list[tuple[Module, Any]]:
    """(module, value) for every enabled module that declares ``attribute``."""
    return [(m, getattr(m, attribute)) for m in enabled() if getattr(m, attribute)]


def call_each(attribute: str, *args: Any) -> None:
    for module, target in each(attribute):
        module.call(target, *args)

