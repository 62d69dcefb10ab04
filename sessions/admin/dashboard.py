"""The back office's home page: the admin index with the viewer's dashboard above the app list.

The reads are ``sessions.dashboard``'s; this module only wraps the admin site's index view to hand
them to ``templates/admin/index.html``.
"""

from django.contrib import admin
from django.utils import timezone

from accounts.roles import role_of
from sessions import dashboard
from sessions.admin.base import viewer_zone, viewer_zone_is_known

_stock_index = admin.site.index


def index(request, extra_context=None):
    """The admin index, with this week's sessions and what needs doing for managers and trainers."""
    role = role_of(request)
    context = dict(extra_context or {})
    if role.is_manager or role.is_trainer:
        zone = viewer_zone(request)
        context.update(
            dashboard=dashboard.dashboard(role=role, zone=zone, now=timezone.now()),
            viewer_zone=zone,
            viewer_zone_known=viewer_zone_is_known(request),
            is_manager=role.is_manager,
            low_registration_percent=dashboard.LOW_REGISTRATION_PERCENT,
            low_registration_days=dashboard.LOW_REGISTRATION_WINDOW.days,
            long_waitlist=dashboard.LONG_WAITLIST,
        )
    return _stock_index(request, context)


admin.site.index = index
