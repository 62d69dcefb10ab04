"""No Docker engine runs here: these tests read docker-compose.yml, the Dockerfile and .env.example."""

import re
import shlex
from urllib.parse import urlsplit

import pytest
import yaml

from tests.settings_variables import ROOT, variables_read_by_settings

APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def env_example():
    """``NAME=value`` lines of .env.example, commented-out defaults included."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = [re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line) for line in lines]
    return {match[1]: match[2] for match in pairs if match}


def _command(service) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_compose_has_every_service(compose):
    assert set(compose["services"]) == {"migrate", "web", "worker", "beat", "postgres", "redis", "mailpit"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_app_services_share_image_and_env_file(compose, name):
    service = compose["services"][name]

    assert (service["build"], service["image"], service["env_file"]) == (".", "trainingops:latest", ".env")


def test_compose_web_runs_gunicorn_on_wsgi(compose):
    web = compose["services"]["web"]

    command = _command(web)
    assert command[:2] == ["gunicorn", "trainingops.wsgi:application"]
    assert "--bind=0.0.0.0:8000" in command
    assert web["ports"] == ["8000:8000"]


def test_compose_worker_and_beat_commands(compose):
    assert _command(compose["services"]["worker"])[:4] == ["celery", "-A", "trainingops", "worker"]
    beat = _command(compose["services"]["beat"])
    assert beat[:4] == ["celery", "-A", "trainingops", "beat"]
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_compose_migrate_is_one_shot(compose):
    migrate = compose["services"]["migrate"]

    assert _command(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_compose_long_running_services_wait_for_migrations_and_backing_services(compose, name):
    assert compose["services"][name]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "mailpit": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize(
    ("name", "probe"),
    [
        ("web", "bin/healthcheck.py web"),
        ("worker", "celery -A trainingops inspect ping"),
        ("beat", "bin/healthcheck.py beat"),
        ("postgres", "pg_isready"),
        ("redis", "redis-cli ping"),
        ("mailpit", "http://localhost:8025/readyz"),
    ],
)
def test_compose_health_check_on_each_long_running_service(compose, name, probe):
    healthcheck = compose["services"][name]["healthcheck"]

    assert healthcheck["test"][0] in ("CMD", "CMD-SHELL")
    assert probe in " ".join(healthcheck["test"][1:])
    assert healthcheck["retries"] >= 3


def test_compose_health_check_scripts_exist():
    assert (ROOT / "bin" / "healthcheck.py").is_file()


def test_compose_postgres_and_redis_keep_data_in_volumes(compose):
    assert compose["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert compose["services"]["redis"]["volumes"] == ["redis-data:/data"]
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}


def test_env_example_lists_every_variable_settings_read(env_example):
    missing = sorted(variables_read_by_settings() - set(env_example))

    assert missing == []


def test_env_example_points_at_compose_services(env_example):
    database = urlsplit(env_example["DATABASE_URL"])
    assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
    assert (database.username, database.password, database.path) == (
        env_example["POSTGRES_USER"],
        env_example["POSTGRES_PASSWORD"],
        "/" + env_example["POSTGRES_DB"],
    )
    assert urlsplit(env_example["REDIS_URL"]).hostname == "redis"
    assert env_example["EMAIL_URL"] == "smtp://mailpit:1025"
    assert env_example["DEBUG"] == "false"


def test_compose_postgres_takes_credentials_from_env(compose):
    environment = compose["services"]["postgres"]["environment"]

    assert set(environment) == {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
    assert environment["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_dockerfile_builds_python_311_with_gettext_and_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "\nFROM python:3.11-slim\n" in dockerfile
    assert "apt-get install -y --no-install-recommends gettext" in dockerfile
    assert "pip install --require-hashes -r requirements.txt" in dockerfile
    assert "compilemessages" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "USER trainingops" in dockerfile


def test_requirements_pin_gunicorn_whitenoise_and_postgres_driver():
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    names = {line.split("==")[0].split("[")[0].lower() for line in requirements if "==" in line}

    assert {"gunicorn", "whitenoise", "psycopg", "redis", "celery", "django-celery-beat"} <= names
