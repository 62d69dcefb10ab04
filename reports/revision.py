"""The revision of the data the yearly report reads, kept by database triggers.

Every table the report reads gets a trigger (installed after every ``migrate``, see
``install_triggers``) on insert, delete and updates of the columns the report reads, so that no
write path (a service, the admin, ``QuerySet.update``, ``bulk_create``, raw SQL, a data
migration) can change a figure without changing the revision:

- **PostgreSQL**: a statement trigger records the writing transaction in ``reports_pendingchange``;
  a deferred constraint trigger on that table bumps ``reports_datarevision`` at commit. The bump is
  the transaction's last lock, so it never waits while holding another one (no deadlock) and the
  new revision becomes visible in the same instant as the data. A transaction that still has a
  row there has uncommitted changes of its own and does not use stored reports.
- **SQLite**: a row trigger bumps the revision in the writing transaction (SQLite has a single
  writer, so this lock cannot take part in a deadlock).

A table added to the report's queries must be added to ``tracked_columns`` (a test compares the two).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

REVISION_TABLE = "reports_datarevision"
PENDING_TABLE = "reports_pendingchange"
TRIGGER = "reports_note_change"


def tracked_columns() -> dict[str, tuple[str, ...]]:
    """{table: columns whose update changes the report}; inserts and deletes always count."""
    from agencies.models import Agency, Country
    from sessions.models import (
        Attendance,
        Registration,
        SessionTrainer,
        Survey,
        SurveyResponse,
        Topic,
        TrainingSession,
    )

    fields = {
        TrainingSession: ("id", "status", "starts_at", "timezone", "format"),
        TrainingSession.topics.through: ("id", "trainingsession", "topic"),
        SessionTrainer: ("id", "session", "trainer"),
        Attendance: ("id", "session", "status", "officer_key", "agency", "country"),
        # Survey answers are filtered by region through their registration's snapshot country.
        Registration: ("id", "country"),
        Survey: ("id", "session"),
        SurveyResponse: (
            "id",
            "survey",
            "registration",
            "submitted_at",
            "overall_rating",
            "usefulness_rating",
            "trainer_rating",
            "recommend_score",
        ),
        # Labels and the region of each country are part of the stored figures; trainers' names
        # are looked up each time a report is served.
        Country: ("code", "name", "region"),
        Agency: ("id", "name"),
        Topic: ("id", "slug", "name"),
    }
    return {
        model._meta.db_table: tuple(model._meta.get_field(name).column for name in names)
        for model, names in fields.items()
    }


def _postgresql_statements(tables: dict[str, tuple[str, ...]], quote) -> list[str]:
    # Only this module's constants and the models' table and column names are interpolated.
    statements = [
        f"""CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {PENDING_TABLE} (txid) VALUES (txid_current()) ON CONFLICT (txid) DO NOTHING;
            RETURN NULL;
        END $$""",  # noqa: S608
        f"""CREATE OR REPLACE FUNCTION reports_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {REVISION_TABLE} (id, value) VALUES (1, 1)
                ON CONFLICT (id) DO UPDATE SET value = {REVISION_TABLE}.value + 1;
            DELETE FROM {PENDING_TABLE} WHERE txid = NEW.txid;
            RETURN NULL;
        END $$""",  # noqa: S608
        f"DROP TRIGGER IF EXISTS reports_count_change ON {PENDING_TABLE}",
        f"""CREATE CONSTRAINT TRIGGER reports_count_change AFTER INSERT ON {PENDING_TABLE}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_count_change()""",
    ]
    for table, columns in tables.items():
        events = f"INSERT OR DELETE OR TRUNCATE OR UPDATE OF {', '.join(quote(column) for column in columns)}"
        statements.append(
            f"CREATE TRIGGER {TRIGGER} AFTER {events} ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
        )
    return statements


_SQLITE_EVENTS = ("insert", "delete", "update")


def _sqlite_statements(tables: dict[str, tuple[str, ...]], quote) -> list[str]:
    bump = (
        f"INSERT INTO {REVISION_TABLE} (id, value) VALUES (1, 1) "  # noqa: S608 — module constants
        f"ON CONFLICT (id) DO UPDATE SET value = {REVISION_TABLE}.value + 1;"
    )
    statements = []
    for table, columns in tables.items():
        for suffix in _SQLITE_EVENTS:
            event = suffix.upper() if suffix != "update" else f"UPDATE OF {', '.join(quote(c) for c in columns)}"
            name = quote(f"{TRIGGER}_{table}_{suffix}")
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} FOR EACH ROW BEGIN {bump} END")
    return statements


def _drop_statements(vendor: str, tables, quote) -> list[str]:
    """Statements removing the tables' triggers (before they are created again, or for good)."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}" for table in tables]
    return [
        f"DROP TRIGGER IF EXISTS {quote(f'{TRIGGER}_{table}_{suffix}')}"
        for table in tables
        for suffix in _SQLITE_EVENTS
    ]


def install_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """(Re)create the triggers; idempotent. Run after every ``migrate`` (a migration that rebuilds
    a table, as SQLite's schema editor does, drops the table's triggers with it)."""
    connection = connections[using]
    introspected = set(connection.introspection.table_names())
    tables = {table: columns for table, columns in tracked_columns().items() if table in introspected}
    if REVISION_TABLE not in introspected:
        return
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        statements = _postgresql_statements(tables, quote)
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements(tables, quote)
    else:  # another database keeps no revision: reports are always computed
        return
    statements = _drop_statements(connection.vendor, tables, quote) + statements
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove the triggers (unapplying the reports app's migrations: writes must not reach for
    tables that are about to be dropped)."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    introspected = set(connection.introspection.table_names())
    tables = [table for table in tracked_columns() if table in introspected]
    statements = _drop_statements(connection.vendor, tables, connection.ops.quote_name)
    if connection.vendor == "postgresql":
        statements += [f"DROP FUNCTION IF EXISTS {TRIGGER}()", "DROP FUNCTION IF EXISTS reports_count_change() CASCADE"]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed_trigger_tables(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The tables that have the report's trigger, from the database's catalogue."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = %s",
                [TRIGGER],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER}_%"],
            )
        return {table for (table,) in cursor.fetchall()}


def current_revision(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The data revision a report computed now would correspond to, or None when stored reports
    must not be used (a database without triggers, or this transaction's own uncommitted changes
    on PostgreSQL). Read it *before* computing: a change committed meanwhile then only makes the
    stored copy look older than it is, never newer."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT (SELECT value FROM {REVISION_TABLE} WHERE id = 1), "  # noqa: S608 — module constants
                f"EXISTS (SELECT 1 FROM {PENDING_TABLE} WHERE txid = txid_current_if_assigned())"
            )
            value, own_changes = cursor.fetchone()
            return None if own_changes else (value or 0)
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT value FROM {REVISION_TABLE} WHERE id = 1")  # noqa: S608
            row = cursor.fetchone()
            return row[0] if row else 0
    return None
