"""Jinja helpers."""

from __future__ import annotations

from flask import Flask

from app.services.core import dicts


def install(app: Flask) -> None:
    app.jinja_env.filters["dict_label"] = lambda code, type_code: dicts.label(type_code, code)
    app.jinja_env.filters["region_label"] = lambda code: dicts.full_label("region", code)
