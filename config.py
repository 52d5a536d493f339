"""Configuration. Everything can be overridden by environment variables."""

from __future__ import annotations

import os

from flask_appbuilder.security.manager import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me-" + "x" * 16)

SQLALCHEMY_DATABASE_URI = os.environ.get(
    "DATABASE_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "app.db")
)
SQLALCHEMY_TRACK_MODIFICATIONS = False

# Alembic owns the schema: FAB must never call create_all.
FAB_CREATE_DB = False

APP_NAME = "人才服务管理平台"
APP_ICON = None
APP_THEME = ""

AUTH_TYPE = AUTH_DB
# FAB's all-permission role is held by nobody: 三员分立 splits its work between
# 系统管理员, 安全管理员 and 审计管理员 (seed/roles.py).
AUTH_ROLE_ADMIN = "内置管理员"
# the role of visitors who are not signed in (it holds nothing: public pages need no permission)
AUTH_ROLE_PUBLIC = "匿名访问"
AUTH_USER_REGISTRATION = False

FAB_API_SWAGGER_UI = os.environ.get("FAB_API_SWAGGER_UI", "") == "1"
FAB_ADD_OPENAPI_VIEWS = os.environ.get("FAB_ADD_OPENAPI_VIEWS", "") == "1"
FAB_ADD_SECURITY_API = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_PERMISSION_VIEW = True
FAB_ADD_SECURITY_VIEW_MENU_VIEW = True
FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = True

# Chinese first; English selectable.
BABEL_DEFAULT_LOCALE = "zh"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "中文"},
    "en": {"flag": "gb", "name": "English"},
}

WTF_CSRF_ENABLED = True
# Host headers the app answers to (a forged Host gets 400): add the intranet name or
# address the users type, comma-separated, in TRUSTED_HOSTS.
TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
WTF_CSRF_TIME_LIMIT = None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# The business lines this deployment runs (app/modules.py; each is app/services/<slug>/module.py),
# comma-separated: "grassroots,commissioner". "all" (the default) enables every shipped line.
ENABLED_MODULES = [
    m.strip() for m in os.environ.get("ENABLED_MODULES", "all").split(",") if m.strip()
]

# Security baseline (等保 2.0 level 3)
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))
LOCKOUT_THRESHOLD = 5
LOCKOUT_MINUTES = int(os.environ.get("LOCKOUT_MINUTES", "30"))
# Per-address limit (issue 14.9): after this many failed logins from one client address (over all
# accounts) within the window, that address's further attempts are refused without being checked or
# counted against the accounts tried. Counted in the audit log, so every worker and host shares it.
# 0 turns it off; unless LOGIN_ADDRESS_LIMIT_ENABLED says otherwise it follows RATELIMIT_ENABLED (off in
# the test suite and for load tests, whose users all log in from one address).
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("LOGIN_ADDRESS_MAX_FAILURES", "20"))
LOGIN_ADDRESS_WINDOW_MINUTES = int(os.environ.get("LOGIN_ADDRESS_WINDOW_MINUTES", "15"))
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "8"))
PERMANENT_SESSION_LIFETIME = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
FAB_PASSWORD_COMPLEXITY_ENABLED = True


def FAB_PASSWORD_COMPLEXITY_VALIDATOR(password: str) -> None:  # noqa: N802 - FAB reads this name
    from app.security.rules import fab_password_validator

    fab_password_validator(password)


# Login rate limit (Flask-Limiter): memory per process by default, shared through
# Redis when REDIS_URL is set (several gunicorn workers, several hosts).
REDIS_URL = os.environ.get("REDIS_URL", "")
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
RATELIMIT_HEADERS_ENABLED = True

# Sender of one-time codes: "module:Class". The log sender writes the code to the
# application log (development); a real deployment names its SMS gateway here.
OTP_SENDER = os.environ.get("OTP_SENDER", "app.services.core.otp:LogSender")
OTP_TTL_SECONDS = 600
OTP_MAX_ATTEMPTS = 5

UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", os.path.join(INSTANCE_DIR, "uploads"))

# Lazy unit tree: how many children one request returns at most.
UNIT_TREE_PAGE = 200

# Largest request body (uploads): slots declare their own smaller limits.
MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))

# Background jobs: "thread" (embedded worker thread) or "rq" (worker processes over Redis:
# rq worker talent-jobs --url $REDIS_URL). Larger exports than EXPORT_JOB_ROWS run as jobs.
JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "thread")
EXPORT_JOB_ROWS = int(os.environ.get("EXPORT_JOB_ROWS", "5000"))
# a zip of more records than this (each one or more PDFs) is built as a background job
BUNDLE_JOB_FILES = int(os.environ.get("BUNDLE_JOB_FILES", "50"))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_JOB_BYTES = int(os.environ.get("IMPORT_JOB_BYTES", str(2 * 1024 * 1024)))
# Imports (app/services/documents/imports.py): data rows one upload may hold, blank rows in a row
# that end a sheet, cells the reader may hold (rows × columns), good rows above which the commit
# runs as a job with progress, and rows above which the error workbook is streamed afresh.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
IMPORT_BLANK_RUN = int(os.environ.get("IMPORT_BLANK_RUN", "1000"))
IMPORT_MAX_CELLS = int(os.environ.get("IMPORT_MAX_CELLS", "4000000"))
IMPORT_INLINE_ROWS = int(os.environ.get("IMPORT_INLINE_ROWS", "2000"))
IMPORT_ERROR_XLSX_ROWS = int(os.environ.get("IMPORT_ERROR_XLSX_ROWS", "5000"))
