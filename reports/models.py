"""Stored yearly reports, and the revision of the data they were computed from.

Computing a year's report reads every counted attendance of two years (about 1.4 s on a million
attendances, see docs/benchmarks.md). The result is stored, with the data revision it was computed
at, and served again while nothing it depends on has changed. Database triggers (see
``reports.revision``) bump ``DataRevision`` in the same transaction as any write to a table the
report reads, so a stored report is never served after a change: the next request computes it
again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataRevision(models.Model):
    """One row (id 1): how many committed transactions have changed what the report reads."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("report data revision")

    def __str__(self):
        return str(self.value)


class PendingChange(models.Model):
    """PostgreSQL only: one row per open transaction that changed report data, until it commits.

    A statement trigger on each tracked table inserts the transaction's id here; a deferred
    trigger on this table bumps ``DataRevision`` and deletes the row at commit, so the revision
    row is locked only at the very end of a transaction (never while it waits for other locks).
    A row with the current transaction's id means "this transaction has uncommitted changes".
    """

    txid = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = _("pending report data change")

    def __str__(self):
        return str(self.txid)


class StoredReport(models.Model):
    """A computed yearly report (every figure and breakdown, before labels are translated)."""

    year = models.PositiveSmallIntegerField(_("year"))
    filters = models.CharField(_("filters"), max_length=300, blank=True)
    revision = models.BigIntegerField(_("data revision"))
    # Which code computed it (``reports.selectors.COMPUTED_BY``): a deployment that changes how
    # figures are counted does not serve figures counted the old way.
    computed_by = models.CharField(_("computed by"), max_length=16)
    # The report depends on the clock only through "a published session counts once it has
    # started": it stays exact for any ``now`` after the last such start before it was computed
    # (``valid_after``, exclusive) and up to the next one (``valid_until``, inclusive).
    valid_after = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField()

    class Meta:
        verbose_name = _("stored report")
        constraints = [models.UniqueConstraint(fields=["year", "filters"], name="stored_report_unique_year_filters")]

    def __str__(self):
        return f"{self.year} {self.filters or 'all'} @{self.revision}"

    def covers(self, now) -> bool:
        return (self.valid_after is None or now > self.valid_after) and (
            self.valid_until is None or now <= self.valid_until
        )
