"""The back office's calendar: the program's sessions by month or by week, in the viewer's zone.

Managers see every session; a trainer starts on their own ("mine") and may look at everyone's or
at one trainer's. A session links to its change page when the viewer may work on it. A query
string that cannot be read (``month=13``, ``week=abc``, an unknown trainer) is said so on the page,
which falls back to the current month or week.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, may_manage_session, role_of
from sessions.admin.base import viewer_zone, viewer_zone_is_known
from sessions.dashboard import sessions_starting_between, week_start
from sessions.models import SessionTrainer, Trainer, TrainingSession
from trainingops.validators import EARLIEST_YEAR, LATEST_YEAR

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
WEEK = re.compile(r"(\d{4})-W(\d{1,2})")
ALL_TRAINERS = "all"


class CalendarQuery(forms.Form):
    """The calendar's query string: ``view=month|week``, ``month=YYYY-MM``, ``week=YYYY-Www``, ``trainer``."""

    view = forms.ChoiceField(choices=[("month", _("Month")), ("week", _("Week"))], required=False)
    month = forms.CharField(required=False, max_length=7)
    week = forms.CharField(required=False, max_length=8)
    trainer = forms.ChoiceField(required=False)

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].choices = [
            (ALL_TRAINERS, _("All trainers")),
            *((str(trainer.pk), str(trainer)) for trainer in trainers),
        ]

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"]
        match = MONTH.fullmatch(value)
        if not value:
            return None
        if not match or not 1 <= int(match[2]) <= 12 or not EARLIEST_YEAR <= int(match[1]) <= LATEST_YEAR:
            raise forms.ValidationError(
                _("“%(value)s” is not a month such as 2026-03; showing the current month."), params={"value": value}
            )
        return date(int(match[1]), int(match[2]), 1)

    def clean_week(self) -> date | None:
        value = self.cleaned_data["week"]
        if not value:
            return None
        match = WEEK.fullmatch(value)
        try:
            if not match or not EARLIEST_YEAR <= int(match[1]) <= LATEST_YEAR:
                raise ValueError(value)
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a week such as 2026-W11; showing the current week."), params={"value": value}
            ) from None


@dataclass
class Day:
    day: date
    in_period: bool
    is_today: bool
    sessions: list = field(default_factory=list)


def _trainer_filter(form: CalendarQuery, role: Role) -> str:
    """The trainer to show: the query's, else the viewer's own sessions for a trainer, else everyone's."""
    chosen = form.cleaned_data.get("trainer") if "trainer" not in form.errors else None
    if chosen:
        return chosen
    if role.is_trainer and not role.is_manager and role.trainer_id:
        return str(role.trainer_id)
    return ALL_TRAINERS


def _days(first: date, end: date, period: tuple[date, date], today: date) -> list[Day]:
    return [
        Day(day=day, in_period=period[0] <= day < period[1], is_today=day == today)
        for day in (first + timedelta(days=offset) for offset in range((end - first).days))
    ]


def _period(form: CalendarQuery, today: date) -> tuple[str, date, date, date, date]:
    """(view, first day shown, end, previous period's key date, next period's key date)."""
    view = form.cleaned_data.get("view") or ("week" if form.cleaned_data.get("week") else "month")
    if view == "week":
        monday = form.cleaned_data.get("week") or week_start(today)
        return view, monday, monday + timedelta(days=7), monday - timedelta(days=7), monday + timedelta(days=7)
    first = form.cleaned_data.get("month") or today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return view, first, following, previous, following


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _place_sessions(request, role: Role, days: list[Day], trainer: str, zone) -> None:
    """Put each session (of ``trainer``, or everyone's) on the day it starts in ``zone``."""
    sessions = TrainingSession.objects.all()
    if trainer != ALL_TRAINERS:
        sessions = sessions.filter(pk__in=SessionTrainer.objects.filter(trainer_id=trainer).values("session_id"))
    by_day = {day.day: day for day in days}
    for session in sessions_starting_between(sessions, days[0].day, days[-1].day + timedelta(days=1), zone):
        session.may_manage = may_manage_session(role, session.pk, request=request)
        by_day[session.starts_at.astimezone(zone).date()].sessions.append(session)


def _navigation(base: dict, view: str, first: date, end: date, previous: date, following: date, today, role) -> dict:
    """The links to the previous and next period, to today, to the other view, and mine / all."""

    def link(**changes) -> str:
        return "?" + urlencode({**base, **changes})

    def key(day: date) -> dict:
        return {"week": _iso_week(day)} if view == "week" else {"month": day.strftime("%Y-%m")}

    anchor = today if first <= today < end else first
    return {
        "previous_link": link(**key(previous)),
        "next_link": link(**key(following)),
        "today_link": link(),
        "month_link": link(view="month", month=anchor.strftime("%Y-%m")),
        "week_link": link(view="week", week=_iso_week(anchor)),
        "mine_link": link(trainer=role.trainer_id) if role.trainer_id else "",
        "all_link": link(trainer=ALL_TRAINERS),
        "trainer_base": {name: value for name, value in {**base, **key(first)}.items() if name != "trainer"},
    }


def calendar_view(model_admin, request):
    """Month or week of sessions; the layout does no arithmetic, every day and link is made here."""
    role = role_of(request)
    if not (role.is_manager or role.is_trainer) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    zone = viewer_zone(request)
    today = timezone.now().astimezone(zone).date()
    trainers = list(Trainer.objects.select_related("user").order_by("user__first_name", "user__last_name", "pk"))
    form = CalendarQuery(request.GET, trainers=trainers)
    form.is_valid()
    view, first, end, previous, following = _period(form, today)
    # A month is shown as whole weeks, Monday to Sunday.
    shown_first, shown_end = week_start(first), week_start(end - timedelta(days=1)) + timedelta(days=7)
    trainer = _trainer_filter(form, role)

    days = _days(shown_first, shown_end, (first, end), today)
    _place_sessions(request, role, days, trainer, zone)
    base = {"view": view, "trainer": trainer}
    if request.GET.get("tz") and viewer_zone_is_known(request):
        base["tz"] = zone.key
    context = {
        **model_admin.admin_site.each_context(request),
        **_navigation(base, view, first, end, previous, following, today, role),
        "title": _("Calendar"),
        "opts": model_admin.model._meta,
        "view": view,
        "first": first,
        "last": end - timedelta(days=1),
        "weeks": [days[index : index + 7] for index in range(0, len(days), 7)],
        "weekdays": [day.day for day in days[:7]],
        "viewer_zone": zone,
        "viewer_zone_known": viewer_zone_is_known(request),
        "errors": [error for errors in form.errors.values() for error in errors],
        "trainers": trainers,
        "trainer": trainer,
        "own_trainer": str(role.trainer_id) if role.trainer_id else "",
    }
    return TemplateResponse(request, "admin/training/trainingsession/calendar.html", context)
