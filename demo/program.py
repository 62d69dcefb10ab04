"""The demo program's facts: its topics, countries, agencies, trainers and the demo logins.

Drawn from the program's public record (PRODUCT.md): about twenty agencies across Argentina, Brazil,
Canada, France, Germany, Israel, the Netherlands, the Philippines, Sweden, South Korea, the United
Kingdom and Mexico plus INTERPOL, and the trainers who teach them. ``demo.seed`` turns them into rows.
"""

import uuid
from dataclasses import dataclass

from agencies.models import Agency

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 — printed on purpose: these are demo logins
MANAGER_EMAIL = "manager@trainingops.example"
TRAINER_EMAIL = "trainer@trainingops.example"
OFFICER_EMAIL = "officer@policia.gob.mx"
# The Mexican police's training coordinator: a focal point with the agency page (/agency/).
FOCAL_POINT_EMAIL = "focal.point@policia.gob.mx"
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

# Spanish and French titles of the patterns above (the demo's sessions read in three languages).
TITLE_TRANSLATIONS = {
    "Blockchain and cryptocurrency fundamentals": (
        "Fundamentos de blockchain y criptomonedas",
        "Fondamentaux de la blockchain et des cryptomonnaies",
    ),
    "Crypto 101 for investigators": ("Cripto 101 para investigadores", "Crypto 101 pour les enquêteurs"),
    "Investigating digital assets": ("Investigación de activos digitales", "Enquêter sur les actifs numériques"),
    "Tracing and seizing illicit funds": (
        "Rastreo y decomiso de fondos ilícitos",
        "Traçage et saisie des fonds illicites",
    ),
    "From wallet to seizure": ("De la billetera al decomiso", "Du portefeuille à la saisie"),
    "Anti-money-laundering and virtual assets": (
        "Prevención del lavado de dinero y activos virtuales",
        "Lutte contre le blanchiment et actifs virtuels",
    ),
    "Case studies in crypto-enabled crime": (
        "Estudios de caso de delitos con criptoactivos",
        "Études de cas de criminalité liée aux cryptoactifs",
    ),
}
SESSION_DESCRIPTIONS = {
    "es": "Sesión del programa de formación para las fuerzas del orden, con ejercicios sobre casos reales anonimizados.",
    "fr": "Session du programme de formation des forces de l'ordre, avec des exercices sur des cas réels anonymisés.",
}


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


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        ("Manager", MANAGER_EMAIL, "/admin/"),
        ("Trainer", TRAINER_EMAIL, "/admin/"),
        ("Officer", OFFICER_EMAIL, "/"),
        ("Focal point", FOCAL_POINT_EMAIL, "/agency/"),
    ]


# People who signed up claiming an agency from an address outside its domains: they wait for a
# manager or one of the agency's focal points. (agency key, email, first name, last name, job title, language)
PENDING_OFFICERS = [
    ("pfm", "jorge.salinas@correo.example", "Jorge", "Salinas", "Analista de inteligencia", "es"),
    ("pfm", "maria.fuentes@correo.example", "María", "Fuentes", "Investigadora", "es"),
    ("interpol", "kwame.osei@mail.example", "Kwame", "Osei", "Criminal intelligence officer", "en"),
]

# Training requests of agencies, one in each state (seed_demo finds each again by its notes, so
# a second run adds nothing). (agency key, topic slugs, format, language, days from today to the
# preferred period's start, its length in days, expected officers, venue offered, state, notes)
TRAINING_REQUESTS = [
    ("pfm", ["blockchain-fundamentals"], "in_person", "es", 45, 30, 25, "Academia PFM, Ciudad de México",
     "submitted", "Demo: new investigators in the northern states."),
    ("interpol", ["case-studies"], "virtual", "en", 60, 45, 40, "", "under_review",
     "Demo: for the regional bureaus, in two time zones."),
    ("pfa", ["blockchain-fundamentals", "case-studies"], "hybrid", "es", 75, 30, 30, "Sede central, Buenos Aires",
     "accepted", "Demo: a joint course with the financial intelligence unit."),
    ("rcmp", ["case-studies"], "in_person", "en", 90, 20, 20, "RCMP Depot, Regina", "scheduled",
     "Demo: ahead of the national cyber week."),
    ("pfm", ["case-studies"], "in_person", "es", -200, 30, 22, "Academia PFM, Ciudad de México", "delivered",
     "Demo: delivered last season."),
    ("bka", ["blockchain-fundamentals"], "virtual", "de", 30, 10, 12, "", "declined",
     "Demo: requested in German."),
    ("tracfin", ["case-studies"], "in_person", "fr", 50, 20, 15, "Montreuil", "withdrawn",
     "Demo: withdrawn after an internal reorganisation."),
]  # fmt: skip
TRAINING_REQUEST_DECLINE_REASON = (
    "No trainer teaches this topic in German this year; we suggest the English virtual course."
)


# The knowledge checks' question bank: per topic slug, (question EN, ES, FR, options), each option
# (EN, ES, FR, correct).
DEMO_QUESTIONS = {
    "blockchain-fundamentals": [
        (
            "What links each block of a blockchain to the previous one?",
            "¿Qué vincula cada bloque de una cadena de bloques con el anterior?",
            "Qu'est-ce qui relie chaque bloc d'une blockchain au précédent ?",
            [
                ("The hash of the previous block", "El hash del bloque anterior", "Le hachage du bloc précédent", True),
                ("The miner's name", "El nombre del minero", "Le nom du mineur", False),
                ("A bank's signature", "La firma de un banco", "La signature d'une banque", False),
            ],
        ),
        (
            "Which of these are true of a public blockchain?",
            "¿Cuáles de estas afirmaciones son ciertas sobre una cadena de bloques pública?",
            "Lesquelles de ces affirmations sont vraies pour une blockchain publique ?",
            [
                (
                    "Anyone can read its transactions",
                    "Cualquiera puede leer sus transacciones",
                    "Tout le monde peut lire ses transactions",
                    True,
                ),
                (
                    "Confirmed transactions are very hard to alter",
                    "Las transacciones confirmadas son muy difíciles de alterar",
                    "Les transactions confirmées sont très difficiles à modifier",
                    True,
                ),
                (
                    "It stores the owners' names",
                    "Guarda los nombres de los titulares",
                    "Elle enregistre le nom des titulaires",
                    False,
                ),
            ],
        ),
    ],
    "digital-asset-investigations": [
        (
            "What does a block explorer let an investigator do?",
            "¿Qué permite hacer un explorador de bloques a un investigador?",
            "Que permet un explorateur de blocs à un enquêteur ?",
            [
                (
                    "Follow transactions between addresses",
                    "Seguir transacciones entre direcciones",
                    "Suivre les transactions entre adresses",
                    True,
                ),
                ("Freeze a wallet", "Congelar una billetera", "Geler un portefeuille", False),
                ("Read private keys", "Leer claves privadas", "Lire les clés privées", False),
            ],
        ),
        (
            "Where do investigators most often learn who controls an address?",
            "¿Dónde suelen saber los investigadores quién controla una dirección?",
            "Où les enquêteurs apprennent-ils le plus souvent qui contrôle une adresse ?",
            [
                (
                    "From a regulated exchange's records",
                    "En los registros de un exchange regulado",
                    "Dans les registres d'une plateforme régulée",
                    True,
                ),
                ("From the blockchain itself", "En la propia cadena de bloques", "Dans la blockchain elle-même", False),
                ("From the address's format", "En el formato de la dirección", "Dans le format de l'adresse", False),
            ],
        ),
    ],
    "tracing-seizing-illicit-funds": [
        (
            "What should be secured first when seizing a suspect's crypto-assets?",
            "¿Qué debe asegurarse primero al incautar criptoactivos de un sospechoso?",
            "Que faut-il sécuriser en premier lors de la saisie de cryptoactifs d'un suspect ?",
            [
                (
                    "The private keys or recovery phrase",
                    "Las claves privadas o la frase de recuperación",
                    "Les clés privées ou la phrase de récupération",
                    True,
                ),
                ("The computer's screen", "La pantalla del ordenador", "L'écran de l'ordinateur", False),
                ("The exchange's logo", "El logotipo del exchange", "Le logo de la plateforme", False),
            ],
        ),
        (
            "What is 'peeling' in a chain of transactions?",
            "¿Qué es el 'peeling' en una cadena de transacciones?",
            "Qu'est-ce que le « peeling » dans une chaîne de transactions ?",
            [
                (
                    "Sending small amounts off while the rest moves on",
                    "Enviar pequeñas cantidades mientras el resto sigue",
                    "Détacher de petits montants pendant que le reste poursuit",
                    True,
                ),
                ("Deleting a transaction", "Borrar una transacción", "Supprimer une transaction", False),
                ("Changing a coin's name", "Cambiar el nombre de una moneda", "Changer le nom d'une monnaie", False),
            ],
        ),
    ],
    "cybercrime-threat-mitigation": [
        (
            "Which payment do ransomware groups most often demand?",
            "¿Qué pago exigen con más frecuencia los grupos de ransomware?",
            "Quel paiement les groupes de rançongiciel exigent-ils le plus souvent ?",
            [
                ("Cryptocurrency", "Criptomonedas", "Des cryptomonnaies", True),
                ("Bank cheques", "Cheques bancarios", "Des chèques de banque", False),
                ("Gift vouchers only", "Solo vales regalo", "Uniquement des bons cadeaux", False),
            ],
        ),
    ],
    "legal-issues": [
        (
            "What usually allows an agency to obtain records from a foreign exchange?",
            "¿Qué permite normalmente a un organismo obtener registros de un exchange extranjero?",
            "Qu'est-ce qui permet généralement à un organisme d'obtenir les registres d'une plateforme étrangère ?",
            [
                (
                    "A mutual legal assistance request",
                    "Una solicitud de asistencia judicial mutua",
                    "Une demande d'entraide judiciaire",
                    True,
                ),
                (
                    "A public social-media post",
                    "Una publicación en redes sociales",
                    "Une publication sur les réseaux sociaux",
                    False,
                ),
                (
                    "A phone call to its support line",
                    "Una llamada a su servicio de ayuda",
                    "Un appel à son assistance",
                    False,
                ),
            ],
        ),
    ],
    "anti-money-laundering": [
        (
            "Which obligations do virtual-asset service providers have under the FATF standards?",
            "¿Qué obligaciones tienen los proveedores de servicios de activos virtuales según las normas del GAFI?",
            "Quelles obligations les prestataires de services sur actifs virtuels ont-ils selon les normes du GAFI ?",
            [
                ("Know their customers", "Conocer a sus clientes", "Connaître leurs clients", True),
                (
                    "Report suspicious transactions",
                    "Reportar transacciones sospechosas",
                    "Déclarer les opérations suspectes",
                    True,
                ),
                (
                    "Publish every customer's balance",
                    "Publicar el saldo de cada cliente",
                    "Publier le solde de chaque client",
                    False,
                ),
            ],
        ),
    ],
    "case-studies": [
        (
            "In a typical investment scam, where do victims' funds go first?",
            "En una estafa de inversión típica, ¿adónde va primero el dinero de las víctimas?",
            "Dans une escroquerie à l'investissement typique, où vont d'abord les fonds des victimes ?",
            [
                (
                    "To an address the fraudsters control",
                    "A una dirección que controlan los estafadores",
                    "Vers une adresse contrôlée par les fraudeurs",
                    True,
                ),
                ("To a central bank", "A un banco central", "Vers une banque centrale", False),
                (
                    "Nowhere: they stay in the victim's wallet",
                    "A ningún sitio: quedan en la billetera de la víctima",
                    "Nulle part : ils restent dans le portefeuille de la victime",
                    False,
                ),
            ],
        ),
    ],
}
