"""The API's token authentication (imported by DRF settings, so it imports nothing of DRF's views)."""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions


class TokenAuthentication(knox_auth.TokenAuthentication):
    """Knox tokens (hashed, expiring), loaded together with the caller's role in one query.

    Knox also sweeps every other token of the user on each request (one more query per call);
    here only the presented token's expiry is checked: expired tokens are refused all the same.
    """

    def authenticate_credentials(self, token):
        from sessions.api.permissions import role_annotations, role_from_loaded_user

        token = token.decode("utf-8")
        candidates = (
            get_token_model()
            .objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user__trainer", "user__officer__agency")
            .annotate(**role_annotations("user_id"))
        )
        for auth_token in candidates:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
            if compare_digest(digest, auth_token.digest):
                user, auth = self.validate_user(auth_token)
                user._trainingops_role = role_from_loaded_user(
                    user, in_managers=auth_token.in_managers, in_trainers=auth_token.in_trainers
                )
                return user, auth
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
