"""Who may do what through the API: DRF permission classes over ``accounts.roles`` (the one home of roles)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.roles import NO_ROLE, Role, may_manage_session, role_annotations, role_of, sessions_trained_by

__all__ = ["NO_ROLE", "Role", "may_manage_session", "role_annotations", "role_of", "sessions_trained_by"]


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
