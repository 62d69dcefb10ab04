"""The training-request funnel: counted once (reports.selectors.training_request_funnel), the same
on the report page, in its CSV and XLSX, in the API and in export_yearly_counts."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from rest_framework.test import APIClient

from agencies.models import TrainingRequest
from reports import store
from reports.selectors import ReportFilters, training_request_funnel, yearly_report
from tests.factories import AgencyFactory, CountryFactory, TopicFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db
State = TrainingRequest.State


def _request(agency, *, created, state=State.SUBMITTED, accepted=False, delivered_after_days=None, **kwargs):
    created_at = datetime(*created, 12, tzinfo=UTC)
    request = TrainingRequestFactory(agency=agency, state=state, **kwargs)
    fields = {"created_at": created_at, "accepted_at": created_at + timedelta(days=3) if accepted else None}
    if delivered_after_days is not None:
        fields["delivered_at"] = created_at + timedelta(days=delivered_after_days)
    TrainingRequest.objects.filter(pk=request.pk).update(**fields)
    return request


@pytest.fixture
def requests_2024():
    mexico = AgencyFactory(country=CountryFactory(code="MX", name="Mexico", region="Americas"))
    peru = AgencyFactory(country=CountryFactory(code="PE", name="Peru", region="Americas"))
    france = AgencyFactory(country=CountryFactory(code="FR", name="France", region="Europe"))
    _request(mexico, created=(2024, 1, 10), state=State.DELIVERED, accepted=True, delivered_after_days=40)
    _request(mexico, created=(2024, 3, 1), state=State.DELIVERED, accepted=True, delivered_after_days=61)
    _request(mexico, created=(2024, 5, 1), state=State.DECLINED, accepted=True)  # accepted, then declined
    _request(peru, created=(2024, 6, 1), state=State.DELIVERED, accepted=True, delivered_after_days=90)
    _request(peru, created=(2024, 7, 1), state=State.WITHDRAWN)
    _request(france, created=(2024, 12, 31), state=State.DECLINED, format=TrainingRequest.Format.VIRTUAL)
    _request(france, created=(2023, 12, 31), state=State.DELIVERED, accepted=True, delivered_after_days=5)
    _request(france, created=(2025, 1, 1), state=State.SUBMITTED)


EXPECTED_TOTAL = {"received": 6, "accepted": 4, "delivered": 3, "declined": 2, "median_days_to_delivery": 61.0}
EXPECTED_ROWS = [
    ("total", "", "All agencies", 6, 4, 3, 2, 61.0),
    ("region", "Americas", "Americas", 5, 4, 3, 1, 61.0),
    ("region", "Europe", "Europe", 1, 0, 0, 1, None),
    ("country", "MX", "Mexico", 3, 3, 2, 1, 50.5),
    ("country", "PE", "Peru", 2, 1, 1, 0, 90.0),
    ("country", "FR", "France", 1, 0, 0, 1, None),
]


def _plain(row: dict) -> tuple:
    return tuple(row[name] for name in ("received", "accepted", "delivered", "declined", "median_days_to_delivery"))


def test_funnel_counts_by_utc_year_region_and_country(requests_2024):
    funnel = yearly_report(year=2024, breakdowns=()).funnel

    rows = [
        (
            scope,
            row.key,
            row.label,
            row.received,
            row.accepted,
            row.delivered,
            row.declined,
            row.median_days_to_delivery,
        )
        for scope, row in funnel.rows()
    ]
    assert rows == EXPECTED_ROWS


def test_funnel_filters_by_region_and_format(requests_2024):
    europe = training_request_funnel(year=2024, filters=ReportFilters(region="Europe"))
    virtual = training_request_funnel(year=2024, filters=ReportFilters(format="virtual"))
    assert (_plain(europe["total"]), _plain(virtual["total"])) == ((1, 0, 0, 1, None), (1, 0, 0, 1, None))


def test_funnel_filters_by_topic():
    topic = TopicFactory(slug="crypto")
    agency = AgencyFactory()
    _request(agency, created=(2024, 2, 2), topics=[topic])
    _request(agency, created=(2024, 2, 3))
    assert training_request_funnel(year=2024, filters=ReportFilters(topic="crypto"))["total"]["received"] == 1


def test_empty_year_has_a_zero_total_and_no_median():
    funnel = yearly_report(year=2024, breakdowns=()).funnel
    assert (funnel.total.received, funnel.total.median_days_to_delivery, funnel.region, funnel.country) == (
        0,
        None,
        [],
        [],
    )


def test_funnel_agrees_on_page_csv_xlsx_api_and_command(client, manager_user, requests_2024):
    client.force_login(manager_user)
    expected = [tuple(str(v) if v is not None else "" for v in row) for row in EXPECTED_ROWS]

    page = client.get("/reports/yearly/", {"year": 2024})
    page_funnel = page.context["report"].funnel
    page_rows = [
        tuple(
            str(v) if v is not None else ""
            for v in (
                scope,
                row.key,
                row.label,
                row.received,
                row.accepted,
                row.delivered,
                row.declined,
                row.median_days_to_delivery,
            )
        )
        for scope, row in page_funnel.rows()
    ]
    assert 'id="funnel-table"' in page.content.decode()

    csv_text = client.get("/reports/yearly/export.csv", {"year": 2024, "part": "funnel"}).content.decode("utf-8-sig")
    csv_rows = [tuple(row) for row in csv.reader(io.StringIO(csv_text))][1:]

    workbook = load_workbook(io.BytesIO(client.get("/reports/yearly/export.xlsx", {"year": 2024}).content))
    sheet = workbook["Training requests"]
    # A spreadsheet keeps 61.0 as the number 61: compare the median as a float.
    xlsx_rows = [
        tuple("" if v is None else str(v) for v in (*row[:-1], None if row[-1] is None else float(row[-1])))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]

    api = APIClient()
    api.force_authenticate(manager_user)
    api_funnel = api.get("/api/v1/reports/yearly", {"year": 2024}).json()["funnel"]

    out = io.StringIO()
    call_command("export_yearly_counts", "--year", "2024", "--format", "json", stdout=out)
    command_funnel = json.loads(out.getvalue())["funnel"]
    out = io.StringIO()
    call_command("export_yearly_counts", "--year", "2024", "--by", "funnel", stdout=out)
    command_csv = [tuple(row) for row in csv.reader(io.StringIO(out.getvalue()))][1:]

    assert page_rows == expected
    assert csv_rows == expected
    assert xlsx_rows == expected
    assert command_csv == expected
    assert _plain(api_funnel["total"]) == _plain(command_funnel["total"]) == tuple(EXPECTED_TOTAL.values())
    assert [(row["key"], *_plain(row)) for row in api_funnel["country"]] == [
        (row[1], *row[3:]) for row in EXPECTED_ROWS if row[0] == "country"
    ]
    assert api_funnel == command_funnel


@pytest.mark.django_db(transaction=True)
def test_stored_report_keeps_and_refreshes_the_funnel(settings, countries):
    # Commits as a deployment does; Celery runs the refresh queued on commit at once.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    agency = AgencyFactory()
    first = store.served_report(year=2024, breakdowns=())
    assert first.funnel.total.received == 0
    assert "funnel" in store.StoredReport.objects.get(year=2024).data

    request = TrainingRequestFactory(agency=agency)
    TrainingRequest.objects.filter(pk=request.pk).update(created_at=datetime(2024, 4, 4, tzinfo=UTC))
    request.refresh_from_db()
    request.save()  # a change through the model: the stored years are refreshed after the commit

    assert store.served_report(year=2024, breakdowns=()).funnel.total.received == 1
    assert "trainingrequest" in " ".join(store.report_tables())
