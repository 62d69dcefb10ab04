"""The OpenAPI schema generator: drf-spectacular plus our documented error responses."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework.permissions import AllowAny

from trainingops.api.errors import ErrorSerializer

_ERROR_DESCRIPTIONS = {
    "400": _("Invalid input: field messages in errors."),
    "401": _("Not authenticated: send a token (Authorization: Token …) or a session cookie."),
    "403": _("Authenticated, but your role does not allow this."),
    "404": _("No such resource, or not visible to you."),
    "409": _("Conflicts with the current state (a full session, an invalid transition, a duplicate)."),
    "413": _("The request body is larger than the server accepts."),
    "429": _("Too many requests: wait the number of seconds in Retry-After."),
}
_ERROR_EXAMPLES = {
    "400": {"detail": "Invalid input.", "code": "invalid", "errors": {"status": ['"late" is not a valid choice.']}},
    "401": {"detail": "Authentication credentials were not provided.", "code": "not_authenticated", "errors": {}},
    "403": {"detail": "You do not have permission to perform this action.", "code": "permission_denied", "errors": {}},
    "404": {"detail": "Not found.", "code": "not_found", "errors": {}},
    "409": {"detail": "This session is full.", "code": "session_full", "errors": {}},
    "413": {"detail": "The request body is too large.", "code": "request_too_large", "errors": {}},
    "429": {"detail": "Request was throttled. Expected available in 12 seconds.", "code": "throttled", "errors": {}},
}


class TrainingOpsAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the documented error responses of every operation.

    A view may name extra error codes in ``error_codes_by_action`` (e.g. 409 for transitions).
    """

    def _error_codes(self) -> list[str]:
        codes = ["429"]
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        if not public:
            codes += ["401", "403"]
        if self.method != "GET" or self._is_list_view() or getattr(self.view, "filterset_class", None):
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("413")
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        action = getattr(self.view, "action", None)
        if self.method != "GET":
            codes += getattr(self.view, "error_codes_by_action", {}).get(action, [])
        return sorted(set(codes))

    def get_tags(self) -> list[str]:
        """Group operations by resource: /api/v1/sessions/{id}/publish/ is tagged "sessions"."""
        parts = [part for part in self.path.split("/") if part and part not in ("api", "v1")]
        return parts[:1] or super().get_tags()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                example = OpenApiExample(f"error {code}", value=_ERROR_EXAMPLES[code], status_codes=[code])
                error = OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code], examples=[example])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses
