import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from agencies.services import erase_officer
from reports.impact import consented_quotes, impact_summary, quote_text
from reports.models import PublishedImpactSummary
from reports.services import PublicationError, publish_impact_summary, withdraw_impact_summary
from sessions.models import SurveyResponse
from tests.factories import AttendanceFactory, OfficerFactory, RegistrationFactory, SurveyResponseFactory
from tests.reports.conftest import attend, held_session, local

PAGE = reverse("reports:impact")


def download(kind):
    return reverse("reports:impact-download", args=[kind])


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def consented(program, comments, *, overall=5, consent=True):
    registration = RegistrationFactory(session=program["virtual"], officer=OfficerFactory())
    return SurveyResponseFactory(
        survey=program["virtual"].survey,
        registration=registration,
        submitted_at=local(2024, 1, 26),
        overall_rating=overall,
        recommend_score=9,
        comments=comments,
        quote_consent=consent,
    )


def test_impact_page_figures_agree_with_yearly_report(manager_client, program):
    yearly = manager_client.get(reverse("reports:yearly"), {"year": 2024}).context["report"]

    response = manager_client.get(PAGE, {"year": 2024})

    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.figures == yearly.current
    assert summary.headline() == {
        "sessions_held": 3,
        "sessions_by_format": {"virtual": 1, "in_person": 1, "hybrid": 1},
        "officers_trained": 4,
        "attendances": 5,
        "agencies_reached": 3,
        "countries_reached": 2,
        "regions_reached": len([row for row in yearly.breakdowns["region"] if row.key]),
        "hours_delivered": 13.5,
    }
    assert [(row.key, row.officers_trained) for row in summary.countries] == [
        (row.key, row.officers_trained) for row in yearly.breakdowns["country"]
    ]
    assert [(row.key, row.sessions) for row in summary.months] == [
        (row.key, row.sessions) for row in yearly.breakdowns["month"]
    ]
    content = response.content.decode()
    assert '<div class="figure" data-metric="hours_delivered">\n      <div class="figure-value">13.5</div>' in content
    assert "otherwise half the session&#x27;s hours" in content


def test_hours_delivered_counts_partial_as_half(db):
    session = held_session(local(2024, 5, 2))  # three hours
    attend(session)
    attend(session, status="partial")
    attend(session, status="absent")

    assert impact_summary(year=2024).figures.hours_delivered == 4.5


def test_impact_page_anonymous_is_sent_to_login_and_officer_refused(client, program, officer):
    assert client.get(PAGE).status_code == 302
    client.force_login(officer.user)
    assert client.get(PAGE).status_code == 403


def test_impact_api_gives_the_page_figures(manager_client, program):
    yearly = manager_client.get("/api/v1/reports/yearly", {"year": 2024}).json()

    data = manager_client.get("/api/v1/reports/impact", {"year": 2024}).json()

    for name in ("sessions_held", "officers_trained", "attendances", "agencies_reached", "countries_reached"):
        assert data["headline"][name] == yearly["summary"][name]
    assert data["headline"]["hours_delivered"] == yearly["summary"]["hours_delivered"] == 13.5
    assert data["headline"]["sessions_by_format"] == yearly["summary"]["sessions_by_format"]
    assert data["survey"] == {
        "survey_responses": yearly["summary"]["survey_responses"],
        "average_overall_rating": yearly["summary"]["average_overall_rating"],
        "net_promoter_score": yearly["summary"]["net_promoter_score"],
    }
    assert sorted((row["code"], row["officers_trained"]) for row in data["countries"]) == [("FR", 2), ("MX", 2)]
    assert data["learning_gain"] is None


@pytest.mark.parametrize("year", ["", "abc", "1999", "2101", "2024.5", "9" * 50])
def test_impact_api_bad_year_is_400(manager_client, program, year):
    response = manager_client.get("/api/v1/reports/impact", {"year": year})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["year"]


def test_impact_api_refuses_officers(client, program, officer):
    client.force_login(officer.user)

    assert client.get("/api/v1/reports/impact", {"year": 2024}).status_code == 403


def test_map_svg_shades_the_countries_reached(manager_client, program):
    response = manager_client.get(download("map.svg"), {"year": 2024})

    svg = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert svg.count('<g class="reached"') == 2
    assert '<g class="reached" data-country="FR" fill="#08519c"><title>France: 2</title>' in svg
    assert '<g class="reached" data-country="MX" fill="#08519c"><title>Mexico: 2</title>' in svg


def test_map_marks_small_countries_reached(db):
    from reports.impact_images import world_map_svg

    svg = world_map_svg(countries=[("SG", "Singapore", 3), ("BR", "Brazil", 9)], title="Map")

    assert '<circle class="marker" data-country="SG"' in svg
    assert '<circle class="marker" data-country="BR"' not in svg


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pdf_is_one_page_with_the_figures(manager_client, program, paper):
    consented(program, "Very practical: I traced a wallet the week after.")

    response = manager_client.get(download("summary.pdf"), {"year": 2024, "paper": paper})

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    width = round(float(reader.pages[0].mediabox.width))
    assert width == {"a4": 595, "letter": 612}[paper]
    text = reader.pages[0].extract_text()
    assert "Training impact 2024" in text
    assert "13.5" in text
    assert "France, Mexico" in text or "Mexico, France" in text
    assert "Very practical: I traced a wallet the week after." in text


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Training impact 2024"), ("es", "Impacto de la formación 2024"), ("fr", "Impact de la formation 2024")],
)
def test_impact_page_and_pdf_in_three_languages(manager_client, program, language, title):
    page = manager_client.get(PAGE, {"year": 2024}, HTTP_ACCEPT_LANGUAGE=language)
    pdf = manager_client.get(download("summary.pdf"), {"year": 2024}, HTTP_ACCEPT_LANGUAGE=language)

    assert f"<h1>{title}</h1>" in page.content.decode()
    assert title in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


@pytest.mark.parametrize("kind", ["map.png", "card.png"])
def test_png_downloads_are_png_images(manager_client, program, kind):
    response = manager_client.get(download(kind), {"year": 2024})

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_card_svg_has_the_headline(manager_client, program):
    svg = manager_client.get(download("card.svg"), {"year": 2024}).content.decode()

    assert ">13.5</text>" in svg
    assert ">Training impact 2024</text>" in svg


def test_download_unknown_kind_or_bad_paper(manager_client, program):
    assert manager_client.get(download("map.gif"), {"year": 2024}).status_code == 404
    assert manager_client.get(download("summary.pdf"), {"year": 2024, "paper": "a3"}).status_code == 400
    assert manager_client.get(download("summary.pdf"), {"year": "x"}).status_code == 400


def test_quotes_only_consented_non_empty_at_most_three(program):
    for index in range(4):
        consented(program, f"Consented comment {index}", overall=5 - index)
    consented(program, "Not to be quoted", consent=False)

    assert consented_quotes(year=2024) == ["Consented comment 0", "Consented comment 1", "Consented comment 2"]


def test_quote_text_folds_space_and_shortens():
    assert quote_text("  Useful\n\n  day ") == "Useful day"
    assert quote_text("word " * 100).endswith("…")
    assert len(quote_text("word " * 100)) <= 280


def test_erasure_removes_the_quote(program, manager_user):
    answer = consented(program, "Quote me, please")
    assert consented_quotes(year=2024) == ["Quote me, please"]

    erase_officer(officer=answer.registration.officer, by=manager_user)

    answer = SurveyResponse.objects.get(pk=answer.pk)
    assert (answer.comments, answer.quote_consent) == ("", False)
    assert consented_quotes(year=2024) == []


@pytest.mark.parametrize("extra", [0, 20])
def test_impact_page_query_count_is_constant(manager_client, program, django_assert_num_queries, extra):
    for index in range(extra):
        attend(held_session(local(2024, 4, 1 + index % 28)))
        consented(program, f"Comment {index}")
    manager_client.get(PAGE, {"year": 2024})  # stores the report

    with django_assert_num_queries(9):
        manager_client.get(PAGE, {"year": 2024})


def test_publish_then_public_page_without_login_then_withdraw(client, manager_client, program, manager_user):
    consented(program, "Anonymous and proud")
    manager_client.post(reverse("reports:impact-publish"), {"year": 2024})
    publication = PublishedImpactSummary.objects.get()
    public = reverse("reports:impact-public", args=[publication.token])

    response = client.get(public)

    assert response.status_code == 200
    assert sorted(response["Cache-Control"].split(", ")) == ["max-age=60", "public"]
    assert list(response.cookies) == []
    content = response.content.decode()
    assert "Anonymous and proud" in content
    for personal in (program["virtual"].title, str(program["lead"].user.email)):
        assert personal not in content
    assert 'id="publish"' not in content
    assert len(publication.token) >= 32
    assert client.get(reverse("reports:impact-public-download", args=[publication.token, "map.svg"])).status_code == 200

    manager_client.post(reverse("reports:impact-withdraw", args=[publication.pk]))

    assert client.get(public).status_code == 404
    assert (
        client.get(reverse("reports:impact-public-download", args=[publication.token, "summary.pdf"])).status_code
        == 404
    )
    history = list(publication.history.order_by("history_date").values_list("history_user_id", "withdrawn_at"))
    assert [user for user, _ in history] == [manager_user.pk, manager_user.pk]
    assert [withdrawn is None for _, withdrawn in history] == [True, False]


def test_publish_twice_keeps_one_live_address_and_officer_may_not(program, manager_user, officer):
    first = publish_impact_summary(year=2024, by=manager_user)

    assert publish_impact_summary(year=2024, by=manager_user) == first
    with pytest.raises(PublicationError):
        publish_impact_summary(year=2024, by=officer.user)
    with pytest.raises(PublicationError):
        withdraw_impact_summary(publication_id=first.pk, by=officer.user)


def test_export_impact_command_writes_each_format(program, tmp_path):
    for output_format, start in (("pdf", b"%PDF"), ("png", b"\x89PNG"), ("svg", b"<svg"), ("json", b"{")):
        path = tmp_path / f"impact.{output_format}"
        call_command("export_impact", "--year", "2024", "--format", output_format, "--output", str(path))
        assert path.read_bytes().startswith(start)
    data = json.loads((tmp_path / "impact.json").read_text())
    assert data["headline"]["officers_trained"] == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "20x4", "--format", "pdf"], "The year must be a number"),
        (["--year", "2024", "--format", "gif"], "Unknown format 'gif'"),
        (["--year", "2024", "--format", "png", "--picture", "chart"], "Unknown picture 'chart'"),
        (["--year", "2024", "--format", "pdf", "--paper", "a3"], "Unknown paper 'a3'"),
        (["--year", "2024", "--format", "pdf", "--language", "de"], "Unknown language 'de'"),
    ],
)
def test_export_impact_command_validates_arguments(program, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_impact", *arguments, "--output", str(tmp_path / "out"))


def test_export_impact_command_unwritable_output(program, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_impact", "--year", "2024", "--format", "json", "--output", str(tmp_path / "no" / "x"))


def test_pdf_with_many_countries_and_long_quotes_stays_one_page(program):
    from reports.impact_pdf import PDF_COUNTRIES, render_impact_pdf
    from reports.selectors import BreakdownRow

    summary = impact_summary(year=2024)
    many = [BreakdownRow(f"C{index:03d}", f"Country {index}", 1, 1, 1, 1, 1) for index in range(200)]
    summary.report.breakdowns["country"][:] = many
    summary.quotes[:] = [quote_text("long words " * 60)] * 3

    text = PdfReader(io.BytesIO(render_impact_pdf(summary, paper="letter"))).pages[0].extract_text()
    text = " ".join(text.split())

    assert f"Country 38, Country 39 and {200 - PDF_COUNTRIES} more" in text
    assert "Country 40," not in text
    assert "otherwise half the session's hours." in text


def test_public_page_is_the_same_for_a_signed_in_manager(manager_client, client, program, manager_user):
    publication = publish_impact_summary(year=2024, by=manager_user)
    public = reverse("reports:impact-public", args=[publication.token])

    as_manager = manager_client.get(public)

    assert as_manager.content == client.get(public).content
    assert manager_user.email not in as_manager.content.decode()
    assert list(as_manager.cookies) == []


def test_public_page_unknown_token_is_404(client, program):
    assert client.get(reverse("reports:impact-public", args=["x" * 32])).status_code == 404


@pytest.mark.parametrize("extra", [0, 20])
def test_impact_api_query_count_is_constant(manager_client, program, django_assert_num_queries, extra):
    for index in range(extra):
        attend(held_session(local(2024, 4, 1 + index % 28)))
        consented(program, f"Comment {index}")
    manager_client.get("/api/v1/reports/impact", {"year": 2024})  # stores the report

    with django_assert_num_queries(7):
        manager_client.get("/api/v1/reports/impact", {"year": 2024})


def test_hours_delivered_count_the_hours_recorded_for_a_session_of_several_days(db):
    # Three days of a workshop (the start-to-end span is 50 hours): the attendance of several days
    # records its hours, which count as they are, present or partial.
    session = held_session(local(2024, 5, 2), ends_at=local(2024, 5, 4, 11))
    for status, hours in (("present", "9.0"), ("partial", "4.5"), ("absent", None)):
        registration = RegistrationFactory(session=session, officer=OfficerFactory())
        AttendanceFactory(registration=registration, status=status, hours_attended=hours and Decimal(hours))

    assert impact_summary(year=2024).figures.hours_delivered == 13.5


def test_impact_summary_shows_the_years_learning_gain_from_the_report(manager_client, program):
    from tests.reports.test_learning import took_tests

    took_tests(program["virtual"], pre=1, post=3)
    took_tests(program["paris"], pre=2, post=4)
    figures = manager_client.get(reverse("reports:yearly"), {"year": 2024}).context["report"].current

    response = manager_client.get(PAGE, {"year": 2024})

    assert (figures.learning_gain_officers, figures.learning_gain) == (2, 50.0)
    assert response.context["summary"].learning_gain == {"gain": 50.0, "officers": 2}
    assert "Learning gain: 50.0 points (2 officers took both tests)" in response.content.decode()
    data = manager_client.get("/api/v1/reports/impact", {"year": 2024}).json()
    assert data["learning_gain"] == {"gain": 50.0, "officers": 2}
