"""Back office: training sessions, their trainers and registrations (inline), double-booking notes."""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from reports.learning import learning_gain
from sessions import selectors, services
from sessions.admin.base import (
    ScopedHistoryAdmin,
    ServiceErrorsAsMessages,
    copy_saved_state,
    local_period,
    sessions_trained_by,
    trains,
    viewer_zone,
)
from sessions.admin.calendar import calendar_view
from sessions.admin.check_ins import check_in_codes_urls
from sessions.admin.forms import (
    UTC_DISPLAY_FORMAT,
    CopySessionForm,
    RegistrationAttendanceForm,
    SessionDayFormSet,
    SessionQuotaFormSet,
    TrainingSessionForm,
)
from sessions.admin.invitations import invite_officers
from sessions.admin.meeting_attendance import meeting_attendance_urls
from sessions.admin.roll_call import RollCallAdminMixin
from sessions.models import (
    MAX_SESSION_DAYS,
    Registration,
    SessionDay,
    SessionQuota,
    SessionTrainer,
    Trainer,
    TrainingSession,
)
from sessions.selectors import booking_conflicts_of, with_seat_counts
from sessions.translation import TEXT_FIELDS_BY_LANGUAGE, translation_field_names
from trainingops.admin_widgets import SafeAutocompleteAdminMixin


def double_booking_message(conflict, clashes: list[str], zone) -> str:
    """ "Double-booked with “X” (12 Mar 09:00–13:00 (Paris)): trainer Ana López, venue Hotel Reforma." """
    other = conflict.other
    return format_html(
        gettext('Double-booked with “<a href="{url}">{other}</a>” ({when}): {clashes}.'),
        url=reverse("admin:training_trainingsession_change", args=[other.pk]),
        other=other.title,
        when=local_period(other.starts_at, other.ends_at, zone),
        clashes=", ".join(clashes),
    )


# --- Sessions ----------------------------------------------------------------------------------


class UpcomingOrPastFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gte=now)
        if self.value() == "past":
            return queryset.filter(starts_at__lt=now)
        return queryset


class TrainerFilter(admin.SimpleListFilter):
    title = _("trainer")
    parameter_name = "trainer"

    def lookups(self, request, model_admin):
        return [(trainer.pk, str(trainer)) for trainer in Trainer.objects.select_related("user")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(pk__in=SessionTrainer.objects.filter(trainer=self.value()).values("session_id"))
        return queryset


class SessionPartInline:
    """An inline of a session: frozen once the session is cancelled."""

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.status == TrainingSession.Status.CANCELLED

    def has_add_permission(self, request, obj):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class SessionTrainerInline(SafeAutocompleteAdminMixin, SessionPartInline, admin.TabularInline):
    model = SessionTrainer
    autocomplete_fields = ("trainer",)
    verbose_name = _("trainer")
    verbose_name_plural = _("trainers")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trainer__user")

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED)


class SessionQuotaInline(SafeAutocompleteAdminMixin, SessionPartInline, admin.TabularInline):
    """Seats reserved per agency (see ``sessions.selectors.seats_left``)."""

    model = SessionQuota
    formset = SessionQuotaFormSet
    autocomplete_fields = ("agency",)
    extra = 0
    verbose_name = _("seat quota")
    verbose_name_plural = _("seat quotas (reserved per agency)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED)


class SessionDayInline(SessionPartInline, admin.TabularInline):
    """The days of a session of several days (none for a one-day session), saved by ``services.set_session_days``."""

    model = SessionDay
    formset = SessionDayFormSet
    fields = ("date", "starts_at_time", "ends_at_time")
    extra = 0
    verbose_name = _("day")
    verbose_name_plural = _("days (a session of several days; leave empty for a one-day session)")

    def get_max_num(self, request, obj=None, **kwargs):
        return MAX_SESSION_DAYS

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED)


class RegistrationInline(SessionPartInline, admin.TabularInline):
    """Who registered, and their attendance, editable in place; the roll call has its own page
    (``RollCallAdminMixin``), which the inline's heading links to (``edit_inline/roll_call_tabular.html``)."""

    template = "admin/training/trainingsession/roll_call_tabular.html"

    model = Registration
    form = RegistrationAttendanceForm
    fields = (
        "officer_name",
        "agency",
        "country",
        "status",
        "source",
        "waitlist_position",
        "attendance_status",
        "attendance_note",
    )
    readonly_fields = ("officer_name", "agency", "country", "status", "source", "waitlist_position")
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("registration and attendance")
    verbose_name_plural = _("registrations and attendance")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("officer__user", "pending_officer", "session", "agency", "country", "attendance")
            .order_by("status", "waitlist_position", "id")
        )

    def has_add_permission(self, request, obj):
        return False  # registrations come from the portal, invitations, the API, or walk-ins

    @admin.display(description=_("officer"))
    def officer_name(self, registration):
        if registration.officer is None:
            return registration.person_name
        user = registration.officer.user
        return f"{user.get_full_name()} <{user.email}>" if user.get_full_name() else user.email


@admin.register(TrainingSession)
class TrainingSessionAdmin(SafeAutocompleteAdminMixin, ServiceErrorsAsMessages, RollCallAdminMixin, ScopedHistoryAdmin):
    form = TrainingSessionForm
    date_hierarchy = "starts_at"
    list_display = (
        "title",
        "local_start",
        "format",
        "status",
        "place",
        "trainer_names",
        "capacity",
        "seats_taken",
        "seats_left",
        "waitlist",
    )
    list_filter = (
        "status",
        "format",
        UpcomingOrPastFilter,
        ("country", admin.RelatedOnlyFieldListFilter),
        "topics",
        TrainerFilter,
    )
    search_fields = (
        *translation_field_names("title"),
        "city",
        "session_trainers__trainer__user__first_name",
        "session_trainers__trainer__user__last_name",
        "session_trainers__trainer__user__email",
    )
    list_select_related = ("country",)
    autocomplete_fields = ("topics", "country", "host_agency", "audience_agencies", "audience_countries")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SessionTrainerInline, SessionDayInline, RegistrationInline, SessionQuotaInline]
    actions = ["publish_sessions", "cancel_sessions", "complete_sessions", invite_officers, "copy_to_new_dates"]
    base_readonly_fields = (
        "status",
        "sequence",
        "published_at",
        "completed_at",
        "cancelled_at",
        "created_by",
        "knowledge_checks_summary",
    )
    fieldsets = (
        (
            _("Title and description"),
            {
                "fields": TEXT_FIELDS_BY_LANGUAGE,
                "description": _(
                    "English is required. Where the Spanish or French text is empty, readers see the "
                    "session's own language, or English."
                ),
            },
        ),
        (None, {"fields": ("topics", "format", "language", "status")}),
        (
            _("When (in the session's time zone)"),
            {
                "fields": (
                    "timezone",
                    ("starts_at", "ends_at"),
                    ("registration_opens_at", "registration_closes_at"),
                    "reminder_offsets_hours",
                    ("present_threshold_percent", "partial_threshold_percent"),
                    "self_check_in",
                )
            },
        ),
        (_("Where"), {"fields": ("venue", "city", "country", "meeting_url")}),
        (
            _("Seats and audience"),
            {
                "fields": (
                    "capacity",
                    "registration_mode",
                    ("nomination_deadline", "quota_release_at"),
                    "audience",
                    "audience_agencies",
                    "audience_countries",
                    "host_agency",
                )
            },
        ),
        (_("Cancellation"), {"classes": ("collapse",), "fields": ("cancellation_reason",)}),
        (_("Knowledge checks"), {"fields": ("knowledge_checks_summary",)}),
        (
            _("Record"),
            {
                "classes": ("collapse",),
                "fields": ("sequence", "published_at", "completed_at", "cancelled_at", "created_by"),
            },
        ),
    )

    # Scoping: managers see everything, trainers the sessions they train.

    def get_queryset(self, request):
        queryset = with_seat_counts(super().get_queryset(request)).prefetch_related(
            Prefetch("session_trainers", queryset=SessionTrainer.objects.select_related("trainer__user"))
        )
        if is_manager(request.user):
            return queryset
        return queryset.filter(pk__in=sessions_trained_by(request.user))

    def session_id_of(self, obj) -> int:
        return obj.pk

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status != TrainingSession.Status.CANCELLED)

    def has_delete_permission(self, request, obj=None):
        # Only a draft can disappear; anything published is cancelled instead, so people are told.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == TrainingSession.Status.DRAFT)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # The form.

    def get_inlines(self, request, obj):
        # A session being drafted has nobody registered yet.
        return self.inlines if obj is not None else [SessionTrainerInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == TrainingSession.Status.COMPLETED:
            # A completed session is history; only its attendance (and walk-ins, at the roll call) may still change.
            return list(flatten_fieldsets(self.fieldsets))
        return self.base_readonly_fields

    def save_model(self, request, obj, form, change):
        request._booking_conflicts_before = {
            key for known in booking_conflicts_of(obj.pk) for key in known.clash_keys()
        }
        if not change:
            copy_saved_state(services.create_session(by=request.user, **self._session_values(form)), obj)
        # A change is saved by save_related, with the days edited on the same page (they must fit it).

    def _session_values(self, form) -> dict:
        return {field.name: getattr(form.instance, field.name) for field in self._session_fields(form)}

    def _session_fields(self, form) -> list:
        return [field for field in form.instance._meta.concrete_fields if field.name in form.fields]

    def _update_session(self, request, form, formsets):
        """``update_session``, given the days too when they changed on the page: a new start and end
        and the days that fit them are checked and saved together (``_save_days`` then has nothing to do)."""
        if not any(field.name in form.changed_data for field in self._session_fields(form)):
            return
        days = next((formset for formset in formsets if formset.model is SessionDay and formset.has_changed()), None)
        extra = {}
        if days is not None:
            extra["days"] = days.kept_days()
            days.saved_with_session = True
        services.update_session(session=form.instance, by=request.user, **self._session_values(form), **extra)

    def save_related(self, request, form, formsets, change):
        if change:
            self._update_session(request, form, formsets)
        super().save_related(request, form, formsets, change)
        session = form.instance
        if not change:
            self._make_creator_lead_trainer(request, session)
        self._warn_about_new_double_bookings(request, session)

    def save_formset(self, request, form, formset, change):
        if formset.model is Registration:
            self._save_attendance(request, formset)
        elif formset.model is SessionDay:
            self._save_days(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _make_creator_lead_trainer(self, request, session):
        if services.assign_creator_as_trainer(session=session, by=request.user):
            self.message_user(request, gettext("You were made the lead trainer of this session."), messages.INFO)

    def _save_days(self, request, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.has_changed() and not getattr(formset, "saved_with_session", False):
            services.set_session_days(session=formset.instance, days=formset.kept_days(), by=request.user)

    def _save_attendance(self, request, formset):
        # Registrations themselves are read-only here: only attendance is written, by the service.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            registration = inline_form.instance
            try:
                services.record_attendance(
                    registration=registration,
                    status=inline_form.cleaned_data["attendance_status"],
                    note=inline_form.cleaned_data["attendance_note"],
                    by=request.user,
                )
            except services.SessionError as error:
                self.message_user(
                    request,
                    gettext("Attendance of %(registration)s was not recorded: %(reason)s")
                    % {"registration": registration, "reason": error.message},
                    messages.ERROR,
                )
            else:
                formset.changed_objects.append((registration, ["attendance"]))

    def _warn_about_new_double_bookings(self, request, session):
        """One warning per other session this save made a trainer or the venue clash with; a clash known
        before the save (shown when it arose, listed on the dashboard) is not repeated."""
        known = getattr(request, "_booking_conflicts_before", set())
        zone = viewer_zone(request)
        for conflict in booking_conflicts_of(session.pk):
            clashes = [
                gettext("trainer %(name)s") % {"name": trainer}
                for trainer in conflict.trainers
                if (conflict.other.pk, "trainer", trainer.pk) not in known
            ]
            if conflict.venue and (conflict.other.pk, "venue") not in known:
                clashes.append(gettext("venue %(venue)s") % {"venue": conflict.venue})
            if clashes:
                self.message_user(request, double_booking_message(conflict, clashes, zone), messages.WARNING)

    # Changelist columns.

    @admin.display(description=_("pre-test, post-test and learning gain"))
    def knowledge_checks_summary(self, session):
        """The session's tests and its learning gain (``reports.learning.learning_gain``), beside which
        the survey's results are one link away."""
        if session is None or session.pk is None:
            return "—"
        checks = session.knowledge_checks.annotate(
            questions_count=Count("questions", distinct=True), attempts_count=Count("attempts", distinct=True)
        )
        lines = [
            format_html(
                '<a href="{}">{}</a>: {}',
                reverse("admin:training_knowledgecheck_change", args=[check.pk]),
                check.get_kind_display(),
                gettext("%(questions)d questions, %(attempts)d attempts")
                % {"questions": check.questions_count, "attempts": check.attempts_count},
            )
            for check in checks
        ]
        if not lines:
            return gettext("No pre-test or post-test.")
        gain = learning_gain(sessions=[session.pk])
        if gain.officers:
            lines.append(
                ngettext(
                    "Learning gain: %(gain)s points over %(officers)d officer who took both tests "
                    "(pre-test %(pre)s %%, post-test %(post)s %%).",
                    "Learning gain: %(gain)s points over %(officers)d officers who took both tests "
                    "(pre-test %(pre)s %%, post-test %(post)s %%).",
                    gain.officers,
                )
                % {
                    "gain": f"{gain.learning_gain:+}",
                    "officers": gain.officers,
                    "pre": gain.average_pre_test_score,
                    "post": gain.average_post_test_score,
                }
            )
        else:
            lines.append(gettext("Learning gain: no officer has taken both tests yet."))
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))  # noqa: S308 — a constant

    @admin.display(description=_("starts (local time)"), ordering="starts_at")
    def local_start(self, session):
        if session.starts_at is None:
            return "—"
        local = session.starts_at.astimezone(session.timezone)
        return format_html("{} <small>{}</small>", local.strftime(UTC_DISPLAY_FORMAT), session.timezone)

    @admin.display(description=_("place"))
    def place(self, session):
        if session.format == TrainingSession.Format.VIRTUAL:
            return gettext("online")
        return ", ".join(part for part in (session.city, str(session.country or "")) if part) or "—"

    @admin.display(description=_("trainers"))
    def trainer_names(self, session):
        return format_html_join(", ", "{}", ((assignment.trainer,) for assignment in session.session_trainers.all()))

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, session):
        return session.seats_taken

    @admin.display(description=_("seats left"))
    def seats_left(self, session):
        left = selectors.seats_left(session, taken=session.seats_taken)
        return "—" if left is None else left

    @admin.display(description=_("waitlist"), ordering="waitlist_length")
    def waitlist(self, session):
        return session.waitlist_length

    # Actions: each a state transition by the service, reported session by session.

    def _transition(self, request, queryset, change, done, refused):
        for session in queryset:
            try:
                change(session)
            except services.SessionError as error:
                self.message_user(
                    request, refused % {"session": session.title, "reason": error.message}, messages.ERROR
                )
            else:
                self.message_user(request, done % {"session": session.title}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected sessions"), permissions=["change"])
    def copy_to_new_dates(self, request, queryset):
        """Open the "run it again" form for the one selected session."""
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one session to copy."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:training_trainingsession_copy", args=[queryset.get().pk]))

    copy_to_new_dates.short_description = _("Run again on new dates…")
    copy_to_new_dates.allowed_permissions = ("add",)

    def get_urls(self):
        view = self.admin_site.admin_view(self.copy_view)
        calendar = self.admin_site.admin_view(partial(calendar_view, self))
        return [
            path("<int:session_id>/copy/", view, name="training_trainingsession_copy"),
            path("calendar/", calendar, name="training_trainingsession_calendar"),
            *self.roll_call_urls(),
            *meeting_attendance_urls(self),
            *check_in_codes_urls(self),
            *super().get_urls(),
        ]

    def copy_view(self, request, session_id):
        """Run a session again: its topics, trainers, audience, description and capacity, new dates."""
        session = get_object_or_404(TrainingSession, pk=session_id)
        if not self.has_add_permission(request) or not trains(request, session.pk):
            raise PermissionDenied
        form = CopySessionForm(request.POST or None, session=session)
        if request.method == "POST" and form.is_valid():
            try:
                copy = services.copy_session(session=session, starts_at=form.cleaned_data["starts_at"], by=request.user)
            except services.SessionError as error:
                form.add_error("starts_at" if error.field in (None, "starts_at", "ends_at") else None, error.message)
            else:
                self.message_user(request, gettext("A draft copy was made; check it and publish it."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:training_trainingsession_change", args=[copy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run %(session)s again") % {"session": session},
            "opts": self.model._meta,
            "session": session,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/training/trainingsession/copy.html", context)

    def publish_sessions(self, request, queryset):
        self._transition(
            request,
            queryset,
            lambda session: services.publish_session(session=session, by=request.user),
            done=gettext("“%(session)s” is published."),
            refused=gettext("“%(session)s” was not published: %(reason)s"),
        )

    @admin.action(description=_("Cancel the selected sessions (registered officers are told)"), permissions=["change"])
    def cancel_sessions(self, request, queryset):
        self._transition(
            request,
            queryset,
            lambda session: services.cancel_session(
                session=session, by=request.user, reason=session.cancellation_reason
            ),
            done=gettext("“%(session)s” is cancelled."),
            refused=gettext("“%(session)s” was not cancelled: %(reason)s"),
        )

    @admin.action(
        description=_("Mark the selected sessions completed (attendees get the survey)"), permissions=["change"]
    )
    def complete_sessions(self, request, queryset):
        self._transition(
            request,
            queryset,
            lambda session: services.complete_session(session=session, by=request.user),
            done=gettext("“%(session)s” is marked completed."),
            refused=gettext("“%(session)s” was not marked completed: %(reason)s"),
        )
