"""Checks shared by forms, imports and services. Messages are Chinese via Babel."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Enum, String
from sqlalchemy import inspect as sa_inspect
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")
LOGIN_RE = re.compile(r"^[A-Za-z0-9_.@-]{4,64}$")


def check_credit_code(value: str) -> str | None:
    """统一社会信用代码 (GB 32100): None when valid, else the Chinese reason."""
    if not value:
        return _("请填写统一社会信用代码")
    code = value.strip().upper()
    if len(code) != 18:
        return _("统一社会信用代码应为18位")
    try:
        uscc.validate(code)
    except StdnumError:
        return _("统一社会信用代码校验位不正确")
    return None


def normalize_credit_code(value: str) -> str:
    return value.strip().upper()


PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
}


@functools.lru_cache(maxsize=65536)
def _is_date(digits: str) -> bool:
    """Whether eight digits yyyymmdd name a calendar date (remembered: an import checks many numbers)."""
    try:
        dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


def check_id_number(value: str) -> str | None:
    """居民身份证号码 (GB 11643): format, province, birth date and check digit.

    python-stdnum's cn.ric gives the check digit and the birth date; its own
    ``validate`` also looks the county up in a table that lacks some current codes
    (420503 伍家岗区, for one), so the county is not checked here.
    """
    if not value:
        return _("请填写身份证号码")
    if len(value) == 18 and value.isascii():  # the common case, without stdnum's clean-up
        number = value.upper()
    else:
        number = ric.compact(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号码应为18位，最后一位可为X")
    if number[:2] not in PROVINCE_CODES:
        return _("身份证号码的地区码不正确")
    if not _is_date(number[6:14]):  # what ric.get_birth_date checks
        return _("身份证号码中的出生日期不正确")
    checksum = (1 - 2 * int(number[:17], 13)) % 11  # ric.calc_check_digit
    if ("X" if checksum == 10 else str(checksum)) != number[17]:
        return _("身份证号码校验位不正确")
    return None


def to_id(raw: Any) -> int | None:
    """A typed number (an id, a page, a year) as an int, or None when it is not 1–18 digits: a
    longer digit string would overflow the database's integer or Python's int parsing limit."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if 0 < len(text) <= 18 and text.isdigit() else None


def check_mobile(value: str) -> str | None:
    if not value or not MOBILE_RE.match(value.strip()):
        return _("请填写正确的11位手机号码")
    return None


def check_phone(value: str) -> str | None:
    if value and not PHONE_RE.match(value.strip()):
        return _("请填写正确的电话号码")
    return None


def check_login_name(value: str) -> str | None:
    if not value or not LOGIN_RE.match(value):
        return _("登录名为4至64位字母、数字或 _ . @ -")
    return None


def check_password(value: str, login: str = "") -> str | None:
    """等保 password rule: 8+ characters, 3 of 4 character classes, no login name."""
    if not value or len(value) < 8:
        return _("密码至少8位")
    classes = sum(
        [
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        ]
    )
    if classes < 3:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    if login and login.lower() in value.lower():
        return _("密码不能包含登录名")
    return None


# -- lengths ------------------------------------------------------------------------------
# Every typed value is checked against the column that stores it: a String(n) column allows
# n characters (the database's own limit); a Text column allows TEXT_MAX_LENGTH characters
# (app config ``TEXT_MAX_LENGTH`` overrides), or less where a column declares
# ``info={"max_length": n}``. Forms, services and the REST API all read the limit from here.

TEXT_MAX_LENGTH = 20000
OPINION_MAX_LENGTH = 2000  # a review opinion (core_review_trail.opinion is Text)


def text_max_length() -> int:
    from flask import current_app

    try:
        return int(current_app.config.get("TEXT_MAX_LENGTH", TEXT_MAX_LENGTH))
    except RuntimeError:  # outside an application context
        return TEXT_MAX_LENGTH


def _column(column: Any) -> Any:
    """A Column from a Column, a mapped attribute (``Model.attr``) or a column property."""
    prop = getattr(column, "property", column)
    cols = getattr(prop, "columns", None)
    return cols[0] if cols else column


def max_length(column: Any) -> int | None:
    """The number of characters a string column stores, or None for a non-string column."""
    col = _column(column)
    col_type = getattr(col, "type", None)
    if not isinstance(col_type, String) or isinstance(col_type, Enum):
        return None
    declared = (getattr(col, "info", None) or {}).get("max_length")
    if col_type.length:
        return min(col_type.length, declared) if declared else col_type.length
    return declared or text_max_length()


def too_long_message(limit: int, label: Any = None) -> str:
    if label:
        return _("%(f)s不能超过%(n)s个字", f=str(label), n=limit)
    return _("不能超过%(n)s个字", n=limit)


def check_length(value: Any, column: Any, label: Any = None) -> str | None:
    """None when ``value`` fits the column, else the Chinese reason."""
    limit = max_length(column)
    if limit is None or not isinstance(value, str) or len(value) <= limit:
        return None
    return too_long_message(limit, label)


def length_error(model: Any, **values: Any) -> tuple[str, str] | None:
    """The first value that does not fit its column of ``model``: (attribute, reason), or None.

    ``length_error(Unit, name=data.name, phone=data.phone)``; attributes that are not
    string columns of the model are ignored."""
    mapper = sa_inspect(model)
    for key, value in values.items():
        prop = mapper.attrs.get(key)
        if prop is None or not hasattr(prop, "columns"):
            continue
        reason = check_length(value, prop)
        if reason:
            return key, reason
    return None


def instance_length_error(obj: Any) -> tuple[str, str] | None:
    """The first string attribute of a mapped object longer than its column (set values only)."""
    state = sa_inspect(obj)
    for prop in state.mapper.column_attrs:
        value = state.dict.get(prop.key)
        if isinstance(value, str):
            reason = check_length(value, prop)
            if reason:
                return prop.key, reason
    return None


class ColumnLength:
    """WTForms validator: the value fits ``column`` (a String(n) or Text column, or a number).

    Stops the chain with a Chinese message, so a too-long value gets one clear error."""

    field_flags = {}  # noqa: RUF012 - WTForms reads it

    def __init__(self, column: Any = None, *, limit: int | None = None):
        self.column = column
        self.limit = limit

    def max(self) -> int | None:
        return self.limit if self.limit is not None else max_length(self.column)

    def __call__(self, form: Any, field: Any) -> None:
        from wtforms.validators import StopValidation

        limit = self.max()
        data = field.data
        if limit is not None and isinstance(data, str) and len(data) > limit:
            raise StopValidation(too_long_message(limit))


def column_length(column: Any = None, *, limit: int | None = None) -> ColumnLength:
    """``StringField(..., validators=[column_length(Unit.name)])``."""
    return ColumnLength(column, limit=limit)


class ValueTooLongError(ValueError):
    """Raised at flush when a value does not fit its column (the last line behind the forms)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# Tables whose Text columns hold what the platform itself writes (job payloads, staged import
# rows, the audit trail, API keys): not capped at flush.
UNCAPPED_TEXT_TABLES = frozenset({"core_audit_log", "core_import_batch", "core_import_row", "core_job",
                                  "ab_api_key"})


def _guard_lengths(session: Any, flush_context: Any, instances: Any) -> None:
    text_limit: int | None = None
    for obj in list(session.new) + list(session.dirty):
        state = sa_inspect(obj)
        uncapped = getattr(obj, "__tablename__", "") in UNCAPPED_TEXT_TABLES
        for prop in state.mapper.column_attrs:
            value = state.dict.get(prop.key)
            if not isinstance(value, str):
                continue
            col = _column(prop)
            col_type = getattr(col, "type", None)
            if not isinstance(col_type, String) or isinstance(col_type, Enum):
                continue
            if col_type.length:
                limit = col_type.length
            elif uncapped:
                continue
            else:  # a typed Text value: the same cap as the forms (TEXT_MAX_LENGTH or the column's own)
                if text_limit is None:
                    text_limit = text_max_length()
                limit = (getattr(col, "info", None) or {}).get("max_length") or text_limit
            if len(value) > limit:
                raise ValueTooLongError(too_long_message(limit), prop.key)


_guard_installed = False


def install_length_guard() -> None:
    """Refuse at flush any value longer than its column, on SQLite as on PostgreSQL (SQLite would
    store it): String(n) at n, Text at TEXT_MAX_LENGTH (or its declared max_length), except the
    platform's own long texts (UNCAPPED_TEXT_TABLES)."""
    global _guard_installed
    if not _guard_installed:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        event.listen(Session, "before_flush", _guard_lengths)
        _guard_installed = True
