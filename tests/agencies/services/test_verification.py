"""Delegated verification: the same services for managers and focal points, who may decide, and the emails."""

import pytest
from django.core import mail

from agencies import services
from agencies.models import Officer
from tests.factories import FocalPointFactory, ManagerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def _pending(agency, **kwargs):
    return OfficerFactory(agency=agency, verification_status=Officer.Verification.PENDING, verified_at=None, **kwargs)


def test_focal_point_approves_through_the_batch_service(django_capture_on_commit_callbacks):
    term = FocalPointFactory()
    pending = _pending(term.agency, preferred_language="es")

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.approve_officers(officers=[pending], by=term.officer.user)

    pending.refresh_from_db()
    assert (changed, pending.verification_status, pending.verified_by) == (1, "verified", term.officer.user)
    assert [message.to for message in mail.outbox] == [[pending.user.email]]
    assert mail.outbox[0].subject == "Su afiliación está confirmada: ya puede inscribirse en las formaciones"


def test_batch_with_an_officer_of_another_agency_changes_nobody():
    term = FocalPointFactory()
    own, foreign = _pending(term.agency), _pending(OfficerFactory().agency)

    with pytest.raises(services.OfficerError, match="Only managers and the agency's focal points"):
        services.reject_officers(officers=[own, foreign], by=term.officer.user, reason="No")

    assert set(Officer.objects.filter(pk__in=[own.pk, foreign.pk]).values_list("verification_status", flat=True)) == {
        "pending"
    }
    assert mail.outbox == []


def test_decide_pending_officer_rejects_with_reason(django_capture_on_commit_callbacks):
    term = FocalPointFactory()
    pending = _pending(term.agency)

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_pending_officer(officer=pending, by=term.officer.user, approve=False, reason=" Unknown unit ")

    pending.refresh_from_db()
    assert (pending.verification_status, pending.rejection_reason) == ("rejected", "Unknown unit")
    assert [message.to for message in mail.outbox] == [[pending.user.email]]
    assert "Unknown unit" in mail.outbox[0].body


def test_decide_pending_officer_rejection_needs_a_reason():
    term = FocalPointFactory()
    pending = _pending(term.agency)

    with pytest.raises(services.OfficerError, match="Give the officer a reason for the rejection."):
        services.decide_pending_officer(officer=pending, by=term.officer.user, approve=False, reason="  ")

    pending.refresh_from_db()
    assert pending.verification_status == "pending"


@pytest.mark.parametrize("status", [Officer.Verification.VERIFIED, Officer.Verification.REJECTED])
def test_decide_pending_officer_already_decided(status, django_capture_on_commit_callbacks):
    term = FocalPointFactory()
    decided = OfficerFactory(agency=term.agency, verification_status=status)

    with pytest.raises(services.OfficerError, match="already decided"):
        services.decide_pending_officer(officer=decided, by=term.officer.user, approve=True)

    decided.refresh_from_db()
    assert decided.verification_status == status
    assert mail.outbox == []


def test_decide_pending_officer_by_manager(django_capture_on_commit_callbacks):
    manager = ManagerFactory()
    pending = _pending(OfficerFactory().agency)

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_pending_officer(officer=pending, by=manager, approve=True)

    pending.refresh_from_db()
    assert pending.verified_by == manager
    assert len(mail.outbox) == 1


def test_focal_point_of_another_agency_may_not_decide():
    pending = _pending(OfficerFactory().agency)

    with pytest.raises(services.OfficerError):
        services.decide_pending_officer(officer=pending, by=FocalPointFactory().officer.user, approve=True)

    pending.refresh_from_db()
    assert (pending.verification_status, pending.verified_by) == ("pending", None)


def test_decision_is_recorded_in_the_officer_history_with_its_actor():
    term = FocalPointFactory()
    pending = _pending(term.agency)

    services.decide_pending_officer(officer=pending, by=term.officer.user, approve=True)

    latest = pending.history.order_by("history_date").last()
    assert (latest.verification_status, latest.history_user, latest.verified_by) == (
        "verified",
        term.officer.user,
        term.officer.user,
    )


def test_erasure_deletes_the_officer_history():
    manager = ManagerFactory()
    pending = _pending(OfficerFactory().agency)
    services.reject_officers(officers=[pending], by=manager, reason="Unknown unit")

    services.erase_officer(officer=pending, by=manager)

    assert Officer.history.filter(id=pending.pk).count() == 0
