"""On PostgreSQL the hottest statements are parsed and planned once per connection (see the
``DB_PREPARED_STATEMENTS`` setting): the session list's planning cost more than its running."""

import pytest
from django.db import connection

from tests.factories import SessionTrainerFactory, TrainingSessionFactory

LIST_URL = "/api/v1/sessions/?page_size=50"

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_the_session_list_statements_are_prepared_after_five_runs(officer_client):
    SessionTrainerFactory(session=TrainingSessionFactory(title="Tracing"))

    for _ in range(6):
        response = officer_client.get(LIST_URL)
        assert [item["title"] for item in response.json()["results"]] == ["Tracing"]

    statements = _prepared_statements()
    assert any("OVER ()" in statement and "training_trainingsession" in statement for statement in statements)
    assert any("training_sessiontrainer" in statement for statement in statements)
