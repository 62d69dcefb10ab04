"""The API's token authentication (imported by DRF settings, so it imports nothing of DRF's views).

Every API call authenticates: the token, its user and the user's role (group memberships,
trainer and officer profiles, ``accounts.roles.role_fields``) come in one query.

An integration calls with the same token many times a second; each process remembers the tokens
it authenticated for ``API_AUTH_CACHE_SECONDS`` (1 s by default, 0 turns it off), so a burst of
calls reads the token once. Expiry is still checked on every call. Revoking a token, and changing
a user, their groups or profiles, takes effect at once in the process that made the change and
within those seconds in the others.
"""

import binascii
import copy
import time
from hmac import compare_digest
from threading import Lock

from django.conf import settings
from django.contrib.auth import get_user_model
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
        token = token.decode("utf-8")
        try:
            digest = hash_token(token)
        except (TypeError, binascii.Error) as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        remembered = recent_tokens.get(digest)
        if remembered is not None and not self._cleanup_token(remembered[0]):
            return self._authenticated(*remembered)
        for auth_token, role in _tokens_with_roles(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                authenticated = self._authenticated(auth_token, role)
                recent_tokens.put(digest, auth_token, role)
                return authenticated
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _authenticated(self, auth_token, role):
        # Copies: a request may change its user or token; the remembered ones stay as loaded.
        auth_token = copy.copy(auth_token)
        auth_token.user = copy.copy(auth_token.user)
        user, auth = self.validate_user(auth_token)
        user._trainingops_role = role
        return user, auth

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class RecentTokens:
    """The tokens this process authenticated lately, by digest, each kept ``API_AUTH_CACHE_SECONDS``."""

    MAX_ENTRIES = 10_000

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._entries: dict[str, tuple[float, object, object]] = {}
        self._lock = Lock()

    def get(self, digest: str):
        entry = self._entries.get(digest)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1], entry[2]

    def put(self, digest: str, auth_token, role) -> None:
        seconds = settings.API_AUTH_CACHE_SECONDS
        if seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (self.clock() + seconds, auth_token, role)

    def forget_token(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def forget_user(self, user_id) -> None:
        with self._lock:
            for digest in [d for d, entry in self._entries.items() if entry[1].user_id == user_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


recent_tokens = RecentTokens()


def forget_revoked_token(sender, instance, **kwargs) -> None:
    recent_tokens.forget_token(instance.digest)


def forget_changed_user(sender, instance, **kwargs) -> None:
    """A user (or their officer or trainer profile) changed: their role is read again."""
    recent_tokens.forget_user(getattr(instance, "user_id", instance.pk))


def forget_regrouped_users(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:  # user.groups.add(...): the instance is the user
        recent_tokens.forget_user(instance.pk)
    elif pk_set is None:  # group.user_set.clear(): whoever was in it
        recent_tokens.clear()
    else:
        for user_id in pk_set:
            recent_tokens.forget_user(user_id)


def connect_signals() -> None:
    """Called by the accounts app once models are loaded."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from agencies.models import Officer
    from sessions.models import Trainer

    post_delete.connect(forget_revoked_token, sender=get_token_model(), dispatch_uid="api-auth-token-revoked")
    user_model = get_user_model()
    for model in (user_model, Officer, Trainer):
        for signal in (post_save, post_delete):
            signal.connect(forget_changed_user, sender=model, dispatch_uid=f"api-auth-{model.__name__}-changed")
    m2m_changed.connect(
        forget_regrouped_users, sender=user_model.groups.through, dispatch_uid="api-auth-groups-changed"
    )


def _tokens_with_roles(token_key: str):
    """(token with its user, role) for every stored token with this key: usually one. One query:
    the token, its user and the user's role (``accounts.roles.role_fields``)."""
    from accounts.roles import role_fields, role_from_fields

    tokens = get_token_model().objects.filter(token_key=token_key).select_related("user")
    return [(token, role_from_fields(token.user, token)) for token in tokens.annotate(**role_fields("user"))]
