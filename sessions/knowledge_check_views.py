"""The officer's pre-test and post-test pages.

The pre-test is the signed-in officer's, through their confirmed registration, from registration
until the session starts (linked from the confirmation email and My trainings), in the portal's
language. The post-test is reached through the follow-up survey's personal link (no sign-in), in
the survey's language. Both take answers through ``sessions.services.submit_attempt``.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sessions import services
from sessions.models import KnowledgeCheck, KnowledgeCheckAttempt, Registration, SurveyResponse
from sessions.views import current_officer

ANSWER_MESSAGE = _("Answer this question.")
CHOICE_MESSAGE = _("Choose among the options offered.")


class KnowledgeCheckForm(forms.Form):
    """One field per question: radio buttons, or checkboxes when several options are correct."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            options = list(question.options.all())
            several = sum(option.is_correct for option in options) > 1
            field_class, widget = (
                (forms.TypedMultipleChoiceField, forms.CheckboxSelectMultiple)
                if several
                else (forms.TypedChoiceField, forms.RadioSelect)
            )
            self.fields[f"question_{question.pk}"] = field_class(
                label=f"{number}. {question.text}",
                choices=[(option.pk, option.text) for option in options],
                coerce=int,
                widget=widget,
                help_text=_("Choose all that apply.") if several else "",
                error_messages={"required": ANSWER_MESSAGE, "invalid_choice": CHOICE_MESSAGE},
            )

    def answers(self) -> dict[int, list[int]]:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data[f"question_{question.pk}"]
            answers[question.pk] = value if isinstance(value, list) else [value]
        return answers


def _take(request, *, check: KnowledgeCheck, registration: Registration, is_open: bool, back_url: str = ""):
    """Show the test, score one attempt, or say why it cannot be taken (closed, no attempt left)."""
    attempts = list(KnowledgeCheckAttempt.objects.filter(knowledge_check=check, registration=registration))
    context = {"check": check, "session": check.session, "attempts": attempts, "back_url": back_url}
    left = check.max_attempts - len(attempts)
    if not is_open or left <= 0:
        status = 409 if request.method == "POST" else 200
        template = "knowledge_checks/closed.html" if left > 0 else "knowledge_checks/taken.html"
        return render(request, template, context, status=status)
    questions = list(check.questions.prefetch_related("options").order_by("topic_id", "pk"))
    form = KnowledgeCheckForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.submit_attempt(check=check, registration=registration, answers=form.answers())
        except services.KnowledgeCheckError as error:
            if error.code == "already_taken":
                return render(request, "knowledge_checks/taken.html", context, status=409)
            form.add_error(None, error.message)
        else:
            context |= {"attempt": attempt, "attempts_left": left - 1}
            return render(request, "knowledge_checks/result.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge_checks/form.html", context | {"form": form, "attempts_left": left}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pre_test(request, pk: int):
    """The signed-in officer's pre-test of a session they hold a seat in."""
    officer = current_officer(request)
    if officer is None:
        raise Http404(_("This page is for agency officers."))
    registration = get_object_or_404(
        Registration.objects.select_related("session"),
        session_id=pk,
        officer=officer,
        status=Registration.Status.CONFIRMED,
    )
    check = get_object_or_404(
        KnowledgeCheck.objects.select_related("session"), session_id=pk, kind=KnowledgeCheck.Kind.PRE
    )
    is_open = services.pre_test_open(check=check, registration=registration)
    return _take(
        request, check=check, registration=registration, is_open=is_open, back_url=reverse("sessions:my_trainings")
    )


@never_cache
@require_http_methods(["GET", "POST"])
def post_test(request, token: str):
    """The post-test through the attendee's personal survey link, in the survey's language."""
    response = get_object_or_404(SurveyResponse.objects.select_related("survey", "registration"), token=token)
    check = get_object_or_404(
        KnowledgeCheck.objects.select_related("session"),
        session_id=response.survey.session_id,
        kind=KnowledgeCheck.Kind.POST,
    )
    with translation.override(response.language):
        is_open = services.post_test_open(check=check, response=response)
        return _take(
            request,
            check=check,
            registration=response.registration,
            is_open=is_open,
            back_url=reverse("survey", args=[token]),
        )
