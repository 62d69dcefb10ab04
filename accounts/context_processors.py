from django.conf import settings


def portal(request):
    """The signed-in user's officer profile (or None) for the layout's banner and navigation."""
    user = getattr(request, "user", None)
    officer = getattr(user, "officer", None) if user is not None and user.is_authenticated else None
    return {"current_officer": officer, "portal_languages": settings.LANGUAGES, "support_email": settings.SUPPORT_EMAIL}
