"""What every part of the back office shares: who works on which session, scoped history, service errors.

Managers see every session; a trainer sees and edits only the sessions they train. Every change
of state goes through ``sessions.services`` (the same functions the portal and the API call).
"""

from datetime import UTC, datetime, tzinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.utils import formats
from simple_history.admin import SimpleHistoryAdmin

from accounts import roles
from sessions import services
from sessions.templatetags.portal_time import zone_city
from sessions.views import valid_timezone, viewer_timezone


def sessions_trained_by(user) -> QuerySet:
    """Ids of the sessions a user trains, as a subquery (the back office's lists filter on it)."""
    return roles.sessions_trained_by(user)


def trains(request, session_id) -> bool:
    """Whether the requesting user may work on this session (``accounts.roles.may_manage_session``)."""
    return roles.may_manage_session(roles.role_of(request), session_id, request=request)


def viewer_zone(request) -> tzinfo:
    """The zone the back office shows times in: ``?tz=`` when a page passes it, else the browser's zone
    (remembered in the ``tz`` cookie by the back office's script, as the portal's), else UTC."""
    return valid_timezone(request.GET.get("tz", "")) or viewer_timezone(request) or UTC


def viewer_zone_is_known(request) -> bool:
    """Whether ``viewer_zone`` came from the viewer (else the page asks the script for the browser's zone)."""
    return bool(valid_timezone(request.GET.get("tz", "")) or viewer_timezone(request))


def local_times(starts_at: datetime, ends_at: datetime, zone: tzinfo, *, start_format: str = "j M H:i") -> str:
    """From start to end as a reader in ``zone`` sees them ("12 Mar 09:00–13:00"); the end's date
    only when it is another day there."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    end_format = "H:i" if start.date() == end.date() else "j M H:i"
    return f"{formats.date_format(start, start_format)}–{formats.date_format(end, end_format)}"


def local_period(starts_at: datetime, ends_at: datetime, zone: tzinfo) -> str:
    """A session's times as a reader in ``zone`` sees them, with the zone's city: "12 Mar 09:00–13:00 (Paris)"."""
    return f"{local_times(starts_at, ends_at, zone)} ({zone_city(zone)})"


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History (who changed what, when) of a row; old versions are not restored.

    Restoring a version would write it back without the services' rules (waitlist, notices,
    a question's options), so the revert form is shown read-only and refuses to save.
    """

    # A person shows as "changed by"; a task or a command that acted on its own, by its name.
    history_list_display = ["history_actor"]

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedHistoryAdmin(ReadOnlyHistoryAdmin):
    """The history of the rows of the sessions a user may see (``session_id_of`` names a row's session)."""

    def session_id_of(self, obj) -> int:
        raise NotImplementedError

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or trains(request, self.session_id_of(obj)))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or trains(request, self.session_id_of(obj)))


class SessionRecordsAdmin(ScopedHistoryAdmin):
    """Rows of a session that people make elsewhere (the portal, the API): the back office reads them,
    all fields read-only, adds and deletes none, and acts on them only by actions calling the services.
    A trainer sees the rows of the sessions they train."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.is_manager(request.user):
            return queryset
        return queryset.filter(session__in=sessions_trained_by(request.user))

    def session_id_of(self, obj) -> int:
        return obj.session_id

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.concrete_fields if not field.primary_key]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceErrorsAsMessages:
    """A domain error raised while saving rolls the whole save back and comes back as a message.

    The forms validate what they can beforehand; this catches what only the service can know
    at the moment of writing (e.g. a session completed meanwhile), instead of a server error.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.SessionError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def copy_saved_state(source, target) -> None:
    """Make the admin's instance the row a service saved, so the admin carries on with it."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db
