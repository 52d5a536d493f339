"""Forgotten password (P-10): login name + registered phone, then a one-time code.

The code goes through a pluggable sender named by ``OTP_SENDER``; the default
``LogSender`` writes it to the application log (development).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import secrets
from typing import Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.services.core import users as user_service
from models.core.user import PasswordResetCode, UnitUser

log = logging.getLogger("app.otp")


class Sender(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class LogSender:
    """Writes the message to the log instead of sending an SMS."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        from app.security.personal import mask_phone

        LogSender.sent.append((phone, message))
        log.warning("OTP to %s: %s", mask_phone(phone), message)  # logs never carry a full phone


def get_sender() -> Sender:
    target = current_app.config.get("OTP_SENDER", "app.services.core.otp:LogSender")
    module_name, _sep, cls_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls()


class OtpError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


GENERIC = "登录名与手机号码不匹配"


def request_code(username: str, phone: str) -> bool:
    """Send a code when login name and phone match an active account.

    The answer to the person is the same either way (no account enumeration);
    returns whether a code was actually sent.
    """
    user = db.session.scalar(
        select(UnitUser).where(func.lower(UnitUser.username) == (username or "").strip().lower())
    )
    if user is None or not user.active or (user.phone or "") != (phone or "").strip():
        return False
    now = dt.datetime.now()
    db.session.execute(
        update(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = int(current_app.config.get("OTP_TTL_SECONDS", 600))
    db.session.add(
        PasswordResetCode(
            user_id=user.id,
            code_hash=generate_password_hash(code),
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    )
    db.session.commit()
    get_sender().send(
        user.phone,
        _("【人才服务管理平台】您的验证码为%(code)s，%(m)s分钟内有效。", code=code, m=ttl // 60),
    )
    return True


def reset_with_code(username: str, phone: str, code: str, new_password: str) -> Any:
    user = db.session.scalar(
        select(UnitUser).where(func.lower(UnitUser.username) == (username or "").strip().lower())
    )
    if user is None or (user.phone or "") != (phone or "").strip():
        raise OtpError(_("验证码不正确或已过期"), "code")
    row = db.session.scalar(
        select(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
        .order_by(PasswordResetCode.id.desc())
    )
    now = dt.datetime.now()
    max_attempts = int(current_app.config.get("OTP_MAX_ATTEMPTS", 5))
    if row is None or row.expires_at < now or row.attempts >= max_attempts:
        raise OtpError(_("验证码不正确或已过期"), "code")
    if not check_password_hash(row.code_hash, (code or "").strip()):
        row.attempts += 1
        db.session.commit()
        raise OtpError(_("验证码不正确或已过期"), "code")
    try:
        user_service.set_password(user, new_password)
    except user_service.UserError as e:
        raise OtpError(str(e), "password") from e
    row.used_at = now
    db.session.commit()
    return user
