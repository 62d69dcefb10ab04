"""Receivers of allauth's own signals: an address confirmed, made primary or proven at sign-up re-checks the
affiliation and claims the walk-ins a trainer recorded under that address (``sessions.services.claim_walk_ins``)."""

from allauth.account.signals import email_changed, email_confirmed, user_signed_up
from django.dispatch import receiver

from agencies.services import reassess_affiliation
from sessions.services import claim_walk_ins


@receiver(email_confirmed, dispatch_uid="agencies-email-confirmed")
def affiliation_after_confirmation(sender, request, email_address, **kwargs):
    if email_address.user.email.lower() == email_address.email.lower():
        reassess_affiliation(user=email_address.user)
        claim_walk_ins(user=email_address.user)


@receiver(email_changed, dispatch_uid="agencies-email-changed")
def affiliation_after_change(sender, request, user, from_email_address, to_email_address, **kwargs):
    reassess_affiliation(user=user)
    claim_walk_ins(user=user)


@receiver(user_signed_up, dispatch_uid="agencies-user-signed-up")
def affiliation_after_sign_up(sender, request, user, **kwargs):
    # An address proven at sign-up (the invitee followed their personal link) is already confirmed.
    reassess_affiliation(user=user)
    claim_walk_ins(user=user)
