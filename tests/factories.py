"""One factory per model. Factories create only what the row needs, with no hidden side effects.

The one set of builders: the tests, the demo data (``demo.seed``) and the load data
(``generate_load_data``) all build their rows here.
"""

from datetime import time, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import PrivacyConsent, PrivacyNotice, User
from agencies.models import Agency, AgencyEmailDomain, Country, FocalPoint, Officer, PendingOfficer, TrainingRequest
from messaging.models import OutboundMessage
from sessions.models import (
    Attendance,
    CertificateSettings,
    DayAttendance,
    Invitation,
    KnowledgeCheck,
    KnowledgeCheckAttempt,
    Nomination,
    Question,
    QuestionOption,
    Registration,
    SessionDay,
    SessionQuota,
    SessionTrainer,
    Survey,
    SurveyResponse,
    Topic,
    Trainer,
    TrainingSession,
)


class CountryFactory(factory.django.DjangoModelFactory):
    """Countries are loaded by migration; this returns the existing row for a code."""

    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "MX"
    iso3 = factory.LazyAttribute(lambda o: f"X{o.code}")
    m49_code = "999"
    name = factory.LazyAttribute(lambda o: o.code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def confirmed_email(obj, create, extracted, **kwargs):
        """The address was confirmed through allauth's link (pass ``confirmed_email=False`` for one that was not)."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


def _add_group(user, name):
    group, _ = Group.objects.get_or_create(name=name)
    user.groups.add(group)


class ManagerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"manager{n}@trainingops.example")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            _add_group(obj, "Managers")


class StaffTrainerUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"trainer{n}@trainingops.example")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            _add_group(obj, "Trainers")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    acronym = factory.Sequence(lambda n: f"AG{n}")
    country = factory.SubFactory(CountryFactory)
    kind = Agency.Kind.POLICE


class AgencyEmailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyEmailDomain

    agency = factory.SubFactory(AgencyFactory)
    domain = factory.Sequence(lambda n: f"agency{n}.gob.mx")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"officer{n}@policia.gob.mx"))
    agency = factory.SubFactory(AgencyFactory)
    job_title = "Investigator"
    preferred_language = "en"
    verification_status = Officer.Verification.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def privacy_consent(obj, create, extracted, **kwargs):
        """An officer signed up through the portal, so accepted the privacy notice of the day; pass
        ``privacy_consent=False`` for one who has not (the portal then asks them first)."""
        if not create or extracted is False:
            return
        notice = PrivacyNotice.objects.order_by("-version").first()
        if notice is not None:
            PrivacyConsent.objects.get_or_create(
                user=obj.user, notice=notice, defaults={"consented_at": timezone.now()}
            )


class FocalPointFactory(factory.django.DjangoModelFactory):
    """An open focal-point term of a verified officer of the agency (``agency`` follows the officer)."""

    class Meta:
        model = FocalPoint

    officer = factory.SubFactory(OfficerFactory)
    agency = factory.SelfAttribute("officer.agency")
    appointed_at = factory.LazyFunction(timezone.now)


class PendingOfficerFactory(factory.django.DjangoModelFactory):
    """A walk-in recorded without an account (``sessions.services.add_walk_in`` makes them in the product)."""

    class Meta:
        model = PendingOfficer

    email = factory.Sequence(lambda n: f"walk.in{n}@policia.gob.mx")
    name = factory.Sequence(lambda n: f"Walk-in {n}")
    agency = factory.SubFactory(AgencyFactory)


class TrainingRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request of a focal point's agency (``agencies.services.submit_training_request`` in the product)."""

    class Meta:
        model = TrainingRequest
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    requested_by = factory.SubFactory(UserFactory)
    format = TrainingRequest.Format.IN_PERSON
    language = "en"
    period_start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    period_end = factory.LazyAttribute(lambda o: o.period_start + timedelta(days=30))
    expected_officers = 20
    venue_offered = "Headquarters, room 4"

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        """The requested topics: one new topic unless given (``topics=[...]``)."""
        if create:
            obj.topics.set(extracted if extracted is not None else [TopicFactory()])


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class TrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainer
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffTrainerUserFactory)
    bio = "Former financial crimes investigator."
    languages = factory.LazyFunction(lambda: ["en", "es"])

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        """The topics the trainer teaches: none unless given (``topics=[...]``)."""
        if create and extracted:
            obj.topics.set(extracted)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    title_en = factory.Sequence(lambda n: f"Crypto investigations {n}")
    description_en = "Tracing digital assets across blockchains."
    format = TrainingSession.Format.VIRTUAL
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3) if o.starts_at else None)
    timezone = "UTC"
    meeting_url = "https://meet.example.org/session"
    capacity = 30
    status = TrainingSession.Status.PUBLISHED
    language = "en"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # ``title=`` and ``description=`` give the English text whichever language is active
        # (django-modeltranslation would write them into the active language's column).
        for name in ("title", "description"):
            if name in kwargs:
                kwargs[f"{name}_en"] = kwargs.pop(name)
        return kwargs


class SessionQuotaFactory(factory.django.DjangoModelFactory):
    """Seats of a session reserved for an agency."""

    class Meta:
        model = SessionQuota

    session = factory.SubFactory(TrainingSessionFactory, registration_mode=TrainingSession.RegistrationMode.NOMINATION)
    agency = factory.SubFactory(AgencyFactory)
    seats = 5


class NominationFactory(factory.django.DjangoModelFactory):
    """A row as the nomination services leave it; in the product, ``sessions.services.nominate``."""

    class Meta:
        model = Nomination

    session = factory.SubFactory(TrainingSessionFactory, registration_mode=TrainingSession.RegistrationMode.NOMINATION)
    officer = factory.SubFactory(OfficerFactory)
    agency = factory.LazyAttribute(lambda o: o.officer.agency if o.officer else AgencyFactory())
    status = Nomination.Status.PENDING


class SessionTrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionTrainer

    session = factory.SubFactory(TrainingSessionFactory)
    trainer = factory.SubFactory(TrainerFactory)
    role = SessionTrainer.Role.LEAD


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(TrainingSessionFactory)
    officer = factory.SubFactory(OfficerFactory)
    status = Registration.Status.CONFIRMED
    source = Registration.Source.PORTAL
    officer_key = factory.LazyAttribute(lambda o: o.officer.uuid)
    agency = factory.LazyAttribute(lambda o: o.officer.agency)
    country = factory.LazyAttribute(lambda o: o.officer.agency.country)
    confirmed_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    registration = factory.SubFactory(RegistrationFactory)
    status = Attendance.Status.PRESENT
    # The registration's session and snapshot, as sessions.services copies them.
    session = factory.SelfAttribute("registration.session")
    officer_key = factory.SelfAttribute("registration.officer_key")
    agency = factory.SelfAttribute("registration.agency")
    country = factory.SelfAttribute("registration.country")


class SessionDayFactory(factory.django.DjangoModelFactory):
    """A day of a session of several days; in the product, ``sessions.services.set_session_days``."""

    class Meta:
        model = SessionDay

    session = factory.SubFactory(TrainingSessionFactory)
    date = factory.LazyAttribute(lambda o: o.session.starts_at.astimezone(o.session.timezone).date())
    starts_at_time = time(9, 0)
    ends_at_time = time(17, 0)


class DayAttendanceFactory(factory.django.DjangoModelFactory):
    """A row as ``record_day_attendance`` leaves it, without the session attendance it settles."""

    class Meta:
        model = DayAttendance

    day = factory.SubFactory(SessionDayFactory)
    registration = factory.SubFactory(RegistrationFactory, session=factory.SelfAttribute("..day.session"))
    status = DayAttendance.Status.PRESENT


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    session = factory.SubFactory(TrainingSessionFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@policia.gob.mx")
    language = "en"


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    session = factory.SubFactory(TrainingSessionFactory, status=TrainingSession.Status.COMPLETED)


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    survey = factory.SubFactory(SurveyFactory)
    registration = factory.SubFactory(RegistrationFactory, session=factory.SelfAttribute("..survey.session"))
    language = "en"


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question of a topic's bank with two options, the first correct (``options=0`` for none)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    topic = factory.SubFactory(TopicFactory)
    text_en = factory.Sequence(lambda n: f"Question {n}: which address format is a Bitcoin address?")
    text_es = factory.LazyAttribute(lambda o: f"ES {o.text_en}")
    text_fr = factory.LazyAttribute(lambda o: f"FR {o.text_en}")

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if not create or extracted == 0:
            return
        for position, correct in enumerate(extracted or (True, False)):
            QuestionOptionFactory(question=obj, position=position, is_correct=correct)


class QuestionOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionOption

    question = factory.SubFactory(QuestionFactory, options=0)
    text_en = factory.Sequence(lambda n: f"Option {n}")
    text_es = factory.LazyAttribute(lambda o: f"Opción {o.text_en}")
    text_fr = factory.LazyAttribute(lambda o: f"Réponse {o.text_en}")
    is_correct = False


class KnowledgeCheckFactory(factory.django.DjangoModelFactory):
    """A session's test; ``questions=[...]`` gives its questions (in the product, ``set_knowledge_check``)."""

    class Meta:
        model = KnowledgeCheck
        skip_postgeneration_save = True

    session = factory.SubFactory(TrainingSessionFactory)
    kind = KnowledgeCheck.Kind.PRE

    @factory.post_generation
    def questions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.questions.set(extracted)


class KnowledgeCheckAttemptFactory(factory.django.DjangoModelFactory):
    """A scored attempt without its answers (in the product, ``sessions.services.submit_attempt``)."""

    class Meta:
        model = KnowledgeCheckAttempt

    knowledge_check = factory.SubFactory(KnowledgeCheckFactory)
    registration = factory.SubFactory(RegistrationFactory, session=factory.SelfAttribute("..knowledge_check.session"))
    number = 1
    correct_count = 1
    question_count = 2
    submitted_at = factory.LazyFunction(timezone.now)


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundMessage

    kind = "test"
    recipient = factory.Sequence(lambda n: f"recipient{n}@policia.gob.mx")
    subject = "Subject"
    body_text = "Body"
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")


class PrivacyNoticeFactory(factory.django.DjangoModelFactory):
    """A new version after the latest one (the migration publishes version 1)."""

    class Meta:
        model = PrivacyNotice

    version = factory.LazyFunction(
        lambda: (PrivacyNotice.objects.order_by("-version").first() or PrivacyNotice(version=0)).version + 1
    )
    text_en = factory.Sequence(lambda n: f"Privacy notice text {n}.")
    text_es = factory.Sequence(lambda n: f"Texto del aviso de privacidad {n}.")
    text_fr = factory.Sequence(lambda n: f"Texte de la notice de confidentialité {n}.")
    published_at = factory.LazyFunction(timezone.now)


class PrivacyConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyConsent

    user = factory.SubFactory(UserFactory)
    notice = factory.SubFactory(PrivacyNoticeFactory)
    consented_at = factory.LazyFunction(timezone.now)


class CertificateSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateSettings
        django_get_or_create = ("id",)

    id = 1
    organisation_name = "Blockchain Investigations Training Program"
    signatory_name = "María Fernanda Ortiz"
    signatory_title = "Program Director"
