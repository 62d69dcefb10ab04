"""One error format for the whole API.

Every error response has the body ``{"detail": str, "code": str, "errors": {field: [str]}}``:
``detail`` is a human-readable, translated sentence, ``code`` a stable machine-readable word
(``invalid``, ``not_authenticated``, ``permission_denied``, ``not_found``, ``throttled``, or a
domain code such as ``session_full``), and ``errors`` the field messages of a 400 (empty otherwise).
Nested fields are flattened with dots: item 2 of a bulk request reports ``"2.status"``.
Domain errors from the services (``sessions.services.SessionError``) become 409 when they are
conflicts with the current state (a full session, an invalid transition) and 400 otherwise.
A body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (``request_too_large``).
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state of the data."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    """The body is larger than the server accepts (Django's DATA_UPLOAD_MAX_MEMORY_SIZE)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (400, 401, 403, 404, 405, 409, 413, 429)."""

    detail = serializers.CharField(help_text=_("A human-readable explanation, in the caller's language."))
    code = serializers.CharField(
        help_text=_(
            "A stable machine-readable code: invalid, parse_error, not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, conflict, throttled, or a domain code."
        )
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Field messages of a 400, keyed by field name (dotted for nested items); empty otherwise."),
    )


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into {"field" or "2.field": [messages]}."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]} if detail else {}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _first_code(detail) -> str:
    codes = detail.get_codes() if hasattr(detail, "get_codes") else None
    while isinstance(codes, dict | list):
        values = list(codes.values()) if isinstance(codes, dict) else codes
        codes = next((value for value in values if value), None)
    return codes if isinstance(codes, str) else "invalid"


# Domain codes refused because of who the caller is rather than the state of the data.
FORBIDDEN_DOMAIN_CODES = {"not_verified", "email_unconfirmed", "not_focal_point", "permission_denied"}


def domain_error_status(exc) -> int:
    """400 for invalid values, 403 for a caller the rules exclude, 409 for a clash with the current state."""
    if exc.code == "invalid":
        return status.HTTP_400_BAD_REQUEST
    if exc.code in FORBIDDEN_DOMAIN_CODES:
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_409_CONFLICT


def domain_error_to_api_exception(exc) -> exceptions.APIException:
    """Translate a services' domain error (``SessionError``) into the matching HTTP error."""
    http_status = domain_error_status(exc)
    message = exc.message
    if http_status == status.HTTP_400_BAD_REQUEST:
        return exceptions.ValidationError({exc.field or "non_field_errors": [message]}, code=exc.code)
    if http_status == status.HTTP_403_FORBIDDEN:
        return exceptions.PermissionDenied(detail=message, code=exc.code)
    conflict = Conflict(detail=message, code=exc.code)
    conflict.field = exc.field
    return conflict


def to_api_exception(exc):
    """The API exception a Django or domain exception stands for (any other exception unchanged)."""
    # Django raises these while reading the body (request.data); they would be an HTML page.
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return exceptions.ParseError(_("The request body has too many fields."))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if _is_domain_error(exc):
        return domain_error_to_api_exception(exc)
    return exc


def _is_domain_error(exc) -> bool:
    from sessions.services import SessionError

    return isinstance(exc, SessionError)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every handled error in the one documented format."""
    exc = to_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(error_body(exc), status=exc.status_code, headers=headers)


def error_body(exc: exceptions.APIException) -> dict:
    """The documented body of an API exception: {"detail", "code", "errors"}."""
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = {"detail": str(_("Invalid input.")), "code": _first_code(exc), "errors": errors}
        if set(errors) == {"non_field_errors"} and len(errors["non_field_errors"]) == 1:
            body["detail"] = errors["non_field_errors"][0]
    else:
        detail = exc.detail
        if isinstance(detail, dict | list):
            body = {"detail": str(_("Invalid input.")), "code": _first_code(exc), "errors": _flatten(detail)}
        else:
            field = getattr(exc, "field", None)
            errors = {field: [str(detail)]} if field else {}
            body = {"detail": str(detail), "code": getattr(detail, "code", None) or exc.default_code, "errors": errors}
    return body
