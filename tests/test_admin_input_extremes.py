"""Every admin add form, and the session change form, fed extreme values answers without a server error.

Each field of the rendered form is replaced in turn by extremes of its kind: dates at the ends
of the calendar in the farthest time zones, huge and negative numbers, empty and huge strings,
unknown ids. A form shown again with errors has saved nothing.
"""

from datetime import timedelta

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import changeform_data
from tests.factories import SessionTrainerFactory, TrainingSessionFactory, UserFactory
from tests.row_counts import row_counts

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "agencies", "training", "messaging", "reports"}
ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in PROJECT_APPS
)
FARTHEST_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12"]
WALL_TIMES = [("0001-01-01", "00:30"), ("9999-12-31", "23:59"), ("2000-01-01", "00:30")]
HUGE = "9" * 30
# The largest id a database can hold and that nothing has. (Larger ones overflow SQLite when the
# admin's autocomplete widget shows the refused value again: a limit of Django's widget on SQLite.)
UNKNOWN_ID = str(2**63 - 1)


def _extremes(key: str, field) -> list[dict]:
    """Overrides of the POST data putting an extreme into one field (a dict per attempt)."""
    if isinstance(field, forms.SplitDateTimeField):
        return [
            {f"{key}_0": day, f"{key}_1": time, "timezone": zone} for day, time in WALL_TIMES for zone in FARTHEST_ZONES
        ] + [{f"{key}_0": "notadate", f"{key}_1": "25:61"}]
    if isinstance(field, forms.DateTimeField):
        return [{key: value} for value in ("9999-12-31 23:59:59", "0001-01-01 00:00:00", "notadate")]
    if isinstance(field, forms.DateField):
        return [{key: value} for value in ("9999-12-31", "0001-01-01", "notadate")]
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return [{key: value} for value in ("-1", HUGE, "1e400", "x")]
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [{key: value} for value in ([UNKNOWN_ID], ["-1"], ["x"])]
    if isinstance(field, forms.ModelChoiceField):
        return [{key: value} for value in (UNKNOWN_ID, "-1", "x")]
    if isinstance(field, forms.BooleanField):
        return [{key: "maybe"}]
    return [{key: value} for value in ("", "x" * 10_000, HUGE, "Mars/Olympus")]


def _walk(client, url) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    valid = changeform_data(page)
    failures = []
    for name, field in form.fields.items():
        for overrides in _extremes(form.add_prefix(name), field):
            before = row_counts()
            response = client.post(url, {**valid, **overrides})
            if response.status_code >= 500:
                failures.append(f"{url} {name}={str(overrides)[:80]}: {response.status_code}")
            elif response.status_code == 200 and row_counts() != before:
                failures.append(f"{url} {name}={str(overrides)[:80]}: refused but saved")
    return failures


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("app_label", "model_name"), ADMINS)
def test_admin_add_form_with_extreme_values_saves_nothing_it_refuses(superuser_client, app_label, model_name):
    url = reverse(f"admin:{app_label}_{model_name}_add")
    if superuser_client.get(url).status_code == 403:
        pytest.skip("no add form")  # e.g. registrations, which only the services create
    assert _walk(superuser_client, url) == []


def test_session_change_form_with_extreme_values_saves_nothing_it_refuses(superuser_client):
    session = TrainingSessionFactory(status="draft", starts_at=timezone.now() + timedelta(days=30))
    SessionTrainerFactory(session=session)
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    assert _walk(superuser_client, url) == []
