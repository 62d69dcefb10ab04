import secrets
import uuid
from datetime import tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from timezone_field import TimeZoneField

from accounts.models import HistoricalActor
from agencies.models import Agency, Country, Officer, PendingOfficer
from trainingops.actors import history_user
from trainingops.validators import EARLIEST_DATETIME, END_DATETIME, validate_datetime_in_range

# Languages a session can be taught in (wider than the portal's three).
SESSION_LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("de", _("German")),
    ("nl", _("Dutch")),
    ("sv", _("Swedish")),
    ("ko", _("Korean")),
    ("he", _("Hebrew")),
    ("tl", _("Filipino")),
    ("ar", _("Arabic")),
]


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Topic(models.Model):
    """A curriculum item, e.g. "Tracing and seizing illicit funds"."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self) -> str:
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", "") or self.name


class Trainer(models.Model):
    """A staff member who teaches: security experts, investigators, former officers."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer")
    bio = models.TextField(_("bio"), blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="trainers", verbose_name=_("topics"))
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("Language codes, e.g. en, es"))

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self):
        return str(self.user)


# A reminder at most a year ahead: larger offsets would reach before year 1 when subtracted.
MAX_REMINDER_OFFSET_HOURS = 24 * 366

# The moments a trainer types on a session; each is kept within trainingops.validators' years.
SESSION_DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def _all_in_range(names) -> Q:
    condition = Q()
    for name in names:
        condition &= Q(**{f"{name}__isnull": True}) | Q(
            **{f"{name}__gte": EARLIEST_DATETIME, f"{name}__lt": END_DATETIME}
        )
    return condition


def join_place_names(*names: str) -> str:
    """Join the parts of a place with commas, leaving out blanks and a name already said (a venue
    named after its city, or a city-state such as Singapore)."""
    said, parts = set(), []
    for name in (name.strip() for name in names):
        if name and name.casefold() not in said:
            said.add(name.casefold())
            parts.append(name)
    return ", ".join(parts)


_LANGUAGE_LABELS = dict(SESSION_LANGUAGES)


class TrainingSession(models.Model):
    class Format(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        OPEN = "open", _("All verified officers")
        RESTRICTED = "restricted", _("Listed agencies and/or countries")

    class RegistrationMode(models.TextChoices):
        OPEN = "open", _("Open registration")
        NOMINATION = "nomination", _("By nomination")
        NOMINATION_APPROVAL = "approval", _("By nomination with approval")

    DATETIME_FIELDS = SESSION_DATETIME_FIELDS

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions", verbose_name=_("topics"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.VIRTUAL)
    # Stored in UTC; shown in the session's own time zone and in the viewer's.
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    timezone = TimeZoneField(_("time zone"), default="UTC")
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions", verbose_name=_("country")
    )
    meeting_url = models.URLField(_("meeting link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=SESSION_LANGUAGES, default="en")
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.OPEN)
    audience_agencies = models.ManyToManyField(Agency, blank=True, related_name="+", verbose_name=_("agencies invited"))
    audience_countries = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("countries invited")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Defaults to the session's start.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    registration_mode = models.CharField(
        _("registration mode"), max_length=10, choices=RegistrationMode.choices, default=RegistrationMode.OPEN
    )
    nomination_deadline = models.DateTimeField(
        _("nomination deadline"),
        null=True,
        blank=True,
        help_text=_("Seats held for nominees invited by email are released at this time."),
    )
    quota_release_at = models.DateTimeField(
        _("quota release date"),
        null=True,
        blank=True,
        help_text=_("Unused seats reserved for agencies go to the general pool and the waitlist at this time."),
    )
    quotas_released_at = models.DateTimeField(null=True, blank=True, editable=False)
    host_agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_sessions",
        verbose_name=_("host agency"),
    )
    trainers = models.ManyToManyField(Trainer, through="SessionTrainer", related_name="sessions", blank=True)
    # Hours before the start at which reminders go out; empty means the site default.
    reminder_offsets_hours = models.JSONField(_("reminder offsets (hours)"), null=True, blank=True)
    # iCalendar SEQUENCE: raised whenever attendees must update their calendar entry.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    # Share of the scheduled duration spent in the meeting (by the platform's report) for present / partial.
    present_threshold_percent = models.PositiveSmallIntegerField(
        _("present from (% of the session in the meeting)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    partial_threshold_percent = models.PositiveSmallIntegerField(
        _("partial from (% of the session in the meeting)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(partial_threshold_percent__lte=F("present_threshold_percent")),
                name="session_partial_threshold_below_present",
                violation_error_message=_("The partial threshold must not exceed the present threshold."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="session_capacity_at_least_one",
                violation_error_message=_("Capacity must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="session_registration_window_ordered",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=_all_in_range(SESSION_DATETIME_FIELDS),
                name="session_dates_in_supported_years",
                violation_error_message=_("Dates must be within the supported years."),
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return self.title

    # Django's generated get_FOO_display hashes every lazy label of the field's choices per call
    # (one gettext each): the 24 calls of the session list were a tenth of its time.
    def get_format_display(self) -> str:
        return str(_FORMAT_LABELS.get(self.format, self.format))

    def get_language_display(self) -> str:
        return str(_LANGUAGE_LABELS.get(self.language, self.language))

    def clean(self):
        # In the session's own zone too: the admin and the portal show these times there.
        zone = self.timezone if isinstance(self.timezone, tzinfo) else None
        errors = {}
        for name in self.DATETIME_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            try:
                validate_datetime_in_range(value, zone)
            except ValidationError as error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    @property
    def place(self) -> str:
        """Venue, city and country for people to read, each name once ("Monterrey", not "Monterrey, Monterrey")."""
        return join_place_names(self.venue, self.city, str(self.country) if self.country_id else "")

    @property
    def locality(self) -> str:
        """City and country, each name once: the place in a list of sessions."""
        return join_place_names(self.city, str(self.country) if self.country_id else "")

    @property
    def is_virtual(self) -> bool:
        return self.format in (self.Format.VIRTUAL, self.Format.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def effective_registration_closes_at(self):
        return self.registration_closes_at or self.starts_at

    @property
    def is_by_nomination(self) -> bool:
        return self.registration_mode != self.RegistrationMode.OPEN


class SessionQuota(models.Model):
    """Seats of a session reserved for one agency until the session's quota release date."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="quotas")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["session", "agency__name"]
        verbose_name = _("seat quota")
        verbose_name_plural = _("seat quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "agency"],
                name="session_quota_unique_agency",
                violation_error_message=_("This agency already has a quota for this session."),
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1),
                name="session_quota_at_least_one",
                violation_error_message=_("At least 1 seat."),
            ),
        ]

    def __str__(self):
        return f"{self.agency}: {self.seats}"


class SessionTrainer(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead trainer")
        CO_TRAINER = "co", _("Co-trainer")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="session_trainers")
    trainer = models.ForeignKey(Trainer, on_delete=models.PROTECT, related_name="session_assignments")
    role = models.CharField(_("role"), max_length=4, choices=Role.choices, default=Role.LEAD)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("session trainer")
        verbose_name_plural = _("session trainers")
        constraints = [models.UniqueConstraint(fields=["session", "trainer"], name="session_trainer_unique")]

    def __str__(self):
        return f"{self.trainer} ({self.get_role_display()})"


_FORMAT_LABELS = dict(TrainingSession.Format.choices)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Portal")
        INVITATION = "invitation", _("Invitation")
        ADMIN = "admin", _("Admin")
        WALK_IN = "walk_in", _("Walk-in")
        API = "api", _("API")
        NOMINATION = "nomination", _("Nomination")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="registrations")
    # Null once the officer erased their personal data; the snapshot below keeps the counts.
    officer = models.ForeignKey(Officer, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations")
    # A walk-in without an account yet; kept after they claim it (then ``officer`` is set too).
    pending_officer = models.ForeignKey(
        PendingOfficer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("walk-in without account"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PORTAL)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    # Snapshot at registration time: history and yearly counts do not move afterwards.
    officer_key = models.UUIDField(_("officer key"), db_index=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="registrations")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="registrations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["session", "status", "waitlist_position", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["session", "officer"], name="registration_unique_officer_per_session"),
            models.UniqueConstraint(
                fields=["session", "officer_key"], name="registration_unique_officer_key_per_session"
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False) | ~Q(status="waitlisted"),
                name="registration_waitlisted_has_position",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return f"{self.person_name} — {self.session}"

    @property
    def person_name(self) -> str:
        """Who holds the seat: the officer, a walk-in without an account yet, or nobody after erasure."""
        if self.officer_id is not None:
            return str(self.officer)
        if self.pending_officer_id is not None:
            return self.pending_officer.name
        return str(_("erased officer"))


class Nomination(models.Model):
    """A focal point's nomination of an officer of their agency (or of an address, invited to sign up).

    Pending (awaiting a manager's approval) and invited (awaiting sign-up) nominations hold a seat;
    a confirmed one holds it through its registration.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        INVITED = "invited", _("Invited to sign up")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    HOLDING = (Status.PENDING, Status.INVITED)
    ACTIVE = (Status.PENDING, Status.INVITED, Status.CONFIRMED)

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="nominations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("agency"))
    officer = models.ForeignKey(
        Officer, on_delete=models.SET_NULL, null=True, blank=True, related_name="nominations", verbose_name=_("officer")
    )
    # Only for a nominee without an account yet; erased with the invitation.
    email = models.EmailField(_("email"), blank=True)
    invitation = models.OneToOneField(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="nomination"
    )
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="nomination"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user, excluded_fields=["email"])

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "officer"],
                condition=Q(status__in=["pending", "invited", "confirmed"]),
                name="nomination_unique_active_officer",
            ),
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=Q(status__in=["pending", "invited", "confirmed"]) & ~Q(email=""),
                name="nomination_unique_active_email",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return f"{self.nominee} — {self.session}"

    @property
    def nominee(self) -> str:
        if self.officer_id is not None:
            return str(self.officer)
        return self.email or str(_("erased officer"))


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        PARTIAL = "partial", _("Partial")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    COUNTED = (Status.PRESENT, Status.PARTIAL)
    # The registration's columns an attendance carries a copy of (see the fields below).
    SNAPSHOT_FIELDS = ("session_id", "officer_key", "agency_id", "country_id")

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Copies of the registration's session and snapshot, so that the yearly report reads counted
    # attendance from one index without joining registrations. sessions.services writes them with
    # the attendance and whenever a registration is snapshotted again; ``sync_attendance_snapshots``
    # verifies (and repairs) them.
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )
    officer_key = models.UUIDField(editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    history = HistoricalRecords(
        excluded_fields=["session", "officer_key", "agency", "country"], bases=[HistoricalActor], get_user=history_user
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [
            models.Index(fields=["status"]),
            # The report's counted attendance of a set of sessions, read from the index alone (PostgreSQL).
            models.Index(
                fields=["session", "status"],
                include=["officer_key", "agency", "country"],
                name="attendance_session_report",
            ),
        ]

    def __str__(self):
        return f"{self.registration}: {self.get_status_display()}"


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    officer = models.ForeignKey(Officer, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["session", "email"], name="invitation_unique_email_per_session")]

    def __str__(self):
        return f"{self.email} → {self.session}"


class InvitationRequest(models.Model):
    """A request to invite people to a session, kept until the worker has made its invitations.

    The broker is an accelerator: while it is down the request waits here, and beat's sweep hands
    it to the worker again (``sessions.tasks.resume_invitation_requests``). The pasted addresses
    are cleared once the invitations exist, which hold them from then on.
    """

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agency_ids = models.JSONField(default=list, blank=True)
    country_codes = models.JSONField(default=list, blank=True)
    pasted = models.TextField(blank=True)
    # The agency given to pasted addresses that are neither an officer nor on an agency's domain.
    default_agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("default agency")
    )
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation request")
        verbose_name_plural = _("invitation requests")
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(processed_at__isnull=True), name="invitation_request_pending"
            )
        ]

    def __str__(self):
        return f"{self.session_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class Survey(models.Model):
    """The follow-up questionnaire of one session."""

    session = models.OneToOneField(TrainingSession, on_delete=models.CASCADE, related_name="survey")
    created_at = models.DateTimeField(auto_now_add=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return f"{_('Survey')}: {self.session}"


class SurveyResponse(models.Model):
    """One attendee's personal survey link and, once answered, their answers."""

    # Indexed by "survey_report" below, which leads with the survey.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="survey_response")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    overall_rating = models.PositiveSmallIntegerField(
        _("overall rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness_rating = models.PositiveSmallIntegerField(
        _("usefulness"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    trainer_rating = models.PositiveSmallIntegerField(
        _("trainer rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommend_score = models.PositiveSmallIntegerField(
        _("likelihood to recommend"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    topics_wanted = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics wanted next"))
    comments = models.TextField(_("comments"), blank=True, max_length=4000)
    # The attendee agreed that their comments may be quoted, without their name, in the yearly
    # impact summary. Off unless they tick it; erasure turns it off with the comments.
    quote_consent = models.BooleanField(_("may be quoted anonymously"), default=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_rating__isnull=True) | Q(overall_rating__range=(1, 5)),
                name="survey_overall_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(usefulness_rating__isnull=True) | Q(usefulness_rating__range=(1, 5)),
                name="survey_usefulness_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(trainer_rating__isnull=True) | Q(trainer_rating__range=(1, 5)),
                name="survey_trainer_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(recommend_score__isnull=True) | Q(recommend_score__range=(0, 10)),
                name="survey_recommend_score_range",
            ),
        ]
        indexes = [
            # The yearly report's survey averages read the answers of a set of surveys from the index
            # alone (PostgreSQL), without visiting the wide response rows.
            models.Index(
                fields=["survey"],
                include=[
                    "submitted_at",
                    "overall_rating",
                    "usefulness_rating",
                    "trainer_rating",
                    "recommend_score",
                ],
                name="surveyresponse_report",
            ),
        ]

    def __str__(self):
        return f"{self.survey} — {self.registration_id}"


def new_certificate_code() -> str:
    """Twelve characters from an alphabet without look-alikes, grouped for reading: 7QKM-3TXA-9PWD."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


class Certificate(models.Model):
    """A certificate of attendance, with a snapshot of exactly what is printed on it."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(_("verification code"), max_length=20, unique=True, default=new_certificate_code)
    officer_name = models.CharField(_("officer's name"), max_length=300)
    agency_name = models.CharField(_("agency"), max_length=250)
    session_title = models.CharField(_("session title"), max_length=200)
    session_date = models.DateField(_("session date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    trainer_names = models.CharField(_("trainers"), max_length=500, blank=True)
    attendance_status = models.CharField(_("attendance"), max_length=10, choices=Attendance.Status.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    # The issuer as it was on the day of issue (CertificateSettings may change later).
    organisation_name = models.CharField(_("issuing organisation"), max_length=200, blank=True, default="")
    signatory_name = models.CharField(_("signatory's name"), max_length=200, blank=True, default="")
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True, default="")
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="certificate_hours_not_negative")]

    def __str__(self):
        return f"{self.code} — {self.officer_name}"


class CertificateSettings(models.Model):
    """Who issues the certificates of attendance: the organisation and the person who signs them.

    One row (pk 1), edited by managers in the back office. Each certificate copies the names when it
    is issued; the signature image is printed only while the signatory is still the one named on it.
    """

    organisation_name = models.CharField(_("issuing organisation"), max_length=200, blank=True, default="")
    signatory_name = models.CharField(_("signatory's name"), max_length=200, blank=True, default="")
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True, default="")
    signature_image = models.BinaryField(_("signature image"), blank=True, default=b"", editable=False)
    signature_content_type = models.CharField(max_length=20, blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user, excluded_fields=["signature_image"])

    class Meta:
        verbose_name = _("certificate settings")
        verbose_name_plural = _("certificate settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="certificate_settings_single_row")]

    def __str__(self):
        return str(_("Certificate issuer and signatory"))

    @classmethod
    def load(cls) -> "CertificateSettings":
        """The one row, or an unsaved empty one before a manager has filled it in."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
