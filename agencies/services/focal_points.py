"""Focal points: managers appoint verified officers to coordinate their agency's training, and withdraw them."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from agencies.models import Agency, FocalPoint, Officer
from agencies.services.reconfirmation import start_cycle_if_first
from trainingops.actors import on_behalf


class FocalPointError(Exception):
    """A rule about focal points was broken; the message is translatable and shown to the user.

    ``code`` names the rule for the API: ``not_manager``, ``other_agency`` and ``not_verified`` are
    about the request, ``already_focal_point`` and ``already_withdrawn`` clash with the current state.
    """

    def __init__(self, message, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _check_manager(by) -> None:
    if by is None or not is_manager(by):
        raise FocalPointError(_("Only managers may appoint or withdraw focal points."), code="not_manager")


@on_behalf
@transaction.atomic
def appoint_focal_point(*, agency: Agency, officer: Officer, by) -> FocalPoint:
    """Make a verified officer of ``agency`` one of its focal points, from now until withdrawn.

    The agency's row is locked so that two managers appointing the same officer at once make one
    term (the second is told); the partial unique constraint guards the same rule in the database.
    An agency may have several focal points. The first one (or the first after all left) starts
    the agency's yearly reconfirmation (``agencies.services.reconfirmation``).
    """
    _check_manager(by)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    officer = Officer.objects.select_related("user").get(pk=officer.pk)
    if officer.agency_id != agency.pk:
        raise FocalPointError(_("This officer belongs to another agency."), code="other_agency")
    if not officer.is_verified:
        raise FocalPointError(_("Only a verified officer can be a focal point."), code="not_verified")
    if FocalPoint.objects.active().filter(agency=agency, officer=officer).exists():
        raise FocalPointError(_("This officer is already a focal point of the agency."), code="already_focal_point")
    start_cycle_if_first(agency, today=timezone.localdate())
    try:
        with transaction.atomic():
            return FocalPoint.objects.create(
                agency=agency, officer=officer, appointed_by=by, appointed_at=timezone.now()
            )
    except IntegrityError:
        raise FocalPointError(
            _("This officer is already a focal point of the agency."), code="already_focal_point"
        ) from None


@on_behalf
@transaction.atomic
def withdraw_focal_point(*, focal_point: FocalPoint, by, lapsed: bool = False) -> FocalPoint:
    """End a focal point's term: they keep their officer account, and lose the agency page at once.

    The term stays, closed, with who withdrew it and when: the record of who held the role.
    ``by`` is a manager, or the officer themselves leaving the agency (``update_officer_profile``);
    with ``lapsed`` nobody: the agency's yearly reconfirmation was not answered in time, and the
    history names the task that withdrew it (``trainingops.actors``).
    """
    term = FocalPoint.objects.select_for_update().select_related("officer").get(pk=focal_point.pk)
    if lapsed:
        by = None
    elif by is None or (by.pk != term.officer.user_id and not is_manager(by)):
        raise FocalPointError(_("Only managers may appoint or withdraw focal points."), code="not_manager")
    if not term.is_active:
        raise FocalPointError(_("This focal point was already withdrawn."), code="already_withdrawn")
    term.withdrawn_by = by
    term.withdrawn_at = timezone.now()
    term.save(update_fields=["withdrawn_by", "withdrawn_at"])
    return term
