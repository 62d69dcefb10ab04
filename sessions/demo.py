"""Demo data for ``make run``: the program's public record, as a database.

Built on the facts in PRODUCT.md: about twenty agencies across Argentina, Brazil, Canada, France,
Germany, Israel, the Netherlands, the Philippines, Sweden, South Korea, the United Kingdom and
Mexico plus INTERPOL; last year's 120 completed sessions with attendance, among them a virtual
session for 30+ INTERPOL officers on 24 January and a one-day Mexico City seminar with 35
investigators from four Mexican agencies; upcoming sessions (some full, with waitlists), a cancelled
one, drafts, trainers, topics and survey answers.

Everything is keyed by natural keys (slugs, emails, deterministic UUIDs) and only missing rows are
created, so a second run adds nothing. Rows are written directly, not through the services, because
the services send email and demo data must never do that.
"""

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from agencies.models import Agency, AgencyEmailDomain, Country, Officer
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
from sessions.services import attendance_snapshot

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 — printed on purpose: these are demo logins
MANAGER_EMAIL = "manager@trainingops.example"
TRAINER_EMAIL = "trainer@trainingops.example"
OFFICER_EMAIL = "officer@policia.gob.mx"
# Deterministic session UUIDs: the same demo key always names the same session.
SESSION_NAMESPACE = uuid.UUID("6f1c8a52-3c1e-4d55-9a3e-7b1f0f6c2d10")
OFFICER_NAMESPACE = uuid.UUID("0b7e6a7e-45a4-4c55-8d5e-2f0b8f3f9a21")

TOPICS = [
    (
        "blockchain-fundamentals",
        "Blockchain and cryptocurrency fundamentals",
        "Fundamentos de blockchain y criptomonedas",
        "Fondamentaux de la blockchain et des cryptomonnaies",
    ),
    (
        "digital-asset-investigations",
        "Digital-asset investigations",
        "Investigaciones de activos digitales",
        "Enquêtes sur les actifs numériques",
    ),
    (
        "tracing-seizing-illicit-funds",
        "Tracing and seizing illicit funds",
        "Rastreo y decomiso de fondos ilícitos",
        "Traçage et saisie des fonds illicites",
    ),
    (
        "cybercrime-threat-mitigation",
        "Cybercrime threat mitigation",
        "Mitigación de amenazas de ciberdelincuencia",
        "Atténuation des menaces cybercriminelles",
    ),
    (
        "legal-issues",
        "Legal issues in digital-asset cases",
        "Cuestiones jurídicas en casos de activos digitales",
        "Questions juridiques dans les affaires d'actifs numériques",
    ),
    (
        "anti-money-laundering",
        "Anti-money-laundering",
        "Prevención del lavado de dinero",
        "Lutte contre le blanchiment de capitaux",
    ),
    ("case-studies", "Case studies", "Estudios de caso", "Études de cas"),
]


@dataclass(frozen=True)
class CountryProfile:
    code: str
    timezone: str
    cities: tuple[str, ...]
    session_language: str
    portal_language: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


COUNTRIES = {
    "AR": CountryProfile(
        "AR",
        "America/Argentina/Buenos_Aires",
        ("Buenos Aires", "Córdoba", "Rosario"),
        "es",
        "es",
        ("Martín", "Lucía", "Santiago", "Valentina", "Facundo", "Camila", "Joaquín", "Florencia"),
        ("González", "Rodríguez", "Fernández", "López", "Martínez", "Pereyra", "Romero", "Sosa"),
    ),
    "BR": CountryProfile(
        "BR",
        "America/Sao_Paulo",
        ("Brasília", "São Paulo", "Rio de Janeiro"),
        "pt",
        "en",
        ("João", "Ana", "Pedro", "Mariana", "Rafael", "Beatriz", "Lucas", "Fernanda"),
        ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Carvalho"),
    ),
    "CA": CountryProfile(
        "CA",
        "America/Toronto",
        ("Ottawa", "Toronto", "Montréal"),
        "en",
        "en",
        ("Liam", "Emma", "Noah", "Chloé", "Olivier", "Sarah", "Ethan", "Isabelle"),
        ("Tremblay", "Smith", "Roy", "Wilson", "Gagnon", "MacDonald", "Côté", "Campbell"),
    ),
    "FR": CountryProfile(
        "FR",
        "Europe/Paris",
        ("Paris", "Lyon", "Lille"),
        "fr",
        "fr",
        ("Julien", "Camille", "Nicolas", "Claire", "Thomas", "Léa", "Antoine", "Sophie"),
        ("Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Girard"),
    ),
    "DE": CountryProfile(
        "DE",
        "Europe/Berlin",
        ("Wiesbaden", "Berlin", "Munich"),
        "de",
        "en",
        ("Jonas", "Anna", "Lukas", "Laura", "Felix", "Katharina", "Maximilian", "Julia"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"),
    ),
    "IL": CountryProfile(
        "IL",
        "Asia/Jerusalem",
        ("Jerusalem", "Tel Aviv"),
        "en",
        "en",
        ("Yosef", "Noa", "David", "Tamar", "Itai", "Maya", "Eitan", "Shira"),
        ("Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Friedman", "Azoulay", "Katz"),
    ),
    "NL": CountryProfile(
        "NL",
        "Europe/Amsterdam",
        ("The Hague", "Amsterdam", "Rotterdam"),
        "nl",
        "en",
        ("Daan", "Sanne", "Bram", "Lotte", "Sem", "Eva", "Thijs", "Femke"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"),
    ),
    "PH": CountryProfile(
        "PH",
        "Asia/Manila",
        ("Manila", "Quezon City", "Cebu City"),
        "en",
        "en",
        ("Jose", "Maria", "Mark", "Kristine", "Paolo", "Angelica", "Rommel", "Joy"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva", "Ramos"),
    ),
    "SE": CountryProfile(
        "SE",
        "Europe/Stockholm",
        ("Stockholm", "Gothenburg", "Malmö"),
        "sv",
        "en",
        ("Erik", "Elin", "Lars", "Maja", "Oskar", "Ebba", "Johan", "Sara"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"),
    ),
    "KR": CountryProfile(
        "KR",
        "Asia/Seoul",
        ("Seoul", "Busan"),
        "ko",
        "en",
        ("Minjun", "Seoyeon", "Jiho", "Jiwoo", "Hyunwoo", "Soyeon", "Dongha", "Yuna"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
    ),
    "GB": CountryProfile(
        "GB",
        "Europe/London",
        ("London", "Manchester", "Birmingham"),
        "en",
        "en",
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Grace", "Jack", "Emily"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Evans", "Thomas", "Roberts"),
    ),
    "MX": CountryProfile(
        "MX",
        "America/Mexico_City",
        ("Mexico City", "Guadalajara", "Monterrey"),
        "es",
        "es",
        ("Alejandro", "Guadalupe", "José Luis", "Fernanda", "Carlos", "Daniela", "Ricardo", "Ximena"),
        ("Hernández", "García", "Martínez", "López", "González", "Ramírez", "Flores", "Morales"),
    ),
}

# (key, country, name, acronym, kind, domain, number of demo officers)
AGENCIES = [
    ("pfa", "AR", "Policía Federal Argentina", "PFA", Agency.Kind.POLICE, "policiafederal.gov.ar", 18),
    ("uif-ar", "AR", "Unidad de Información Financiera", "UIF", Agency.Kind.FIU, "uif.gob.ar", 12),
    ("pf-br", "BR", "Polícia Federal", "PF", Agency.Kind.POLICE, "pf.gov.br", 18),
    ("coaf", "BR", "Conselho de Controle de Atividades Financeiras", "COAF", Agency.Kind.FIU, "coaf.gov.br", 12),
    ("rcmp", "CA", "Royal Canadian Mounted Police", "RCMP", Agency.Kind.POLICE, "rcmp-grc.gc.ca", 18),
    (
        "fintrac",
        "CA",
        "Financial Transactions and Reports Analysis Centre of Canada",
        "FINTRAC",
        Agency.Kind.FIU,
        "fintrac-canafe.gc.ca",
        12,
    ),
    ("ofac-fr", "FR", "Office anti-cybercriminalité", "OFAC", Agency.Kind.POLICE, "interieur.gouv.fr", 18),
    ("tracfin", "FR", "Tracfin", "TRACFIN", Agency.Kind.FIU, "finances.gouv.fr", 12),
    ("bka", "DE", "Bundeskriminalamt", "BKA", Agency.Kind.POLICE, "bka.bund.de", 20),
    ("il-police", "IL", "Israel Police — Lahav 433", "ILP", Agency.Kind.POLICE, "police.gov.il", 18),
    ("politie", "NL", "Politie — Team High Tech Crime", "THTC", Agency.Kind.POLICE, "politie.nl", 16),
    ("fiod", "NL", "Fiscale Inlichtingen- en Opsporingsdienst", "FIOD", Agency.Kind.CUSTOMS_TAX, "fiod.nl", 12),
    (
        "pnp",
        "PH",
        "Philippine National Police — Anti-Cybercrime Group",
        "PNP-ACG",
        Agency.Kind.POLICE,
        "pnp.gov.ph",
        18,
    ),
    ("amlc", "PH", "Anti-Money Laundering Council", "AMLC", Agency.Kind.FIU, "amlc.gov.ph", 12),
    ("polisen", "SE", "Polismyndigheten", "NOA", Agency.Kind.POLICE, "polisen.se", 18),
    ("knpa", "KR", "Korean National Police Agency", "KNPA", Agency.Kind.POLICE, "police.go.kr", 20),
    ("nca", "GB", "National Crime Agency", "NCA", Agency.Kind.POLICE, "nca.gov.uk", 18),
    ("fca", "GB", "Financial Conduct Authority", "FCA", Agency.Kind.REGULATOR, "fca.org.uk", 10),
    ("pfm", "MX", "Policía Federal Ministerial", "PFM", Agency.Kind.POLICE, "policia.gob.mx", 14),
    ("fgr", "MX", "Fiscalía General de la República", "FGR", Agency.Kind.PROSECUTOR, "fgr.org.mx", 10),
    ("uif-mx", "MX", "Unidad de Inteligencia Financiera", "UIF", Agency.Kind.FIU, "uif.gob.mx", 9),
    ("sat", "MX", "Servicio de Administración Tributaria", "SAT", Agency.Kind.CUSTOMS_TAX, "sat.gob.mx", 8),
    ("interpol", "FR", "INTERPOL", "INTERPOL", Agency.Kind.INTERNATIONAL, "interpol.int", 40),
]

JOB_TITLES = {
    Agency.Kind.POLICE: ("Detective inspector", "Cybercrime investigator", "Sergeant", "Intelligence analyst"),
    Agency.Kind.FIU: ("Financial intelligence analyst", "Senior analyst", "Compliance examiner"),
    Agency.Kind.PROSECUTOR: ("Federal prosecutor", "Investigator, prosecutor's office", "Legal adviser"),
    Agency.Kind.CUSTOMS_TAX: ("Tax investigator", "Special investigator", "Customs officer"),
    Agency.Kind.REGULATOR: ("Supervision officer", "Enforcement investigator"),
    Agency.Kind.INTERNATIONAL: ("Criminal intelligence officer", "Specialized officer, Cybercrime Directorate"),
}

# (email, first name, last name, languages, topic slugs, bio)
TRAINERS = [
    (
        TRAINER_EMAIL,
        "Laura",
        "Méndez",
        ["en", "es"],
        ["tracing-seizing-illicit-funds", "digital-asset-investigations", "case-studies"],
        "Former financial-crimes investigator with twelve years in federal law enforcement; "
        "leads the program's workshops on tracing and seizing illicit funds.",
    ),
    (
        "pierre.lambert@trainingops.example",
        "Pierre",
        "Lambert",
        ["fr", "en"],
        ["anti-money-laundering", "legal-issues", "case-studies"],
        "Former financial-intelligence analyst; specialist in anti-money-laundering frameworks "
        "and mutual legal assistance for digital assets.",
    ),
    (
        "daniel.okafor@trainingops.example",
        "Daniel",
        "Okafor",
        ["en"],
        ["cybercrime-threat-mitigation", "blockchain-fundamentals", "digital-asset-investigations"],
        "Security researcher who spent a decade on ransomware and darknet-market investigations.",
    ),
    (
        "ines.carvalho@trainingops.example",
        "Inês",
        "Carvalho",
        ["pt", "es", "en"],
        ["blockchain-fundamentals", "tracing-seizing-illicit-funds", "anti-money-laundering"],
        "Blockchain analyst and former federal police investigator; teaches in Portuguese, Spanish and English.",
    ),
    (
        "katrin.vogel@trainingops.example",
        "Katrin",
        "Vogel",
        ["de", "en", "nl"],
        ["digital-asset-investigations", "legal-issues", "cybercrime-threat-mitigation"],
        "Former cybercrime prosecutor; covers seizure law, evidence handling and cross-border cooperation.",
    ),
    (
        "minho.seo@trainingops.example",
        "Minho",
        "Seo",
        ["ko", "en"],
        ["tracing-seizing-illicit-funds", "case-studies", "blockchain-fundamentals"],
        "Investigations lead for the Asia-Pacific region; former police cyber-investigation unit officer.",
    ),
]

TITLE_PATTERNS = {
    "blockchain-fundamentals": ("Blockchain and cryptocurrency fundamentals", "Crypto 101 for investigators"),
    "digital-asset-investigations": ("Investigating digital assets", "Digital-asset investigations workshop"),
    "tracing-seizing-illicit-funds": ("Tracing and seizing illicit funds", "From wallet to seizure"),
    "cybercrime-threat-mitigation": ("Ransomware and cybercrime threat mitigation", "Cybercrime threat briefing"),
    "legal-issues": ("Legal issues in digital-asset cases", "Seizure, custody and evidence of crypto assets"),
    "anti-money-laundering": ("Anti-money-laundering and virtual assets", "Following the money on-chain"),
    "case-studies": ("Case studies in crypto-enabled crime", "Lessons from solved cases"),
}


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
            title="Seminario: rastreo y decomiso de criptoactivos ilícitos",
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
            groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("Managers", "Trainers")}
            topics = self._write_topics()
            agencies = self._write_agencies()
            demo_users = self._write_demo_logins(groups)
            trainers = self._write_trainers(groups, topics, demo_users)
            self.build_officer_specs()
            officers = self._write_officers(agencies)
            specs = self.special_sessions() + self.past_sessions(118) + self.upcoming_sessions()
            self._write_sessions(specs, topics, agencies, trainers, officers)
        return self.report

    def _write_topics(self) -> dict[str, Topic]:
        topics = {}
        for slug, name, name_es, name_fr in TOPICS:
            topic, created = Topic.objects.get_or_create(
                slug=slug, defaults={"name": name, "name_es": name_es, "name_fr": name_fr}
            )
            self.report.add("topics", created)
            topics[slug] = topic
        return topics

    def _write_agencies(self) -> dict[str, Agency]:
        countries = Country.objects.in_bulk([a[1] for a in AGENCIES])
        agencies = {}
        for key, country, name, acronym, kind, domain, _count in AGENCIES:
            agency, created = Agency.objects.get_or_create(
                country=countries[country], name=name, defaults={"acronym": acronym, "kind": kind}
            )
            self.report.add("agencies", created)
            _domain, created = AgencyEmailDomain.objects.get_or_create(agency=agency, domain=domain)
            self.report.add("email domains", created)
            agencies[key] = agency
        return agencies

    def _user(self, email, *, first_name, last_name, is_staff=False, password=None) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name, "is_staff": is_staff}
        )
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
            self.report.add("users", 1)
        return user

    def _write_demo_logins(self, groups) -> dict[str, User]:
        manager = self._user(
            MANAGER_EMAIL, first_name="Morgan", last_name="Reyes", is_staff=True, password=DEMO_PASSWORD
        )
        manager.groups.add(groups["Managers"])
        trainer = self._user(
            TRAINER_EMAIL, first_name="Laura", last_name="Méndez", is_staff=True, password=DEMO_PASSWORD
        )
        officer = self._user(OFFICER_EMAIL, first_name="Andrés", last_name="Ortega", password=DEMO_PASSWORD)
        for user in (manager, trainer, officer):
            _address, created = EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            self.report.add("email addresses", created)
        return {"manager": manager, "trainer": trainer, "officer": officer}

    def _write_trainers(self, groups, topics, demo_users) -> dict[str, Trainer]:
        trainers = {}
        for email, first, last, languages, topic_slugs, bio in TRAINERS:
            user = demo_users["trainer"] if email == TRAINER_EMAIL else None
            user = user or self._user(email, first_name=first, last_name=last, is_staff=True)
            user.groups.add(groups["Trainers"])
            trainer, created = Trainer.objects.get_or_create(user=user, defaults={"bio": bio, "languages": languages})
            if created:
                trainer.topics.set([topics[slug] for slug in topic_slugs])
            self.report.add("trainers", created)
            trainers[email] = trainer
        return trainers

    def _write_officers(self, agencies) -> dict[str, Officer]:
        emails = [spec["email"] for spec in self.officer_specs]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new_users = []
        for spec in self.officer_specs:
            if spec["email"] not in existing:
                user = User(email=spec["email"], first_name=spec["first_name"], last_name=spec["last_name"])
                user.set_unusable_password()
                new_users.append(user)
        User.objects.bulk_create(new_users, batch_size=500)
        self.report.add("users", len(new_users))
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        have_profile = set(Officer.objects.filter(user__in=users.values()).values_list("user__email", flat=True))
        now = timezone.now()
        new_officers = [
            Officer(
                uuid=uuid.uuid5(OFFICER_NAMESPACE, spec["email"]),
                user=users[spec["email"]],
                agency=agencies[spec["agency"]],
                job_title=spec["job_title"],
                preferred_language=spec["language"],
                verification_status=Officer.Verification.VERIFIED,
                verified_at=now,
            )
            for spec in self.officer_specs
            if spec["email"] not in have_profile
        ]
        Officer.objects.bulk_create(new_officers, batch_size=500)
        self.report.add("officers", len(new_officers))
        return {
            officer.user.email: officer
            for officer in Officer.objects.filter(user__email__in=emails).select_related("user", "agency")
        }

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
        self.report.add("sessions", len(rows))

    def _session_row(self, spec, session_uuid, countries, agencies, manager) -> TrainingSession:
        completed = spec.status == TrainingSession.Status.COMPLETED
        virtual = spec.format != TrainingSession.Format.IN_PERSON
        return TrainingSession(
            uuid=session_uuid,
            title=spec.title,
            description=(
                f"{spec.title}. A {TrainingSession.Format(spec.format).label.lower()} session of the "
                "law-enforcement training program, with exercises on real, anonymised cases."
            ),
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
                SessionTrainer(
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
        saved = Registration.objects.filter(session_id__in=completed).select_related("officer__user")
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

    def _registration(self, session, officer, *, cancelled=False, waitlist_position=None) -> Registration:
        if waitlist_position:
            status = Registration.Status.WAITLISTED
        elif cancelled:
            status = Registration.Status.CANCELLED
        else:
            status = Registration.Status.CONFIRMED
        source = self.rng.choices(list(Registration.Source)[:3], weights=[7, 3, 1])[0]
        registered_at = session.starts_at - timedelta(days=self.rng.randint(3, 30))
        return Registration(
            session=session,
            officer=officer,
            status=status,
            source=source,
            waitlist_position=waitlist_position,
            officer_key=officer.uuid,
            agency=officer.agency,
            country_id=officer.agency.country_id,
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
        return Attendance(
            registration=registration,
            **attendance_snapshot(registration),
            status=status,
            checked_in_at=session.starts_at + timedelta(minutes=self.rng.randint(-10, 25)) if checked_in else None,
            recorded_by=trainers[spec.trainer_emails[0]].user,
        )

    def _write_surveys(self, survey_rows) -> None:
        surveys = {}
        for session, _registration in survey_rows:
            if session.pk not in surveys:
                surveys[session.pk] = Survey(session=session, closes_at=session.ends_at + timedelta(days=30))
        Survey.objects.bulk_create(list(surveys.values()))
        self.report.add("surveys", len(surveys))
        by_session = {s.session_id: s for s in Survey.objects.filter(session_id__in=surveys)}
        responses = []
        for session, registration in survey_rows:
            answered = self.rng.random() < 0.6 or (
                registration.officer and registration.officer.user.email == OFFICER_EMAIL
            )
            response = SurveyResponse(
                survey=by_session[session.pk],
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
            responses.append(response)
        SurveyResponse.objects.bulk_create(responses, batch_size=500)
        self.report.add("survey responses", sum(1 for r in responses if r.submitted_at))


COUNTRY_NAMES = {
    "AR": "Argentina",
    "BR": "Brazil",
    "CA": "Canada",
    "FR": "France",
    "DE": "Germany",
    "IL": "Israel",
    "NL": "Netherlands",
    "PH": "Philippines",
    "SE": "Sweden",
    "KR": "South Korea",
    "GB": "United Kingdom",
    "MX": "Mexico",
}
VENUES = [
    "National training academy",
    "Headquarters, conference room B",
    "Regional training centre",
    "Embassy auditorium",
]

SURVEY_COMMENTS = [
    "",
    "Very practical; the tracing exercise was the most useful part.",
    "More time for hands-on work with the blockchain explorer, please.",
    "Excellent case studies. We would like a follow-up on seizure procedures.",
    "Good pace, clear explanations of wallets and exchanges.",
    "Muy útil para nuestras investigaciones en curso.",
    "Formation très claire, merci aux formateurs.",
]


def seed_demo(*, today: date | None = None) -> SeedReport:
    """Create whatever part of the demo data set is missing; existing rows are left as they are."""
    return DemoBuilder(today=today or timezone.localdate()).write()


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        ("Manager", MANAGER_EMAIL, "/admin/"),
        ("Trainer", TRAINER_EMAIL, "/admin/"),
        ("Officer", OFFICER_EMAIL, "/"),
    ]
