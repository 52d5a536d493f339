"""Checks shared by forms, imports and services. Messages are Chinese via Babel."""

from __future__ import annotations

import re

from flask_babel import gettext as _
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


def check_id_number(value: str) -> str | None:
    """居民身份证号码 (GB 11643): format, province, birth date and check digit.

    python-stdnum's cn.ric gives the check digit and the birth date; its own
    ``validate`` also looks the county up in a table that lacks some current codes
    (420503 伍家岗区, for one), so the county is not checked here.
    """
    if not value:
        return _("请填写身份证号码")
    number = ric.compact(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号码应为18位，最后一位可为X")
    if number[:2] not in PROVINCE_CODES:
        return _("身份证号码的地区码不正确")
    try:
        ric.get_birth_date(number)
    except StdnumError:
        return _("身份证号码中的出生日期不正确")
    if ric.calc_check_digit(number) != number[17]:
        return _("身份证号码校验位不正确")
    return None


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
