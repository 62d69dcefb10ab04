"""Settings for the test suite: the real settings with fast, local, synchronous pieces."""

import os
import uuid

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault(
    "CHECKIN_SIGNING_KEY", "dGVzdC1vbmx5LWNoZWNrLWluLWtleS0zMi1ieXRlcyE="
)  # a fixed 32-byte seed, tests only
os.environ.setdefault("STAFF_MFA_REQUIRED", "false")

from trainingops.settings import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
ALLOWED_HOSTS = ["*"]
if REDIS_URL:  # noqa: F405
    # Keys of earlier runs (allauth's rate limits) must not leak into this one.
    CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"  # noqa: F405
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
