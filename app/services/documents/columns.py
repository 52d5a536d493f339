"""Column specs shared by import and export: one declaration gives the template, the checks,
the Excel headers and the labels.

A module declares its columns once::

    COLUMNS = [
        Column("name", _l("姓名"), required=True, max_len=10),
        Column("id_number", _l("证件号码"), required=True, kind="idcard", unique=True),
        Column("sex", _l("性别"), required=True, kind="dict", dict_code="sex"),
    ]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.services.core import dicts
from app.services.core.validators import MOBILE_RE, PHONE_RE, check_id_number, check_mobile, check_phone

CellParser = Callable[[Any], tuple[Any, str | None]]
# a column of cells (one chunk of rows) -> (the values, [(position, reason)] of the failing cells)
ColumnParser = Callable[[Sequence[Any]], tuple[list[Any], list[tuple[int, str]]]]


def _whole_column(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``^X$`` (as ``match``ed on one stripped value) -> a pattern that accepts many values joined and
    ended by newlines when each of them is accepted; None when the pattern has another shape."""
    text = pattern.pattern
    if not (text.startswith("^") and text.endswith("$")) or pattern.flags & (re.MULTILINE | re.DOTALL):
        return None
    if any(part in text for part in (".", "\\s", "\\S", "\\D", "\\W", "[^", "\\n")):
        return None  # could match a newline: the joined values would not split where they were joined
    return re.compile("(?:(?:" + text[1:-1] + ")\n)*")


_MOBILES = _whole_column(MOBILE_RE)
_PHONES = _whole_column(PHONE_RE)
_YM_ASCII = re.compile(r"(?:(?:19[0-9][0-9]|[2-9][0-9][0-9][0-9])(?:0[1-9]|1[0-2])\n)*")


@dataclass
class Column:
    key: str
    header: Any
    required: bool = False
    kind: str = "str"  # str | int | date | ym | dict | idcard | mobile | phone | bool | unit
    dict_code: str | None = None
    max_len: int | None = None
    unique: bool = False  # within the file and against the database
    note: Any = None
    width: int = 16
    masked: str | None = None  # "id" | "phone": exported masked unless the user may see it in full

    @property
    def label(self) -> str:
        return str(self.header)

    def hint(self) -> str:
        """The note shown on the template's header cell."""
        parts = []
        if self.required:
            parts.append(_("必填"))
        if self.kind == "date":
            parts.append(_("日期，格式 2024-01-31"))
        elif self.kind == "ym":
            parts.append(_("年月，格式 yyyyMM，如 197805"))
        elif self.kind == "idcard":
            parts.append(_("18位身份证号码，按文本填写"))
        elif self.kind == "phone":
            parts.append(_("手机号码或带区号的固定电话"))
        elif self.kind == "mobile":
            parts.append(_("11位手机号码"))
        elif self.kind == "dict":
            parts.append(_("从下拉列表中选择"))
        elif self.kind == "bool":
            parts.append(_("填“是”或“否”"))
        elif self.kind == "unit":
            parts.append(_("本单位或下级单位的名称或统一社会信用代码"))
        elif self.kind == "int":
            parts.append(_("整数"))
        if self.max_len:
            parts.append(_("不超过%(n)s个字", n=self.max_len))
        if self.note:
            parts.append(str(self.note))
        return "；".join(parts)

    def choices(self) -> list[tuple[str, str]]:
        return dicts.choices(self.dict_code) if self.dict_code else []

    @property
    def text_only(self) -> bool:
        """ID numbers must arrive as text: a number typed into Excel is a rounded float."""
        return self.kind == "idcard" or self.masked == "id"

    def parse(self, raw: Any) -> tuple[Any, str | None]:
        """(value, None) or (None, a Chinese reason)."""
        return self.parser()(raw)

    def parser(self, choices: list[tuple[str, str]] | None = None) -> Callable[[Any], tuple[Any, str | None]]:
        """A parser for many cells: dictionary look-ups and messages are prepared once, here.

        ``choices`` (code, label) replaces the dictionary look-up (an import builds it once)."""
        kind, required, max_len = self.kind, self.required, self.max_len
        missing: tuple[Any, str | None] = (None, _("必填")) if required else (None, None)
        too_long = _("不能超过%(n)s个字", n=max_len) if max_len else ""
        if self.text_only:
            not_text = _("证件号码须为文本格式")
        elif kind in ("mobile", "phone"):
            not_text = _("电话号码须为文本格式")
        else:
            not_text = ""

        def text_of(raw: Any) -> str | None:
            """The cell as text, or None when it is a number that must not be taken as text."""
            if isinstance(raw, bool):
                return "是" if raw else "否"
            if isinstance(raw, float):
                if not_text and (self.text_only or not raw.is_integer() or abs(raw) >= 2 ** 53):
                    return None  # rounded or not a whole number: never guess the digits
                return str(int(raw)) if raw.is_integer() else str(raw)
            if isinstance(raw, int):
                return None if self.text_only else str(raw)
            if isinstance(raw, dt.datetime):
                return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
            if isinstance(raw, dt.date):
                return raw.isoformat()
            return str(raw).strip()

        if kind == "dict":
            pairs = choices if choices is not None else self.choices()
            lookup = {code: code for code, _label in pairs}
            lookup.update({label: code for code, label in pairs})
            bad_choice = _("“%(v)s”不是有效的选项", v="\x00").split("\x00")

            def parse_dict(raw: Any) -> tuple[Any, str | None]:
                text = raw.strip() if raw.__class__ is str else (None if raw is None else text_of(raw))
                if not text:
                    return missing
                code = lookup.get(text)
                if code is not None:
                    return code, None
                return None, bad_choice[0] + text + bad_choice[-1]

            return parse_dict

        if kind in ("str", "idcard", "mobile", "phone"):
            upper = kind == "idcard"
            check = check_id_number if kind == "idcard" else check_mobile if kind == "mobile" else (
                check_phone if kind == "phone" else None)

            def parse_text(raw: Any) -> tuple[Any, str | None]:
                if raw.__class__ is str:
                    text = raw.strip()
                elif raw is None:
                    return missing
                else:
                    text = text_of(raw)
                    if text is None:
                        return None, not_text
                if not text:
                    return missing
                if upper:
                    text = text.upper()
                if check is not None:
                    reason = check(text)
                    if reason:
                        return None, reason
                if max_len and len(text) > max_len:
                    return None, too_long
                return text, None

            return parse_text

        if kind == "bool":
            yes, no, not_bool = (True, None), (False, None), (None, _("请填“是”或“否”"))
            words = {"是": yes, "1": yes, "Y": yes, "y": yes, "true": yes, "True": yes,
                     "否": no, "0": no, "N": no, "n": no, "false": no, "False": no}

            def parse_bool(raw: Any) -> tuple[Any, str | None]:
                if raw.__class__ is str:
                    raw = raw.strip()
                    if not raw:
                        return missing
                    return words.get(raw, not_bool)
                if raw is None:
                    return missing
                if isinstance(raw, bool):
                    return (raw, None)
                if isinstance(raw, (int, float)) and raw in (0, 1):
                    return (bool(raw), None)
                return not_bool

            return parse_bool

        if kind == "ym":
            this_month = dt.date.today().strftime("%Y%m")  # once per parser, not per cell
            bad_ym = (None, _("年月格式不正确，应为 yyyyMM，如 197805"))
            future = (None, _("年月不能晚于当前"))

            def parse_ym(raw: Any) -> tuple[Any, str | None]:
                if raw.__class__ is str:
                    text = raw.strip()
                    if not text:
                        return missing
                    if len(text) != 6 or not text.isdigit():
                        text = text.replace("-", "").replace("/", "").replace(".", "")
                elif raw is None:
                    return missing
                elif isinstance(raw, (dt.date, dt.datetime)):
                    return f"{raw.year:04d}{raw.month:02d}", None
                else:
                    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
                if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12 or not "1900" <= text[:4]:
                    return bad_ym
                if text > this_month:
                    return future
                return text, None

            return parse_ym

        def parse_other(raw: Any) -> tuple[Any, str | None]:
            if raw.__class__ is str:
                raw = raw.strip()
            elif isinstance(raw, float) and raw.is_integer() and kind != "date":
                raw = int(raw)
            if raw is None or raw == "":
                return missing
            return self._parse_other(raw)

        return parse_other

    def column_parser(self, choices: list[tuple[str, str]] | None = None) -> ColumnParser:
        """A parser for a column of cells (one chunk of rows), with the results of ``parser`` cell by cell.

        A column of plain text cells (what a filled-in template holds) is checked as a whole: the
        cells are stripped in one comprehension, looked up or matched as one string, and measured
        with C loops. When anything there is not plain (a number, an empty required cell, a value
        the whole-column check does not accept), the column goes through ``parser`` cell by cell:
        the fast path only ever accepts cells whose results it knows to be the same."""
        cell = self.parser(choices)
        fast = self._column_fast(choices)

        def parse_column(raw: Sequence[Any]) -> tuple[list[Any], list[tuple[int, str]]]:
            if fast is not None and raw and set(map(type, raw)) == {str}:
                values = fast([v.strip() for v in raw])
                if values is not None:
                    return values, []
            values, errors = [], []
            append = values.append
            for i, r in enumerate(raw):
                v, reason = cell(r)
                if reason is not None:
                    errors.append((i, reason))
                append(v)
            return values, errors

        return parse_column

    def _column_fast(self, choices: list[tuple[str, str]] | None) -> Callable[[list[str]], list[Any] | None] | None:
        """values of a column of stripped texts, or None when they need the cell parser."""
        kind, required, max_len = self.kind, self.required, self.max_len

        def present(texts: list[str]) -> tuple[list[str], int] | None:
            """The non-empty texts and the number of empty ones (None: an empty required cell)."""
            empty = texts.count("")
            if not empty:
                return texts, 0
            if required:
                return None
            return [t for t in texts if t], empty

        if kind == "dict":
            pairs = choices if choices is not None else self.choices()
            lookup = {code: code for code, _label in pairs}
            lookup.update({label: code for code, label in pairs})
            if "" in lookup:
                return None
            get = lookup.get

            def dict_column(texts: list[str]) -> list[Any] | None:
                if required and "" in texts:
                    return None
                codes = list(map(get, texts))
                if None in codes and codes.count(None) != texts.count(""):
                    return None  # a value that is not an option
                return codes

            return dict_column

        if kind == "bool":
            words = {"是": True, "1": True, "Y": True, "y": True, "true": True, "True": True,
                     "否": False, "0": False, "N": False, "n": False, "false": False, "False": False}
            get = words.get

            def bool_column(texts: list[str]) -> list[Any] | None:
                if required and "" in texts:
                    return None
                values = list(map(get, texts))
                if None in values and values.count(None) != texts.count(""):
                    return None
                return values

            return bool_column

        if kind == "ym":
            this_month = dt.date.today().strftime("%Y%m")

            def ym_column(texts: list[str]) -> list[Any] | None:
                found = present(texts)
                if found is None:
                    return None
                filled, empty = found
                if filled and (max(filled) > this_month or not _YM_ASCII.fullmatch("\n".join(filled) + "\n")):
                    return None  # not six ASCII digits of a month from 1900 on, or later than now
                return [t or None for t in texts] if empty else texts

            return ym_column

        if kind in ("str", "mobile", "phone"):
            whole = _MOBILES if kind == "mobile" else _PHONES if kind == "phone" else None
            if kind != "str" and whole is None:
                return None

            def text_column(texts: list[str]) -> list[Any] | None:
                found = present(texts)
                if found is None:
                    return None
                filled, empty = found
                if filled:
                    if max_len and max(map(len, filled)) > max_len:
                        return None
                    if whole is not None:
                        joined = "\n".join(filled) + "\n"
                        if joined.count("\n") != len(filled) or not whole.fullmatch(joined):
                            return None
                return [t or None for t in texts] if empty else texts

            return text_column

        return None

    def _parse_other(self, raw: Any) -> tuple[Any, str | None]:
        if self.kind == "bool":
            text = str(raw)
            if text in ("是", "1", "Y", "y", "true", "True"):
                return True, None
            if text in ("否", "0", "N", "n", "false", "False"):
                return False, None
            return None, _("请填“是”或“否”")
        if self.kind == "int":
            try:
                return int(str(raw)), None
            except ValueError:
                return None, _("应为整数")
        if self.kind == "date":
            if isinstance(raw, dt.datetime):
                return raw.date(), None
            if isinstance(raw, dt.date):
                return raw, None
            text = str(raw).replace("/", "-").replace(".", "-")
            try:
                return dt.date.fromisoformat(text), None
            except ValueError:
                return None, _("日期格式不正确，应为 2024-01-31")
        if self.kind == "ym":
            if isinstance(raw, (dt.date, dt.datetime)):
                return f"{raw.year:04d}{raw.month:02d}", None
            text = str(raw).replace("-", "").replace("/", "").replace(".", "")
            if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12 or not 1900 <= int(text[:4]):
                return None, _("年月格式不正确，应为 yyyyMM，如 197805")
            if text > dt.date.today().strftime("%Y%m"):
                return None, _("年月不能晚于当前")
            return text, None
        text = str(raw)  # "unit": the name or credit code, resolved by the import
        if self.max_len and len(text) > self.max_len:
            return None, _("不能超过%(n)s个字", n=self.max_len)
        return text, None

    def display(self, value: Any) -> Any:
        """How a stored value reads in an export (dictionary labels, 是/否, dates)."""
        if value is None:
            return ""
        if self.kind == "dict" and self.dict_code:
            return dicts.label(self.dict_code, value) or value
        if self.kind == "bool":
            return _("是") if value else _("否")
        if isinstance(value, dt.datetime):
            from app.filters import local_time

            return local_time(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value
