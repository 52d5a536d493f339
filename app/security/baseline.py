"""Security baseline (等保 2.0 level 3 / ASVS level 2) hooks around every request.

* forced password change (first login, after an administrator reset, after expiry);
* sessions: idle timeout, absolute lifetime, and a per-user version that logout,
  disable, password change and role change bump, so every older cookie is refused;
* security headers with a per-request CSP nonce (FAB's inline scripts carry it);
* generic Chinese error pages.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from werkzeug.exceptions import HTTPException

# endpoints a user who must change the password may still reach
_ALLOWED_WHILE_FORCED = {
    "ChangeMyPasswordView.this_form_get",
    "ChangeMyPasswordView.this_form_post",
    "AuthDBView.logout",
    "AuthDBView.login",
    "LocaleView.index",
    "static",
    "appbuilder.static",
    "SupportView.page",
}


def _pending_endpoints() -> set[str]:
    """What a registering unit may open: 用户权限申请 and what modules add (机构信息, say)."""
    from app.services.core.registration import PENDING_ENDPOINTS

    return PENDING_ENDPOINTS


def _now() -> float:
    return time.time()


def password_expired(user: Any, app: Flask) -> bool:
    days = int(app.config.get("PASSWORD_MAX_AGE_DAYS", 90) or 0)
    if days <= 0 or user.password_changed_at is None:
        return False
    return user.password_changed_at < dt.datetime.now() - dt.timedelta(days=days)


def _end_session(message: str) -> Any:
    logout_user()
    session.clear()
    if request.path.startswith("/api/") or request.is_json:
        return jsonify({"message": message}), 401
    flash(message, "warning")
    return redirect(url_for("AuthDBView.login"))


def _on_login(sender: Any, user: Any) -> None:
    session.permanent = True
    session["_sv"] = int(user.session_version or 0)
    session["_login_at"] = _now()
    session["_seen"] = _now()


def _on_logout(sender: Any, user: Any) -> None:
    """Logging out ends every session of the user, on every device."""
    from app.extensions import db
    from models.core.user import UnitUser

    if user is None or getattr(user, "id", None) is None:
        return
    fresh = db.session.get(UnitUser, user.id)
    if fresh is not None:
        fresh.session_version = int(fresh.session_version or 0) + 1
        db.session.commit()
    from app.security.rules import audit_now

    audit_now("logout", user=fresh)


def install(app: Flask) -> None:
    from app.extensions import csrf

    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)

    @app.before_request
    def _session_and_password_guard() -> Any:
        g.csp_nonce = secrets.token_urlsafe(16)
        # FAB's JWT login (/api/v1/security/login, /refresh) is closed: nothing here uses tokens, and
        # its tokens would ignore the forced password change, logout, the session version and the
        # login limit. Every API call is therefore authenticated by the session cookie …
        if (request.endpoint or "").startswith("SecurityApi."):
            abort(404)
        # … and FAB exempts its APIs from CSRF: an unsafe call must carry the token like any form,
        # whatever other headers (an Authorization header included) it sends.
        if request.path.startswith("/api/") and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            csrf.protect()
        if request.endpoint in ("static", "appbuilder.static"):
            return None
        if not current_user or not getattr(current_user, "is_authenticated", False):
            return None
        user = current_user
        now = _now()
        if session.get("_sv") != int(user.session_version or 0):
            return _end_session(_("您的登录已失效，请重新登录"))
        idle = int(app.config.get("SESSION_IDLE_MINUTES", 30)) * 60
        absolute = int(app.config.get("SESSION_ABSOLUTE_HOURS", 8)) * 3600
        if now - float(session.get("_seen", 0)) > idle:
            return _end_session(_("长时间未操作，请重新登录"))
        if now - float(session.get("_login_at", 0)) > absolute:
            return _end_session(_("登录已超过最长时限，请重新登录"))
        if now - float(session.get("_seen", 0)) > 60:
            # rewritten at most once a minute: a cookie written by every request lets a
            # parallel request (an AJAX call, the favicon) drop a flash message of another
            session["_seen"] = now
        unit = getattr(user, "unit", None)
        if (
            unit is not None
            and not unit.active
            and request.endpoint not in _ALLOWED_WHILE_FORCED | _pending_endpoints()
        ):
            # a registering (or stopped) unit sees only 用户权限申请 until its parent approves
            if request.path.startswith("/api/"):
                return jsonify({"message": _("本单位尚未通过审核")}), 403
            return redirect(url_for("MyApplicationView.page"))
        if (user.must_change_password or password_expired(user, app)) and request.endpoint not in _ALLOWED_WHILE_FORCED:
            if request.path.startswith("/api/"):
                return jsonify({"message": _("请先修改密码")}), 403
            flash(_("首次登录、密码被重置或密码已过期，请先修改密码"), "warning")
            return redirect(url_for("ChangeMyPasswordView.this_form_get"))
        return None

    @app.after_request
    def _security_headers(response: Response) -> Response:
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    # a global, not a context variable: FAB imports baselib.html without context
    app.jinja_env.globals["csp_nonce"] = lambda: g.get("csp_nonce", "")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        return _error_page(exc.code or 500)

    from app.services.core.validators import ValueTooLongError

    @app.errorhandler(ValueTooLongError)
    def _too_long(exc: ValueTooLongError) -> Any:
        """The last line behind the forms' own length checks (a value longer than its column met
        at flush, on a path whose form has no validator): refused in Chinese, nothing stored."""
        return _error_page(400, str(exc))

    from sqlalchemy.exc import DataError

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _bad_value(exc: Exception) -> Any:
        """A typed value the database cannot hold (a number beyond its integer range, say): a
        Chinese 400, nothing stored — the paths that read numbers use validators.to_id first."""
        return _error_page(400, str(_l("输入的数据超出允许的范围或格式不正确")))

    @app.errorhandler(Exception)
    def _server_error(exc: Exception) -> Any:
        if app.config.get("TESTING") and app.config.get("TEST_PROPAGATE_ERRORS", True):
            raise exc
        app.logger.exception("unhandled error")
        return _error_page(500)


MESSAGES = {
    400: _l("请求有误"),
    401: _l("请先登录"),
    403: _l("您没有权限访问该页面或数据"),
    404: _l("您访问的页面或数据不存在"),
    405: _l("不支持该操作方式"),
    413: _l("上传的文件太大"),
    429: _l("操作过于频繁，请稍后再试"),
    500: _l("系统繁忙，请稍后再试"),
}


def _error_page(code: int, message: str | None = None) -> Any:
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - nothing more to do
        pass
    message = message or str(MESSAGES.get(code, _l("请求未能完成")))
    if request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json"):
        return jsonify({"message": message}), code
    appbuilder = getattr(current_app, "appbuilder", None)
    if appbuilder is not None and code != 500:
        try:  # inside the platform's frame (navigation bar, user menu)
            return render_template("error.html", code=code, message=message, appbuilder=appbuilder,
                                   base_template=appbuilder.base_template), code
        except Exception:
            current_app.logger.exception("error page in the frame failed")
    try:
        return render_template("error_plain.html", code=code, message=message), code
    except Exception:
        return f"<h1>{code}</h1><p>{message}</p>", code
