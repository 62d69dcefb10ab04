"""The API's token authentication (imported by DRF settings, so it imports nothing of DRF's views)."""

from django.utils import timezone
from knox import auth as knox_auth


class TokenAuthentication(knox_auth.TokenAuthentication):
    """Knox token authentication that checks only the presented token's expiry.

    Knox also sweeps every other token of the user on each request (one more query per call);
    expired tokens are refused all the same, and ``purge_expired_tokens`` removes them.
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
