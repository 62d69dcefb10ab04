"""Back office: a session's attendance from the meeting platform's participant report (preview, then confirm).

The uploaded report is kept (``services.keep_meeting_report``: a row with an expiry, which erasure
reaches) between the preview and the confirmation, and the confirmation recomputes everything from it: the posted fields only say which
name matches were confirmed and which unmatched people to add as walk-ins (with their agency), and
each is checked against the recomputed plan. Saved through ``services.import_meeting_attendance``.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from sessions import services
from sessions.admin.roll_call import chosen_day
from sessions.meeting_reports import MAX_REPORT_BYTES, MeetingReportError, parse_meeting_report


class MeetingReportForm(forms.Form):
    report = forms.FileField(label=_("Participant report (Zoom, Microsoft Teams or Webex)"))

    def clean_report(self):
        upload = self.cleaned_data["report"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB, far more than a participant report.")
                % {"size": MAX_REPORT_BYTES // (1024 * 1024)}
            )
        data = upload.read(MAX_REPORT_BYTES + 1)
        try:
            self.cleaned_data["parsed"] = parse_meeting_report(data)
        except MeetingReportError as error:
            raise forms.ValidationError(error.message) from error
        return data


def meeting_attendance_urls(model_admin):
    return [
        path(
            "<int:session_id>/meeting-attendance/",
            model_admin.admin_site.admin_view(
                lambda request, session_id: meeting_attendance_view(model_admin, request, session_id)
            ),
            name="training_trainingsession_meeting_attendance",
        )
    ]


def meeting_attendance_view(model_admin, request, session_id):
    session = model_admin._roll_call_session(request, session_id)  # its trainers and the managers
    _days, day = chosen_day(request, session)  # a session of several days: the report is one day's
    form = MeetingReportForm()
    plan, error = None, ""
    action = request.POST.get("action") if request.method == "POST" else ""
    if action == "preview":
        form = MeetingReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["report"]
            services.keep_meeting_report(session=session, by=request.user, data=data)
            plan, error = _plan(session, form.cleaned_data["parsed"], day)
    elif action == "confirm":
        stored = services.kept_meeting_report(session=session, by=request.user)
        if stored is None:
            error = gettext("Upload the report again: the uploaded file is no longer kept.")
        else:
            report = parse_meeting_report(stored)
            plan, error = _plan(session, report, day)
            if plan is not None:
                saved = _confirm(model_admin, request, session, plan, day)
                if saved:
                    services.forget_meeting_report(session=session, by=request.user)
                    roll_call = reverse("admin:training_trainingsession_roll_call", args=[session.pk])
                    return HttpResponseRedirect(f"{roll_call}?day={day.pk}" if day else roll_call)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Attendance from the meeting report: %(session)s") % {"session": session},
        "opts": model_admin.model._meta,
        "session": session,
        "day": day,
        "form": form,
        "plan": plan,
        "error": error,
        "agencies": Agency.objects.filter(is_active=True).order_by("name") if plan and plan.unmatched else [],
    }
    return TemplateResponse(request, "admin/training/trainingsession/meeting_attendance.html", context)


def _plan(session, report, day=None):
    try:
        if day is None:
            services.check_attendance_open(session)
        else:
            services.check_day_attendance_open(day)
        return services.plan_meeting_attendance(session=session, report=report, day=day), ""
    except services.SessionError as error:
        return None, str(error.message)


def _confirm(model_admin, request, session, plan, day=None) -> bool:
    names = {line.participant.key for line in plan.matched if line.matched_by == "name"}
    confirmed = set(request.POST.getlist("confirm_name")) & names
    unmatched = {line.participant.key for line in plan.unmatched}
    walk_ins = {}
    for key in set(request.POST.getlist("walk_in")) & unmatched:
        agency = Agency.objects.filter(pk=request.POST.get(f"agency-{key}") or None, is_active=True).first()
        if agency is None:
            model_admin.message_user(request, gettext("Choose the agency of each walk-in to add."), messages.ERROR)
            return False
        walk_ins[key] = agency
    try:
        result = services.import_meeting_attendance(
            session=session,
            report=plan.report,
            by=request.user,
            confirmed_names=confirmed,
            walk_ins=walk_ins,
            day=day,
        )
    except services.AttendanceSheetRejected as rejected:
        reasons = "; ".join(str(error.message) for error in rejected.errors.values())
        model_admin.message_user(request, reasons, messages.ERROR)
        return False
    except services.SessionError as error:
        model_admin.message_user(request, error.message, messages.ERROR)
        return False
    model_admin.message_user(
        request,
        gettext("Attendance saved from the meeting report: %(saved)d changed, %(walk_ins)d walk-ins added.")
        % {"saved": result.saved, "walk_ins": result.walk_ins},
        messages.SUCCESS,
    )
    return True
