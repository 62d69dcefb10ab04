"""API tokens: issued for an email and password, listed and revoked by their owner.

Tokens are django-rest-knox tokens: only a hash is stored, each expires after
``REST_KNOX["TOKEN_TTL"]``, and managers revoke anyone's token in the admin.
Staff who enrolled a TOTP authenticator must add a current code: a token must not be a way
around multi-factor authentication.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from accounts.roles import has_confirmed_email
from trainingops.api.authentication import TokenAuthentication


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 — the scheme name, not a secret
        definition["description"] = str(_("A token from POST /api/v1/auth/tokens/, sent as: Token <token>."))
        return definition


class LoginThrottle(AnonRateThrottle):
    """Password guessing is slowed per client address, whoever is logged in."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text=_("A current code of your authenticator app; required when you enrolled one."),
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Shown once: only its hash is stored."))
    token_key = serializers.CharField(help_text=_("The token's first characters, to recognise it later."))
    expiry = serializers.DateTimeField(allow_null=True)


class TokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text=_("Whether this request used this token."))

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, AuthToken) and auth.digest == token.digest


def _check_second_factor(user, code: str) -> None:
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        if user.is_staff and settings.STAFF_MFA_REQUIRED:
            raise exceptions.PermissionDenied(_("Staff must enrol an authenticator app before using API tokens."))
        return
    if not code:
        raise exceptions.ValidationError({"otp_code": [_("Enter the code of your authenticator app.")]})
    if not totp.wrap().validate_code(code):
        raise exceptions.ValidationError({"otp_code": [_("Incorrect code.")]})


@extend_schema_view(
    list=extend_schema(summary=_("List your API tokens"), tags=["auth"]),
    create=extend_schema(
        summary=_("Issue an API token"),
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={201: IssuedTokenSerializer},
        auth=[],
        examples=[
            OpenApiExample("credentials", value={"email": "ana@policia.gob.mx", "password": "…"}, request_only=True),
        ],
    ),
    destroy=extend_schema(
        summary=_("Revoke one of your API tokens"),
        tags=["auth"],
        parameters=[OpenApiParameter("token_key", str, OpenApiParameter.PATH, description=_("From the token list."))],
    ),
)
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens: issue one with your email and password, list them, revoke them."""

    serializer_class = TokenSerializer
    lookup_field = "token_key"
    pagination_class = None
    filter_backends = []

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_authenticators(self):
        # Issuing a token takes credentials in the body; a stale token in the header must not block it.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_throttles(self):
        if self.action == "create":
            return [LoginThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return AuthToken.objects.filter(user=self.request.user, expiry__gt=timezone.now()).order_by("-created")

    def create(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].lower()
        user = authenticate(request, email=email, password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise exceptions.ValidationError(_("Unable to log in with these credentials."), code="invalid_credentials")
        _check_second_factor(user, data.validated_data.get("otp_code", ""))
        if not has_confirmed_email(user):
            raise exceptions.PermissionDenied(
                _("Confirm your email address with the link we sent you before requesting an API token."),
                code="email_unconfirmed",
            )
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        body = {"token": token, "token_key": instance.token_key, "expiry": instance.expiry}
        return Response(IssuedTokenSerializer(body).data, status=status.HTTP_201_CREATED)
