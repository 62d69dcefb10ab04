"""Project-wide request guards."""

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
