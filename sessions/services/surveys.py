"""Follow-up surveys: answers through the personal link, and the one reminder."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions import notifications
from sessions.models import (
    SurveyResponse,
)
from sessions.selectors import survey_is_open
from sessions.services.base import SurveyError


def submit_survey_response(
    *,
    response: SurveyResponse,
    overall_rating: int,
    usefulness_rating: int,
    trainer_rating: int,
    recommend_score: int,
    topics_wanted: Iterable = (),
    comments: str = "",
    quote_consent: bool = False,
) -> SurveyResponse:
    """Store an attendee's answers. A survey is answered once; a second submission is refused.

    ``quote_consent``: the attendee agreed that their comments may be quoted without their name in
    the yearly impact summary (never assumed: off unless they ticked it)."""
    with transaction.atomic():
        current = SurveyResponse.objects.select_for_update().select_related("survey").get(pk=response.pk)
        if current.submitted_at is not None:
            raise SurveyError(_("You have already answered this survey. Thank you!"), code="already_answered")
        if not survey_is_open(current.survey):
            raise SurveyError(_("This survey is closed."), code="closed")
        current.overall_rating = overall_rating
        current.usefulness_rating = usefulness_rating
        current.trainer_rating = trainer_rating
        current.recommend_score = recommend_score
        current.comments = comments
        current.quote_consent = bool(quote_consent and comments.strip())
        current.submitted_at = timezone.now()
        try:
            current.full_clean(exclude=["survey", "registration", "token", "language"])
        except ValidationError as error:
            field_name, messages = next(iter(error.message_dict.items()))
            raise SurveyError(messages[0], code="invalid", field=field_name) from error
        current.save()
        current.topics_wanted.set(topics_wanted)
    response.refresh_from_db()
    return response


def send_survey_reminders(*, now: datetime | None = None) -> int:
    """Remind, once, each attendee whose survey is still unanswered after the configured delay.

    ``reminded_at`` is set in the transaction that queues the reminder, and the reminder's key
    names the response, so beat firing twice or two workers never remind anyone twice.
    """
    now = now or timezone.now()
    due = (
        SurveyResponse.objects.filter(
            submitted_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__lte=now - settings.SURVEY_REMINDER_DELAY,
            registration__officer__isnull=False,
        )
        .filter(Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now))
        .values_list("pk", flat=True)
    )
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            response = (
                SurveyResponse.objects.select_for_update(of=("self",))
                .select_related("registration__officer__user", "registration__session")
                .filter(pk=pk, reminded_at__isnull=True, submitted_at__isnull=True)
                .first()
            )
            if response is None:
                continue
            notifications.survey_reminder(response=response)
            response.reminded_at = now
            response.save(update_fields=["reminded_at"])
            reminded += 1
    return reminded
