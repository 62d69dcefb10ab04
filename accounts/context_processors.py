from django.conf import settings

from accounts.roles import focal_point_agency_id


def portal(request):
    """The signed-in user's officer profile (or None) for the layout's banner and navigation."""
    user = getattr(request, "user", None)
    officer = None
    # A role already read in this request (the back office reads it on every page) says whether the
    # user has an officer profile: no query for staff without one.
    role = getattr(user, "_trainingops_role", None)
    if user is not None and user.is_authenticated and (role is None or role.officer_id is not None):
        officer = getattr(user, "officer", None)
    return {
        "current_officer": officer,
        "portal_languages": settings.LANGUAGES,
        "support_email": settings.SUPPORT_EMAIL,
        # Asked by the navigation only for an officer; free when the page loaded the officer with
        # ``focal_point_condition`` (sessions.views.current_officer), one query otherwise.
        "current_focal_point": lambda: officer is not None and focal_point_agency_id(user) is not None,
    }
