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
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.services.core import dicts
from app.services.core.validators import check_id_number, check_mobile, check_phone


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

    def parse(self, raw: Any) -> tuple[Any, str | None]:
        """(value, None) or (None, a Chinese reason)."""
        if isinstance(raw, float) and raw.is_integer() and self.kind not in ("date",):
            raw = int(raw)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, ""):
            return (None, _("必填")) if self.required else (None, None)
        if self.kind == "dict":
            text = str(raw)
            by_label = {label: code for code, label in self.choices()}
            codes = {code for code, _label in self.choices()}
            if text in by_label:
                return by_label[text], None
            if text in codes:
                return text, None
            return None, _("“%(v)s”不是有效的选项", v=text)
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
        text = str(raw)
        if self.kind == "idcard":
            text = text.upper()
            reason = check_id_number(text)
            if reason:
                return None, reason
            return text, None
        if self.kind == "mobile":
            reason = check_mobile(text)
            return (None, reason) if reason else (text, None)
        if self.kind == "phone":
            reason = check_phone(text)
            return (None, reason) if reason else (text, None)
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
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value
