"""Back-office forms for sessions: wall-clock times in the session's own time zone, attendance, walk-ins."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from sessions import services
from sessions.models import (
    MAX_REMINDER_OFFSET_HOURS,
    SESSION_DATETIME_FIELDS,
    Attendance,
    DayAttendance,
    Registration,
    TrainingSession,
)
from sessions.translation import TEXT_FIELDS_BY_LANGUAGE
from trainingops.validators import validate_wall_time_in_range

# Entered and shown as wall-clock time in the session's time zone, stored in UTC: every moment a
# trainer types on a session (the model's list, which the database also keeps within range).
LOCAL_DATETIME_FIELDS = SESSION_DATETIME_FIELDS
UTC_DISPLAY_FORMAT = "%Y-%m-%d %H:%M"


class LocalSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time kept naive: the form, not the request's time zone, says where they are."""

    def compress(self, data_list):
        if not data_list:
            return None
        if data_list[0] in self.empty_values:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if data_list[1] in self.empty_values:
            raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        return datetime.combine(*data_list)


class HoursListField(forms.CharField):
    """Reminder offsets typed as "168, 24" (hours before the start); empty means the site default."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(hours) for hours in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            hours = sorted({int(part) for part in re.split(r"[\s,;]+", text) if part}, reverse=True)
        except ValueError as error:
            raise ValidationError(
                _("Enter whole numbers of hours separated by commas, e.g. 168, 24."), code="invalid"
            ) from error
        if any(value < 1 for value in hours):
            raise ValidationError(_("Each reminder must be at least one hour before the start."), code="invalid")
        if any(value > MAX_REMINDER_OFFSET_HOURS for value in hours):
            raise ValidationError(
                _("Each reminder must be at most %(hours)s hours (a year) before the start."),
                params={"hours": MAX_REMINDER_OFFSET_HOURS},
                code="invalid",
            )
        return hours


def _formfield(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


def local_wall_time(value: datetime, zone) -> datetime:
    """The naive wall-clock time of an aware datetime in ``zone``."""
    return value.astimezone(zone).replace(tzinfo=None)


def attendance_of(registration: Registration) -> Attendance | None:
    try:
        return registration.attendance
    except Attendance.DoesNotExist:
        return None


class TrainingSessionForm(forms.ModelForm):
    """The session form of the admin.

    Dates and times are typed and displayed in the time zone chosen in the form (a trainer in
    Mexico City types 09:00 for a 09:00 seminar there); they are stored in UTC, and the UTC
    equivalent is shown under each field. A time that does not exist in that zone (the hour
    skipped when clocks go forward) is refused rather than silently moved.
    """

    reminder_offsets_hours = HoursListField(
        label=_("Reminders (hours before)"),
        required=False,
        help_text=_("E.g. 168, 24 for a week and a day before. Empty: the usual reminders."),
    )

    # For the attendance from a meeting report; empty keeps the usual thresholds.
    present_threshold_percent = forms.IntegerField(
        label=_("present from (% of the session in the meeting)"), required=False, min_value=1, max_value=100
    )
    partial_threshold_percent = forms.IntegerField(
        label=_("partial from (% of the session in the meeting)"), required=False, min_value=1, max_value=100
    )

    def clean_present_threshold_percent(self):
        return self._threshold("present_threshold_percent")

    def clean_partial_threshold_percent(self):
        return self._threshold("partial_threshold_percent")

    def _threshold(self, name):
        value = self.cleaned_data.get(name)
        return TrainingSession._meta.get_field(name).default if value is None else value

    class Meta:
        model = TrainingSession
        fields = (
            *TEXT_FIELDS_BY_LANGUAGE,
            "topics",
            "format",
            "language",
            "timezone",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "reminder_offsets_hours",
            "present_threshold_percent",
            "partial_threshold_percent",
            "self_check_in",
            "venue",
            "city",
            "country",
            "meeting_url",
            "capacity",
            "registration_mode",
            "nomination_deadline",
            "quota_release_at",
            "audience",
            "audience_agencies",
            "audience_countries",
            "host_agency",
            "cancellation_reason",
        )
        field_classes = dict.fromkeys(LOCAL_DATETIME_FIELDS, LocalSplitDateTimeField)
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "registration_mode" in self.fields:
            # Absent from a form of before the modes (or a script's post): open, as before.
            self.fields["registration_mode"].required = False
        zone = self.instance.timezone
        for name in LOCAL_DATETIME_FIELDS:
            if name not in self.fields:
                continue
            value = getattr(self.instance, name)
            if value is None:
                self.fields[name].help_text = _("In the session's time zone.")
                continue
            self.initial[name] = local_wall_time(value, zone)
            self.fields[name].help_text = _("In the session's time zone (%(zone)s); %(utc)s UTC.") % {
                "zone": zone,
                "utc": value.astimezone(UTC).strftime(UTC_DISPLAY_FORMAT),
            }

    def clean_registration_mode(self):
        return self.cleaned_data.get("registration_mode") or TrainingSession.RegistrationMode.OPEN

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("timezone") or self.instance.timezone or UTC
        for name in LOCAL_DATETIME_FIELDS:
            value = cleaned.get(name)
            if value is None or value.tzinfo is not None:
                continue
            try:
                # Before converting: near years 1 and 9999 the conversion itself would overflow.
                validate_wall_time_in_range(value)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            aware = value.replace(tzinfo=zone)
            cleaned[name] = aware.astimezone(UTC)
            if local_wall_time(cleaned[name], zone) != value:
                self.add_error(
                    name,
                    ValidationError(
                        _("%(time)s does not exist in %(zone)s: the clocks change at that hour."),
                        params={"time": value.strftime(UTC_DISPLAY_FORMAT), "zone": zone},
                        code="nonexistent_time",
                    ),
                )
        return cleaned


class SessionQuotaFormSet(forms.BaseInlineFormSet):
    """Agency quotas of a session: one per agency (the model's constraint), together within capacity."""

    def clean(self):
        super().clean()
        total = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("seats") or 0
        capacity = getattr(self.instance, "capacity", None)
        if total and capacity is None:
            raise ValidationError(
                _("Set the session's capacity before reserving seats for agencies."), code="no_capacity"
            )
        if capacity is not None and total > capacity:
            raise ValidationError(
                _("The quotas add up to %(total)s seats, more than the capacity of %(capacity)s."),
                params={"total": total, "capacity": capacity},
                code="over_capacity",
            )


class SessionDayFormSet(forms.BaseInlineFormSet):
    """The days of a session of several days, checked together by ``services.validate_session_days``
    against the session as edited on the same page (its start and end may change with its days)."""

    def kept_days(self) -> list[services.DayHours]:
        days = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not all(data.get(name) for name in ("date", "starts_at_time", "ends_at_time")):
                continue
            days.append(services.DayHours(data["date"], data["starts_at_time"], data["ends_at_time"]))
        return days

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        removed = [form.instance.pk for form in self.deleted_forms if form.instance.pk]
        if removed and DayAttendance.objects.filter(day__in=removed).exists():
            raise ValidationError(_("A day with attendance taken cannot be removed."), code="has_attendance")
        try:
            services.validate_session_days(session=self.instance, days=self.kept_days())
        except services.SessionError as error:
            raise ValidationError(error.message, code=error.code) from error


class RegistrationAttendanceForm(forms.ModelForm):
    """A registration row of the session page: read-only but for its attendance."""

    attendance_status = forms.ChoiceField(
        label=_("attendance"), required=False, choices=[("", "—"), *Attendance.Status.choices]
    )
    attendance_note = forms.CharField(label=_("note"), required=False, max_length=300)

    class Meta:
        model = Registration
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attendance = attendance_of(self.instance) if self.instance.pk else None
        if attendance is not None:
            self.initial["attendance_status"] = attendance.status
            self.initial["attendance_note"] = attendance.note

    def clean(self):
        cleaned = super().clean()
        if self.initial.get("attendance_status") and not cleaned.get("attendance_status"):
            self.add_error(
                "attendance_status", _("Recorded attendance cannot be cleared; choose Absent or Excused instead.")
            )
        elif cleaned.get("attendance_note") and not cleaned.get("attendance_status"):
            self.add_error("attendance_status", _("Choose an attendance status for this note."))
        return cleaned


class CopySessionForm(forms.Form):
    """When the copy of a session starts, typed in the session's own time zone (as on its form)."""

    starts_at = LocalSplitDateTimeField(label=_("New start"), widget=widgets.AdminSplitDateTime)

    def __init__(self, *args, session: TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["starts_at"].help_text = _("In the session's time zone, %(zone)s. It lasts as long as before.") % {
            "zone": session.timezone
        }

    def clean_starts_at(self):
        wall_time = self.cleaned_data["starts_at"]
        validate_wall_time_in_range(wall_time)
        return wall_time.replace(tzinfo=ZoneInfo(str(self.session.timezone)))


class WalkInForm(forms.Form):
    """Someone in the room who is not on the roll, with or without an account (``services.add_walk_in``)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.filter(is_active=True).order_by("name"), empty_label="—"
    )
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[(Attendance.Status.PRESENT, Attendance.Status.PRESENT.label)]
        + [(Attendance.Status.PARTIAL, Attendance.Status.PARTIAL.label)],
        initial=Attendance.Status.PRESENT,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or Attendance.Status.PRESENT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, autocomplete in (("name", "name"), ("email", "email")):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
