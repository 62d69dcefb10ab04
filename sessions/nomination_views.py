"""The portal's nomination form: a focal point nominates officers of their agency for a session."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import focal_point_agency_id
from agencies.models import Officer
from sessions import selectors, services
from sessions.models import Nomination, Registration
from sessions.services.invitations import parse_pasted_addresses
from trainingops.text_search import Folded, matches_every_word

MAX_PASTED = 200
# Officers listed at once: an agency may have thousands, the focal point searches for the others.
MAX_SHOWN = 20


class OfficerSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search your agency's officers by name or email"), max_length=100, required=False
    )


class NominationForm(forms.Form):
    officers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Officers of your agency"),
        queryset=Officer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    addresses = forms.CharField(
        label=gettext_lazy("Or paste email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "People without an account yet: each is invited to sign up; their seat is held until the nomination deadline."
        ),
    )

    def __init__(self, *args, officers, shown, **kwargs):
        """``officers``: every officer who may be nominated (what a posted choice is checked against);
        ``shown``: the few listed as checkboxes (the search's matches and those already ticked)."""
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = officers
        self.fields["officers"].widget.choices = [(officer.pk, _officer_label(officer)) for officer in shown]

    def clean_addresses(self):
        pieces = parse_pasted_addresses(self.cleaned_data["addresses"])
        if len(pieces) > MAX_PASTED:
            raise ValidationError(_("At most %(count)d addresses at once.") % {"count": MAX_PASTED}, code="too_many")
        emails = []
        for piece in pieces:
            try:
                validate_email(piece.email)
            except ValidationError:
                raise ValidationError(
                    _("“%(address)s” is not an email address.") % {"address": piece.text}, code="invalid"
                ) from None
            emails.append(piece.email)
        return list(dict.fromkeys(emails))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("officers") and not cleaned.get("addresses"):
            raise ValidationError(_("Choose at least one officer or enter an email address."), code="empty")
        return cleaned


def _officer_label(officer) -> str:
    name = officer.user.get_full_name()
    return f"{name} <{officer.user.email}>" if name else officer.user.email


def _officers_to_show(officers, query: str, ticked: list[str]) -> tuple[list, bool]:
    """The first ``MAX_SHOWN`` officers matching every word of the query (accents and case aside),
    after those already ticked in a refused form, and whether more match."""
    ticked_ids = [int(pk) for pk in ticked[:MAX_PASTED] if pk.isdigit() and len(pk) < 10]
    ticked_officers = list(officers.filter(pk__in=ticked_ids)) if ticked_ids else []
    matching = officers.exclude(pk__in=[officer.pk for officer in ticked_officers])
    if query:
        searchable = Concat(
            "user__first_name", Value(" "), "user__last_name", Value(" "), "user__email", output_field=CharField()
        )
        matching = matching.annotate(searchable=Folded(searchable)).filter(matches_every_word("searchable", query))
    found = list(matching[: MAX_SHOWN + 1])
    return ticked_officers + found[:MAX_SHOWN], len(found) > MAX_SHOWN


def _nominable_officers(session, agency_id):
    """Verified officers of the agency not yet nominated for or registered in the session."""
    taken = Nomination.objects.filter(session=session, status__in=Nomination.ACTIVE, officer__isnull=False)
    registered = Registration.objects.filter(session=session).exclude(status=Registration.Status.CANCELLED)
    return (
        Officer.objects.filter(agency_id=agency_id, verification_status=Officer.Verification.VERIFIED)
        .exclude(pk__in=taken.values("officer_id"))
        .exclude(pk__in=registered.filter(officer__isnull=False).values("officer_id"))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


@login_required
def nominate(request, pk: int):
    """GET: the form; POST: nominate through the service (all or none), then back to the agency page."""
    agency_id = focal_point_agency_id(request.user)
    if agency_id is None:
        raise PermissionDenied
    officer = Officer.objects.select_related("agency__country", "user").get(user=request.user)
    session = get_object_or_404(selectors.nomination_sessions_for(officer), pk=pk)
    officers = _nominable_officers(session, agency_id)
    search = OfficerSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    ticked = request.POST.getlist("officers") if request.method == "POST" else []
    shown, more = _officers_to_show(officers, query, ticked)
    form = NominationForm(request.POST if request.method == "POST" else None, officers=officers, shown=shown)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                nominations = services.nominate(
                    session=session,
                    officers=list(form.cleaned_data["officers"]),
                    emails=form.cleaned_data["addresses"],
                    language=request.LANGUAGE_CODE,
                    by=request.user,
                )
            except services.NominationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(count)d nomination(s) recorded for “%(session)s”.")
                    % {"count": len(nominations), "session": session.title},
                )
                return redirect("agencies:agency")
        status = 400
    quota = selectors.quota_uses(session).get(agency_id)
    context = {
        "session": session,
        "form": form,
        "search": search,
        "query": query,
        "more": more,
        "shown": len(shown),
        "quota": quota,
        "seats_left": selectors.seats_left(session, agency_id=agency_id),
        "nominations": Nomination.objects.filter(session=session, agency_id=agency_id, status__in=Nomination.ACTIVE)
        .select_related("officer__user")
        .order_by("created_at", "id"),
    }
    return render(request, "portal/nominate.html", context, status=status)
