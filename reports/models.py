"""Stored yearly reports, and the years whose figures a committed change asked to refresh.

Computing a year's report reads every counted attendance of two years (1.3 s on a million
attendances, about 7 s at a hundred times the real program; see docs/benchmarks.md). Managers are
always answered from the stored figures, labelled with the moment they were computed; Celery
recomputes them in the background (``reports.store``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import HistoricalActor
from trainingops.actors import history_user


class StoredReport(models.Model):
    """The figures of a year's report for one set of filters (every figure and breakdown, labels
    not yet translated), as of ``computed_at``; no figures yet while it is being prepared."""

    year = models.PositiveSmallIntegerField(_("year"))
    filters = models.CharField(_("filters"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    # The database's count of writes to the tables the report reads, read before computing
    # (``reports.store.data_fingerprint``): when it has not moved, the figures are still exact.
    fingerprint = models.CharField(_("data fingerprint"), max_length=100, blank=True)
    # Filtered reports are kept fresh only while managers look at them (see reports.store.live_reports).
    viewed_at = models.DateTimeField(_("viewed at"))

    class Meta:
        verbose_name = _("stored report")
        constraints = [models.UniqueConstraint(fields=["year", "filters"], name="stored_report_unique_year_filters")]

    def __str__(self):
        return f"{self.year} {self.filters or 'all'} @{self.computed_at}"


class RefreshRequest(models.Model):
    """A year whose stored figures a committed change made out of date, until a refresh starts.

    Inserted after the writing transaction commits, with ``ON CONFLICT DO NOTHING``: a year already
    waiting for its refresh costs a writer one index probe and no lock, so writers never queue
    behind one another. Only the writer that inserts the row enqueues the refresh task, so a burst of
    changes queues one refresh per year; the task deletes the row before it reads the data.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    requested_at = models.DateTimeField(_("requested at"))

    class Meta:
        verbose_name = _("report refresh request")

    def __str__(self):
        return str(self.year)


def new_public_token() -> str:
    return secrets.token_urlsafe(24)


class PublishedImpactSummary(models.Model):
    """A year's impact summary a manager published at an unguessable public address.

    Nothing of the summary is copied here: the public page draws the live figures (counts only,
    and quotes whose authors agreed) each time, so an erasure or a withdrawn consent shows at once.
    Withdrawing keeps the row (the history says who did what) and the address answers 404.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        verbose_name = _("published impact summary")
        verbose_name_plural = _("published impact summaries")
        constraints = [
            # At most one live publication per year: publishing again returns the live address.
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(withdrawn_at__isnull=True), name="impact_summary_one_live_per_year"
            )
        ]

    def __str__(self):
        return f"{self.year} ({'withdrawn' if self.withdrawn_at else 'published'})"
