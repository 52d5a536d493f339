"""Form fields shared by every module: scoped unit picker, dictionary selects."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, SelectField, StringField
from wtforms.validators import ValidationError

from app.extensions import db
from app.security.scope import unit_in_scope
from app.services.core import dicts
from models.core.unit import Unit


def attach_error(form: Any, message: str, field: str | None = None) -> None:
    """Show a refusal beside its field (what was typed stays), or on top of the page."""
    from flask import flash

    target = getattr(form, field, None) if field else None
    if target is not None:
        target.errors = list(target.errors or []) + [str(message)]
    else:
        flash(str(message), "danger")


class UnitSelectWidget:
    """A select2 box that searches the user's units over AJAX (no full table load)."""

    def __call__(self, field: UnitSelectField, **kwargs: Any) -> Markup:
        unit = field.data if isinstance(field.data, Unit) else None
        option = ""
        if unit is not None:
            option = f'<option value="{unit.id}" selected>{escape(unit.name)}</option>'
        elif field.raw_id:
            option = f'<option value="{escape(field.raw_id)}" selected>{escape(field.raw_id)}</option>'
        blank = '<option value=""></option>'
        return Markup(
            f'<select class="form-control unit-select" id="{field.id}" name="{field.name}"'
            f' data-endpoint="{url_for(field.endpoint) if field.endpoint else url_for("UnitOptionsApi.options", all=1 if field.any_unit else None)}"'
            f' data-placeholder="{escape(str(_l("请输入单位名称搜索")))}">'
            f"{blank}{option}</select>"
        )


class UnitSelectField(Field):
    """Many-to-one field to a unit, validated against the acting user's scope.

    A forged id (a unit outside the subtree, or one that does not exist) is refused
    beside the field and nothing is saved.
    """

    widget = UnitSelectWidget()

    def __init__(self, label: Any = None, validators: Any = None, required: bool = True, any_unit: bool = False,
                 endpoint: str | None = None, **kw: Any):
        super().__init__(label, validators, **kw)
        self.endpoint = endpoint  # another options endpoint (e.g. the public registration page)
        self.required = required
        self.any_unit = any_unit  # choose any active unit of the tree (e.g. a new parent)
        if required:
            self.flags.required = True
        self.raw_id: str | None = None

    def process_data(self, value: Any) -> None:
        self.data = value

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            self.raw_id = (valuelist[0] or "").strip()
            self.data = None
            if self.raw_id.isdigit():
                self.data = db.session.get(Unit, int(self.raw_id))

    def pre_validate(self, form: Any) -> None:
        if self.raw_id in (None, "") and self.data is None:
            if self.required:
                raise ValidationError(str(_l("请选择单位")))
            return
        if self.any_unit:
            if self.data is None or not self.data.active:
                self.data = None
                raise ValidationError(str(_l("所选单位不存在")))
            return
        if self.data is None or not unit_in_scope(self.data):
            self.data = None
            raise ValidationError(str(_l("所选单位不存在或不在您的管理范围内")))

    def _value(self) -> str:
        return str(self.data.id) if isinstance(self.data, Unit) else ""


class DictSelectField(SelectField):
    """A select whose choices come from one dictionary."""

    def __init__(self, label: Any = None, validators: Any = None, dict_code: str = "", **kw: Any):
        kw.setdefault("validate_choice", True)
        super().__init__(label, validators, choices=[], **kw)
        self.dict_code = dict_code

    @property
    def choices(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [("", "—")] + dicts.choices(self.dict_code, top=self._top())

    @choices.setter
    def choices(self, value: Any) -> None:  # WTForms assigns in __init__
        pass

    def _top(self) -> bool:
        return False

    def process_data(self, value: Any) -> None:
        self.data = value if value not in (None, "") else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            self.data = valuelist[0]

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            self.data = None
            return
        if not dicts.has_code(self.dict_code, self.data):
            raise ValidationError(str(_l("不是有效的选项")))

    def populate_obj(self, obj: Any, name: str) -> None:
        setattr(obj, name, self.data or None)


class RegionWidget:
    """Three cascading selects (省 / 市 / 区县) over the region dictionary."""

    def __call__(self, field: RegionField, **kwargs: Any) -> Markup:
        chain = dicts.chain(field.dict_code, field.data) if field.data else []
        codes = [c for c, _n in chain] + ["", "", ""]
        endpoint = url_for("DictOptionsApi.children", type_code=field.dict_code)
        return Markup(
            f'<div class="region-field" data-endpoint="{endpoint}" data-value="{escape(field.data or "")}"'
            f' data-chain="{escape(",".join(c for c, _n in chain))}">'
            f'<input type="hidden" id="{field.id}" name="{field.name}" value="{escape(field.data or "")}">'
            f'<select class="form-control region-level" data-level="0" aria-label="{escape(str(_l("省")))}"></select>'
            f'<select class="form-control region-level" data-level="1" aria-label="{escape(str(_l("市")))}"></select>'
            f'<select class="form-control region-level" data-level="2" aria-label="{escape(str(_l("区县")))}"></select>'
            f'<noscript>{escape(codes[0])}</noscript></div>'
        )


class RegionField(Field):
    widget = RegionWidget()

    def __init__(self, label: Any = None, validators: Any = None, dict_code: str = "region", **kw: Any):
        super().__init__(label, validators, **kw)
        self.dict_code = dict_code

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            self.data = (valuelist[0] or "").strip() or None

    def pre_validate(self, form: Any) -> None:
        if self.data and not dicts.has_code(self.dict_code, self.data):
            raise ValidationError(str(_l("不是有效的行政区划")))

    def _value(self) -> str:
        return self.data or ""


class StrictQuerySelectMultipleField(QuerySelectMultipleField):
    """FAB's multiple select silently drops values outside its query (it checks
    before computing them); this one refuses the whole form instead."""

    def pre_validate(self, form: Any) -> None:
        _ = self.data  # computing data marks values outside the query as invalid
        if self._invalid_formdata:
            raise ValidationError(str(_l("不是有效的选项")))


class MaskedStringField(StringField):
    """A text input for a personal column: shown masked to roles without 查看完整个人信息;
    submitting the masked text back leaves the stored value unchanged."""

    def __init__(self, *args: Any, kind: str = "phone", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _value(self) -> str:
        from app.security.personal import can_view_full, mask

        value = super()._value()
        if value and self.object_data and value == self.object_data and not can_view_full():
            return mask(self.kind, value)
        return value

    def populate_obj(self, obj: Any, name: str) -> None:
        from app.security.personal import can_view_full, mask

        current = getattr(obj, name, None)
        if current and not can_view_full() and self.data == mask(self.kind, current):
            return  # the masked text came back: keep what is stored
        setattr(obj, name, self.data or None)


class Checked:
    """A WTForms validator from one of the services' checks (value -> Chinese reason or None),
    so a form refuses what the service would (empty values are left to DataRequired)."""

    def __init__(self, check: Any):
        self.check = check

    def __call__(self, form: Any, field: Any) -> None:
        from wtforms.validators import ValidationError

        value = (field.data or "").strip() if isinstance(field.data, str) else field.data
        if not value:
            return
        reason = self.check(value)
        if reason:
            raise ValidationError(reason)


def _with_validator(field: Any, validator: Any) -> Any:
    """The same unbound field with one more validator first (its place in the form kept)."""
    args = list(field.args)
    kwargs = dict(field.kwargs)
    if len(args) > 1:  # (label, validators, ...)
        args[1] = [validator, *(args[1] or [])]
    else:
        kwargs["validators"] = [validator, *(kwargs.get("validators") or [])]
    new = field.field_class(*args, **kwargs)
    new.creation_counter = field.creation_counter
    return new


def add_length_validators(view: Any, model: Any) -> None:
    """Every typed field of a model view's add and edit forms fits its column.

    FAB gives a String(n) column WTForms' ``Length(max=n)`` and a Text column nothing;
    here every string column (generated or an extra text field) gets ``ColumnLength``
    first: the column's length, ``TEXT_MAX_LENGTH`` for Text, one Chinese message."""
    from sqlalchemy import inspect as sa_inspect

    from app.services.core.validators import ColumnLength, install_length_guard, max_length

    install_length_guard()  # and at flush, whatever the path (idempotent)
    cols = {p.key: p for p in sa_inspect(model).column_attrs if max_length(p) is not None}
    current = dict(getattr(view, "validators_columns", None) or {})
    for key, prop in cols.items():
        chain = list(current.get(key) or [])
        if not any(isinstance(v, ColumnLength) for v in chain):
            current[key] = [ColumnLength(prop), *chain]
    view.validators_columns = current
    for attr in ("add_form_extra_fields", "edit_form_extra_fields"):
        extra = dict(getattr(view, attr, None) or {})
        for key, field in extra.items():
            cls = getattr(field, "field_class", None)
            if key in cols and isinstance(cls, type) and issubclass(cls, StringField):
                extra[key] = _with_validator(field, ColumnLength(cols[key]))
        setattr(view, attr, extra)
