"""python manage.py generate_load_data --attendances 1000000

Fills the database with a realistic program history for benchmarks: several years of sessions
(~1 per 100 attendances), officers from weighted countries and agencies who attend several
sessions, present/partial/absent/excused attendance, walk-ins, erased officers, survey answers.
On PostgreSQL rows go in with COPY (a million attendances in about a minute); elsewhere with
bulk_create. Run it on a dedicated database: it adds rows, it never deletes any.

Every row starts from what its factory in ``tests/factories.py`` builds (the one set of builders,
shared with the tests and the demo) and names only what varies; see ``Prototype``.
"""

from __future__ import annotations

import math
import random
import uuid
from array import array
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Country, Officer
from sessions.models import (
    Attendance,
    Registration,
    SessionTrainer,
    Survey,
    SurveyResponse,
    Topic,
    Trainer,
    TrainingSession,
)
from tests import factories

# Where the program's officers come from (weights) and the time zone of an in-person session there.
COUNTRIES = {
    "MX": (12, "America/Mexico_City"),
    "BR": (10, "America/Sao_Paulo"),
    "US": (8, "America/New_York"),
    "GB": (7, "Europe/London"),
    "AR": (6, "America/Argentina/Buenos_Aires"),
    "FR": (6, "Europe/Paris"),
    "DE": (6, "Europe/Berlin"),
    "CO": (5, "America/Bogota"),
    "CA": (5, "America/Toronto"),
    "PH": (5, "Asia/Manila"),
    "NL": (4, "Europe/Amsterdam"),
    "KR": (4, "Asia/Seoul"),
    "ES": (4, "Europe/Madrid"),
    "IN": (4, "Asia/Kolkata"),
    "SE": (3, "Europe/Stockholm"),
    "IL": (3, "Asia/Jerusalem"),
    "CL": (3, "America/Santiago"),
    "PE": (3, "America/Lima"),
    "IT": (3, "Europe/Rome"),
    "NG": (3, "Africa/Lagos"),
    "ZA": (3, "Africa/Johannesburg"),
    "AU": (3, "Australia/Sydney"),
    "KE": (2, "Africa/Nairobi"),
    "SG": (2, "Asia/Singapore"),
    "JP": (2, "Asia/Tokyo"),
    "AE": (2, "Asia/Dubai"),
    "PL": (2, "Europe/Warsaw"),
    "UA": (2, "Europe/Kyiv"),
    "EG": (2, "Africa/Cairo"),
    "NZ": (1, "Pacific/Auckland"),
}
VIRTUAL_ZONES = ["UTC", "America/New_York", "Europe/London", "America/Mexico_City", "Europe/Paris", "Asia/Singapore"]
TOPICS = [
    ("blockchain-fundamentals", "Blockchain and cryptocurrency fundamentals"),
    ("digital-asset-investigations", "Digital-asset investigations"),
    ("tracing-seizing", "Tracing and seizing illicit funds"),
    ("cybercrime-threats", "Cybercrime threat mitigation"),
    ("legal-issues", "Legal issues"),
    ("anti-money-laundering", "Anti-money-laundering"),
    ("case-studies", "Case studies"),
]
AGENCY_KINDS = (["police"] * 5) + ["fiu", "fiu", "prosecutor", "prosecutor", "customs_tax", "regulator", "judiciary"]
ATTENDANCE_STATUSES = ["present"] * 78 + ["partial"] * 8 + ["absent"] * 9 + ["excused"] * 5
SOURCES = ["portal"] * 60 + ["invitation"] * 25 + ["admin"] * 8 + ["walk_in"] * 7
FORMATS = ["virtual"] * 55 + ["in_person"] * 35 + ["hybrid"] * 10
ATTENDANCE_CODES = {"present": 1, "partial": 2, "absent": 3, "excused": 4}


def _chunks(rows, size: int):
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


class Prototype:
    """One model's rows for ``insert_rows``: a field a row leaves out takes the value its factory gives.

    The factory builds one unsaved instance, once; each row then names by field only what varies.
    Building a million rows through factory-boy one by one would take about five times as long.
    """

    def __init__(self, factory, **fields):
        instance = factory.build(**fields)
        self.model = factory._meta.model
        self.fields = self.model._meta.concrete_fields
        self.columns = [field.column for field in self.fields]
        self.attnames = [field.attname for field in self.fields]
        self.defaults = {field.attname: field.get_prep_value(getattr(instance, field.attname)) for field in self.fields}

    def row(self, **values) -> tuple:
        return tuple(map((self.defaults | values).__getitem__, self.attnames))

    def insert(self, rows) -> int:
        return insert_rows(self.model, self.columns, rows)


def insert_rows(model, columns: list[str], rows) -> int:
    """Insert an iterable of tuples: COPY on PostgreSQL, bulk_create elsewhere. Returns the row count."""
    count = 0
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    attnames = {field.column: field.attname for field in model._meta.concrete_fields}
    names = [attnames[column] for column in columns]
    for chunk in _chunks(rows, 2000):
        model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in chunk])
        count += len(chunk)
    return count


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


class Command(BaseCommand):
    help = "Generate a realistic program history for benchmarks (sessions, officers, attendance, surveys)."

    def add_arguments(self, parser):
        parser.add_argument("--attendances", type=int, default=1_000_000, help="Attendance records to create.")
        parser.add_argument("--years", type=int, default=8, help="Years of history, ending with the current year.")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (same seed, same data).")

    def handle(self, *args, attendances, years, seed, **options):
        if attendances < 1 or years < 1:
            raise CommandError("--attendances and --years must be positive.")
        missing = set(COUNTRIES) - set(Country.objects.filter(code__in=COUNTRIES).values_list("code", flat=True))
        if missing:
            raise CommandError(f"Countries missing (run migrate first): {', '.join(sorted(missing))}.")
        self.random = random.Random(seed)
        self.now = timezone.now()
        started = datetime.now(UTC)
        with transaction.atomic():
            counts = self._generate(attendances=attendances, years=years)
            self._reset_sequences()
        elapsed = (datetime.now(UTC) - started).total_seconds()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(f"Generated {summary} in {elapsed:.1f} s.")

    # --- the program's people ----------------------------------------------------------------

    def _generate(self, *, attendances: int, years: int) -> dict[str, int]:
        session_count = max(attendances // 100, 10)
        sessions = self._sessions(session_count, years)
        sizes = self._sizes(sessions, attendances)
        # About six attendances per officer, and always enough officers to fill the largest session.
        officer_count = max(attendances // 6, max(sizes.values()) + 30)
        topics = self._topics()
        trainers = self._trainers(max(10, session_count // 250))
        agencies = self._agencies(max(len(COUNTRIES) * 2, officer_count // 100))
        officers = self._officers(officer_count, agencies)
        self._session_links(sessions, topics, trainers)
        registrations = self._registrations(sessions, officers, sizes)
        surveys = self._surveys(sessions, registrations)
        return {
            "agencies": len(agencies),
            "officers": len(officers),
            "sessions": len(sessions),
            "registrations": registrations["count"],
            "attendances": registrations["attendances"],
            "survey responses": surveys,
        }

    def _topics(self) -> list[int]:
        for slug, name in TOPICS:
            factories.TopicFactory(slug=slug, name=name)  # get or create, by slug
        return list(Topic.objects.filter(slug__in=[slug for slug, _ in TOPICS]).values_list("pk", flat=True))

    def _trainers(self, count: int) -> list[int]:
        first = _next_id(User)
        users = User.objects.bulk_create(
            factories.StaffTrainerUserFactory.build(
                email=f"load-trainer{first + index}@trainingops.example",
                first_name=self.random.choice(["Ana", "Luc", "Maria", "John", "Sofia", "Kim", "Omar", "Eva"]),
                last_name=f"Trainer {first + index}",
                password=None,
            )
            for index in range(count)
        )
        trainers = Trainer.objects.bulk_create(factories.TrainerFactory.build(user=user) for user in users)
        return [trainer.pk for trainer in trainers]

    def _agencies(self, count: int) -> list[tuple[int, str]]:
        codes = list(COUNTRIES)
        weights = [COUNTRIES[code][0] for code in codes]
        first = _next_id(Agency)
        agencies = []
        for index in range(count):
            code = codes[index] if index < len(codes) else self.random.choices(codes, weights)[0]
            agencies.append((first + index, code, self.random.choice(AGENCY_KINDS)))
        prototype = Prototype(factories.AgencyFactory)
        prototype.insert(
            prototype.row(id=pk, name=f"{kind.upper()} {code} #{pk}", acronym=f"A{pk}", country_id=code, kind=kind,
                          created_at=self.now)
            for pk, code, kind in agencies
        )  # fmt: skip
        return [(pk, code) for pk, code, _kind in agencies]

    def _officers(self, count: int, agencies: list[tuple[int, str]]) -> list[tuple]:
        """Each officer: (id, uuid, agency id, country code, erased?). Big agencies get more officers."""
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(agencies))]
        chosen = self.random.choices(agencies, weights, k=count)
        first_user, first_officer = _next_id(User), _next_id(Officer)
        joined = self.now - timedelta(days=365 * 9)
        users = Prototype(factories.UserFactory, password=None)
        users.insert(
            users.row(id=first_user + index, first_name="Load", last_name=f"Officer {index}", date_joined=joined,
                      email=f"load-officer{first_user + index}@agency.example")
            for index in range(count)
        )  # fmt: skip
        officers = [
            (
                first_officer + index,
                uuid.UUID(int=self.random.getrandbits(128), version=4),
                agency,
                code,
                self.random.random() < 0.03,
            )
            for index, (agency, code) in enumerate(chosen)
        ]
        prototype = Prototype(factories.OfficerFactory)
        prototype.insert(
            prototype.row(id=pk, uuid=key, user_id=first_user + index, agency_id=agency, verified_at=joined,
                          created_at=joined)
            for index, (pk, key, agency, _code, _erased) in enumerate(officers)
        )  # fmt: skip
        return officers

    # --- sessions ----------------------------------------------------------------------------

    def _sessions(self, count: int, years: int) -> list[tuple]:
        """Each session: (id, starts_at, status, format, country code or None)."""
        last_year = self.now.year
        codes = list(COUNTRIES)
        weights = [COUNTRIES[code][0] for code in codes]
        first = _next_id(TrainingSession)
        prototype = Prototype(factories.TrainingSessionFactory)
        sessions, rows = [], []
        for index in range(count):
            year = last_year - years + 1 + min(int(self.random.triangular(0, years, years)), years - 1)
            session_format = self.random.choice(FORMATS)
            code = self.random.choices(codes, weights)[0] if session_format != "virtual" else None
            zone = COUNTRIES[code][1] if code else self.random.choice(VIRTUAL_ZONES)
            day = date(year, 1, 1) + timedelta(days=self.random.randrange(365))
            hour, minute = self.random.choice([8, 9, 10, 13, 14, 16, 18, 23]), self.random.choice([0, 30])
            starts_at = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)
            status = self._status(starts_at)
            pk = first + index
            sessions.append((pk, starts_at, status, session_format, code))
            rows.append(self._session_row(prototype, pk, starts_at, zone, status, session_format, code))
        prototype.insert(rows)
        return sessions

    def _status(self, starts_at: datetime) -> str:
        roll = self.random.random()
        if roll < 0.04:
            return "cancelled"
        if roll < 0.06:
            return "draft"
        return "completed" if starts_at < self.now - timedelta(days=1) else "published"

    def _session_row(self, prototype, pk, starts_at, zone, status, session_format, code) -> tuple:
        ends_at = starts_at + timedelta(hours=self.random.choice([2, 3, 7]))
        published = starts_at - timedelta(days=30) if status != "draft" else None
        in_person = {"meeting_url": ""} if session_format == "in_person" else {}
        return prototype.row(
            id=pk, uuid=uuid.UUID(int=self.random.getrandbits(128), version=4), title=f"Crypto investigations #{pk}",
            format=session_format, starts_at=starts_at, ends_at=ends_at, timezone=zone,
            venue="Training centre" if code else "", country_id=code, capacity=200, status=status,
            published_at=published, completed_at=ends_at if status == "completed" else None,
            cancelled_at=published if status == "cancelled" else None, created_at=published or starts_at,
            updated_at=published or starts_at, **in_person,
        )  # fmt: skip

    def _session_links(self, sessions, topics: list[int], trainers: list[int]) -> None:
        topic_rows, trainer_rows = [], []
        links = Prototype(factories.SessionTrainerFactory)
        topic_id, trainer_link_id = _next_id(TrainingSession.topics.through), _next_id(SessionTrainer)
        for pk, *_ in sessions:
            for topic in self.random.sample(topics, self.random.choice([1, 1, 2, 2, 3])):
                topic_rows.append((topic_id, pk, topic))
                topic_id += 1
            for role, trainer in zip(["lead", "co"], self.random.sample(trainers, 2), strict=True):
                if role == "lead" or self.random.random() < 0.3:
                    trainer_rows.append(links.row(id=trainer_link_id, session_id=pk, trainer_id=trainer, role=role))
                    trainer_link_id += 1
        insert_rows(TrainingSession.topics.through, _columns(TrainingSession.topics.through), topic_rows)
        links.insert(trainer_rows)

    # --- registrations, attendance, surveys --------------------------------------------------

    def _sizes(self, sessions, attendances: int) -> dict[int, int]:
        """Attendance records per held session: lognormal around the mean, summing to ``attendances``."""
        held = [session for session in sessions if session[2] == "completed"]
        if not held:
            raise CommandError("No session in the past was generated: raise --years or --attendances.")
        weights = [math.exp(self.random.gauss(0, 0.5)) * (0.6 if session[3] == "in_person" else 1) for session in held]
        scale = attendances / sum(weights)
        sizes = [max(1, int(weight * scale)) for weight in weights]
        sizes[-1] += attendances - sum(sizes)
        while sizes[-1] < 1:  # the rounding gave the last session too many away: take them back elsewhere
            largest = max(range(len(sizes)), key=sizes.__getitem__)
            sizes[largest] -= 1 - sizes[-1]
            sizes[-1] = 1
        return dict(zip([session[0] for session in held], sizes, strict=True))

    def _registrations(self, sessions, officers, sizes: dict[int, int]) -> dict:
        by_country: dict[str, list[int]] = {}
        for index, officer in enumerate(officers):
            by_country.setdefault(officer[3], []).append(index)
        first = _next_id(Registration)
        attendance_codes = array("b")
        session_of = array("q")
        officer_of = array("i")
        state = {"next": first}
        prototype = Prototype(factories.RegistrationFactory)

        def rows():
            for pk, starts_at, status, _format, code in sessions:
                size = sizes.get(pk, 0) or (self.random.randint(5, 30) if status != "draft" else 0)
                size = min(size, len(officers))
                pool = by_country.get(code, [])
                if code and len(pool) >= size and self.random.random() < 0.8:
                    chosen = self.random.sample(pool, size)
                else:
                    chosen = self.random.sample(range(len(officers)), size)
                created = starts_at - timedelta(days=self.random.randint(1, 40))
                for officer_index in chosen:
                    officer_id, key, agency, country, erased = officers[officer_index]
                    registration_status = "cancelled" if status == "cancelled" else "confirmed"
                    attendance = ATTENDANCE_CODES[self.random.choice(ATTENDANCE_STATUSES)] if pk in sizes else 0
                    source = (
                        "walk_in" if attendance and self.random.random() < 0.07 else self.random.choice(SOURCES[:93])
                    )
                    attendance_codes.append(attendance)
                    session_of.append(pk)
                    officer_of.append(officer_index)
                    state["next"] += 1
                    yield prototype.row(
                        id=state["next"] - 1, session_id=pk, officer_id=None if erased else officer_id,
                        status=registration_status, source=source, officer_key=key, agency_id=agency,
                        country_id=country, created_at=created, updated_at=created, confirmed_at=created,
                    )  # fmt: skip

        count = prototype.insert(rows())
        statuses = {code: name for name, code in ATTENDANCE_CODES.items()}
        attendance_first = _next_id(Attendance)
        attendance = Prototype(factories.AttendanceFactory)

        def attendance_rows():
            next_id = attendance_first
            for offset, code in enumerate(attendance_codes):
                if code:
                    _officer_id, key, agency, country, _erased = officers[officer_of[offset]]
                    # The registration's session and snapshot, copied as sessions.services does.
                    yield attendance.row(
                        id=next_id, registration_id=first + offset, status=statuses[code], recorded_at=self.now,
                        session_id=session_of[offset], officer_key=key, agency_id=agency, country_id=country,
                    )  # fmt: skip
                    next_id += 1

        created = attendance.insert(attendance_rows())
        return {
            "count": count,
            "attendances": created,
            "first": first,
            "codes": attendance_codes,
            "sessions": session_of,
        }

    def _surveys(self, sessions, registrations: dict) -> int:
        """A survey per completed session; about a third of the attendees present or partial answer it."""
        completed = [session for session in sessions if session[2] == "completed"]
        first_survey = _next_id(Survey)
        survey_of = {session[0]: first_survey + index for index, session in enumerate(completed)}
        surveys = Prototype(factories.SurveyFactory)
        surveys.insert(
            surveys.row(id=survey_of[pk], session_id=pk, created_at=starts_at, closes_at=starts_at + timedelta(days=14))
            for pk, starts_at, *_ in completed
        )
        first_response = _next_id(SurveyResponse)
        state = {"next": first_response}
        responses = Prototype(factories.SurveyResponseFactory)

        def rows():
            for offset, code in enumerate(registrations["codes"]):
                if code not in (1, 2) or self.random.random() > 0.35:
                    continue
                registration_id = registrations["first"] + offset
                answered = self.now - timedelta(days=1)
                state["next"] += 1
                yield responses.row(
                    id=state["next"] - 1, survey_id=survey_of[registrations["sessions"][offset]],
                    registration_id=registration_id, token=f"load-{registration_id}", sent_at=answered,
                    submitted_at=answered, overall_rating=self.random.choice([3, 4, 4, 5, 5, 5]),
                    usefulness_rating=self.random.choice([3, 4, 4, 5, 5]),
                    trainer_rating=self.random.choice([4, 4, 5, 5, 5]),
                    recommend_score=self.random.choice([5, 6, 7, 8, 8, 9, 9, 10, 10, 10]),
                )  # fmt: skip

        return responses.insert(rows())

    def _reset_sequences(self) -> None:
        models = [User, Agency, Officer, Trainer, TrainingSession, TrainingSession.topics.through, SessionTrainer]
        models += [Registration, Attendance, Survey, SurveyResponse]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
