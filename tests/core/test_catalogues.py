"""The project's own checks of its catalogues and migrations (issue 16, 7): every string the code
marks for translation is in the zh and en catalogues with a translation, and Alembic has one head."""

from __future__ import annotations

import os
import subprocess
import sys

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_extracted_string_is_translated_in_zh_and_en(tmp_path):
    pot = tmp_path / "project.pot"
    pybabel = os.path.join(os.path.dirname(sys.executable), "pybabel")
    subprocess.run([pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "_", "-k", "_l", "-k", "gettext", "-k",
                    "lazy_gettext", "-k", "ngettext", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True)
    with open(pot, "rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    assert len(wanted) > 1000
    for locale in ("zh", "en"):
        with open(os.path.join(ROOT, "translations", locale, "LC_MESSAGES", "messages.po"), "rb") as fh:
            cat = read_po(fh)
        have = {m.id: m.string for m in cat if m.id}
        missing = sorted(str(i) for i in wanted if i not in have)
        empty = sorted(str(i) for i in wanted if i in have and not (all(have[i]) if isinstance(have[i], tuple)
                                                                  else have[i]))
        assert not missing, f"{locale}: not in the catalogue (run translations/update.sh): {missing[:10]}"
        assert not empty, f"{locale}: without a translation: {empty[:10]}"
        with open(os.path.join(ROOT, "translations", locale, "LC_MESSAGES", "messages.mo"), "rb") as fh:
            compiled = {m.id for m in read_mo(fh) if m.id}
        assert not (wanted - compiled), f"{locale}: compile the catalogue (pybabel compile -d translations)"


def test_alembic_has_one_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(ROOT, "app", "migrations"))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, heads
