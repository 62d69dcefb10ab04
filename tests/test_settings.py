"""Settings come only from the environment: each case runs a fresh interpreter with its own env."""

import base64
import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.settings_variables import ROOT, variables_read_by_settings

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = {names!r}
print(json.dumps({{name: str(getattr(settings, name, None)) for name in names}}))
"""


def _environment(tmp_path, **overrides) -> dict:
    """The current environment without any setting variable, plus ``overrides``."""
    environment = {key: value for key, value in os.environ.items() if key not in variables_read_by_settings()}
    environment.update(DJANGO_SETTINGS_MODULE="trainingops.settings", VAR_DIR=str(tmp_path / "var"))
    environment.update(overrides)
    return environment


def _production(tmp_path, **overrides) -> dict:
    return _environment(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        CHECKIN_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="training.example.org",
        **overrides,
    )


def _run(arguments, environment):
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def _settings(tmp_path, names, **overrides) -> dict:
    result = _run(["-c", PRINT_SETTINGS.format(names=names)], _production(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_clean_under_production_environment(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_clean_with_postgres_and_redis_urls(tmp_path):
    environment = _production(
        tmp_path,
        DATABASE_URL="postgres://trainingops:secret@postgres:5432/trainingops",
        REDIS_URL="redis://redis:6379/0",
        EMAIL_URL="smtp://mailpit:1025",
    )

    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)

    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_without_secret_key_fail_clearly_when_not_debug(tmp_path):
    environment = _environment(tmp_path, DEBUG="false", ALLOWED_HOSTS="training.example.org")

    result = _run(["manage.py", "check"], environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY (or DEBUG=true for local development)." in result.stderr


def test_settings_debug_without_secret_key_use_development_key(tmp_path):
    environment = _environment(tmp_path, DEBUG="true")

    result = _run(["-c", PRINT_SETTINGS.format(names=["DEBUG", "SECURE_SSL_REDIRECT"])], environment)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"DEBUG": "True", "SECURE_SSL_REDIRECT": "False"}


def test_settings_production_security_switches(tmp_path):
    names = [
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "STAFF_MFA_REQUIRED",
        "ALLOWED_HOSTS",
    ]

    values = _settings(tmp_path, names)

    assert values == {
        "SECURE_SSL_REDIRECT": "True",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "STAFF_MFA_REQUIRED": "True",
        "ALLOWED_HOSTS": "['training.example.org']",
    }


@pytest.mark.parametrize(
    ("email_url", "expected"),
    [
        (
            "smtp://mailpit:1025",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "mailpit",
                "EMAIL_PORT": "1025",
                "EMAIL_USE_TLS": "False",
            },
        ),
        (
            "smtp+tls://mailer:s3cret@smtp.example.org:587",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "smtp.example.org",
                "EMAIL_PORT": "587",
                "EMAIL_USE_TLS": "True",
            },
        ),
        ("consolemail://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "filemail:///var/mail/trainingops",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": "/var/mail/trainingops",
            },
        ),
    ],
)
def test_settings_email_url_maps_to_backend(tmp_path, email_url, expected):
    values = _settings(tmp_path, sorted(expected), EMAIL_URL=email_url)

    assert values == expected


def test_settings_email_defaults_to_console(tmp_path):
    values = _settings(tmp_path, ["EMAIL_BACKEND"])

    assert values == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_settings_database_url_and_persistent_connections(tmp_path):
    values = _settings(tmp_path, ["DATABASES"], DATABASE_URL="postgres://trainingops:secret@postgres:5432/trainingops")

    database = eval(values["DATABASES"])["default"]  # noqa: S307 — repr of a dict we just printed
    assert (database["ENGINE"], database["HOST"], database["NAME"]) == (
        "django.db.backends.postgresql",
        "postgres",
        "trainingops",
    )
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_settings_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path):
    values = _settings(
        tmp_path,
        ["DATABASES"],
        DATABASE_URL="postgres://trainingops:secret@pgbouncer:6432/trainingops",
        DB_PREPARED_STATEMENTS="false",
    )

    assert eval(values["DATABASES"])["default"].get("OPTIONS", {}) == {}  # noqa: S307 — our own repr


def test_settings_default_is_sqlite_and_filesystem_broker_under_var_dir(tmp_path):
    values = _settings(tmp_path, ["DATABASES", "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS", "CACHES"])

    database = eval(values["DATABASES"])["default"]  # noqa: S307 — repr of a dict we just printed
    assert (database["ENGINE"], database["NAME"]) == (
        "django.db.backends.sqlite3",
        str(tmp_path / "var" / "db.sqlite3"),
    )
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
    options = eval(values["CELERY_BROKER_TRANSPORT_OPTIONS"])  # noqa: S307 — repr of a dict we just printed
    folders = {name: value for name, value in options.items() if name.endswith("_folder") or name.startswith("data_")}
    broker_dir = str(tmp_path / "var" / "celery")
    assert {name: value.startswith(broker_dir + "/") for name, value in folders.items()} == {
        "data_folder_in": True,
        "data_folder_out": True,
        "processed_folder": True,
        "control_folder": True,
    }
    assert "FileBasedCache" in values["CACHES"]


def test_settings_redis_url_is_broker_and_cache(tmp_path):
    values = _settings(tmp_path, ["CELERY_BROKER_URL", "CACHES"], REDIS_URL="redis://redis:6379/0")

    assert values["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert eval(values["CACHES"])["default"]["LOCATION"] == "redis://redis:6379/0"  # noqa: S307


def test_readme_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text()

    missing = sorted(name for name in variables_read_by_settings() if f"`{name}`" not in readme)

    assert missing == []


@pytest.mark.django_db
def test_system_checks_print_no_warnings_on_the_development_database():
    """`make run` migrates a fresh SQLite file; its system checks must print nothing (was models.W040)."""
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=err)

    assert err.getvalue() == ""
    assert out.getvalue().startswith("System check identified no issues")
