"""Turn a rendered admin change form back into the POST data a browser would send."""

import json
from datetime import date, datetime, time

from django import forms


def _field_data(form, name, field, data):
    key = form.add_prefix(name)
    value = form[name].value()
    if isinstance(field, forms.SplitDateTimeField):
        if isinstance(value, list):
            value = value[0] and value[1] and datetime.combine(value[0], value[1])
        data[f"{key}_0"] = value.date().isoformat() if value else ""
        data[f"{key}_1"] = value.time().isoformat() if value else ""
    elif isinstance(field, forms.ModelMultipleChoiceField):
        data[key] = [str(getattr(item, "pk", item)) for item in value or []]
    elif isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
    elif isinstance(field, forms.JSONField):
        data[key] = "" if value is None else (value if isinstance(value, str) else json.dumps(value))
    elif value is None:
        data[key] = ""
    elif isinstance(value, date | time):
        data[key] = value.isoformat()
    else:
        data[key] = str(getattr(value, "pk", value))


def changeform_data(response, **overrides) -> dict:
    """The data of the admin form in ``response`` (main form and inline formsets), with overrides."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        _field_data(form, name, field, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(name)] = value
        for inline_form in formset.forms:
            for name, field in inline_form.fields.items():
                _field_data(inline_form, name, field, data)
    data.update(overrides)
    return data
