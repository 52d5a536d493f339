"""Demo data of 职称评审 (seed 004): a 四川 evaluation season.

四川省人力资源和社会保障厅 (人社部门, the platform demo's ``sc``) with 乐山市人力资源和社会保障局 below it; two 主管部门 of 乐山
(住房和城乡建设局, 经济和信息化局) with their 申报单位; a provincial 主管部门 (四川省教育厅).
Accounts: ``<login>_admin`` and ``<login>_staff`` of every unit (password: seed.demo.DEMO_PASSWORD).
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit

# login, name, parent login, region, categories, nature
UNITS = [
    ("sc", "四川省人力资源和社会保障厅", None, "510000", ["title.hr"], "10"),
    ("sc_jyt", "四川省教育厅", "sc", "510000", ["title.competent"], "10"),
    ("ls", "乐山市人力资源和社会保障局", "sc", "511100", ["title.hr"], "10"),
    ("ls_zjj", "乐山市住房和城乡建设局", "ls", "511100", ["title.competent"], "10"),
    ("ls_jxj", "乐山市经济和信息化局", "ls", "511100", ["title.competent"], "10"),
    ("ls_jzy", "乐山市建筑设计研究院", "ls_zjj", "511102", ["title.applicant"], "20"),
    ("ls_lq", "乐山市路桥建设有限公司", "ls_zjj", "511102", ["title.applicant"], "30"),
    ("ls_jx", "乐山市机械制造有限公司", "ls_jxj", "511112", ["title.applicant"], "40"),
]


def units() -> dict[str, Unit]:
    """The demo's units by login prefix (after ``load_title``)."""
    by_name = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.name.in_([n for _l, n, *_r in UNITS])))}
    return {login: by_name[name] for login, name, *_rest in UNITS if name in by_name}


def load_title(root: Unit, rng: random.Random) -> None:
    from seed import demo
    from seed.demo import _accounts, _unit

    if db.session.scalar(select(Unit.id).where(Unit.name == UNITS[2][1])):
        return
    demo._seq[0] = max(demo._seq[0], 4000)  # credit codes of their own, also when run alone
    made: dict[str, Any] = {}
    for login, name, parent, region, cats, nature in UNITS:
        existing = db.session.scalar(select(Unit).where(Unit.name == name))
        if existing is not None:  # the platform demo's province (sc_admin, sc_staff)
            made[login] = existing
            continue
        made[login] = _unit(made[parent] if parent else root, name, region, cats, nature)
        _accounts(made[login], login, rng)
    db.session.commit()
