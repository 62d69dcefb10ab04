import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_names
from simple_history.models import HistoricalRecords

from accounts.models import HistoricalActor
from trainingops.actors import history_user


class Country(models.Model):
    """An ISO 3166-1 country with its UN M49 region, sub-region and intermediate region."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    m49_code = models.CharField(_("M49 code"), max_length=3)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=40, blank=True)
    sub_region = models.CharField(_("sub-region"), max_length=60, blank=True)
    intermediate_region = models.CharField(_("intermediate region"), max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self) -> str:
        """The country's name in the active language (django-countries' translations)."""
        return str(country_names.name(self.code)) or self.name

    @property
    def area(self) -> str:
        """The finest M49 grouping: "South America" rather than "Latin America and the Caribbean"."""
        return self.intermediate_region or self.sub_region


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        FIU = "fiu", _("Financial intelligence unit")
        PROSECUTOR = "prosecutor", _("Prosecutor's office")
        CUSTOMS_TAX = "customs_tax", _("Customs / tax")
        REGULATOR = "regulator", _("Regulator")
        JUDICIARY = "judiciary", _("Judiciary")
        INTERNATIONAL = "international", _("International organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("country"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.POLICE)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last day for the focal points to confirm the agency's domains and focal-point list (see
    # ``agencies.services.reconfirmation``): a year after the first focal point's appointment, a
    # year on at each confirmation. Empty while the agency never had a focal point.
    reconfirmation_due_on = models.DateField(_("reconfirmation due on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="agency_unique_name_per_country")]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class AgencyEmailDomain(models.Model):
    """An email domain that proves membership of an agency (e.g. ``policia.gob.mx``)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(_("domain"), max_length=253)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("verified email domain")
        verbose_name_plural = _("verified email domains")
        constraints = [
            models.UniqueConstraint(fields=["agency", "domain"], name="agency_domain_unique"),
            models.CheckConstraint(condition=models.Q(domain=Lower("domain")), name="agency_domain_lowercase"),
        ]

    def __str__(self):
        return self.domain


class Officer(models.Model):
    """The portal profile of an agency employee."""

    class Verification(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    # A stable pseudonymous key: registrations keep it after the person erases their data,
    # so "officers trained" still counts distinct people.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers", verbose_name=_("agency"))
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    verification_status = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who decided on the affiliation (a manager or one of the agency's focal points), and every
    # profile change, with its actor; erasure deletes these versions with the officer.
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["user__email"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self):
        return str(self.user)

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.Verification.VERIFIED

    @property
    def language(self) -> str:
        return self.preferred_language or get_language() or settings.LANGUAGE_CODE


class FocalPointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class FocalPoint(models.Model):
    """An officer's term as a focal point of their agency: appointed by a manager, until withdrawn.

    A term is never edited into another: withdrawing closes it, appointing again opens a new one,
    so the rows (and their simple-history versions) are the audit of who held the role when, and
    who granted and withdrew it. At most one open term per officer and agency (the constraint).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="focal_points", verbose_name=_("agency"))
    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="focal_point_terms", verbose_name=_("officer")
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointed by"),
    )
    appointed_at = models.DateTimeField(_("appointed at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    objects = FocalPointQuerySet.as_manager()

    class Meta:
        ordering = ["agency", "-appointed_at"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "officer"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="focal_point_one_open_term",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gte=models.F("appointed_at")),
                name="focal_point_withdrawn_after_appointed",
            ),
        ]
        indexes = [models.Index(fields=["officer", "withdrawn_at"], name="focal_point_officer_open")]

    def __str__(self):
        return f"{self.officer} — {self.agency}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PendingOfficer(models.Model):
    """Someone a trainer recorded at a session (a walk-in) before they had an account.

    Tied to an address: the person claims it by signing up with that address and confirming it
    (``sessions.services.claim_walk_ins``); their walk-in registrations and attendance then become
    their officer profile's. Until then ``uuid`` is the pseudonymous key of those registrations, so
    "officers trained" counts the person once however many sessions they walked into. Erased with
    the officer who claimed it, or on its own (``agencies.services.erase_pending_officer``).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_by = models.ForeignKey(
        Officer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed on"), null=True, blank=True, editable=False)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["email"]
        verbose_name = _("pending officer (walk-in)")
        verbose_name_plural = _("pending officers (walk-ins)")
        constraints = [
            models.UniqueConstraint(fields=["email"], name="pending_officer_unique_email"),
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="pending_officer_email_lowercase"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class AgencyReconfirmation(models.Model):
    """A focal point's answer to the yearly reconfirmation: "these are right", or a note saying what is not.

    A confirmation moves the agency's due date a year on; a note does not (it tells managers what
    to correct, shown in the back office). The rows are the history of who answered and when.
    """

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        PROBLEM = "problem", _("Something is wrong")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="reconfirmations", verbose_name=_("agency")
    )
    kind = models.CharField(_("answer"), max_length=10, choices=Kind.choices)
    # The due date answered: a confirmation moved it a year on.
    due_on = models.DateField(_("due on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    # Free text about what is wrong: erased with its author (agencies.services.erase_officer).
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("agency reconfirmation")
        verbose_name_plural = _("agency reconfirmations")
        constraints = [
            # One confirmation per due date: two focal points confirming at once move it a year, once.
            models.UniqueConstraint(
                fields=["agency", "due_on"],
                condition=models.Q(kind="confirmed"),
                name="reconfirmation_once_per_due_date",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="confirmed") | ~models.Q(note=""), name="reconfirmation_problem_has_note"
            ),
        ]

    def __str__(self):
        return f"{self.agency} — {self.get_kind_display()} ({self.due_on})"


class TrainingRequest(models.Model):
    """An agency's request for a training, from its focal point (or a manager on its behalf).

    submitted → under review → accepted → scheduled (a draft session was made from it and linked)
    → delivered (its session was marked completed: ``sessions.services.complete_session`` moves it);
    declined (with a reason) from submitted, under review or accepted; withdrawn by the requester
    before it is scheduled. Only ``agencies.services.requests`` changes the state.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        SCHEDULED = "scheduled", _("Scheduled")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Format(models.TextChoices):  # the session's formats (sessions.models.TrainingSession.Format)
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    # What the requester states (the portal's and the back office's forms, the API show them in this
    # order); the other fields belong to the managers' triage.
    ASKED_FIELDS = (
        "topics",
        "format",
        "language",
        "period_start",
        "period_end",
        "expected_officers",
        "venue_offered",
        "notes",
    )

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="training_requests", verbose_name=_("agency")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    topics = models.ManyToManyField("training.Topic", related_name="+", verbose_name=_("topics"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    language = models.CharField(_("preferred language"), max_length=5, default="en")
    period_start = models.DateField(_("preferred period from"))
    period_end = models.DateField(_("preferred period to"))
    expected_officers = models.PositiveIntegerField(_("expected number of officers"))
    venue_offered = models.CharField(_("venue offered"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.SUBMITTED)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    session = models.OneToOneField(
        "training.TrainingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_request",
        verbose_name=_("session"),
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("training request")
        verbose_name_plural = _("training requests")
        constraints = [
            models.CheckConstraint(condition=models.Q(expected_officers__gte=1), name="training_request_officers"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="training_request_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["agency", "state"], name="training_request_agency_state")]

    def __str__(self):
        return f"{self.agency} — {self.period_start:%Y-%m-%d}"

    @property
    def may_be_withdrawn(self) -> bool:
        return self.state in WITHDRAWABLE_STATES


WITHDRAWABLE_STATES = (
    TrainingRequest.State.SUBMITTED,
    TrainingRequest.State.UNDER_REVIEW,
    TrainingRequest.State.ACCEPTED,
)
