import pytest
from django import forms

from sessions.forms import PlainSelect


@pytest.mark.parametrize("value", ["b", None, "<x>"])
def test_plain_select_renders_as_django_select(value):
    choices = [("", "Any"), ("a", "A & co"), ("Group <1>", [("b", "B"), ("c", '"C"')])]
    attrs = {"id": "id_pick", "aria-invalid": "true", "required": True, "disabled": False}

    plain = PlainSelect(choices=choices).render("pick", value, attrs=attrs)

    assert plain == forms.Select(choices=choices).render("pick", value, attrs=attrs)
