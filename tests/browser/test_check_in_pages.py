"""On a phone (390 px): an officer's check-in code on My trainings, and self check-in at the venue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions import selectors
from sessions.models import CheckIn
from tests.browser.accessibility import assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import sign_in, verified_officer
from tests.factories import RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seat():
    officer = verified_officer("ana@policia.gob.mx")
    session = TrainingSessionFactory(
        title="Tracing crypto-assets: a workshop with a very long title to wrap on a phone screen",
        starts_at=timezone.now() - timedelta(minutes=10),
        self_check_in=True,
    )
    return RegistrationFactory(session=session, officer=officer)


def test_my_trainings_shows_the_check_in_code_on_a_phone(page, screenshot, seat):
    page.set_viewport_size(PHONE)
    sign_in(page, "ana@policia.gob.mx", next_url="/my-trainings/")

    page.get_by_text("Show my check-in code").click()
    image = page.locator(f'details[data-registration="{seat.pk}"] img')
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    assert image.bounding_box()["width"] <= PHONE["width"]
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "portal_my_trainings_check_in_code_phone")


def test_self_check_in_on_a_phone(page, screenshot, seat):
    session = seat.session
    link = f"/sessions/{session.pk}/self-check-in/{selectors.self_check_in_token(session)}/"
    page.set_viewport_size(PHONE)
    sign_in(page, "ana@policia.gob.mx", next_url=link)

    assert_fits_width(page)
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Check me in").click()
    page.locator("#self-check-in-result").wait_for()

    assert page.locator("#self-check-in-result strong").inner_text() == "Checked in."
    assert list(CheckIn.objects.values_list("registration_id", "via")) == [(seat.pk, "self")]
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "portal_self_check_in_phone")


def test_back_office_check_in_codes_page_on_a_phone(page, screenshot, roles, seat):
    from tests.browser.helpers import verified_user
    from tests.factories import SessionTrainerFactory, TrainerFactory

    trainer = TrainerFactory(user__email="lena@trainingops.example")
    verified_user(trainer.user)
    SessionTrainerFactory(session=seat.session, trainer=trainer)
    page.set_viewport_size(PHONE)
    sign_in(
        page, "lena@trainingops.example", next_url=f"/admin/training/trainingsession/{seat.session.pk}/check-in-codes/"
    )

    page.locator("#self-check-in-link").wait_for()
    images = page.locator("#check-in-codes img")
    assert images.count() == 2
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete && img.naturalWidth > 0)")
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "admin_check_in_codes_phone")
