import secrets
import uuid
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

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
SESSION_DATETIME_FIELDS = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "nomination_deadline",
    "quota_release_at",
)


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
    # Officers may check themselves in with the code shown at the venue or posted in the meeting chat.
    self_check_in = models.BooleanField(
        _("self check-in"),
        default=False,
        help_text=_("Officers with a confirmed seat check themselves in with a code shown at the venue or a link."),
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
    # The sum of the days' hours attended, for a session of several days (``settle_attendance_from_days``);
    # empty for a one-day session, whose hours are its own.
    hours_attended = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1, null=True, blank=True)
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


class CheckIn(models.Model):
    """One scan of a personal code, a name found by search, or an officer's self check-in.

    ``nonce`` is the scanning device's (or the server's, for a self check-in) id of the scan, so that a
    batch sent again records nothing new; ``outcome`` is what the first sending answered. The attendance
    it led to is the registration's ``Attendance`` (checked in at the earliest scan).
    """

    class Via(models.TextChoices):
        CODE = "code", _("Personal code")
        SEARCH = "search", _("Search by name")
        SELF = "self", _("Self check-in")

    class Outcome(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="check_ins")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="check_ins")
    # Unique within the session (the session's row lock orders its batches): another session's scan with
    # the same nonce is another scan, never a conflict.
    nonce = models.CharField(_("device nonce"), max_length=64)
    via = models.CharField(_("via"), max_length=6, choices=Via.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    scanned_at = models.DateTimeField(_("scanned at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["session", "recorded_at", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["session", "recorded_at"], name="check_in_session_recorded")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scanned_at__gte=EARLIEST_DATETIME) & Q(scanned_at__lt=END_DATETIME),
                name="check_in_scanned_in_supported_years",
            ),
            models.UniqueConstraint(fields=["session", "nonce"], name="check_in_nonce_unique_in_session"),
        ]

    def __str__(self):
        return f"{self.registration_id} @ {self.scanned_at:%Y-%m-%d %H:%M}"


# A session of several days has at most this many (a month of a course, day by day).
MAX_SESSION_DAYS = 31


class SessionDay(models.Model):
    """One day of a session that spans several days, with its hours in the session's own time zone.

    A session without days is a one-day session, as before: its start and end are its hours. A
    session with days takes attendance per day (``DayAttendance``); the session's attendance follows
    from them (``sessions.services.session_days``).
    """

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    starts_at_time = models.TimeField(_("starts (local time)"))
    ends_at_time = models.TimeField(_("ends (local time)"))
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["session", "date"]
        verbose_name = _("session day")
        verbose_name_plural = _("session days")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "date"],
                name="session_day_unique_date",
                violation_error_message=_("This session already has this day."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at_time__gt=F("starts_at_time")),
                name="session_day_ends_after_start",
                violation_error_message=_("A day must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.starts_at_time:%H:%M}–{self.ends_at_time:%H:%M}"

    def _local(self, time, zone):
        return datetime.combine(self.date, time).replace(tzinfo=zone)

    def starts_at_in(self, zone) -> datetime:
        """The day's start as an aware moment, given the session's zone."""
        return self._local(self.starts_at_time, zone)

    def ends_at_in(self, zone) -> datetime:
        return self._local(self.ends_at_time, zone)

    @property
    def starts_at(self) -> datetime:
        return self.starts_at_in(self.session.timezone)

    @property
    def ends_at(self) -> datetime:
        return self.ends_at_in(self.session.timezone)

    @property
    def hours(self) -> Decimal:
        """Scheduled hours of the day (a daylight-saving change is counted as clock time)."""
        start = datetime.combine(self.date, self.starts_at_time)
        end = datetime.combine(self.date, self.ends_at_time)
        return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class DayAttendance(models.Model):
    """A registration's attendance on one day of a session of several days."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        PARTIAL = "partial", _("Partial")
        ABSENT = "absent", _("Absent")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="day_attendances")
    # A day with attendance taken cannot be removed (the service says so first).
    day = models.ForeignKey(SessionDay, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    # Time attended when known (a meeting report); a partial day without it counts half the day.
    minutes_attended = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["day__date", "id"]
        verbose_name = _("day attendance")
        verbose_name_plural = _("day attendance")
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="day_attendance_unique"),
        ]

    def __str__(self):
        return f"{self.registration_id} @ {self.day}: {self.get_status_display()}"

    @property
    def hours_attended(self) -> Decimal:
        """The day's hours for present; the time recorded, else half the day, for partial; none for absent."""
        if self.status == self.Status.PRESENT:
            return self.day.hours
        if self.status == self.Status.ABSENT:
            return Decimal("0.0")
        if self.minutes_attended is not None:
            hours = Decimal(self.minutes_attended) / Decimal(60)
            return min(hours, self.day.hours).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return (self.day.hours / 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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
    # For a session of several days, the days attended as printed: [{"date": "2026-12-01", "hours": "8.0"}].
    days = models.JSONField(_("days attended"), default=list, blank=True)
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

    @property
    def days_attended(self) -> list[tuple[date, Decimal]]:
        """The printed days of a session of several days as (date, hours) pairs; empty for a one-day session."""
        return [(date.fromisoformat(day["date"]), Decimal(day["hours"])) for day in self.days]


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


class PendingMeetingReport(models.Model):
    """A meeting platform's participant report uploaded for preview, kept until its uploader confirms
    the import or it expires (``sessions.services.meeting_attendance``). It names the participants:
    deleted on confirmation, by the expiry sweep, and by erasure when it lists the erased person."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField(editable=False)
    uploaded_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("uploaded meeting report")
        verbose_name_plural = _("uploaded meeting reports")
        constraints = [
            models.UniqueConstraint(fields=["session", "uploaded_by"], name="pending_meeting_report_one_per_uploader")
        ]

    def __str__(self):
        return f"meeting report #{self.pk}"


# --- Knowledge checks -----------------------------------------------------------------------------
# A question bank per topic; a session's pre-test and post-test (questions fixed at the session, so
# every officer answers the same test); each officer's attempts and scores. The learning gain is
# computed in one place: ``reports.learning.learning_gain``.


class Question(models.Model):
    """A multiple-choice question of a topic's bank. Its text is in English, Spanish and French
    (``text_en``…, django-modeltranslation: see sessions/translation.py); one or more options are correct."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("topic"))
    text = models.TextField(_("question"), max_length=1000)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive questions are not drawn for new tests.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["topic", "id"]
        verbose_name = _("knowledge-check question")
        verbose_name_plural = _("knowledge-check questions")

    def __str__(self):
        text = self.text or ""
        return text if len(text) <= 80 else f"{text[:79]}…"


class QuestionOption(models.Model):
    """One answer offered by a question, correct or not."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text or ""


class KnowledgeCheck(models.Model):
    """A session's pre-test or post-test: the questions every officer of the session answers."""

    class Kind(models.TextChoices):
        PRE = "pre", _("Pre-test")
        POST = "post", _("Post-test")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="knowledge_checks")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    questions = models.ManyToManyField(Question, related_name="knowledge_checks", verbose_name=_("questions"))
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Every attempt's score is kept; the learning gain uses each officer's first attempt."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who set the test, and which questions it had (each change of them is a version of its own).
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user, m2m_fields=[questions])

    class Meta:
        ordering = ["session", "kind"]
        verbose_name = _("knowledge check")
        verbose_name_plural = _("knowledge checks")
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="knowledge_check_one_kind_per_session"),
            models.CheckConstraint(condition=Q(max_attempts__range=(1, 5)), name="knowledge_check_attempts_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.session}"


class KnowledgeCheckAttempt(models.Model):
    """One attempt of an officer (a registration) at a knowledge check, with its score.

    The attempt belongs to the registration, like the survey answers: when the officer erases their
    data the registration loses its officer, so the attempt (and its answers, which hold no free text)
    stays counted in the learning gain but no longer leads to anyone.
    """

    knowledge_check = models.ForeignKey(KnowledgeCheck, on_delete=models.CASCADE, related_name="attempts")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="knowledge_check_attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    correct_count = models.PositiveSmallIntegerField(_("correct answers"))
    question_count = models.PositiveSmallIntegerField(_("questions"))
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["knowledge_check", "registration", "number"]
        verbose_name = _("knowledge-check attempt")
        verbose_name_plural = _("knowledge-check attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_check", "registration", "number"], name="knowledge_check_attempt_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(question_count__gt=0, correct_count__lte=F("question_count"), number__gte=1),
                name="knowledge_check_attempt_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.knowledge_check} #{self.number}: {self.correct_count}/{self.question_count}"

    @property
    def score(self) -> float:
        """The score in percent (0–100)."""
        return 100 * self.correct_count / self.question_count


class KnowledgeCheckAnswer(models.Model):
    """The options chosen for one question in one attempt."""

    attempt = models.ForeignKey(KnowledgeCheckAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    chosen = models.ManyToManyField(QuestionOption, related_name="+", blank=True)
    is_correct = models.BooleanField()

    class Meta:
        verbose_name = _("knowledge-check answer")
        verbose_name_plural = _("knowledge-check answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="knowledge_check_answer_one_per_question")
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.question_id}"
