"""Who may do what through the API.

The caller's role is worked out once per request, in one query, and kept on the request:
Manager (superuser or group "Managers"), Trainer (staff with a trainer profile or in group
"Trainers"), Officer (a user with an officer profile). A user can hold several roles; the
broadest one decides what they see.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.models import User
from agencies.models import Agency, Officer
from sessions.models import SessionTrainer


@dataclass(frozen=True)
class Role:
    is_manager: bool = False
    is_trainer: bool = False
    trainer_id: int | None = None
    officer_id: int | None = None
    officer_agency_id: int | None = None
    officer_country_id: str | None = None

    @property
    def is_staff_role(self) -> bool:
        """Managers and trainers: they read every session and its registrations."""
        return self.is_manager or self.is_trainer

    @property
    def is_officer(self) -> bool:
        return self.officer_id is not None

    @classmethod
    def from_flags(
        cls,
        *,
        is_superuser: bool,
        is_staff: bool,
        in_managers: bool,
        in_trainers: bool,
        trainer_id: int | None,
        officer_id: int | None,
        officer_agency_id: int | None,
        officer_country_id: str | None,
    ) -> "Role":
        """The role from a user's flags, group memberships and profile keys (the one place of the rule)."""
        return cls(
            is_manager=is_superuser or in_managers,
            is_trainer=is_staff and (trainer_id is not None or in_trainers),
            trainer_id=trainer_id,
            officer_id=officer_id,
            officer_agency_id=officer_agency_id,
            officer_country_id=officer_country_id,
        )

    def officer_for_filtering(self) -> Officer:
        """An unsaved-looking Officer carrying just the keys the visibility selectors filter on."""
        return Officer(pk=self.officer_id, agency=Agency(pk=self.officer_agency_id, country_id=self.officer_country_id))


NO_ROLE = Role()


@cache
def role_annotations(user_ref: str = "pk") -> dict:
    """Group memberships as annotations, so the role comes with the query that loads the user
    (session-authenticated callers; token callers get theirs with the token, see
    ``trainingops.api.authentication``). Built once per reference: expressions are copied when resolved.
    """
    return {
        "in_managers": Exists(Group.objects.filter(name="Managers", user=OuterRef(user_ref))),
        "in_trainers": Exists(Group.objects.filter(name="Trainers", user=OuterRef(user_ref))),
    }


def role_of(request) -> Role:
    """The caller's role, computed once per request (one query, or none after token authentication)."""
    role = getattr(request, "_trainingops_role", None) or getattr(request.user, "_trainingops_role", None)
    if role is not None:
        request._trainingops_role = role
        return role
    user = request.user
    if not user or not user.is_authenticated:
        role = NO_ROLE
    else:
        row = (
            User.objects.filter(pk=user.pk)
            .annotate(**role_annotations())
            .values(
                "is_superuser",
                "is_staff",
                "in_managers",
                "in_trainers",
                "trainer__id",
                "officer__id",
                "officer__agency_id",
                "officer__agency__country_id",
            )
            .first()
        )
        if row is None:
            role = NO_ROLE
        else:
            role = Role.from_flags(
                is_superuser=row["is_superuser"],
                is_staff=row["is_staff"],
                in_managers=row["in_managers"],
                in_trainers=row["in_trainers"],
                trainer_id=row["trainer__id"],
                officer_id=row["officer__id"],
                officer_agency_id=row["officer__agency_id"],
                officer_country_id=row["officer__agency__country_id"],
            )
    request._trainingops_role = role
    return role


def trains_session(role: Role, session_id: int) -> bool:
    """Whether the caller is one of the session's trainers."""
    if role.trainer_id is None:
        return False
    return SessionTrainer.objects.filter(session_id=session_id, trainer_id=role.trainer_id).exists()


def sessions_trained_by_role(role: Role):
    """Ids of the sessions the caller trains, as a subquery (no join that could repeat rows)."""
    return SessionTrainer.objects.filter(trainer_id=role.trainer_id).values("session_id")


def may_manage_session(role: Role, session_id: int) -> bool:
    """Managers change any session; trainers only those they teach."""
    return role.is_manager or (role.is_trainer and trains_session(role, session_id))


class IsManager(BasePermission):
    message = _("Only managers may do this.")

    def has_permission(self, request, view):
        return role_of(request).is_manager


class IsStaffRole(BasePermission):
    """Managers and trainers."""

    message = _("Only managers and trainers may do this.")

    def has_permission(self, request, view):
        return role_of(request).is_staff_role


class IsOfficer(BasePermission):
    message = _("Only officers may do this.")

    def has_permission(self, request, view):
        return role_of(request).is_officer


class HasAnyRole(BasePermission):
    """Authenticated users with no role at all (e.g. an officer profile not yet created) see nothing."""

    message = _("Your account has no role in the training program yet.")

    def has_permission(self, request, view):
        role = role_of(request)
        return role.is_staff_role or role.is_officer
