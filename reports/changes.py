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
}


def connect() -> None:
    from agencies.models import Agency, Country
    from sessions.models import Attendance, Registration, SessionTrainer, Survey, SurveyResponse, Topic, TrainingSession

    for model in (Attendance, Registration, SessionTrainer, Survey, SurveyResponse, TrainingSession, Country, Agency):
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports.changed.save.{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports.changed.delete.{model.__name__}")
    post_save.connect(_changed, sender=Topic, dispatch_uid="reports.changed.save.Topic")
    post_delete.connect(_changed, sender=Topic, dispatch_uid="reports.changed.delete.Topic")
    m2m_changed.connect(_topics_changed, sender=TrainingSession.topics.through, dispatch_uid="reports.changed.topics")


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if raw or not store.any_stored():
        return
    session_of = _SESSION_OF.get(sender.__name__)
    if session_of is not None:
        transaction.on_commit(partial(_refresh_session_years, session_id=session_of(instance)))
    else:  # a session (which may have moved to another year), a country, an agency, a topic
        transaction.on_commit(_refresh_stored_years)


def _topics_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_") and store.any_stored():
        transaction.on_commit(_refresh_stored_years)


def _refresh_session_years(*, session_id: int) -> None:
    store.request_refresh(years=store.years_of_session(session_id))


def _refresh_stored_years() -> None:
    store.request_refresh(years=store.stored_years())
