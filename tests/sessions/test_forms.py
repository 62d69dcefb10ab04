import pytest
from django import forms

from sessions.forms import PlainDateInput, PlainSelect


@pytest.mark.parametrize("value", ["b", None, "<x>"])
def test_plain_select_renders_as_django_select(value):
    choices = [("", "Any"), ("a", "A & co"), ("Group <1>", [("b", "B"), ("c", '"C"')])]
    attrs = {"id": "id_pick", "aria-invalid": "true", "required": True, "disabled": False}

    plain = PlainSelect(choices=choices).render("pick", value, attrs=attrs)

    assert plain == forms.Select(choices=choices).render("pick", value, attrs=attrs)


@pytest.mark.parametrize("value", ["2026-03", None, "", '"><b>'])
def test_plain_date_input_renders_as_django_date_input(value):
    attrs = {"id": "id_month", "aria-invalid": "true", "required": True, "disabled": False}
    widget_attrs = {"type": "month", "placeholder": "YYYY-MM"}

    plain = PlainDateInput(attrs=widget_attrs).render("month", value, attrs=attrs)

    assert plain == forms.DateInput(attrs=widget_attrs).render("month", value, attrs=attrs)
