"""The yearly reconfirmation: an agency's focal points confirm its email domains and focal-point list.

The rule, in one place:

- ``Agency.reconfirmation_due_on`` is the last day to confirm. Appointing a focal point to an
  agency that has none open (its first, or the first after all left) sets it a year after the
  appointment; each confirmation moves it a year on (the anniversary stays put).
- 30 days before it, each of the agency's focal points is emailed a link to the confirm page;
  7 days before it, those still waiting get one reminder. Each email's idempotency key names the
  agency, the due date announced and the focal-point term, so nobody gets one twice.
- Any one of the agency's focal points confirms for the agency. Reporting a problem (a note for
  managers) does not confirm.
- When the due date has passed unconfirmed, the sweep withdraws every open focal-point term of
  the agency through ``withdraw_focal_point`` (the actor recorded is the task) and emails each of
  them. Nothing else of the agency changes: its due date stays, which is how managers find it in
  the "overdue" list until they appoint someone again.
"""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import holding_focal_points, is_focal_point_of
from agencies.models import Agency, AgencyReconfirmation, FocalPoint
from trainingops.actors import on_behalf

logger = logging.getLogger(__name__)

NOTICE_DAYS = 30
REMINDER_DAYS = 7
NOTE_MAX_LENGTH = 2000


class ReconfirmationError(Exception):
    """A rule of the reconfirmation was broken; the message is translatable and shown to the user.

    ``code``: ``not_focal_point`` (the person may not answer for this agency), ``not_due`` (nothing
    to confirm yet), ``empty_note`` (a report without a note).
    """

    def __init__(self, message, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def years_after(day: date, years: int = 1) -> date:
    """The same day ``years`` later; 29 February falls on the 28th in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def start_cycle_if_first(agency: Agency, *, today: date) -> None:
    """Called by ``appoint_focal_point`` with the agency locked, before the new term exists: an agency
    without an open term (or never given a due date) starts a new yearly cycle from today."""
    if agency.reconfirmation_due_on is None or not FocalPoint.objects.active().filter(agency=agency).exists():
        agency.reconfirmation_due_on = years_after(today)
        agency.save(update_fields=["reconfirmation_due_on"])


def is_open_for_confirmation(agency: Agency, *, today: date) -> bool:
    """From 30 days before the due date until the sweep withdraws the focal points."""
    due = agency.reconfirmation_due_on
    return due is not None and today >= due - timedelta(days=NOTICE_DAYS)


def _check_focal_point(agency: Agency, by) -> None:
    if by is None or not is_focal_point_of(by, agency.pk):
        raise ReconfirmationError(
            _("Only the agency's focal points may answer its reconfirmation."), code="not_focal_point"
        )


@on_behalf
@transaction.atomic
def confirm_agency_details(*, agency: Agency, by) -> AgencyReconfirmation:
    """A focal point confirms that the agency's email domains and focal points are right.

    Records who and when, and moves the due date a year on (past today, should the sweep have been
    late). The agency's row is locked: two focal points confirming at once confirm once, and the
    second is told that nothing is due.
    """
    _check_focal_point(agency, by)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    today = timezone.localdate()
    if not is_open_for_confirmation(agency, today=today):
        raise ReconfirmationError(_("Nothing is due for confirmation yet."), code="not_due")
    due = agency.reconfirmation_due_on
    try:
        with transaction.atomic():
            answer = AgencyReconfirmation.objects.create(
                agency=agency, kind=AgencyReconfirmation.Kind.CONFIRMED, due_on=due, by=by, at=timezone.now()
            )
    except IntegrityError:
        raise ReconfirmationError(_("Nothing is due for confirmation yet."), code="not_due") from None
    years = 1
    while years_after(due, years) <= today:
        years += 1
    agency.reconfirmation_due_on = years_after(due, years)
    agency.save(update_fields=["reconfirmation_due_on"])
    return answer


@on_behalf
@transaction.atomic
def report_agency_problem(*, agency: Agency, by, note: str) -> AgencyReconfirmation:
    """A focal point tells managers what is wrong in the agency's domains or focal points.

    The note is stored for the back office; it does not confirm, so the due date stays.
    """
    _check_focal_point(agency, by)
    note = note.strip()
    if not note:
        raise ReconfirmationError(_("Say what is wrong."), code="empty_note")
    if len(note) > NOTE_MAX_LENGTH:
        raise ReconfirmationError(
            _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX_LENGTH}, code="empty_note"
        )
    return AgencyReconfirmation.objects.create(
        agency=agency,
        kind=AgencyReconfirmation.Kind.PROBLEM,
        due_on=agency.reconfirmation_due_on or timezone.localdate(),
        by=by,
        at=timezone.now(),
        note=note,
    )


# --- The daily sweep ----------------------------------------------------------------------------


def _message_key(stage: str, agency: Agency, term: FocalPoint) -> str:
    return f"agency_reconfirmation:{stage}:{agency.pk}:{agency.reconfirmation_due_on.isoformat()}:{term.pk}"


def _details(agency: Agency) -> dict:
    """What the emails show of the agency: its domains and current focal points (read once per agency)."""
    return {
        "agency": str(agency),
        "due_on": agency.reconfirmation_due_on,
        "domains": [domain.domain for domain in agency.email_domains.all()],
        "focal_points": [
            term.officer.user.get_full_name() or term.officer.user.email
            for term in FocalPoint.objects.active().filter(agency=agency).select_related("officer__user")
        ],
        "confirm_url": reverse("agencies:reconfirmation"),
    }


def _notify(term: FocalPoint, details: dict, *, kind: str, key: str) -> None:
    from messaging.services import queue_message

    user = term.officer.user
    queue_message(
        kind=kind,
        recipient=user.email,
        language=term.officer.language,
        context={"name": user.first_name or user.email, **details},
        idempotency_key=key,
        user=user,
        related=term,
    )


def _announce(agency: Agency, *, today: date) -> int:
    """Queue this agency's notice (and, in the last week, reminder) for each focal point still missing it."""
    from messaging.models import OutboundMessage

    terms = list(holding_focal_points().filter(agency=agency).select_related("officer__user"))
    notice_keys = {term.pk: _message_key("notice", agency, term) for term in terms}
    noticed = set(
        OutboundMessage.objects.filter(idempotency_key__in=notice_keys.values()).values_list(
            "idempotency_key", flat=True
        )
    )
    in_last_week = today >= agency.reconfirmation_due_on - timedelta(days=REMINDER_DAYS)
    details = _details(agency)
    queued = 0
    for term in terms:
        if notice_keys[term.pk] not in noticed:
            # A focal point appointed late, or a sweep that missed days: the notice first, the reminder later.
            _notify(term, details, kind="agency_reconfirmation", key=notice_keys[term.pk])
            queued += 1
        elif in_last_week:
            key = _message_key("reminder", agency, term)
            if not OutboundMessage.objects.filter(idempotency_key=key).exists():
                _notify(term, details, kind="agency_reconfirmation_reminder", key=key)
                queued += 1
    return queued


def _expire(agency: Agency) -> int:
    """Withdraw every open focal-point term of an agency that did not confirm, and tell each of them."""
    from agencies.services.focal_points import withdraw_focal_point

    holding = set(holding_focal_points().filter(agency=agency).values_list("pk", flat=True))
    terms = list(FocalPoint.objects.active().filter(agency=agency).select_related("officer__user"))
    details = _details(agency)
    for term in terms:
        withdraw_focal_point(focal_point=term, by=None, lapsed=True)
        if term.pk in holding:
            _notify(term, details, kind="agency_reconfirmation_expired", key=_message_key("expired", agency, term))
    return len(terms)


def agencies_with_focal_points_due(*, today: date) -> QuerySet[Agency]:
    """Agencies with an open focal-point term whose due date is at most 30 days away (or past)."""
    return Agency.objects.filter(
        Exists(FocalPoint.objects.active().filter(agency=OuterRef("pk"))),
        reconfirmation_due_on__lte=today + timedelta(days=NOTICE_DAYS),
    )


def sweep_reconfirmations(*, today: date | None = None) -> dict[str, int]:
    """Announce what has become due and withdraw the focal points of agencies past their due date.

    Each agency is handled in its own transaction with its row locked and re-read, so a run that
    overlaps another (beat firing twice, two workers) or a confirmation arriving meanwhile changes
    nothing twice: the emails' keys and the closed terms are the proof. Returns what it did.
    """
    today = today or timezone.localdate()
    done = {"emails": 0, "withdrawn": 0}
    for pk in list(agencies_with_focal_points_due(today=today).values_list("pk", flat=True)):
        with transaction.atomic():
            agency = Agency.objects.select_for_update().filter(pk=pk).first()
            due = agency.reconfirmation_due_on if agency is not None else None
            if due is None or today < due - timedelta(days=NOTICE_DAYS):
                continue  # confirmed meanwhile
            if today > due:
                done["withdrawn"] += _expire(agency)
            else:
                done["emails"] += _announce(agency, today=today)
    return done
