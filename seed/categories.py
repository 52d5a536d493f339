"""Unit categories per business line and which categories each may grant (P-01)."""

from __future__ import annotations

# code: (name, line, sort, grants)
# code: (name, line, sort, grants). The platform's root, and the lines not yet built as modules (their
# categories move into their module's manifest when it lands); each enabled module adds its own.
CATEGORIES: dict[str, tuple[str, str, int, list[str]]] = {
    "core.root": ("平台根单位", "core", 0, ["cedu.hr", "foreign.national", "foreign.gk"]),
    # 继续教育 (002)
    "cedu.hr": ("人社部门（继续教育）", "cedu", 30, ["cedu.hr", "cedu.competent", "cedu.employer", "cedu.base"]),
    "cedu.competent": ("主管部门（继续教育）", "cedu", 31, ["cedu.competent", "cedu.employer", "cedu.base"]),
    "cedu.employer": ("用人单位（继续教育）", "cedu", 32, ["cedu.employer"]),
    "cedu.base": ("继教基地", "cedu", 33, []),
    # 外国专家项目 (001)
    "foreign.national": ("国家外国专家管理部门", "foreign", 40, ["foreign.gk", "foreign.univ"]),
    "foreign.gk": ("归口管理单位", "foreign", 41, ["foreign.gk", "foreign.employer"]),
    "foreign.employer": ("用人单位（外专）", "foreign", 42, []),
    "foreign.univ": ("部属高校", "foreign", 43, []),
}


def categories_table() -> dict[str, tuple[str, str, int, list[str]]]:
    """The categories of this deployment: the platform's and the enabled lines' (the root grants each
    line's top categories)."""
    from app.modules import enabled

    table = {code: (name, line, sort, list(grants)) for code, (name, line, sort, grants) in CATEGORIES.items()}
    for module in enabled():
        for code, (name, sort, grants) in module.categories.items():
            table[code] = (name, module.slug, sort, list(grants))
        table["core.root"][3].extend(g for g in module.root_grants if g not in table["core.root"][3])
    return dict(sorted(table.items(), key=lambda kv: kv[1][2]))


def sync_categories() -> int:
    from sqlalchemy import select

    from app.extensions import db
    from models.core.unit import Category

    table = categories_table()
    by_code = {c.code: c for c in db.session.scalars(select(Category))}
    for code, (name, line, sort, _grants) in table.items():
        cat = by_code.get(code)
        if cat is None:
            cat = Category(code=code, name=name, line=line, sort=sort)
            db.session.add(cat)
            by_code[code] = cat
        else:
            cat.name, cat.line, cat.sort = name, line, sort
    db.session.flush()
    for code, (_n, _l, _s, grants) in table.items():
        by_code[code].grants = [by_code[g] for g in grants]
    db.session.commit()
    return len(table)
