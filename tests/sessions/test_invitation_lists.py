"""Reading pasted invitation lists and classifying each entry (sessions.services.invitations)."""

import pytest
from django.core import mail

from sessions import services
from sessions.models import InvitationRequest, Registration
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    InvitationFactory,
    OfficerFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)


def read(pasted):
    return [(piece.line, piece.text, piece.name, piece.email) for piece in services.parse_pasted_addresses(pasted)]


def test_parse_outlook_list_keeps_the_comma_inside_quotes():
    assert read('"López, Ana" <ana@x.mx>; Bob <b@y.org>') == [
        (1, '"López, Ana" <ana@x.mx>', "López, Ana", "ana@x.mx"),
        (1, "Bob <b@y.org>", "Bob", "b@y.org"),
    ]


def test_parse_gmail_list():
    assert read('Ana López <Ana.Lopez@Policia.gob.mx>, "Bob Stone" <bob@interpol.int>, luis@sspc.gob.mx') == [
        (1, "Ana López <Ana.Lopez@Policia.gob.mx>", "Ana López", "ana.lopez@policia.gob.mx"),
        (1, '"Bob Stone" <bob@interpol.int>', "Bob Stone", "bob@interpol.int"),
        (1, "luis@sspc.gob.mx", "", "luis@sspc.gob.mx"),
    ]


def test_parse_mixed_separators_blank_lines_and_trailing_separators():
    pasted = "a@x.org;b@x.org,\r\n\r\n  c@x.org ;; \n,;\nD@X.ORG,\n"

    assert [(line, email) for line, _text, _name, email in read(pasted)] == [
        (1, "a@x.org"),
        (1, "b@x.org"),
        (3, "c@x.org"),
        (5, "d@x.org"),
    ]


def test_parse_escaped_quote_and_comma_inside_angle_brackets():
    assert read(r'"O\"Brien, Zoë" <zoe@x.ie>, Eve <"eve,x"@y.org>') == [
        (1, r'"O\"Brien, Zoë" <zoe@x.ie>', 'O"Brien, Zoë', "zoe@x.ie"),
        (1, 'Eve <"eve,x"@y.org>', "Eve", '"eve,x"@y.org'),
    ]


def test_parse_unreadable_pieces_are_kept_with_no_address():
    pasted = 'broken-line\nAna López ana@x.mx\n"unclosed <a@x.org>, b@x.org\nc@x.org\nmailto:d@x.org'

    assert read(pasted) == [
        (1, "broken-line", "", ""),
        (2, "Ana López ana@x.mx", "", ""),
        (3, '"unclosed <a@x.org>, b@x.org', "", ""),  # a stray quote ends with its line
        (4, "c@x.org", "", "c@x.org"),
        (5, "mailto:d@x.org", "", "d@x.org"),
    ]


def test_parse_a_thousand_addresses_in_mixed_formats():
    formats = ('"Last{n}, First{n}" <p{n}@x.org>', "Person {n} <p{n}@x.org>", "p{n}@x.org")
    separators = ("; ", ", ", "\n")
    pasted = "".join(formats[n % 3].format(n=n) + separators[n % 4 % 3] for n in range(1000))

    pieces = services.parse_pasted_addresses(pasted)

    assert [piece.email for piece in pieces] == [f"p{n}@x.org" for n in range(1000)]
    assert [piece.name for piece in pieces[:3]] == ["Last0, First0", "Person 1", ""]
    assert pieces[-1].line == 251


@pytest.mark.parametrize(
    ("email", "name", "written"),
    [
        ("a@x.org", "", "a@x.org"),
        ("a@x.org", "  Ana\nLópez ", '"Ana López" <a@x.org>'),
        ("a@x.org", 'López, "Ana" <x>', '"López, \\"Ana\\" x" <a@x.org>'),
    ],
)
def test_format_address_is_read_back_as_given(email, name, written):
    assert services.format_address(email, name) == written
    assert read(written) == [(1, written, " ".join(name.replace("<", " ").replace(">", " ").split()), email)]


# --- Classification: new, already invited, already registered, invalid ---


def plan(session, **kwargs):
    entries = services.plan_invitations(session=session, **kwargs).entries
    return [(entry.email, entry.status.value, str(entry.reason)) for entry in entries]


@pytest.mark.django_db
def test_plan_default_agency_only_for_addresses_without_account_or_domain():
    session = TrainingSessionFactory()
    chosen, domain_agency = AgencyFactory(), AgencyFactory()
    AgencyEmailDomainFactory(agency=domain_agency, domain="fiscalia.gob.mx")
    officer = OfficerFactory(user__email="Officer@Example.org")

    result = services.plan_invitations(
        session=session,
        pasted="new@example.org\nluis@fiscalia.gob.mx\nofficer@example.org",
        default_agency_id=chosen.pk,
    )

    assert [(invitee.email, invitee.agency_id, invitee.officer_id) for invitee in result.invitees] == [
        ("new@example.org", chosen.pk, None),
        ("luis@fiscalia.gob.mx", domain_agency.pk, None),
        ("officer@example.org", officer.agency_id, officer.pk),
    ]


@pytest.mark.django_db
def test_plan_old_agency_suffix_only_when_it_names_an_agency():
    session = TrainingSessionFactory()
    sspc = AgencyFactory(acronym="SSPC", name="Secretaría de Seguridad")

    result = services.plan_invitations(
        session=session, pasted="a@x.org, sspc\nb@x.org, Secretaría de Seguridad\nSmith, c@x.org\nd@x.org, Smith"
    )

    assert [(entry.line, entry.text, entry.email, entry.status.value) for entry in result.entries] == [
        (1, "a@x.org, sspc", "a@x.org", "new"),
        (2, "b@x.org, Secretaría de Seguridad", "b@x.org", "new"),
        (3, "Smith", "", "invalid"),
        (3, "c@x.org", "c@x.org", "invalid"),
        (4, "d@x.org", "d@x.org", "invalid"),
        (4, "Smith", "", "invalid"),
    ]
    assert {invitee.agency_id for invitee in result.invitees} == {sspc.pk}


@pytest.mark.django_db
def test_plan_classes_already_invited_registered_and_duplicates():
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    confirmed = RegistrationFactory(session=session).officer
    waitlisted = RegistrationFactory(
        session=session, status=Registration.Status.WAITLISTED, waitlist_position=1
    ).officer
    cancelled = RegistrationFactory(session=session, status=Registration.Status.CANCELLED).officer
    InvitationFactory(session=session, email="invited@example.org")
    pasted = "\n".join(
        [
            confirmed.user.email.upper(),
            waitlisted.user.email,
            cancelled.user.email,
            "Invited <INVITED@example.org>",
            "new@example.org; NEW@example.org",
        ]
    )

    assert plan(session, pasted=pasted, default_agency_id=agency.pk) == [
        (confirmed.user.email, "registered", ""),
        (waitlisted.user.email, "registered", ""),
        (cancelled.user.email, "new", ""),
        ("invited@example.org", "invited", ""),
        ("new@example.org", "new", ""),
        ("new@example.org", "invalid", "duplicate: already on line 5 of the list"),
    ]


@pytest.mark.django_db
def test_plan_already_invited_address_without_agency_is_not_invalid():
    session = TrainingSessionFactory()
    InvitationFactory(session=session, email="invited@example.org")

    assert plan(session, pasted="invited@example.org") == [("invited@example.org", "invited", "")]


@pytest.mark.django_db
def test_plan_registered_officer_of_a_chosen_agency_is_not_invited_again():
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    registered = RegistrationFactory(session=session, officer=OfficerFactory(agency=agency)).officer
    other = OfficerFactory(agency=agency)

    assert sorted(plan(session, agency_ids=[agency.pk])) == sorted(
        [(registered.user.email, "registered", ""), (other.user.email, "new", "")]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("address_count", [1, 1000])
def test_plan_queries_do_not_grow_with_pasted_addresses(address_count, django_assert_num_queries):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    pasted = ", ".join(f'"Last{n}, First{n}" <p{n}@x.org>' for n in range(address_count))

    with django_assert_num_queries(5):
        result = services.plan_invitations(session=session, pasted=pasted, default_agency_id=agency.pk)

    assert result.counts == {"new": address_count, "invited": 0, "registered": 0, "invalid": 0}


@pytest.mark.django_db
def test_invite_officers_refuses_a_stale_preview_and_saves_nothing(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    arguments = {"pasted": "a@example.org; b@example.org", "default_agency_id": agency.pk}
    seen = services.plan_invitations(session=session, **arguments).fingerprint()
    InvitationFactory(session=session, email="b@example.org")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.InvitationError) as error,
    ):
        services.invite_officers(session=session, by=manager_user, previewed=seen, **arguments)

    assert (error.value.code, str(error.value.message)) == (
        "preview_stale",
        "The list changed since the preview: check it again before sending.",
    )
    assert callbacks == []
    assert InvitationRequest.objects.count() == 0


@pytest.mark.django_db
def test_invite_officers_sends_a_preview_that_still_holds(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    arguments = {"pasted": '"López, Ana" <ana@x.mx>; Bob <b@y.org>', "default_agency_id": AgencyFactory().pk}
    seen = services.plan_invitations(session=session, **arguments).fingerprint()

    with django_capture_on_commit_callbacks(execute=True):
        services.invite_officers(session=session, by=manager_user, previewed=seen, **arguments)

    assert sorted(message.to for message in mail.outbox) == [["ana@x.mx"], ["b@y.org"]]


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("kept@x.org, PF\nGone@x.org, PF", "kept@x.org, PF"),
        ('"Gone, G" <gone@x.org>; Ana <ana@x.org>', "Ana <ana@x.org>"),
        ("gone@x.org\n\nana@x.org, gone@x.org", "\nana@x.org"),
    ],
)
def test_drop_addresses_from_pasted_keeps_everyone_else(pasted, kept):
    assert services.drop_addresses_from_pasted(pasted, ["gone@x.org"]) == kept
