"""Conditions whose SQL is built, resolved and compiled once per set of arguments, then reused.

An officer's list of sessions asks the same questions of every row on every request: is the
session open to my agency, my country, or am I registered (three ``EXISTS``)? do I hold a
confirmed seat, at a confirmed address (two more)? Django builds, resolves and compiles those
subqueries anew for each request, and that cost several times what PostgreSQL spends running
them (issue 12 §4: the officer's API list spent 2.9 ms more CPU than the manager's, nearly all of
it there). ``Precompiled`` keeps the rule where it is written — an ordinary ``Q`` or expression
returned by a module-level function — and keeps its compiled SQL and parameters per arguments.

The SQL of such a condition depends only on its arguments and on the outer query's table alias
and alias prefix (subqueries name their tables ``U0``, ``U1`` … after the outer prefix), so the
reuse is limited to the usual case: the condition sits in a top-level query on its model's own
table (alias = table name, prefix ``T``). Anywhere else — the queryset used as a subquery of
another, whose aliases Django relabels — it is resolved and compiled as Django always does. A
condition that would need a join in the outer query is refused when first compiled.
"""

from collections.abc import Callable
from functools import lru_cache

from django.db import connections
from django.db.models import BooleanField, Expression, Q
from django.db.models.sql import Query

# Distinct argument sets kept per process (an officer's conditions are one set per officer).
CACHE_SIZE = 4096


class Precompiled(Expression):
    """``build(*args)`` (a ``Q`` or a conditional expression on the rows of the query's model) as a
    condition whose SQL is compiled once per ``args``. ``build`` must be a module-level function
    whose result depends on ``args`` alone (nothing read from the clock or the database)."""

    def __init__(self, build: Callable, *args, output_field=None):
        super().__init__(output_field=output_field or BooleanField())
        self.build = build
        self.args = args

    def __repr__(self):
        return f"{self.__class__.__name__}({self.build.__qualname__}, {self.args!r})"

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.is_summary = summarize
        return resolved

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        query = compiler.query
        model = query.model
        base_alias = next(iter(query.alias_map), None)
        if base_alias == model._meta.db_table and query.alias_prefix == Query.alias_prefix:
            sql, params = _compiled(self.build, self.args, model, connection.alias)
            return sql, list(params)
        return compiler.compile(_resolve(self.build(*self.args), query))


def _resolve(condition, query: Query):
    if isinstance(condition, Q):
        return condition.resolve_expression(query)
    return condition.resolve_expression(query, allow_joins=False)


@lru_cache(maxsize=CACHE_SIZE)
def _compiled(build: Callable, args: tuple, model, using: str) -> tuple[str, tuple]:
    """The condition compiled in a fresh top-level query on ``model`` (alias = its table)."""
    query = Query(model)
    query.get_initial_alias()
    resolved = _resolve(build(*args), query)
    if len(query.alias_map) != 1:
        raise ValueError(f"{build.__qualname__}: a precompiled condition may not join other tables")
    sql, params = query.get_compiler(using=using, connection=connections[using]).compile(resolved)
    return sql, tuple(params)
