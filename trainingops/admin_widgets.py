"""Admin autocomplete widgets that survive a refused value being shown again.

When a form is refused, Django's autocomplete widget looks the submitted ids up again to show
them (``pk__in``), without checking them first: an id that is not a number (``"x"``), or one
beyond 64 bits on SQLite, makes that lookup raise, and the form answers 500 instead of showing
its error. These widgets show only values that could be ids; the field still reports the
others as an invalid choice.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

BIGGEST_ID = 2**63 - 1


class _ShowsOnlyPossibleIds:
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if self._could_be_id(item)], attr)

    def _could_be_id(self, value) -> bool:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        try:
            python_value = target.to_python(value)
        except ValidationError:
            return False
        return not isinstance(python_value, int) or -BIGGEST_ID - 1 <= python_value <= BIGGEST_ID


class SafeAutocompleteSelect(_ShowsOnlyPossibleIds, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ShowsOnlyPossibleIds, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdminMixin:
    """Use the widgets above for a ModelAdmin's (or inline's) ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
