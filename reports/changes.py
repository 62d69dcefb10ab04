"""Saving or deleting a row the yearly report reads asks for a refresh of the stored figures.

Django's own model signals are the one place every interface shares (services, the admin, the API,
tasks, commands) for writes through the models. Nothing is asked while no report is stored (a new
installation, the demo seed); otherwise the request is made once the writing transaction commits
(``reports.store.request_refresh``), never inside it, so that writers neither wait for one another
nor for the broker. Writes that bypass the models (``QuerySet.update``, raw SQL) are caught by
beat's periodic check (``reports.store.refresh_out_of_date``).
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from reports import store

# Rows that belong to one session: only its year's reports (and the next year's) move.
_SESSION_OF = {
    "Attendance": lambda row: row.session_id,
    "Registration": lambda row: row.session_id,
    "SessionTrainer": lambda row: row.session_id,
    "Survey": lambda row: row.session_id,
    "SurveyResponse": lambda row: row.survey.session_id,
    "KnowledgeCheckAttempt": lambda row: row.knowledge_check.session_id,
}


def _models() -> list:
    from agencies.models import Agency, Country, TrainingRequest
    from sessions.models import (
        Attendance,
        KnowledgeCheckAttempt,
        Registration,
        SessionTrainer,
        Survey,
        SurveyResponse,
        Topic,
        TrainingSession,
    )

    models = [Attendance, Registration, SessionTrainer, Survey, SurveyResponse, TrainingSession, Country, Agency, Topic]
    return [*models, KnowledgeCheckAttempt, TrainingRequest]


def _topic_links() -> list:
    """The topic lists the report reads: a session's (its figures) and a training request's (the funnel)."""
    from agencies.models import TrainingRequest
    from sessions.models import TrainingSession

    return [TrainingSession.topics.through, TrainingRequest.topics.through]


def connect() -> None:

    for model in _models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports.changed.save.{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports.changed.delete.{model.__name__}")
    for through in _topic_links():
        m2m_changed.connect(_topics_changed, sender=through, dispatch_uid=f"reports.changed.topics.{through.__name__}")


def disconnect() -> None:
    """For the registration benchmark's "no report machinery" variant."""

    for model in _models():
        post_save.disconnect(sender=model, dispatch_uid=f"reports.changed.save.{model.__name__}")
        post_delete.disconnect(sender=model, dispatch_uid=f"reports.changed.delete.{model.__name__}")
    for through in _topic_links():
        m2m_changed.disconnect(sender=through, dispatch_uid=f"reports.changed.topics.{through.__name__}")


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if raw or not store.any_stored():
        return
    session_of = _SESSION_OF.get(sender.__name__)
    session = _cached_session(sender, instance) if session_of else None
    if session is not None:
        years = store.years_of(starts_at=session.starts_at, zone=session.timezone)
        transaction.on_commit(partial(store.request_refresh, years=years))
    elif session_of is not None:
        transaction.on_commit(partial(_refresh_session_years, session_id=session_of(instance)))
    else:  # a session (which may have moved to another year), a country, an agency, a topic, a training request
        transaction.on_commit(_refresh_stored_years)


def _cached_session(sender, instance):
    """The row's session when the service that saved it had it at hand (a registration's), so
    that its year costs no query."""
    descriptor = getattr(sender, "session", None)
    if descriptor is None or not hasattr(descriptor, "is_cached") or not descriptor.is_cached(instance):
        return None
    return instance.session


def _topics_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_") and store.any_stored():
        transaction.on_commit(_refresh_stored_years)


def _refresh_session_years(*, session_id: int) -> None:
    store.request_refresh(years=store.years_of_session(session_id))


def _refresh_stored_years() -> None:
    store.request_refresh(years=store.stored_years())
