"""Writes of the reports app: publishing and withdrawing a year's impact summary."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from reports.models import PublishedImpactSummary
from reports.selectors import validate_year
from trainingops.actors import on_behalf


class PublicationError(Exception):
    """The summary cannot be published or withdrawn; the message is translatable."""


def _check_manager(by) -> None:
    if not is_manager(by):
        raise PublicationError(_("Only managers can publish or withdraw the impact summary."))


@on_behalf
def publish_impact_summary(*, year: int, by) -> PublishedImpactSummary:
    """Publish ``year``'s impact summary at a new unguessable address, or return the live one.

    The public page shows counts and consented quotes only; the history records who published.
    """
    _check_manager(by)
    year = validate_year(year)
    with transaction.atomic():
        live = PublishedImpactSummary.objects.select_for_update().filter(year=year, withdrawn_at=None).first()
        if live is not None:
            return live
        try:
            with transaction.atomic():
                return PublishedImpactSummary.objects.create(year=year, published_at=timezone.now(), published_by=by)
        except IntegrityError:  # published by another manager at the same moment
            return PublishedImpactSummary.objects.get(year=year, withdrawn_at=None)


@on_behalf
def withdraw_impact_summary(*, publication_id: int, by) -> PublishedImpactSummary:
    """Withdraw a published summary: its address answers 404 from now on (the row and its history stay)."""
    _check_manager(by)
    with transaction.atomic():
        publication = PublishedImpactSummary.objects.select_for_update().filter(pk=publication_id).first()
        if publication is None:
            raise PublicationError(_("This publication does not exist."))
        if publication.withdrawn_at is None:
            publication.withdrawn_at = timezone.now()
            publication.withdrawn_by = by
            publication.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return publication
