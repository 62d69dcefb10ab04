"""Demo data for ``make run``: the program's public record (``demo.program``), as a database.

Last year's 120 completed sessions with attendance, among them a virtual session for 30+ INTERPOL
officers on 24 January and a one-day Mexico City seminar with 35 investigators from four Mexican
agencies; upcoming sessions (some full, with waitlists), a cancelled one, drafts, trainers, topics
and survey answers.

Everything is keyed by natural keys (slugs, emails, deterministic UUIDs) and only missing rows are
created, so a second run adds nothing. Rows are built by the test factories (``tests/factories.py``,
the one set of builders), not through the services, because the services send email and demo data
must never do that; the many rows go in with ``bulk_create``.
"""

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import PrivacyConsent, PrivacyNotice, User
from agencies.models import Agency, Country, Officer, TrainingRequest
from demo.program import (
    AGENCIES,
    COUNTRIES,
    COUNTRY_NAMES,
    DEMO_PASSWORD,
    DEMO_QUESTIONS,
    FOCAL_POINT_EMAIL,
    JOB_TITLES,
    MANAGER_EMAIL,
    OFFICER_EMAIL,
    OFFICER_NAMESPACE,
    PENDING_OFFICERS,
    SESSION_DESCRIPTIONS,
    SESSION_NAMESPACE,
    SURVEY_COMMENTS,
    TITLE_PATTERNS,
    TITLE_TRANSLATIONS,
    TOPICS,
    TRAINER_EMAIL,
    TRAINERS,
    TRAINING_REQUEST_DECLINE_REASON,
    TRAINING_REQUESTS,
    VENUES,
)
from sessions import services
from sessions.models import (
    Attendance,
    KnowledgeCheck,
    KnowledgeCheckAnswer,
    KnowledgeCheckAttempt,
    Question,
    QuestionOption,
    Registration,
    SessionTrainer,
    Survey,
    SurveyResponse,
    Topic,
    Trainer,
    TrainingSession,
)
from tests import factories

NOMINATION_SESSION_TITLE = "Financial investigations workshop (by nomination)"
CHECK_IN_SESSION_TITLE = "Workshop today: tracing crypto-assets (QR check-in)"
MULTI_DAY_SESSION_TITLE = "Tracing illicit funds: three-day workshop"
# Each attendee's three days: present, partial, absent (by their place on the roll).
MULTI_DAY_ATTENDANCE = [
    ["present", "present", "present"],
    ["present", "partial", "present"],
    ["present", "absent", "absent"],
    ["present", "present", "present"],
    ["absent", "absent", "absent"],
    ["present", "present", "partial"],
]


@dataclass
class SessionSpec:
    key: str
    title: str
    format: str
    status: str
    starts_at: datetime
    ends_at: datetime
    tz: str
    country: str | None
    city: str
    venue: str
    language: str
    capacity: int
    topics: list[str]
    host_agency: str | None = None
    audience_countries: list[str] = field(default_factory=list)
    audience_agencies: list[str] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)  # officer emails, confirmed
    waitlisted: list[str] = field(default_factory=list)
    trainer_emails: list[str] = field(default_factory=list)
    cancellation_reason: str = ""
    survey: bool = False
    # The Spanish and French titles; empty where the demo leaves a session untranslated.
    title_es: str = ""
    title_fr: str = ""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        self.created[label] = self.created.get(label, 0) + count


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _aware(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


def _in_year_end_holidays(day: date) -> bool:
    return (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 4)


class DemoBuilder:
    """Builds the specs from one seeded random generator, then writes what is missing."""

    def __init__(self, *, today: date):
        self.today = today
        self.year = today.year - 1
        self.rng = random.Random(f"trainingops-demo-{self.year}")  # noqa: S311 — demo data, not security
        self.report = SeedReport()
        self.officer_specs: list[dict] = []
        self.officers_by_agency: dict[str, list[str]] = {}
        self.trainer_busy: dict[str, list[tuple[datetime, datetime]]] = {email: [] for email, *_ in TRAINERS}
        self.questions: dict[str, list[Question]] = {}
        # (session, registration) of the attendees asked for the survey: they answer the knowledge checks.
        self.tested_registrations: list[tuple[TrainingSession, Registration]] = []

    # ---- specs -----------------------------------------------------------------------------

    def build_officer_specs(self) -> None:
        taken: set[str] = {OFFICER_EMAIL}
        for key, country, _name, _acronym, kind, domain, count in AGENCIES:
            profile = COUNTRIES.get(country)
            emails = []
            if key == "pfm":
                emails.append(OFFICER_EMAIL)
                self.officer_specs.append(
                    {
                        "email": OFFICER_EMAIL,
                        "first_name": "Andrés",
                        "last_name": "Ortega",
                        "agency": key,
                        "job_title": "Cybercrime investigator",
                        "language": "es",
                    }
                )
            while len(emails) < count:
                source = profile if key != "interpol" else self.rng.choice(list(COUNTRIES.values()))
                first = self.rng.choice(source.first_names)
                last = self.rng.choice(source.last_names)
                email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
                suffix = 2
                while email in taken:
                    email = f"{_ascii(first)}.{_ascii(last)}{suffix}@{domain}"
                    suffix += 1
                taken.add(email)
                emails.append(email)
                language = source.portal_language if key != "interpol" else self.rng.choice(("en", "en", "fr", "es"))
                if country == "CA" and self.rng.random() < 0.3:
                    language = "fr"
                self.officer_specs.append(
                    {
                        "email": email,
                        "first_name": first,
                        "last_name": last,
                        "agency": key,
                        "job_title": self.rng.choice(JOB_TITLES[kind]),
                        "language": language,
                    }
                )
            self.officers_by_agency[key] = emails

    def _pick_trainers(self, topics: list[str], language: str, starts: datetime, ends: datetime) -> list[str]:
        """A free lead trainer (and sometimes a co-trainer), preferring topic and language fits."""

        def free(email):
            margin = timedelta(hours=2)
            return all(ends + margin <= s or starts >= e + margin for s, e in self.trainer_busy[email])

        def fit(trainer):
            email, _f, _l, languages, trainer_topics, _bio = trainer
            return (language in languages) * 2 + len(set(topics) & set(trainer_topics))

        candidates = [t for t in TRAINERS if free(t[0])] or list(TRAINERS)
        self.rng.shuffle(candidates)
        candidates.sort(key=fit, reverse=True)
        chosen = [t[0] for t in candidates[: 2 if self.rng.random() < 0.35 else 1]]
        for email in chosen:
            self.trainer_busy[email].append((starts, ends))
        return chosen

    def _session(self, *, key, day, country, fmt, topics, status, attendees, **extra) -> SessionSpec:
        profile = COUNTRIES[country]
        tz = extra.pop("tz", profile.timezone)
        language = extra.pop("language", profile.session_language)
        if fmt == TrainingSession.Format.IN_PERSON:
            local_start, hours = time(9, 0), 8
        else:
            local_start, hours = self.rng.choice(((time(9, 30), 3), (time(10, 0), 2), (time(14, 0), 3)))
        starts = extra.pop("starts_at", None) or _aware(day, local_start, tz)
        ends = extra.pop("ends_at", None) or starts + timedelta(hours=hours)
        virtual = fmt == TrainingSession.Format.VIRTUAL
        city = "" if virtual else extra.pop("city", self.rng.choice(profile.cities))
        pattern = self.rng.choice(TITLE_PATTERNS[topics[0]])
        default_title = f"{pattern} — {COUNTRY_NAMES[country]} (virtual)" if virtual else f"{pattern} — {city}"
        if "title" not in extra and pattern in TITLE_TRANSLATIONS:
            spanish, french = TITLE_TRANSLATIONS[pattern]
            extra["title_es"] = f"{spanish} (virtual)" if virtual else f"{spanish} — {city}"
            extra["title_fr"] = f"{french} (en ligne)" if virtual else f"{french} — {city}"
        spec = SessionSpec(
            key=key,
            title=extra.pop("title", default_title),
            format=fmt,
            status=status,
            starts_at=starts,
            ends_at=ends,
            tz=tz,
            country=None if virtual else country,
            city=city,
            venue="" if virtual else extra.pop("venue", f"{self.rng.choice(VENUES)}, {city}"),
            language=language,
            capacity=extra.pop("capacity", max(len(attendees) + self.rng.randint(0, 10), 20)),
            topics=topics,
            attendees=attendees,
            **extra,
        )
        spec.trainer_emails = self._pick_trainers(topics, language, starts, ends)
        return spec

    def special_sessions(self) -> list[SessionSpec]:
        interpol = self._session(
            key=f"{self.year}-interpol-virtual",
            day=date(self.year, 1, 24),
            country="FR",
            fmt=TrainingSession.Format.VIRTUAL,
            topics=["digital-asset-investigations", "tracing-seizing-illicit-funds"],
            status=TrainingSession.Status.COMPLETED,
            attendees=self.officers_by_agency["interpol"][:34],
            title="Digital-asset investigations for INTERPOL officers",
            title_es="Investigación de activos digitales para agentes de INTERPOL",
            title_fr="Enquêtes sur les actifs numériques pour les agents d'INTERPOL",
            starts_at=_aware(date(self.year, 1, 24), time(14, 0), "Europe/Paris"),
            ends_at=_aware(date(self.year, 1, 24), time(17, 0), "Europe/Paris"),
            tz="Europe/Paris",
            language="en",
            capacity=40,
            host_agency="interpol",
            audience_agencies=["interpol"],
            survey=True,
        )
        mexican = []
        for key, count in (("pfm", 12), ("fgr", 9), ("uif-mx", 8), ("sat", 6)):
            mexican += self.officers_by_agency[key][:count]
        mexico_city = self._session(
            key=f"{self.year}-mexico-city-seminar",
            day=date(self.year, 3, 12),
            country="MX",
            fmt=TrainingSession.Format.IN_PERSON,
            topics=["tracing-seizing-illicit-funds", "anti-money-laundering", "case-studies"],
            status=TrainingSession.Status.COMPLETED,
            attendees=mexican,
            title="Seminar: tracing and seizing illicit crypto-assets",
            title_es="Seminario: rastreo y decomiso de criptoactivos ilícitos",
            title_fr="Séminaire : traçage et saisie de cryptoactifs illicites",
            city="Mexico City",
            venue="Centro de Capacitación, Av. Paseo de la Reforma 211",
            language="es",
            capacity=40,
            host_agency="fgr",
            audience_countries=["MX"],
            survey=True,
        )
        return [interpol, mexico_city]

    def past_sessions(self, count: int) -> list[SessionSpec]:
        """Last year's completed sessions, spread over the weekdays of the year and the countries."""
        days = [date(self.year, 1, 2) + timedelta(days=n) for n in range(363)]
        days = [d for d in days if d.weekday() < 5 and abs((d - date(self.year, 1, 24)).days) > 1]
        days = [d for d in days if abs((d - date(self.year, 3, 12)).days) > 1]
        chosen_days = sorted(self.rng.sample(days, count))
        countries = list(COUNTRIES)
        specs = []
        for index, day in enumerate(chosen_days):
            country = countries[index % len(countries)]
            fmt = self.rng.choices(
                [TrainingSession.Format.VIRTUAL, TrainingSession.Format.IN_PERSON, TrainingSession.Format.HYBRID],
                weights=[5, 3, 2],
            )[0]
            topics = self.rng.sample([slug for slug, *_ in TOPICS], self.rng.choice((1, 2, 2, 3)))
            pool = [email for key, c, *_ in AGENCIES if c == country for email in self.officers_by_agency[key]]
            attendees = self.rng.sample(pool, min(len(pool), self.rng.randint(10, 28)))
            host = self.rng.choice([key for key, c, *_ in AGENCIES if c == country])
            specs.append(
                self._session(
                    key=f"{self.year}-{index + 1:03d}",
                    day=day,
                    country=country,
                    fmt=fmt,
                    topics=topics,
                    status=TrainingSession.Status.COMPLETED,
                    attendees=attendees,
                    host_agency=host,
                    audience_countries=[country] if fmt != TrainingSession.Format.VIRTUAL else [],
                    survey=day.month >= 10,
                )
            )
        return specs

    def upcoming_sessions(self) -> list[SessionSpec]:
        """Published sessions in the coming weeks (two full with waitlists), a cancelled one, drafts."""
        plan = [
            ("MX", TrainingSession.Format.VIRTUAL, ["blockchain-fundamentals"], 40, 12, 0, "published"),
            ("GB", TrainingSession.Format.IN_PERSON, ["tracing-seizing-illicit-funds"], 20, 20, 4, "published"),
            (
                "MX",
                TrainingSession.Format.IN_PERSON,
                ["digital-asset-investigations", "case-studies"],
                25,
                25,
                3,
                "published",
            ),
            ("FR", TrainingSession.Format.HYBRID, ["anti-money-laundering"], 30, 9, 0, "published"),
            ("BR", TrainingSession.Format.VIRTUAL, ["cybercrime-threat-mitigation"], 50, 14, 0, "published"),
            (
                "KR",
                TrainingSession.Format.IN_PERSON,
                ["tracing-seizing-illicit-funds", "case-studies"],
                30,
                11,
                0,
                "published",
            ),
            ("CA", TrainingSession.Format.VIRTUAL, ["legal-issues"], 60, 8, 0, "published"),
            ("AR", TrainingSession.Format.HYBRID, ["anti-money-laundering", "legal-issues"], 35, 6, 0, "published"),
            ("DE", TrainingSession.Format.IN_PERSON, ["digital-asset-investigations"], 25, 7, 0, "cancelled"),
            (
                "PH",
                TrainingSession.Format.VIRTUAL,
                ["blockchain-fundamentals", "cybercrime-threat-mitigation"],
                40,
                0,
                0,
                "draft",
            ),
            ("SE", TrainingSession.Format.IN_PERSON, ["case-studies"], 25, 0, 0, "draft"),
        ]
        specs = []
        for index, (country, fmt, topics, capacity, confirmed, waitlisted, status) in enumerate(plan):
            day = self.today + timedelta(days=6 + 7 * index)
            while day.weekday() >= 5 or _in_year_end_holidays(day):
                day += timedelta(days=1)
            pool = [email for key, c, *_ in AGENCIES if c == country for email in self.officers_by_agency[key]]
            people = [e for e in pool if e != OFFICER_EMAIL]
            self.rng.shuffle(people)
            if country == "MX" and index == 0:
                people.insert(0, OFFICER_EMAIL)
            spec = self._session(
                key=f"upcoming-{index + 1:02d}",
                day=day,
                country=country,
                fmt=fmt,
                topics=topics,
                status=status,
                attendees=people[:confirmed],
                waitlisted=people[confirmed : confirmed + waitlisted],
                capacity=capacity,
                host_agency=next(key for key, c, *_ in AGENCIES if c == country),
                audience_countries=[country] if fmt == TrainingSession.Format.IN_PERSON else [],
            )
            if status == "cancelled":
                spec.cancellation_reason = "The venue is unavailable; the workshop will be rescheduled."
            specs.append(spec)
        return specs

    # ---- writing ---------------------------------------------------------------------------

    def write(self) -> SeedReport:
        with transaction.atomic():
            topics = self._write_topics()
            agencies = self._write_agencies()
            self.questions = self._write_questions(topics)
            self._write_demo_logins()
            trainers = self._write_trainers(topics)
            self.build_officer_specs()
            officers = self._write_officers(agencies)
            specs = self.special_sessions() + self.past_sessions(118) + self.upcoming_sessions()
            self._write_sessions(specs, topics, agencies, trainers, officers)
            self._write_focal_points(agencies, officers)
            self._write_reconfirmation_dates(agencies)
            self._write_nomination_session(agencies)
            self._write_check_in_session(trainers, officers)
            self._write_multi_day_session(trainers, officers)
            self._write_pending_officers(agencies)
            self._write_training_requests(agencies, topics)
        return self.report

    def _get_or_create(self, label: str, factory, *, lookup: dict, **fields):
        """The row the lookup names, or a new one from its factory; only a new row counts in the report."""
        instance = factory._meta.model.objects.filter(**lookup).first()
        self.report.add(label, instance is None)
        return instance or factory(**lookup, **fields)

    def _write_topics(self) -> dict[str, Topic]:
        return {
            slug: self._get_or_create(
                "topics", factories.TopicFactory, lookup={"slug": slug}, name=name, name_es=name_es, name_fr=name_fr
            )
            for slug, name, name_es, name_fr in TOPICS
        }

    def _write_agencies(self) -> dict[str, Agency]:
        countries = Country.objects.in_bulk([a[1] for a in AGENCIES])
        agencies = {}
        for key, country, name, acronym, kind, domain, _count in AGENCIES:
            lookup = {"country": countries[country], "name": name}
            agency = self._get_or_create("agencies", factories.AgencyFactory, lookup=lookup, acronym=acronym, kind=kind)
            self._get_or_create(
                "email domains", factories.AgencyEmailDomainFactory, lookup={"agency": agency, "domain": domain}
            )
            agencies[key] = agency
        return agencies

    def _write_demo_logins(self) -> None:
        """The three logins of the README, each with its confirmed address (the factories make it)."""
        logins = [
            (factories.ManagerFactory, MANAGER_EMAIL, "Morgan", "Reyes"),
            (factories.StaffTrainerUserFactory, TRAINER_EMAIL, "Laura", "Méndez"),
            (factories.UserFactory, OFFICER_EMAIL, "Andrés", "Ortega"),
        ]
        for factory, email, first_name, last_name in logins:
            missing = not User.objects.filter(email=email).exists()
            self._get_or_create(
                "users", factory, lookup={"email": email}, first_name=first_name, last_name=last_name,
                password=DEMO_PASSWORD,
            )  # fmt: skip
            self.report.add("email addresses", missing)

    def _write_trainers(self, topics) -> dict[str, Trainer]:
        trainers = {}
        for email, first, last, languages, topic_slugs, bio in TRAINERS:
            # Only the demo trainer logs in: the others have no password and no confirmed address.
            user = self._get_or_create(
                "users", factories.StaffTrainerUserFactory, lookup={"email": email}, first_name=first, last_name=last,
                password=None, confirmed_email=False,
            )  # fmt: skip
            trainers[email] = self._get_or_create(
                "trainers", factories.TrainerFactory, lookup={"user": user}, bio=bio, languages=languages,
                topics=[topics[slug] for slug in topic_slugs],
            )  # fmt: skip
        return trainers

    def _write_officers(self, agencies) -> dict[str, Officer]:
        emails = [spec["email"] for spec in self.officer_specs]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new_users = [
            factories.UserFactory.build(
                email=spec["email"], first_name=spec["first_name"], last_name=spec["last_name"], password=None
            )
            for spec in self.officer_specs
            if spec["email"] not in existing
        ]
        User.objects.bulk_create(new_users, batch_size=500)
        self.report.add("users", len(new_users))
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        have_profile = set(Officer.objects.filter(user__in=users.values()).values_list("user__email", flat=True))
        now = timezone.now()
        new_officers = [
            factories.OfficerFactory.build(
                uuid=uuid.uuid5(OFFICER_NAMESPACE, spec["email"]),
                user=users[spec["email"]],
                agency=agencies[spec["agency"]],
                job_title=spec["job_title"],
                preferred_language=spec["language"],
                verified_at=now,
            )
            for spec in self.officer_specs
            if spec["email"] not in have_profile
        ]
        Officer.objects.bulk_create(new_officers, batch_size=500)
        self.report.add("officers", len(new_officers))
        self._accept_privacy_notice([officer.user for officer in new_officers], now)
        officers = Officer.objects.filter(user__email__in=emails).select_related("user", "agency__country")
        return {officer.user.email: officer for officer in officers}

    def _write_focal_points(self, agencies, officers) -> None:
        """The focal-point login of the README (PFM's training coordinator), and one INTERPOL officer.

        The coordinator is written apart from the officer specs, so the seeded sample of attendees
        stays the same. A term, once written, is left alone (even withdrawn by someone trying the demo).
        """
        missing = not User.objects.filter(email=FOCAL_POINT_EMAIL).exists()
        user = self._get_or_create(
            "users", factories.UserFactory, lookup={"email": FOCAL_POINT_EMAIL}, first_name="Rocío",
            last_name="Villanueva", password=DEMO_PASSWORD,
        )  # fmt: skip
        self.report.add("email addresses", missing)
        coordinator = self._get_or_create(
            "officers", factories.OfficerFactory, lookup={"user": user},
            uuid=uuid.uuid5(OFFICER_NAMESPACE, FOCAL_POINT_EMAIL), agency=agencies["pfm"],
            job_title="Training coordinator", preferred_language="es",
        )  # fmt: skip
        self._accept_privacy_notice([user], timezone.now())
        manager = User.objects.get(email=MANAGER_EMAIL)
        for officer in (coordinator, officers[self.officers_by_agency["interpol"][0]]):
            self._get_or_create(
                "focal points", factories.FocalPointFactory, lookup={"officer": officer}, agency=officer.agency,
                appointed_by=manager,
            )  # fmt: skip

    def _write_reconfirmation_dates(self, agencies) -> None:
        """PFM's yearly reconfirmation falls due within 30 days, so the demo focal point's agency page
        offers it; INTERPOL's a year on. Written once: a confirmation tried in the demo stays."""
        today = timezone.localdate()
        for key, due in (("pfm", today + timedelta(days=20)), ("interpol", today + timedelta(days=365))):
            updated = Agency.objects.filter(pk=agencies[key].pk, reconfirmation_due_on__isnull=True).update(
                reconfirmation_due_on=due
            )
            self.report.add("reconfirmation dates", updated)

    def _write_nomination_session(self, agencies) -> None:
        """A workshop by nomination with seats reserved for PFM and INTERPOL (the focal points' agencies)."""
        starts_at = _aware(self.today + timedelta(days=40), time(9), "America/Mexico_City")
        session = self._get_or_create(
            "sessions", factories.TrainingSessionFactory, lookup={"title_en": NOMINATION_SESSION_TITLE},
            description_en="A workshop for officers nominated by their agencies, within seats reserved per agency.",
            format=TrainingSession.Format.IN_PERSON, city="Mexico City", country_id="MX", meeting_url="",
            timezone="America/Mexico_City", starts_at=starts_at, ends_at=starts_at + timedelta(hours=7),
            capacity=20, registration_mode=TrainingSession.RegistrationMode.NOMINATION,
            nomination_deadline=starts_at - timedelta(days=10), quota_release_at=starts_at - timedelta(days=7),
        )  # fmt: skip
        for key in ("pfm", "interpol"):
            self._get_or_create(
                "seat quotas", factories.SessionQuotaFactory, lookup={"session": session, "agency": agencies[key]},
                seats=5,
            )  # fmt: skip

    def _write_check_in_session(self, trainers, officers) -> None:
        """A workshop in Mexico City happening today, for trying check-in: the demo trainer leads it, the
        demo officer and twelve PFM officers hold confirmed seats, self check-in is on. Its personal codes
        are on the back office's "Check-in codes" page (or saved as images by ``check_in_codes``). Run on
        another day, the same session moves to that day (no second one is made)."""
        tz = "America/Mexico_City"
        local_today = timezone.localtime(timezone.now(), ZoneInfo(tz)).date()
        starts_at, ends_at = _aware(local_today, time(8), tz), _aware(local_today, time(20), tz)
        session = self._get_or_create(
            "sessions", factories.TrainingSessionFactory, lookup={"title_en": CHECK_IN_SESSION_TITLE},
            title_es="Taller: rastreo de criptoactivos (registro de asistencia con código QR)",
            title_fr="Atelier : traçage de cryptoactifs (enregistrement par code QR)",
            description_en="Today's workshop: scan the officers' personal codes on the check-in page.",
            format=TrainingSession.Format.IN_PERSON, city="Mexico City", country_id="MX", meeting_url="",
            venue="Centro de Capacitación, Av. Paseo de la Reforma 211", timezone=tz, language="es",
            starts_at=starts_at, ends_at=ends_at, capacity=35, self_check_in=True,
        )  # fmt: skip
        if session.starts_at.astimezone(ZoneInfo(tz)).date() != local_today:
            TrainingSession.objects.filter(pk=session.pk).update(starts_at=starts_at, ends_at=ends_at)
        self._get_or_create(
            "session trainers", factories.SessionTrainerFactory, lookup={"session": session},
            trainer=trainers[TRAINER_EMAIL],
        )  # fmt: skip
        for email in [OFFICER_EMAIL, *self.officers_by_agency["pfm"][1:13]]:
            officer = officers[email]
            self._get_or_create(
                "registrations", factories.RegistrationFactory, lookup={"session": session, "officer": officer},
                source=Registration.Source.PORTAL,
            )  # fmt: skip

    def _write_multi_day_session(self, trainers, officers) -> None:
        """A completed three-day workshop in Mexico City (the last day a morning), its roll taken day by day.

        The days and each day's attendance go through the services, as the roll call saves them, so the
        session's attendance and the certificates follow from the days; both services change nothing
        when run again (and, the session being completed by then, send no survey).
        """
        zone = "America/Mexico_City"
        first = self.today - timedelta(days=24)
        while first.weekday() >= 3:  # Monday to Wednesday
            first -= timedelta(days=1)
        starts_at = _aware(first, time(9), zone)
        session = self._get_or_create(
            "sessions", factories.TrainingSessionFactory, lookup={"title_en": MULTI_DAY_SESSION_TITLE},
            description_en="Three days of hands-on tracing: blockchain analytics, exchanges' records, seizure.",
            format=TrainingSession.Format.IN_PERSON, city="Mexico City", country_id="MX", meeting_url="",
            timezone=zone, starts_at=starts_at, ends_at=_aware(first + timedelta(days=2), time(13), zone),
            capacity=30, status=TrainingSession.Status.PUBLISHED, language="es",
        )  # fmt: skip
        trainer = trainers[TRAINER_EMAIL]
        self._get_or_create(
            "session trainers", factories.SessionTrainerFactory, lookup={"session": session, "trainer": trainer}
        )
        hours = [(time(9), time(17)), (time(9), time(17)), (time(9), time(13))]
        days = services.set_session_days(
            session=session,
            days=[services.DayHours(first + timedelta(days=n), *hours[n]) for n in range(3)],
            by=trainer.user,
        )
        mexican = [email for key, country, *_ in AGENCIES if country == "MX" for email in self.officers_by_agency[key]]
        people = [OFFICER_EMAIL, *[email for email in mexican if email != OFFICER_EMAIL][:5]]
        for email, statuses in zip(people, MULTI_DAY_ATTENDANCE, strict=False):
            registration = self._get_or_create(
                "registrations", factories.RegistrationFactory, lookup={"session": session, "officer": officers[email]},
                source=Registration.Source.INVITATION,
            )  # fmt: skip
            for day, status in zip(days, statuses, strict=True):
                services.record_day_attendance(registration=registration, day=day, status=status, by=trainer.user)
        # Marked held as it was then: completing it now would send the follow-up survey from the demo.
        TrainingSession.objects.filter(pk=session.pk, completed_at__isnull=True).update(
            status=TrainingSession.Status.COMPLETED, completed_at=_aware(first + timedelta(days=2), time(15), zone)
        )

    def _write_pending_officers(self, agencies) -> None:
        """Officers waiting for a decision on the agency they claim (for the focal points to decide)."""
        for key, email, first_name, last_name, job_title, language in PENDING_OFFICERS:
            user = self._get_or_create(
                "users", factories.UserFactory, lookup={"email": email}, first_name=first_name,
                last_name=last_name, password=None,
            )  # fmt: skip
            self._accept_privacy_notice([user], timezone.now())
            self._get_or_create(
                "officers", factories.OfficerFactory, lookup={"user": user}, uuid=uuid.uuid5(OFFICER_NAMESPACE, email),
                agency=agencies[key], job_title=job_title, preferred_language=language,
                verification_status=Officer.Verification.PENDING, verified_at=None,
            )  # fmt: skip

    def _write_training_requests(self, agencies, topics) -> None:
        """One request in each state, by the agency's focal point (or the manager on its behalf).

        Scheduled and delivered requests are linked to a session their agency hosts (a draft or
        published one, a completed one); states are written as they stand, as the demo's history.
        """
        today = self.today
        manager = User.objects.get(email=MANAGER_EMAIL)
        coordinator = User.objects.filter(email=FOCAL_POINT_EMAIL).first()
        for key, slugs, fmt, language, start, length, officers, venue, state, notes in TRAINING_REQUESTS:
            agency = agencies[key]
            existing = TrainingRequest.objects.filter(agency=agency, notes=notes).exists()
            self.report.add("training requests", not existing)
            if existing:
                continue
            session = None
            if state in ("scheduled", "delivered"):
                statuses = ["completed"] if state == "delivered" else ["draft", "published"]
                session = (
                    TrainingSession.objects.filter(
                        host_agency=agency, status__in=statuses, training_request__isnull=True
                    )
                    .order_by("-starts_at")
                    .first()
                )
            period_start = today + timedelta(days=start)
            request = factories.TrainingRequestFactory(
                agency=agency, requested_by=coordinator if key == "pfm" else manager,
                topics=[topics[slug] for slug in slugs], format=fmt, language=language,
                period_start=period_start, period_end=period_start + timedelta(days=length),
                expected_officers=officers, venue_offered=venue, notes=notes, state=state, session=session,
                decline_reason=TRAINING_REQUEST_DECLINE_REASON if state == "declined" else "",
            )  # fmt: skip
            now = timezone.now()
            stamps = {}
            if state in ("accepted", "scheduled", "delivered"):
                stamps["accepted_at"] = now
            if state == "delivered":
                completed = session.completed_at if session is not None and session.completed_at else now
                stamps |= {"created_at": completed - timedelta(days=75), "accepted_at": completed - timedelta(days=60)}
                stamps["delivered_at"] = completed
            if state == "declined":
                stamps["declined_at"] = now
            if stamps:
                TrainingRequest.objects.filter(pk=request.pk).update(**stamps)
            if state == "scheduled" and session is not None and session.capacity:
                # As "create session from request" does: seats kept for the requesting agency.
                self._get_or_create(
                    "seat quotas", factories.SessionQuotaFactory, lookup={"session": session, "agency": agency},
                    seats=min(officers, session.capacity),
                )  # fmt: skip

    @staticmethod
    def _accept_privacy_notice(users, now) -> None:
        """Demo officers signed up before today's notice was published, and accepted it then."""
        notice = PrivacyNotice.objects.order_by("-version").first()
        if notice is not None and users:
            consents = [PrivacyConsent(user=user, notice=notice, consented_at=now) for user in users]
            PrivacyConsent.objects.bulk_create(consents, batch_size=500, ignore_conflicts=True)

    def _write_sessions(self, specs, topics, agencies, trainers, officers) -> None:
        uuids = {spec.key: uuid.uuid5(SESSION_NAMESPACE, spec.key) for spec in specs}
        existing = set(TrainingSession.objects.filter(uuid__in=uuids.values()).values_list("uuid", flat=True))
        new_specs = [spec for spec in specs if uuids[spec.key] not in existing]
        if not new_specs:
            return
        countries = Country.objects.in_bulk([spec.country for spec in new_specs if spec.country])
        manager = User.objects.get(email=MANAGER_EMAIL)
        rows = [self._session_row(spec, uuids[spec.key], countries, agencies, manager) for spec in new_specs]
        bulk_create_with_history(rows, TrainingSession, batch_size=200, default_change_reason="Demo data")
        sessions = {s.uuid: s for s in TrainingSession.objects.filter(uuid__in=[uuids[s.key] for s in new_specs])}
        by_spec = [(spec, sessions[uuids[spec.key]]) for spec in new_specs]
        self._write_session_links(by_spec, topics, agencies, trainers)
        self._write_registrations(by_spec, officers, trainers)
        self._write_knowledge_checks(by_spec)
        self.report.add("sessions", len(rows))

    def _session_row(self, spec, session_uuid, countries, agencies, manager) -> TrainingSession:
        completed = spec.status == TrainingSession.Status.COMPLETED
        virtual = spec.format != TrainingSession.Format.IN_PERSON
        return factories.TrainingSessionFactory.build(
            uuid=session_uuid,
            title=spec.title,
            description=(
                f"{spec.title}. A {TrainingSession.Format(spec.format).label.lower()} session of the "
                "law-enforcement training program, with exercises on real, anonymised cases."
            ),
            title_es=spec.title_es,
            title_fr=spec.title_fr,
            description_es=f"{spec.title_es}. {SESSION_DESCRIPTIONS['es']}" if spec.title_es else "",
            description_fr=f"{spec.title_fr}. {SESSION_DESCRIPTIONS['fr']}" if spec.title_fr else "",
            format=spec.format,
            status=spec.status,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            timezone=spec.tz,
            venue=spec.venue,
            city=spec.city,
            country=countries.get(spec.country),
            meeting_url=f"https://meet.trainingops.example/s/{spec.key}" if virtual else "",
            language=spec.language,
            capacity=spec.capacity,
            audience=TrainingSession.Audience.RESTRICTED
            if spec.audience_countries or spec.audience_agencies
            else TrainingSession.Audience.OPEN,
            registration_opens_at=spec.starts_at - timedelta(days=45),
            registration_closes_at=spec.starts_at - timedelta(hours=2),
            host_agency=agencies.get(spec.host_agency),
            cancellation_reason=spec.cancellation_reason,
            published_at=None if spec.status == "draft" else spec.starts_at - timedelta(days=40),
            completed_at=spec.ends_at + timedelta(hours=2) if completed else None,
            cancelled_at=timezone.now() if spec.status == "cancelled" else None,
            created_by=manager,
        )

    def _write_session_links(self, by_spec, topics, agencies, trainers) -> None:
        topic_links, agency_links, country_links, trainer_links = [], [], [], []
        countries = Country.objects.in_bulk([c for spec, _s in by_spec for c in spec.audience_countries])
        for spec, session in by_spec:
            # The many-to-many tables have no model of their own, hence no factory.
            topic_links += [
                TrainingSession.topics.through(trainingsession=session, topic=topics[slug]) for slug in spec.topics
            ]
            agency_links += [
                TrainingSession.audience_agencies.through(trainingsession=session, agency=agencies[key])
                for key in spec.audience_agencies
            ]
            country_links += [
                TrainingSession.audience_countries.through(trainingsession=session, country=countries[code])
                for code in spec.audience_countries
            ]
            trainer_links += [
                factories.SessionTrainerFactory.build(
                    session=session,
                    trainer=trainers[email],
                    role=SessionTrainer.Role.LEAD if position == 0 else SessionTrainer.Role.CO_TRAINER,
                )
                for position, email in enumerate(spec.trainer_emails)
            ]
        TrainingSession.topics.through.objects.bulk_create(topic_links)
        TrainingSession.audience_agencies.through.objects.bulk_create(agency_links)
        TrainingSession.audience_countries.through.objects.bulk_create(country_links)
        SessionTrainer.objects.bulk_create(trainer_links)

    def _write_registrations(self, by_spec, officers, trainers) -> None:
        registrations = []
        for spec, session in by_spec:
            cancelled = spec.status == TrainingSession.Status.CANCELLED
            for email in spec.attendees:
                registrations.append(self._registration(session, officers[email], cancelled=cancelled))
            for position, email in enumerate(spec.waitlisted, start=1):
                registrations.append(self._registration(session, officers[email], waitlist_position=position))
        Registration.objects.bulk_create(registrations, batch_size=500)
        self.report.add("registrations", len(registrations))
        completed = {s.pk: (spec, s) for spec, s in by_spec if spec.status == TrainingSession.Status.COMPLETED}
        saved = Registration.objects.filter(session_id__in=completed).select_related(
            "session", "officer__user", "agency", "country"
        )
        attendances = []
        survey_rows = []
        for registration in saved:
            spec, session = completed[registration.session_id]
            attendance = self._attendance(registration, session, spec, trainers)
            attendances.append(attendance)
            if spec.survey and attendance.status in Attendance.COUNTED:
                survey_rows.append((session, registration))
        Attendance.objects.bulk_create(attendances, batch_size=500)
        self.report.add("attendance records", len(attendances))
        self._write_surveys(survey_rows)
        self.tested_registrations = survey_rows

    def _registration(self, session, officer, *, cancelled=False, waitlist_position=None) -> Registration:
        if waitlist_position:
            status = Registration.Status.WAITLISTED
        elif cancelled:
            status = Registration.Status.CANCELLED
        else:
            status = Registration.Status.CONFIRMED
        source = self.rng.choices(list(Registration.Source)[:3], weights=[7, 3, 1])[0]
        registered_at = session.starts_at - timedelta(days=self.rng.randint(3, 30))
        # The factory copies the officer's key, agency and country, as the registrations service does.
        return factories.RegistrationFactory.build(
            session=session,
            officer=officer,
            status=status,
            source=source,
            waitlist_position=waitlist_position,
            confirmed_at=registered_at if status != Registration.Status.WAITLISTED else None,
            cancelled_at=timezone.now() if cancelled else None,
        )

    def _attendance(self, registration, session, spec, trainers) -> Attendance:
        special = spec.key.endswith(("interpol-virtual", "mexico-city-seminar"))
        weights = [95, 5, 0, 0] if special else [80, 8, 8, 4]
        status = self.rng.choices(list(Attendance.Status), weights=weights)[0]
        if registration.officer and registration.officer.user.email == OFFICER_EMAIL:
            status = Attendance.Status.PRESENT
        checked_in = status in Attendance.COUNTED
        return factories.AttendanceFactory.build(
            registration=registration,
            status=status,
            checked_in_at=session.starts_at + timedelta(minutes=self.rng.randint(-10, 25)) if checked_in else None,
            recorded_by=trainers[spec.trainer_emails[0]].user,
        )

    def _write_surveys(self, survey_rows) -> None:
        surveys = {}
        for session, _registration in survey_rows:
            if session.pk not in surveys:
                surveys[session.pk] = factories.SurveyFactory.build(
                    session=session, closes_at=session.ends_at + timedelta(days=30)
                )
        Survey.objects.bulk_create(list(surveys.values()))
        self.report.add("surveys", len(surveys))
        by_session = {s.session_id: s for s in Survey.objects.filter(session_id__in=surveys)}
        responses = [
            self._survey_response(by_session[session.pk], session, registration)
            for session, registration in survey_rows
        ]
        SurveyResponse.objects.bulk_create(responses, batch_size=500)
        self.report.add("survey responses", sum(1 for r in responses if r.submitted_at))

    def _survey_response(self, survey, session, registration) -> SurveyResponse:
        """A response sent after the session; six in ten attendees (and the demo officer) answered it."""
        answered = self.rng.random() < 0.6 or (
            registration.officer and registration.officer.user.email == OFFICER_EMAIL
        )
        response = factories.SurveyResponseFactory.build(
            survey=survey,
            registration=registration,
            language=registration.officer.preferred_language if registration.officer else "en",
            sent_at=session.ends_at + timedelta(hours=3),
        )
        if answered:
            response.submitted_at = session.ends_at + timedelta(days=self.rng.randint(1, 6))
            response.overall_rating = self.rng.choices([3, 4, 5], weights=[1, 4, 5])[0]
            response.usefulness_rating = self.rng.choices([3, 4, 5], weights=[1, 3, 5])[0]
            response.trainer_rating = self.rng.choices([3, 4, 5], weights=[1, 3, 6])[0]
            response.recommend_score = self.rng.choices(range(6, 11), weights=[1, 1, 3, 4, 4])[0]
            response.comments = self.rng.choice(SURVEY_COMMENTS)
            # The enthusiastic agree to be quoted in the impact summary (drawn from the answers
            # already chosen, so the demo's random sequence, and every other figure, stays as it was).
            response.quote_consent = bool(response.comments) and response.recommend_score >= 9
        return response

    # ---- knowledge checks ------------------------------------------------------------------

    def _write_questions(self, topics) -> dict[str, list[Question]]:
        """The question bank (``demo.program.DEMO_QUESTIONS``), found by its English text or created."""
        bank = {}
        for slug, questions in DEMO_QUESTIONS.items():
            bank[slug] = []
            for text_en, text_es, text_fr, options in questions:
                question = Question.objects.filter(topic=topics[slug], text_en=text_en).first()
                self.report.add("knowledge-check questions", question is None)
                if question is None:
                    question = factories.QuestionFactory(
                        topic=topics[slug], text_en=text_en, text_es=text_es, text_fr=text_fr, options=0
                    )
                    QuestionOption.objects.bulk_create(
                        factories.QuestionOptionFactory.build(
                            question=question, position=position, text_en=en, text_es=es, text_fr=fr, is_correct=ok
                        )
                        for position, (en, es, fr, ok) in enumerate(options)
                    )
                bank[slug].append(question)
        return bank

    def _write_knowledge_checks(self, by_spec) -> None:
        """Upcoming published sessions get a pre-test; last year's surveyed sessions a pre-test and a
        post-test on their topics, answered by most attendees (scores better after than before)."""
        tested = {}
        for spec, session in by_spec:
            questions = [question for slug in spec.topics for question in self.questions.get(slug, [])][:6]
            if not questions or spec.status == TrainingSession.Status.CANCELLED:
                continue
            if spec.status == TrainingSession.Status.PUBLISHED and session.starts_at > timezone.now():
                self._knowledge_check(session, KnowledgeCheck.Kind.PRE, questions)
            elif spec.status == TrainingSession.Status.COMPLETED and spec.survey:
                tested[session.pk] = (
                    self._knowledge_check(session, KnowledgeCheck.Kind.PRE, questions),
                    self._knowledge_check(session, KnowledgeCheck.Kind.POST, questions),
                )
        attempts = []
        for session, registration in self.tested_registrations:
            if session.pk not in tested:
                continue
            pre, post = tested[session.pk]
            if self.rng.random() < 0.85:
                attempts.append(self._attempt(pre, registration, session.starts_at - timedelta(days=2), 0.45))
            if self.rng.random() < 0.65:
                attempts.append(self._attempt(post, registration, session.ends_at + timedelta(days=2), 0.8))
        self._save_attempts(attempts)

    def _knowledge_check(self, session, kind, questions) -> KnowledgeCheck:
        check = factories.KnowledgeCheckFactory(session=session, kind=kind, questions=questions)
        check.questions_with_options = [(question, list(question.options.all())) for question in questions]
        self.report.add("knowledge checks", 1)
        return check

    def _attempt(self, check, registration, when, skill: float):
        """An attempt and its answers: each question right with probability ``skill`` (the correct
        options chosen), else one wrong option chosen."""
        right, chosen = {}, {}
        for question, options in check.questions_with_options:
            right[question.pk] = self.rng.random() < skill
            wanted = [option for option in options if option.is_correct == right[question.pk]]
            chosen[question.pk] = wanted if right[question.pk] else wanted[:1]
        attempt = factories.KnowledgeCheckAttemptFactory.build(
            knowledge_check=check,
            registration=registration,
            correct_count=sum(right.values()),
            question_count=len(right),
            submitted_at=when,
        )
        return attempt, right, chosen

    def _save_attempts(self, attempts) -> None:
        KnowledgeCheckAttempt.objects.bulk_create([attempt for attempt, _right, _chosen in attempts], batch_size=500)
        answers = [
            (KnowledgeCheckAnswer(attempt=attempt, question_id=pk, is_correct=ok), chosen[pk])
            for attempt, right, chosen in attempts
            for pk, ok in right.items()
        ]
        KnowledgeCheckAnswer.objects.bulk_create([answer for answer, _options in answers], batch_size=500)
        through = KnowledgeCheckAnswer.chosen.through
        through.objects.bulk_create(
            [
                through(knowledgecheckanswer_id=answer.pk, questionoption_id=option.pk)
                for answer, options in answers
                for option in options
            ],
            batch_size=500,
        )
        self.report.add("knowledge-check attempts", len(attempts))


def seed_demo(*, today: date | None = None) -> SeedReport:
    """Create whatever part of the demo data set is missing; existing rows are left as they are."""
    return DemoBuilder(today=today or timezone.localdate()).write()
