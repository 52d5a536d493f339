"""The one way a view writes (issue 16, item 4): run the service call, commit; on a refusal roll back
and say why — flashed, beside the form's fields, or both — and tell the view which happened.

Every refusal of a business rule is an ``app.services.errors.BusinessError`` (a line's own subclass
included); the view branches on the returned :class:`Written` (true when saved) and never commits,
rolls back or flashes a refusal itself. Anything else raised by the call (a database error, an
``abort``) is rolled back and passed on. ``views/base.py``'s add/edit/delete of the model views
keep their own transaction (FAB's hooks); background job runners own theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash, redirect, url_for

from app.extensions import db
from app.services.errors import BusinessError
from views.fields import attach_error

T = TypeVar("T")

Problem = tuple[str | None, str]


@dataclass
class Written(Generic[T]):
    """What became of a write: ``value`` (the service call's result) when saved, ``error`` when refused."""

    value: T | None = None
    error: Exception | None = None

    def __bool__(self) -> bool:
        return self.error is None


def problems_of(e: Exception) -> list[Problem]:
    """Every (field, reason) of a refusal; a refusal that is not a BusinessError is the page's own."""
    return list(getattr(e, "problems", None) or [(None, str(e))])


def refusal_message(e: Exception, marked: bool = False) -> str:
    """The refusal as one line: its message, or, when its problems are marked beside the fields, the
    error's own summary where it has one ("有N处需要修改…")."""
    summary = getattr(e, "summary", None) if marked else None
    return str(summary()) if callable(summary) else str(e)


def write(save: Callable[[], T], ok: str | Callable[[T], str] | None = None, *,
          errors: dict[str, str] | None = None, form: Any = None, refusal: str | None = "danger",
          label: str | None = None, refuse: tuple[type[Exception], ...] = (),
          passed_on: tuple[type[Exception], ...] = ()) -> Written[T]:
    """Run ``save`` and commit; flash ``ok`` (or ``ok(value)``) as a success.

    On a ``BusinessError`` (or one of ``refuse``, the exceptions the caller also counts as refusals)
    nothing is kept: the session is rolled back, every problem goes into ``errors`` (field -> the
    field's first reason, ``"_"`` for the page's own) and beside ``form``'s fields (a problem of no
    field of the form is flashed), and the message is flashed with the category ``refusal`` (None:
    not flashed, the page shows it), prefixed by ``label`` ("<label>：<reason>", a batch's row); with
    ``errors`` or ``form`` the message flashed is the error's summary of its problems where it has one.
    A refusal of one of ``passed_on`` is rolled back and raised for the view to answer (a 403, a 404).
    """
    try:
        value = save()
        db.session.commit()
    except (BusinessError, *refuse) as e:
        db.session.rollback()
        if isinstance(e, passed_on):
            raise
        firsts: dict[str, str] = {}
        if errors is not None or form is not None:
            for field, reason in problems_of(e):
                firsts.setdefault(field or "_", str(reason))
        if errors is not None:
            for key, reason in firsts.items():
                errors.setdefault(key, reason)
        if form is not None:
            for key, reason in firsts.items():
                attach_error(form, reason, None if key == "_" else key)
        if refusal is not None:
            message = refusal_message(e, marked=errors is not None or form is not None)
            flash(f"{label}：{message}" if label else message, refusal)
        return Written(error=e)
    except BaseException:
        db.session.rollback()
        raise
    if ok is not None:
        flash(ok(value) if callable(ok) else str(ok), "success")
    return Written(value=value)


def save_then_redirect(save: Callable[[], Any], ok: str, endpoint: str, errors: dict[str, str] | None = None,
                       **url_values: Any) -> Any:
    """:func:`write`, then on success a redirect to ``endpoint`` (None on a refusal: the view shows
    the form again, as typed, with ``errors`` filled and the summary flashed)."""
    if write(save, ok, errors=errors):
        return redirect(url_for(endpoint, **url_values))
    return None
