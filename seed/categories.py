"""Unit categories per business line and which categories each may grant (P-01)."""

from __future__ import annotations

# code: (name, line, sort, grants)
CATEGORIES: dict[str, tuple[str, str, int, list[str]]] = {
    "core.root": ("平台根单位", "core", 0, [
        "grassroots.manage", "title.hr", "cedu.hr", "foreign.national", "foreign.gk",
        "commissioner.province",
    ]),
    # 专家服务基层 (000)
    "grassroots.manage": ("管理部门", "grassroots", 10, ["grassroots.manage", "grassroots.exec"]),
    "grassroots.exec": ("基层执行单位", "grassroots", 11, []),
    # 职称评审 (004)
    "title.hr": ("人社部门", "title", 20, [
        "title.hr", "title.competent", "title.applicant", "title.self_review", "title.central",
    ]),
    "title.competent": ("主管部门", "title", 21, ["title.competent", "title.applicant"]),
    "title.applicant": ("申报单位", "title", 22, ["title.applicant"]),
    "title.self_review": ("自主评审单位", "title", 23, ["title.applicant"]),
    "title.central": ("中央在川单位", "title", 24, ["title.applicant"]),
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
    # 科技特派员 (003)
    "commissioner.province": ("省科技厅", "commissioner", 50, [
        "commissioner.city", "commissioner.legal", "commissioner.dispatched",
    ]),
    "commissioner.city": ("地市科技管理部门", "commissioner", 51, ["commissioner.legal", "commissioner.dispatched"]),
    "commissioner.legal": ("法人单位", "commissioner", 52, []),
    "commissioner.dispatched": ("派驻单位", "commissioner", 53, []),
}


def sync_categories() -> int:
    from sqlalchemy import select

    from app.extensions import db
    from models.core.unit import Category

    by_code = {c.code: c for c in db.session.scalars(select(Category))}
    for code, (name, line, sort, _grants) in CATEGORIES.items():
        cat = by_code.get(code)
        if cat is None:
            cat = Category(code=code, name=name, line=line, sort=sort)
            db.session.add(cat)
            by_code[code] = cat
        else:
            cat.name, cat.line, cat.sort = name, line, sort
    db.session.flush()
    for code, (_n, _l, _s, grants) in CATEGORIES.items():
        by_code[code].grants = [by_code[g] for g in grants]
    db.session.commit()
    return len(CATEGORIES)
