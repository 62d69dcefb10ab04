"""Accent- and case-insensitive text search in the database, the same on SQLite and PostgreSQL.

``Folded(expression)`` is the text lower-cased with the accents of Latin letters taken off (what
the program's names need: Spanish, French, Portuguese, German, Swedish…); ``fold`` does the same to
the words searched for, so "lopez" finds "López" and "JOSÉ" finds "Jose". PostgreSQL's
``translate`` does it in one call; on SQLite, which has no such function (and too shallow a parser
for a hundred nested ``replace``), ``fold`` itself is registered on the connection when a query
uses it. No extension is needed.
"""

import unicodedata

from django.db.models import CharField, Func, Q


def _without_accents(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower case without accents, spaces squeezed (what ``Folded`` makes of stored text)."""
    return " ".join(_without_accents(text.lower()).split())


# Both cases: the databases' LOWER() may leave non-ASCII letters alone (SQLite always, PostgreSQL
# under the C locale).
_LOWER = "áàâäãåāăąéèêëēėęěíìîïīįóòôöõōőúùûüūůűñńçćčýÿšśžźżďťřľĺ"
ACCENTED = _LOWER + _LOWER.upper()
PLAIN = _without_accents(_LOWER) * 2


_SQLITE_FUNCTION = "trainingops_fold"


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


class Folded(Func):
    """The expression lower-cased, with accented Latin letters replaced by plain ones."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        connection.ensure_connection()
        connection.connection.create_function(_SQLITE_FUNCTION, 1, _fold_or_null, deterministic=True)
        return f"{_SQLITE_FUNCTION}({sql})", params

    def as_sql(self, compiler, connection, **extra_context):  # any other database
        sql, params = compiler.compile(self.source_expressions[0])
        sql = f"LOWER({sql})"
        for accented, plain in zip(ACCENTED, PLAIN, strict=True):
            sql = f"REPLACE({sql}, %s, %s)"
            params = (*params, accented, plain)
        return sql, params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"TRANSLATE(LOWER({sql}), %s, %s)", (*params, ACCENTED, PLAIN)


def matches_every_word(field: str, query: str) -> Q:
    """Rows whose folded ``field`` (annotated with ``Folded``) contains each word of the query."""
    condition = Q()
    for word in fold(query).split():
        condition &= Q(**{f"{field}__contains": word})
    return condition
