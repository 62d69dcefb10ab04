"""Request parsers of the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of the API nests deeper than a few levels; deeper bodies are refused before any
# code walks them (Python's JSON decoder itself recurses, and fails past about a thousand).
MAX_JSON_DEPTH = 32


def _check_strings_and_depth(data) -> None:
    """Refuse NUL characters in strings (PostgreSQL cannot store or compare them) and deep nesting.

    Walked with an explicit stack, so a deep body cannot exhaust Python's recursion limit here.
    """
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(_("JSON strings must not contain NUL characters."))
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(_("The JSON body is nested too deeply."))
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)


class StrictJSONParser(JSONParser):
    """JSON bodies without NUL characters in their strings and at most ``MAX_JSON_DEPTH`` levels deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON body is nested too deeply.")) from error
        _check_strings_and_depth(data)
        return data
