"""Check-ins after an officer's erasure, and the ``check_in_codes`` command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agencies.services import erase_officer
from reports.selectors import yearly_report
from sessions import checkin_codes
from sessions.api.serializers.check_ins import read_check_in_item
from sessions.models import Attendance, CheckIn, Registration
from sessions.services import record_check_ins, self_check_in
from tests.factories import RegistrationFactory, TrainerFactory, TrainingSessionFactory
from trainingops import qr

pytestmark = pytest.mark.django_db


def test_erasure_keeps_check_ins_counted_without_personal_data():
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1), self_check_in=True)
    scanned, selfie = RegistrationFactory.create_batch(2, session=session)
    trainer = TrainerFactory()
    item = {
        "nonce": "erasure-0001",
        "code": checkin_codes.sign_code(registration=scanned),
        "scanned_at": timezone.now().isoformat(),
    }
    record_check_ins(session=session, items=[read_check_in_item(item)], by=trainer.user)
    self_check_in(session=session, officer=selfie.officer, by=selfie.officer.user)
    year = session.starts_at.year
    before = yearly_report(year=year)

    for registration in (scanned, selfie):
        erase_officer(officer=registration.officer, by=registration.officer.user)

    after = yearly_report(year=year)
    assert (after.current, after.previous, after.breakdowns) == (before.current, before.previous, before.breakdowns)
    assert before.current.attendances == 2
    assert CheckIn.objects.count() == 2
    assert Attendance.objects.filter(session=session, status="present").count() == 2
    by_whom = dict(CheckIn.objects.values_list("via", "recorded_by"))
    assert by_whom == {"code": trainer.user.pk, "self": None}
    # Nothing in a check-in names the person: ids, times, how, the device's nonce (random per scan).
    fields = {field.name for field in CheckIn._meta.concrete_fields}
    assert fields == {
        "id", "session", "registration", "nonce", "via", "outcome", "scanned_at", "recorded_at", "recorded_by",
    }  # fmt: skip
    assert list(Registration.objects.filter(session=session).values_list("officer_id", flat=True)) == [None, None]


def test_check_in_codes_command_lists_and_saves_images(tmp_path):
    session = TrainingSessionFactory(self_check_in=True)
    registration = RegistrationFactory(session=session)
    out = StringIO()

    call_command("check_in_codes", "--session", str(session.pk), "--out", str(tmp_path), stdout=out)

    code = checkin_codes.sign_code(registration=registration)
    assert f"{registration.pk}\t{registration.person_name}\t{code}" in out.getvalue()
    assert (tmp_path / f"{registration.pk}.png").read_bytes() == qr.qr_png(code)
    assert (tmp_path / "self-check-in.png").exists()


@pytest.mark.parametrize("session_id", ["0", "999999", str(2**70)])
def test_check_in_codes_command_unknown_session_is_a_command_error(session_id):
    with pytest.raises(CommandError, match="No training session has the id"):
        call_command("check_in_codes", "--session", session_id)
