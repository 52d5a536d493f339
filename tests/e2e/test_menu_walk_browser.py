"""Issue 15, the walk: every menu entry of every kind of user, clicked from the navbar in Chromium —
no error page, no dead end (a 403/404 behind a menu entry), no English label, no Python repr.

The roles are those the manuals give the P, G and TC features to: the three administrators and the
platform root; a province, a city, a county, an executing unit and a staff member of 专家服务基层;
the 科技特派员 province, a city, a legal-person unit, an individual commissioner and a team leader."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.core.test_no_english import BANNED, _visible_text
from tests.e2e.conftest import login, shot

WALKERS = [
    "sysadmin", "secadmin", "auditadmin", "center_admin",
    "hb_admin", "hb_wh_admin", "hb_wh_ja_admin", "hb_wh_ja_e1_admin", "hb_wh_staff",
    "hbkj_admin", "hbkj_wh_admin", "hbkj_hbaas_admin", "ktp_push", "ktp_lead_done",
]
DEAD_END = re.compile(r"权限不足|没有访问权限|页面不存在|服务器内部错误|Internal Server Error|Not Found|Forbidden")


def _menu_links(page) -> list[tuple[str, str]]:
    """(label, path) of every entry of the navbar's menus (the user menu's 退出 aside)."""
    out = []
    for a in page.query_selector_all(
            "div.navbar .dropdown-menu a[href], div.navbar ul.navbar-nav > li > a[href]"):
        href = a.get_attribute("href") or ""
        label = (a.text_content() or "").strip()
        if not href.startswith("/") or href.startswith(("/logout", "/lang/")) or href == "#":
            continue
        out.append((label, href))
    return list(dict.fromkeys(out))


def test_every_menu_entry_of_every_role_opens_a_chinese_page(page):
    problems: list[str] = []
    visited = 0
    for n, user in enumerate(WALKERS):
        page.context.clear_cookies()
        login(page, user)
        assert urlsplit(page.url).path != "/login/", f"{user} could not log in"
        shot(page, f"60-walk-{n:02d}-{user}-home.png")
        links = _menu_links(page)
        assert links, f"{user} has no menu"
        for label, href in links:
            response = page.goto(page.base + href)
            visited += 1
            status = response.status if response is not None else 0
            if status >= 400:
                problems.append(f"{user} {label} {href}: HTTP {status}")
                continue
            text = _visible_text(page.content())
            dead = DEAD_END.search(text)
            if dead:
                problems.append(f"{user} {label} {href}: {dead.group(0)}")
            for word in BANNED:
                if re.search(rf"(?<![A-Za-z_]){re.escape(word.strip())}(?![A-Za-z_])", text):
                    problems.append(f"{user} {label} {href}: English or raw value {word!r}")
    assert visited > 150, visited
    assert not problems, "\n".join(problems)
