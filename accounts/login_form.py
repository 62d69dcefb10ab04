"""The portal's login form (ACCOUNT_FORMS["login"]).

Kept apart from ``accounts.forms``: allauth's form module imports the sign-up form class from
there while it loads, so that module must not import allauth's forms in turn.
"""

from allauth.account.forms import LoginForm


class PrefilledLoginForm(LoginForm):
    """allauth's login form, with the address filled in when a link brings one (``?email=``).

    An invitation's "Accept" sends an invitee who already has an account here with their
    invited address, as sign-up does for a newcomer (allauth's sign-up reads it on its own).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.request.GET.get("email", "").strip() if self.request is not None else ""
        if not self.is_bound and email:
            self.fields["login"].initial = email
