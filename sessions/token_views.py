"""Pages reached through a personal token link from an email: the invitation RSVP and the survey.

Neither needs a login to open: the unguessable token is the proof. Each page is shown in the
language its email was written in.
"""

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.language import remember_language
from agencies.models import Officer
from sessions import services
from sessions.models import Invitation, KnowledgeCheck, SurveyResponse, Topic
from sessions.selectors import waitlist_position, with_invitation_state

# The session key holding the token of an invitation accepted before signing in.
ACCEPT_AFTER_SIGN_IN = "invitation_to_accept"
RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]
RECOMMEND_CHOICES = [(value, str(value)) for value in range(0, 11)]


def _rating_field(label, choices, message):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class SurveyForm(forms.Form):
    overall_rating = _rating_field(
        _("Overall, how would you rate the session?"), RATING_CHOICES, _("Choose a rating from 1 to 5.")
    )
    usefulness_rating = _rating_field(
        _("How useful is it for your work?"), RATING_CHOICES, _("Choose a rating from 1 to 5.")
    )
    trainer_rating = _rating_field(
        _("How would you rate the trainers?"), RATING_CHOICES, _("Choose a rating from 1 to 5.")
    )
    recommend_score = _rating_field(
        _("How likely are you to recommend this training to a colleague?"),
        RECOMMEND_CHOICES,
        _("Choose a score from 0 to 10."),
    )
    topics_wanted = forms.ModelMultipleChoiceField(
        label=_("Which topics would you like next?"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose topics from the list."),
            "invalid_pk_value": _("Choose topics from the list."),
        },
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
        error_messages={"max_length": _("Please keep your comments under 4000 characters (you wrote %(show_value)d).")},
    )
    quote_consent = forms.BooleanField(
        label=_("You may quote my comments, without my name, in the program's yearly impact summary."),
        required=False,
        initial=False,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request, token):
    """Show the follow-up survey, take one response, thank the attendee; refuse a second one.

    When the session has a post-test, every page of the survey links to it (the same personal link).
    """
    response = get_object_or_404(SurveyResponse.objects.select_related("survey__session", "registration"), token=token)
    with translation.override(response.language):
        session = response.survey.session
        has_post_test = KnowledgeCheck.objects.filter(session=session, kind=KnowledgeCheck.Kind.POST).exists()
        context = {"session": session, "post_test_url": reverse("post_test", args=[token]) if has_post_test else ""}
        if response.submitted_at is not None:
            status = 409 if request.method == "POST" else 200
            return render(request, "surveys/answered.html", context, status=status)
        if response.survey.closes_at and response.survey.closes_at <= timezone.now():
            return render(request, "surveys/closed.html", context)
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_survey_response(response=response, **form.cleaned_data)
            except services.SurveyError as error:
                if error.code == "already_answered":
                    return render(request, "surveys/answered.html", context, status=409)
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return render(request, "surveys/thanks.html", context)
        return render(request, "surveys/form.html", context | {"form": form})


def _officer_of(user) -> Officer | None:
    if not user.is_authenticated:
        return None
    return Officer.objects.filter(user=user).select_related("agency__country", "user").first()


def _landing(request, invitation, *, error="", registration=None, status=200):
    current = with_invitation_state(Invitation.objects.filter(pk=invitation.pk)).get()
    context = {
        "invitation": current,
        "session": current.session,
        "state": current.state,
        "open": current.state in (Invitation.Status.PENDING, Invitation.Status.SENT, Invitation.Status.FAILED),
        "officer": _officer_of(request.user),
        "error": error,
        "registration": registration,
        "waitlist_position": waitlist_position(registration) if registration else None,
    }
    return render(request, "invitations/landing.html", context, status=status)


def _to_account(request, invitation) -> HttpResponseRedirect:
    """Send an anonymous invitee to sign up (or log in) with their address filled in, then back here.

    Following the personal link proves the address is theirs, so allauth may treat it as
    verified when they sign up with it (``stash_verified_email``). The acceptance is remembered
    in their session and completed when they come back signed in, without a second click. The
    account pages are shown in the invitation's language unless this browser already chose one.
    """
    get_adapter(request).stash_verified_email(request, invitation.email)
    request.session[ACCEPT_AFTER_SIGN_IN] = invitation.token
    has_account = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    target = reverse("account_login" if has_account else "account_signup")
    query = urlencode({"email": invitation.email, "next": reverse("invitation", args=[invitation.token])})
    response = HttpResponseRedirect(f"{target}?{query}")
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        remember_language(response, invitation.language)
    return response


def _accept(request, invitation):
    officer = _officer_of(request.user)
    if officer is None:
        error = _("Only officers with a portal profile can register. Complete your profile first.")
        return _landing(request, invitation, error=error, status=409)
    try:
        registration = services.accept_invitation(invitation=invitation, officer=officer)
    except (services.InvitationError, services.RegistrationError) as error:
        return _landing(request, invitation, error=error.message, status=409)
    return _landing(request, invitation, registration=registration)


def _accepting_after_sign_in(request, invitation) -> bool:
    """Whether this signed-in visitor pressed "Accept" on this invitation before signing in."""
    if not request.user.is_authenticated or request.session.get(ACCEPT_AFTER_SIGN_IN) != invitation.token:
        return False
    del request.session[ACCEPT_AFTER_SIGN_IN]
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The RSVP page: accept (sign up or log in first, then register) or decline."""
    invitation = get_object_or_404(Invitation.objects.select_related("session"), token=token)
    with translation.override(invitation.language):
        if request.method == "GET":
            if _accepting_after_sign_in(request, invitation):
                return _accept(request, invitation)
            return _landing(request, invitation)
        action = request.POST.get("action")
        if action == "decline":
            try:
                services.decline_invitation(invitation=invitation)
            except services.InvitationError as error:
                return _landing(request, invitation, error=error.message, status=409)
            return _landing(request, invitation)
        if action != "accept":
            return _landing(request, invitation, error=_("Choose accept or decline."), status=400)
        if not request.user.is_authenticated:
            return _to_account(request, invitation)
        return _accept(request, invitation)
