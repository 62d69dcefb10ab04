"""Project-wide request guards."""

from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in value_list) for key, value_list in values.lists())


class RejectNulCharactersMiddleware:
    """Refuse query strings and form posts containing NUL characters with a 400.

    PostgreSQL cannot store or even compare text with NUL bytes: such a value reaching a
    lookup (a choice field, a code in a URL) would raise a database error, i.e. a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.content_type or ""
        checks_form = request.method == "POST" and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
        if "\x00" in request.path or _has_nul(request.GET) or (checks_form and _has_nul(request.POST)):
            message = _("The request contains a NUL character, which is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid", "errors": {}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class AtomicApiWritesMiddleware:
    """Run each API request that may write in one transaction, rolled back when it answers an error.

    The services commit their change, but the API builds its answer afterwards (the session read
    back and serialised in its zone): if that failed, the client got an error for a change that
    was saved anyway. Here the whole request, the answer's rendering included, is one
    transaction, so an error (4xx or 5xx, whatever raised it) means nothing changed, and the
    emails and tasks queued on commit are dropped with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        with transaction.atomic():
            # Exceptions reach here already turned into their error response by Django's handler.
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response
