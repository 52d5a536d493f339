#!/usr/bin/env bash
# Refresh the zh and en catalogues from the project sources and from
# Flask-AppBuilder's own sources, keeping existing translations.
# Run from the project root:   bash translations/update.sh
# Then fill any new empty msgstr and run:  .venv/bin/pybabel compile -d translations
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
PYBABEL="$VENV/bin/pybabel"
PY="$VENV/bin/python"
TRANSLATIONS=translations
LOCALES="zh en"
KEYWORDS=(-k _ -k _l -k gettext -k lazy_gettext -k ngettext)

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

FAB_DIR="$("$PY" -c 'import os, flask_appbuilder; print(os.path.dirname(flask_appbuilder.__file__))')"

# 1. Our own strings.
"$PYBABEL" -q extract -F babel.cfg "${KEYWORDS[@]}" --no-location --sort-output \
    -o "$TMP/project.pot" .

# 2. Every msgid of Flask-AppBuilder (python files and templates).
cat > "$TMP/fab.cfg" <<'CFG'
[python: **.py]
[jinja2: **/templates/**.html]
extensions=jinja2.ext.do
CFG
"$PYBABEL" -q extract -F "$TMP/fab.cfg" "${KEYWORDS[@]}" --no-location --sort-output \
    -o "$TMP/fab.pot" "$FAB_DIR"

# 3. Merge both templates (msgcat is not available).
"$PY" - "$TMP/project.pot" "$TMP/fab.pot" "$TMP/messages.pot" <<'PYCODE'
import sys
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

out = Catalog(project="talent-platform", charset="utf-8")
for path in sys.argv[1:3]:
    with open(path, "rb") as fh:
        cat = read_po(fh)
    for msg in cat:
        if not msg.id:
            continue
        if msg.id in out:
            existing = out[msg.id]
            for flag in msg.flags:
                existing.flags.add(flag)
            continue
        out.add(msg.id, string=msg.string, flags=msg.flags,
                auto_comments=msg.auto_comments, user_comments=msg.user_comments,
                context=msg.context)
with open(sys.argv[3], "wb") as fh:
    write_po(fh, out, sort_output=True, omit_header=False, width=0)
PYCODE

# 4. Update (or create) the catalogues.
for loc in $LOCALES; do
    po="$TRANSLATIONS/$loc/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        "$PYBABEL" -q update --no-fuzzy-matching --no-wrap \
            -i "$TMP/messages.pot" -d "$TRANSLATIONS" -l "$loc"
    else
        "$PYBABEL" -q init --no-wrap -i "$TMP/messages.pot" -d "$TRANSLATIONS" -l "$loc"
    fi
done

# 5. Report what is left to translate.
"$PY" - $LOCALES <<'PYCODE'
import sys
from babel.messages.pofile import read_po
for loc in sys.argv[1:]:
    path = f"translations/{loc}/LC_MESSAGES/messages.po"
    with open(path, "rb") as fh:
        cat = read_po(fh)
    msgs = [m for m in cat if m.id]
    empty = [m for m in msgs if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m for m in msgs if m.fuzzy]
    print(f"{loc}: {len(msgs)} entries, {len(empty)} untranslated, {len(fuzzy)} fuzzy")
PYCODE
