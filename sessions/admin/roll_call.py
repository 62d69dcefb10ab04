"""Back office: a session's roll call, its own page (one tap per person, walk-ins, usable on a phone).

Everything is saved through ``services.record_attendance_sheet`` (the API's bulk update) and
``services.add_walk_in``; for a session of several days the roll is taken for one day (``?day=``, by
default today in the session's zone, else the first day) through ``services.record_day_attendance_sheet``. The page works as plain form posts; ``static/training/roll_call.js``
saves each tap at once through the ``mark`` endpoint and filters the list as one types.
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sessions import selectors, services
from sessions.admin.base import trains
from sessions.admin.forms import WalkInForm, attendance_of
from sessions.models import Attendance, DayAttendance, Registration, SessionDay, TrainingSession

NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length


def _folded(text: str) -> str:
    """Lower case without accents: "lopez" finds "López" (the script folds the query the same way)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass
class RollCallLine:
    registration: Registration
    status: str = ""
    note: str = ""
    error: str = ""
    name: str = ""
    email: str = ""
    agency: str = ""
    search: str = field(default="", repr=False)

    @classmethod
    def of(cls, registration: Registration, day: SessionDay | None = None) -> "RollCallLine":
        attendance = attendance_of(registration) if day is None else next(iter(registration.day_records), None)
        if registration.officer_id is not None:
            user = registration.officer.user
            name, email = user.get_full_name() or user.email, user.email
        elif registration.pending_officer_id is not None:
            name, email = registration.pending_officer.name, registration.pending_officer.email
        else:
            name, email = gettext("erased officer"), ""
        agency = registration.agency.acronym or registration.agency.name
        return cls(
            registration=registration,
            status=attendance.status if attendance else "",
            note=getattr(attendance, "note", ""),
            name=name,
            email=email,
            agency=agency,
            search=_folded(f"{name} {email} {registration.agency.name} {registration.agency.acronym}"),
        )


def roll_call_lines(
    session: TrainingSession, day: SessionDay | None = None
) -> tuple[list[RollCallLine], list[RollCallLine]]:
    """The confirmed people (the roll) and the waitlisted ones, each by name; cancelled seats are left out.

    With a ``day`` (a session of several days), each line carries that day's attendance.
    """
    registrations = (
        Registration.objects.filter(session=session)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("officer__user", "pending_officer", "agency", "attendance")
    )
    if day is not None:
        records = DayAttendance.objects.filter(day=day)
        registrations = registrations.prefetch_related(Prefetch("day_attendances", records, to_attr="day_records"))
    lines = sorted(
        (RollCallLine.of(registration, day) for registration in registrations), key=lambda line: _folded(line.name)
    )
    confirmed = [line for line in lines if line.registration.status == Registration.Status.CONFIRMED]
    waitlisted = [line for line in lines if line.registration.status == Registration.Status.WAITLISTED]
    return confirmed, waitlisted


def _sheet_items(lines: list[RollCallLine], data, *, all_present: bool) -> tuple[list[dict], list[RollCallLine]]:
    """The lines a posted roll call changes, as attendance sheet items; a line's own mistake is set on it."""
    items, changed = [], []
    for line in lines:
        pk = line.registration.pk
        status = data.get(f"status-{pk}", line.status)
        note = data.get(f"note-{pk}", line.note).strip()
        if not status and all_present:
            status = Attendance.Status.PRESENT
        line.status, line.note = status, note
        if not status:
            if note:
                line.error = gettext("Choose present, partial, absent or excused for this note.")
            continue
        if len(note) > NOTE_MAX_LENGTH:
            line.error = gettext("The note is too long (at most %(count)d characters).") % {"count": NOTE_MAX_LENGTH}
            continue
        attendance = attendance_of(line.registration)
        if attendance is not None and (attendance.status, attendance.note) == (status, note):
            continue
        items.append({"registration_id": pk, "status": status, "note": note})
        changed.append(line)
    return items, changed


def _day_sheet_items(lines: list[RollCallLine], data, *, all_present: bool) -> tuple[list[dict], list[RollCallLine]]:
    """The lines a posted roll call of one day changes, as day attendance sheet items (no notes per day)."""
    items, changed = [], []
    for line in lines:
        pk = line.registration.pk
        status = data.get(f"status-{pk}", line.status)
        if not status and all_present:
            status = DayAttendance.Status.PRESENT
        if not status or status == line.status:
            continue
        line.status = status
        items.append({"registration_id": pk, "status": status})
        changed.append(line)
    return items, changed


def chosen_day(request, session: TrainingSession) -> tuple[list[SessionDay], SessionDay | None]:
    """The session's days and the one the roll call is for: ``?day=<id>``, else today in the session's
    zone, else the first day; none for a one-day session. An id that is not one of its days is a 404."""
    days = selectors.session_days(session)
    if not days:
        return days, None
    wanted = request.GET.get("day", "")
    if not wanted:
        return days, selectors.roll_call_day(days, session.timezone)
    day = next((day for day in days if str(day.pk) == wanted), None)
    if day is None:
        raise Http404(gettext("This session has no such day."))
    return days, day


class RollCallAdminMixin:
    """The roll-call pages of ``TrainingSessionAdmin``."""

    def roll_call_urls(self):
        site = self.admin_site
        return [
            path(
                "<int:session_id>/roll-call/",
                site.admin_view(self.roll_call_view),
                name="training_trainingsession_roll_call",
            ),
            path(
                "<int:session_id>/roll-call/mark/",
                site.admin_view(require_POST(self.roll_call_mark_view)),
                name="training_trainingsession_roll_call_mark",
            ),
        ]

    def _roll_call_session(self, request, session_id) -> TrainingSession:
        """The session, if the user may take its attendance: its trainers and the managers."""
        session = get_object_or_404(TrainingSession, pk=session_id)
        if not self.has_view_permission(request) or not trains(request, session.pk):
            raise PermissionDenied
        return session

    def roll_call_view(self, request, session_id):
        """Show the roll; a post saves the taps (or "all confirmed present"), or adds a walk-in."""
        session = self._roll_call_session(request, session_id)
        days, day = chosen_day(request, session)
        closed = _closed_reason(session, day)
        confirmed, waitlisted = roll_call_lines(session, day)
        adding_walk_in = request.method == "POST" and request.POST.get("action") == "walk_in"
        walk_in_form = WalkInForm(request.POST if adding_walk_in else None)
        if request.method == "POST":
            if closed:
                self.message_user(request, closed, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            saved = (
                self._add_walk_in(request, session, walk_in_form, day)
                if adding_walk_in
                else self._save_roll_call(request, session, confirmed, day)
            )
            if saved:
                return HttpResponseRedirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Roll call: %(session)s") % {"session": session},
            "opts": self.model._meta,
            "session": session,
            "closed": closed,
            "lines": confirmed,
            "waitlisted": waitlisted,
            "statuses": Attendance.Status.choices if day is None else DayAttendance.Status.choices,
            "days": days,
            "day": day,
            "walk_in_form": walk_in_form,
            "note_max_length": NOTE_MAX_LENGTH,
        }
        return TemplateResponse(request, "admin/training/trainingsession/roll_call.html", context)

    def _save_roll_call(self, request, session, lines, day=None) -> bool:
        all_present = "all_present" in request.POST
        if day is None:
            items, changed = _sheet_items(lines, request.POST, all_present=all_present)
        else:
            items, changed = _day_sheet_items(lines, request.POST, all_present=all_present)
        if any(line.error for line in lines):
            self.message_user(request, gettext("Nothing was saved: correct the lines marked."), messages.ERROR)
            return False
        try:
            if day is None:
                services.record_attendance_sheet(session=session, items=items, by=request.user)
            elif items:
                services.record_day_attendance_sheet(session=session, day=day, items=items, by=request.user)
        except services.AttendanceSheetRejected as rejected:
            for index, error in rejected.errors.items():
                changed[index].error = str(error.message)
            self.message_user(request, rejected.message, messages.ERROR)
            return False
        self.message_user(request, gettext("Roll call saved."), messages.SUCCESS)
        return True

    def _add_walk_in(self, request, session, form, day=None) -> bool:
        if not form.is_valid():
            return False
        try:
            attendance = services.add_walk_in(session=session, by=request.user, day=day, **form.cleaned_data)
        except services.SessionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return False
        self.message_user(
            request,
            gettext("%(name)s was added as a walk-in: %(status)s.")
            % {"name": form.cleaned_data["name"], "status": attendance.get_status_display()},
            messages.SUCCESS,
        )
        return True

    def roll_call_mark_view(self, request, session_id):
        """Save one tap (or one note) of the roll call for the page's script; JSON in return."""
        session = self._roll_call_session(request, session_id)
        _days, day = chosen_day(request, session)
        try:
            registration_id = int(request.POST.get("registration", ""))
        except ValueError:
            return JsonResponse({"error": gettext("No registration with this id in this session.")}, status=400)
        note = request.POST.get("note", "").strip()
        if len(note) > NOTE_MAX_LENGTH:
            error = gettext("The note is too long (at most %(count)d characters).") % {"count": NOTE_MAX_LENGTH}
            return JsonResponse({"error": error}, status=400)
        item = {"registration_id": registration_id, "status": request.POST.get("status", ""), "note": note}
        try:
            if day is None:
                services.record_attendance_sheet(session=session, items=[item], by=request.user)
            else:
                del item["note"]
                services.record_day_attendance_sheet(session=session, day=day, items=[item], by=request.user)
        except services.AttendanceSheetRejected as rejected:
            return JsonResponse({"error": str(rejected.errors[0].message)}, status=400)
        return JsonResponse({"status": item["status"], "note": note, "message": gettext("Saved")})


def _closed_reason(session: TrainingSession, day: SessionDay | None = None) -> str:
    try:
        if day is None:
            services.check_attendance_open(session)
        else:
            services.check_day_attendance_open(day)
    except services.AttendanceError as error:
        return str(error.message)
    return ""
