"""Forgotten password (P-10): login name + the registered mobile number or e-mail address, then a
one-time code sent there.

The code goes through pluggable senders: ``OTP_SENDER`` for SMS and ``OTP_MAIL_SENDER`` for
e-mail (``SmtpSender`` sends through ``MAIL_SERVER``). The default ``LogSender`` writes a masked
line to the application log (development, intranets without a gateway).
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
from werkzeug.security import check_password_hash

from app.extensions import db
from app.services.core import users as user_service
from app.services.errors import BusinessError
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
        shown = phone[:1] + "***" + phone[phone.index("@"):] if "@" in phone else mask_phone(phone)
        log.warning("OTP to %s: %s", shown, message)  # logs never carry a full phone or address


class SmtpSender:
    """E-mail through the intranet's SMTP relay (MAIL_SERVER, MAIL_PORT, MAIL_USERNAME,
    MAIL_PASSWORD, MAIL_USE_TLS, MAIL_DEFAULT_SENDER)."""

    def send(self, address: str, message: str) -> None:
        import smtplib
        from email.message import EmailMessage

        cfg = current_app.config
        mail = EmailMessage()
        mail["Subject"] = _("人才服务管理平台：找回密码验证码")
        mail["From"] = cfg.get("MAIL_DEFAULT_SENDER") or cfg.get("MAIL_USERNAME") or "noreply@localhost"
        mail["To"] = address
        mail.set_content(message)
        with smtplib.SMTP(cfg.get("MAIL_SERVER", "localhost"), int(cfg.get("MAIL_PORT", 25)), timeout=10) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
            smtp.send_message(mail)


def get_sender(by_mail: bool = False) -> Sender:
    key = "OTP_MAIL_SENDER" if by_mail else "OTP_SENDER"
    target = current_app.config.get(key, "app.services.core.otp:LogSender")
    module_name, _sep, cls_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls()


class OtpError(BusinessError):
    """A refused one-time code (找回密码)."""


GENERIC = "登录名与手机号码不匹配"


def _matches(user: UnitUser, contact: str) -> bool:
    """The registered mobile number, or the registered e-mail address (not a placeholder)."""
    contact = (contact or "").strip()
    if "@" in contact:
        email = (user.email or "").strip().lower()
        return bool(email) and not email.endswith(user_service.PLACEHOLDER_EMAIL) and email == contact.lower()
    return bool(contact) and (user.phone or "") == contact


def request_code(username: str, contact: str) -> bool:
    """Send a code when the login name and the mobile number (or e-mail address) match an active
    account; the code goes to that number or address.

    The answer to the person is the same either way (no account enumeration);
    returns whether a code was actually sent.
    """
    user = db.session.scalar(
        select(UnitUser).where(func.lower(UnitUser.username) == (username or "").strip().lower())
    )
    if user is None or not user.active or not _matches(user, contact):
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
            code_hash=user_service.hash_password(code),
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    )
    db.session.commit()
    by_mail = "@" in contact
    get_sender(by_mail).send(
        user.email if by_mail else user.phone,
        _("【人才服务管理平台】您的验证码为%(code)s，%(m)s分钟内有效。", code=code, m=ttl // 60),
    )
    return True


def reset_with_code(username: str, contact: str, code: str, new_password: str) -> Any:
    user = db.session.scalar(
        select(UnitUser).where(func.lower(UnitUser.username) == (username or "").strip().lower())
    )
    if user is None or not _matches(user, contact):
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
