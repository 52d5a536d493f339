"""Issue 15.6: every list page of the url_map, and the first record's page of each, read in Chinese
for the administrators who work in them — no Python repr, no ``__None``, no English word from the
list below (FAB's and the browser widgets' defaults that leaked before)."""

from __future__ import annotations

import re
from typing import Any

import lxml.html

ACTORS = ["sysadmin", "secadmin", "auditadmin", "hb_admin", "hbkj_admin", "center_admin"]
BANNED = [
    "object at 0x", "__None", "No row selected", "Remove all items", "Public", "Record Count", "Search",
    "Actions", "Refresh", "Back", "Save", "Delete", "Edit", "Show", "List ", "Add Filter", "Unit Id",
    "can_", "on UnitView", "menu_access", "Permission", "Views/Menus", "None", "True", "False",
]
# English that is a proper name or a format, not an untranslated label
ALLOWED = re.compile(r"PDF|Excel|Word|JPG|PNG|ZIP|XLSX|CSV|API|IP|ID|https?://\S+|\S+@\S+"
                     r"|（[A-Za-z_]+）")  # a view's technical name beside its Chinese name


def _visible_text(html: str) -> str:
    doc = lxml.html.fromstring(html)
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    text = " ".join(doc.itertext())
    titles = " ".join(doc.xpath("//@title|//@placeholder|//option/text()"))
    return ALLOWED.sub(" ", f"{text} {titles}")


def _list_urls(app: Any) -> list[str]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith(".list") and "GET" in rule.methods and not rule.arguments:
            out.append(rule.rule)
    return sorted(set(out))


def test_lists_and_records_read_in_chinese(app, login_as):
    problems: list[str] = []
    pages = 0
    urls = _list_urls(app)
    for actor in ACTORS:
        c = login_as(actor)
        for url in urls:
            r = c.get(url)
            if r.status_code != 200 or "html" not in (r.content_type or ""):
                continue
            html = r.get_data(as_text=True)
            todo = [(url, html)]
            show = re.search(r'href="([^"]*/show/\d+)"', html)
            if show:
                s = c.get(show.group(1))
                if s.status_code == 200:
                    todo.append((show.group(1), s.get_data(as_text=True)))
            for where, body in todo:
                pages += 1
                text = _visible_text(body)
                for word in BANNED:
                    if re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![a-z])", text):
                        problems.append(f"{actor} {where}: {word}")
    assert pages > 60, pages
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_audit_object_type_and_action_has_a_chinese_name(app):
    """The audit log names what happened in Chinese: every table, screen and recorded action."""
    import subprocess

    from flask_appbuilder.models.sqla import Model

    from views.core.audit import ACTIONS, object_type_label

    with app.test_request_context():
        missing = [t for t in Model.metadata.tables if object_type_label(t) == t]
        views = [type(v).__name__ for v in app.appbuilder.baseviews if getattr(v, "list_title", None)]
        missing += [v for v in views if object_type_label(v) == v]
    assert not missing, missing
    out = subprocess.run(["grep", "-rhoE", r"audit\.record(_now)?\(\s*\"[a-z_]+\"", "app", "views"],
                         capture_output=True, text=True, check=False).stdout
    actions = set(re.findall(r'"([a-z_]+)"', out))
    assert actions and not sorted(a for a in actions if a not in ACTIONS)
