"""The learning gain: the one function that measures what officers learnt in a set of sessions.

Rule (PRODUCT.md, "Counting rules"): the mean post-test score minus the mean pre-test score, over
the officers who took both tests of a session, always given with that number of officers.

Decisions where the rule is silent:
- A score is the share of questions answered right, in percent (0–100); an answer is right when
  exactly the correct options were chosen (``sessions.services.score_answer``). The gain is in
  percentage points.
- Each officer's **first** attempt at each test counts; later attempts are kept but left out.
- The unit is an officer in a session (a registration): an officer tested in two sessions counts
  twice, as an attendance does. Officers with only one of the two tests are left out entirely.
- An officer who erased their data still counts: their attempts stay with the registration, which
  no longer leads to them (see ``agencies.services.erasure``).
- The region and agency filters select officers by their registration's snapshot, like the survey
  averages; format and topic select the sessions.

Every figure comes from the same pairing and averaging (``_pairs`` and ``_summarised``): the back
office's view of a session and the impact summary call :func:`learning_gain` (and
:func:`learning_gain_rows` per topic and trainer); the yearly report (page, CSV/XLSX/JSON, API,
command, agency page) calls :func:`learning_gain_by_year`, which reads both years' attempts in one
query. A test checks that they agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db.models import Case, Expression, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from sessions.models import KnowledgeCheck, KnowledgeCheckAttempt, SessionTrainer, TrainingSession

LEARNING_SCOPES = ("topic", "trainer")
LEARNING_COLUMNS = ("officers", "average_pre_test_score", "average_post_test_score", "learning_gain")
LEARNING_COLUMN_LABELS = {
    "officers": _("Officers who took both tests"),
    "average_pre_test_score": _("Average pre-test score (%)"),
    "average_post_test_score": _("Average post-test score (%)"),
    "learning_gain": _("Learning gain (points)"),
}


@dataclass(frozen=True)
class LearningGain:
    """Officers who took both tests, their mean first pre- and post-test scores (%) and the gain (points)."""

    officers: int
    average_pre_test_score: float | None
    average_post_test_score: float | None
    learning_gain: float | None


@dataclass(frozen=True)
class LearningGainRow:
    scope: str  # "topic" or "trainer"
    key: str
    label: str
    officers: int
    average_pre_test_score: float | None
    average_post_test_score: float | None
    learning_gain: float | None


@dataclass(frozen=True)
class _Pair:
    session_id: int
    pre: float
    post: float
    group: object = None  # the value of ``group_by`` (e.g. the report's year), when asked for


def _pairs(
    sessions: QuerySet[TrainingSession] | Iterable[int],
    attendee_conditions: Q | None = None,
    *,
    group_by: Expression | None = None,
) -> list[_Pair]:
    """Each registration's first pre-test and first post-test scores, for those who took both (one
    query); ``group_by`` is an expression on the attempt carried along (the report's year)."""
    session_ids = sessions.values("pk") if isinstance(sessions, QuerySet) else list(sessions)
    attempts = KnowledgeCheckAttempt.objects.filter(number=1, knowledge_check__session__in=session_ids)
    if attendee_conditions:
        attempts = attempts.filter(attendee_conditions)
    attempts = attempts.annotate(group=group_by if group_by is not None else Value(None, output_field=IntegerField()))
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    sessions_of: dict[int, tuple[int, object]] = {}
    for registration, session, kind, correct, total, group in attempts.values_list(
        "registration_id",
        "knowledge_check__session_id",
        "knowledge_check__kind",
        "correct_count",
        "question_count",
        "group",
    ).order_by():
        scores[registration][kind] = 100 * correct / total
        sessions_of[registration] = (session, group)
    pre, post = KnowledgeCheck.Kind.PRE, KnowledgeCheck.Kind.POST
    pairs = []
    for registration, both in sorted(scores.items()):
        if pre in both and post in both:
            session, group = sessions_of[registration]
            pairs.append(_Pair(session, both[pre], both[post], group))
    return pairs


def _summarised(pairs: list[_Pair]) -> LearningGain:
    if not pairs:
        return LearningGain(officers=0, average_pre_test_score=None, average_post_test_score=None, learning_gain=None)
    pre = sum(pair.pre for pair in pairs) / len(pairs)
    post = sum(pair.post for pair in pairs) / len(pairs)
    return LearningGain(
        officers=len(pairs),
        average_pre_test_score=round(pre, 1),
        average_post_test_score=round(post, 1),
        learning_gain=round(post - pre, 1),
    )


def learning_gain(
    *, sessions: QuerySet[TrainingSession] | Iterable[int], attendee_conditions: Q | None = None
) -> LearningGain:
    """The learning gain of these sessions (a queryset or ids), with the number of officers who took
    both tests; ``attendee_conditions`` (on the attempt, e.g. ``Q(registration__agency=…)``) narrows
    the officers. The one home of the rule: every figure of the learning gain comes from here."""
    return _summarised(_pairs(sessions, attendee_conditions))


def learning_gain_rows(
    *, sessions: QuerySet[TrainingSession] | Iterable[int], attendee_conditions: Q | None = None
) -> list[LearningGainRow]:
    """The learning gain per topic and per trainer of these sessions (a session counts under each of
    its topics and trainers), only for groups with at least one officer who took both tests."""
    return _rows(_pairs(sessions, attendee_conditions))


def learning_gain_by_year(
    *,
    sessions: QuerySet[TrainingSession],
    previous_sessions: QuerySet[TrainingSession],
    year: int,
    attendee_conditions: Q | None = None,
) -> tuple[dict[int, LearningGain], list[LearningGainRow]]:
    """The yearly report's figures in one query of attempts: the gain of ``year`` and of the year
    before, and ``year``'s rows per topic and trainer (as :func:`learning_gain` and
    :func:`learning_gain_rows` give them)."""
    this_year = Case(
        When(knowledge_check__session__in=sessions.values("pk"), then=Value(year)),
        default=Value(year - 1),
        output_field=IntegerField(),
    )
    pairs = _pairs(sessions | previous_sessions, attendee_conditions, group_by=this_year)
    by_year = {key: [pair for pair in pairs if pair.group == key] for key in (year, year - 1)}
    return {key: _summarised(found) for key, found in by_year.items()}, _rows(by_year[year])


def _rows(pairs: list[_Pair]) -> list[LearningGainRow]:
    if not pairs:
        return []
    session_ids = {pair.session_id for pair in pairs}
    topic_links = TrainingSession.topics.through.objects.filter(trainingsession_id__in=session_ids).values_list(
        "trainingsession_id", "topic_id", "topic__slug", "topic__name"
    )
    trainer_links = SessionTrainer.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "trainer_id", "trainer__user__first_name", "trainer__user__last_name", "trainer__user__email"
    )
    topics = [(session, topic, slug, name) for session, topic, slug, name in topic_links]
    trainers = [
        (session, trainer, str(trainer), f"{first} {last}".strip() or email)
        for session, trainer, first, last, email in trainer_links
    ]
    return _grouped("topic", pairs, topics) + _grouped("trainer", pairs, trainers)


def _grouped(scope: str, pairs: list[_Pair], links: list[tuple[int, int, str, str]]) -> list[LearningGainRow]:
    """Summarise the pairs per group; ``links`` are (session id, group id, key, label)."""
    groups_of: dict[int, list[int]] = defaultdict(list)
    labels: dict[int, tuple[str, str]] = {}
    for session_id, group, key, label in links:
        groups_of[session_id].append(group)
        labels[group] = (key, label)
    members: dict[int, list[_Pair]] = defaultdict(list)
    for pair in pairs:
        for group in groups_of[pair.session_id]:
            members[group].append(pair)
    rows = [
        LearningGainRow(scope, *labels[group], **asdict(_summarised(group_pairs)))
        for group, group_pairs in members.items()
    ]
    return sorted(rows, key=lambda row: (-row.officers, row.label, row.key))
