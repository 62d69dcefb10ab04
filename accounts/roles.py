"""The two staff roles, Managers and Trainers, as groups with their permissions.

``sync_role_groups`` is run by the ``accounts`` data migration (with the migration's app
registry) and by tests that flush the database. It only adds: running it again, or after
someone granted a group more by hand, changes nothing that exists. A later migration that
adds models to our apps can call it again to grant their permissions.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.db.models import Exists, F, OuterRef, Q

MANAGERS = "Managers"
TRAINERS = "Trainers"

# Managers: everything in our apps, plus user and group management short of deleting users (people
# are erased through their own flow). Celery beat's schedules are the superusers' alone
# (``accounts.admin.SuperusersOnlyAdminMixin``): no group holds their permissions.
MANAGER_APPS = ("agencies", "training", "messaging")
SUPERUSER_ONLY_APPS = ("django_celery_beat",)
MANAGER_EXTRA_PERMISSIONS = {
    "accounts": [
        "add_user",
        "view_user",
        "change_user",
        # The privacy notice: publishing a new version is adding one; versions are never changed.
        "add_privacynotice",
        "view_privacynotice",
        "view_historicalprivacynotice",
        "view_privacyconsent",
    ],
    "auth": ["view_group", "change_group"],
}

# Trainers schedule and run their sessions (scoped to their own in the admin); they read the rest.
TRAINER_PERMISSIONS = {
    "training": [
        "view_trainingsession",
        "add_trainingsession",
        "change_trainingsession",
        "view_sessiontrainer",
        "add_sessiontrainer",
        "change_sessiontrainer",
        "delete_sessiontrainer",
        "view_registration",
        "add_registration",
        "change_registration",
        "view_attendance",
        "add_attendance",
        "change_attendance",
        "view_topic",
        "view_trainer",
        "view_invitation",
        "add_invitation",
        "change_invitation",
        "view_survey",
        "view_surveyresponse",
        "view_historicaltrainingsession",
        "view_historicalregistration",
        "view_historicalattendance",
        # Seats reserved per agency, in the session form; nominations read (managers decide).
        "view_sessionquota",
        "add_sessionquota",
        "change_sessionquota",
        "delete_sessionquota",
        "view_nomination",
        # A session's days, in the session form, and attendance per day (the roll call).
        "view_sessionday",
        "add_sessionday",
        "change_sessionday",
        "delete_sessionday",
        "view_dayattendance",
        "add_dayattendance",
        "change_dayattendance",
        "view_historicaldayattendance",
        # Knowledge checks: the topics' question bank and their sessions' pre- and post-tests.
        "view_question",
        "add_question",
        "change_question",
        "view_questionoption",
        "add_questionoption",
        "change_questionoption",
        "delete_questionoption",
        "view_knowledgecheck",
        "add_knowledgecheck",
        "change_knowledgecheck",
        "view_knowledgecheckattempt",
        "view_historicalquestion",
        "view_historicalknowledgecheck",
        # The check-ins of their sessions (scans, searches, self check-ins), read in the API.
        "view_checkin",
    ],
    "messaging": ["view_outboundmessage"],
    # To pick a session's country, host agency and audience.
    "agencies": ["view_country", "view_agency"],
}


def is_manager(user) -> bool:
    """Whether a staff user works on every session (superusers and the Managers group).

    Read from the user's role (``role_of_user``: one query, cached on the user object), so a request
    that asks both this and ``role_of`` — the back office's navigation asks this on every page —
    looks the role up once.
    """
    return user.is_active and role_of_user(user).is_manager


def _named_permissions(Permission, by_app: dict[str, list[str]]) -> list:
    found = []
    for app_label, codenames in by_app.items():
        found += Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    return found


def sync_role_groups(apps) -> None:
    """Create the Managers and Trainers groups and grant them their permissions.

    Inside a migration the permissions do not exist yet (they are created after the last
    migration), so they are created first for every installed app.
    """
    for app_config in apps.get_app_configs():
        # create_permissions skips app configs without a models module, as migration stubs are.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    managers.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=MANAGER_APPS),
        *_named_permissions(Permission, MANAGER_EXTRA_PERMISSIONS),
    )
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    trainers.permissions.add(*_named_permissions(Permission, TRAINER_PERMISSIONS))


def withdraw_superuser_only_permissions(apps) -> None:
    """Take the permissions of ``SUPERUSER_ONLY_APPS`` back from the role groups (granted by earlier
    versions of ``sync_role_groups``); a permission granted to one person by hand stays theirs."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    withheld = Permission.objects.filter(content_type__app_label__in=SUPERUSER_ONLY_APPS)
    for group in Group.objects.filter(name__in=[MANAGERS, TRAINERS]):
        group.permissions.remove(*withheld)


def has_confirmed_email(user) -> bool:
    """Whether the user's current address was confirmed through allauth's link.

    The one check before anything that trusts the address: an affiliation proven by its domain,
    an API token, a seat, a meeting link, a calendar file or a certificate. An address changed
    later (in the admin, or made primary) counts only once it is confirmed in turn. Cached on
    the user object like ``is_manager``.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.email:
        return False
    if not hasattr(user, "_has_confirmed_email"):
        user._has_confirmed_email = _confirmed_addresses(user_id=user.pk, email=user.email).exists()
    return user._has_confirmed_email


def _confirmed_addresses(*, user_id: int, email: str):
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user_id=user_id, email__iexact=email, verified=True)


def has_confirmed_email_expression(*, user_id: int, email: str):
    """``has_confirmed_email`` of the user with this id and current address, as an SQL condition to fold
    into a query that runs anyway (built from keys, so that it can be precompiled)."""
    from django.db.models import Exists, Value

    if not email:
        return Value(False)
    return Exists(_confirmed_addresses(user_id=user_id, email=email))


def confirmed_email_condition(user_path: str):
    """``has_confirmed_email`` as an SQL condition on a related user (e.g. ``"officer__user"``), for lists.

    Annotate a queryset with it and hand the value to ``remember_confirmed_email``: one query for
    the whole list instead of one per person.
    """
    from allauth.account.models import EmailAddress
    from django.db.models import Exists, OuterRef

    return Exists(
        EmailAddress.objects.filter(
            user=OuterRef(user_path), email__iexact=OuterRef(f"{user_path}__email"), verified=True
        )
    )


def remember_confirmed_email(user, confirmed: bool) -> None:
    """Seed ``has_confirmed_email``'s cache with a value read by ``confirmed_email_condition``."""
    user._has_confirmed_email = confirmed


# --- The role of a request: API, back office and portal ask here ------------------------------
# Manager: superuser or group "Managers". Trainer: staff with a trainer profile or in group
# "Trainers". Officer: a user with an officer profile. A user can hold several roles.


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

    def officer_for_filtering(self):
        """An unsaved-looking Officer carrying just the keys the visibility selectors filter on."""
        from agencies.models import Agency, Officer

        return Officer(pk=self.officer_id, agency=Agency(pk=self.officer_agency_id, country_id=self.officer_country_id))


NO_ROLE = Role()


@cache
def role_annotations(user_ref: str = "pk") -> dict:
    """Group memberships as annotations, so the role comes with the query that loads the user
    (session-authenticated callers; token callers get theirs with the token, see
    ``trainingops.api.authentication``). Built once per reference: expressions are copied when resolved.
    """
    return {
        "in_managers": Exists(Group.objects.filter(name=MANAGERS, user=OuterRef(user_ref))),
        "in_trainers": Exists(Group.objects.filter(name=TRAINERS, user=OuterRef(user_ref))),
    }


@cache
def role_fields(user: str = "") -> dict:
    """Annotations carrying the role of the user at ``user`` (a path from the queried model; "" for
    the user itself): group memberships and profile keys, read by ``role_from_fields``. Session
    callers get theirs with a query of their own (``role_of_user``), token callers with the token
    (``trainingops.api.authentication``). Built once per path: expressions are copied when resolved.
    """
    prefix = f"{user}__" if user else ""
    return {
        **role_annotations(user or "pk"),
        "role_trainer_id": F(f"{prefix}trainer__id"),
        "role_officer_id": F(f"{prefix}officer__id"),
        "role_agency_id": F(f"{prefix}officer__agency_id"),
        "role_country_id": F(f"{prefix}officer__agency__country_id"),
    }


def role_from_fields(user, row) -> Role:
    """The role of ``user`` from ``row``, an instance annotated with ``role_fields``."""
    return Role.from_flags(
        is_superuser=user.is_superuser,
        is_staff=user.is_staff,
        in_managers=bool(row.in_managers),
        in_trainers=bool(row.in_trainers),
        trainer_id=row.role_trainer_id,
        officer_id=row.role_officer_id,
        officer_agency_id=row.role_agency_id,
        officer_country_id=row.role_country_id,
    )


def role_of_user(user) -> Role:
    """A user's role, in one query; cached on the user object (a token's user arrives with it)."""
    if not user or not user.is_authenticated:
        return NO_ROLE
    cached = getattr(user, "_trainingops_role", None)
    if cached is not None:
        return cached
    from accounts.models import User

    row = User.objects.filter(pk=user.pk).only("is_superuser", "is_staff").annotate(**role_fields()).first()
    user._trainingops_role = NO_ROLE if row is None else role_from_fields(row, row)
    return user._trainingops_role


def role_of(request) -> Role:
    """The caller's role, computed once per request (one query, or none after token authentication)."""
    role = getattr(request, "_trainingops_role", None)
    if role is None:
        role = request._trainingops_role = role_of_user(request.user)
    return role


def sessions_trained_by(who):
    """Ids of the sessions a role (or a user) trains, as a subquery (no join that could repeat rows)."""
    from sessions.models import SessionTrainer

    if isinstance(who, Role):
        return SessionTrainer.objects.filter(trainer_id=who.trainer_id).values("session_id")
    return SessionTrainer.objects.filter(trainer__user=who).values("session_id")


def may_manage_session(role: Role, session_id: int, *, request=None) -> bool:
    """Managers work on every session, trainers on those they teach: edit, invite, take attendance,
    and read its officers' personal data. With ``request``, the trained sessions are read once per
    request (the back office asks for every row of a page)."""
    if role.is_manager:
        return True
    if not role.is_trainer:
        return False
    if request is None:
        return sessions_trained_by(role).filter(session_id=session_id).exists()
    if not hasattr(request, "_sessions_trained"):
        request._sessions_trained = set(sessions_trained_by(role).values_list("session_id", flat=True))
    return session_id in request._sessions_trained


# --- Focal points: officers who coordinate their agency's training -----------------------------
# A focal point is still an officer for everything ``role_of`` decides; what they may do beyond that
# (their agency's page, officers and figures; deciding on officers who claim the agency) is asked
# here. The role holds while the term is open, the officer is verified and still of that agency.


def holding_focal_points():
    """Focal-point terms that give the role now (see the rule above)."""
    from agencies.models import FocalPoint, Officer

    return FocalPoint.objects.active().filter(
        officer__verification_status=Officer.Verification.VERIFIED, agency_id=F("officer__agency_id")
    )


def focal_point_condition(officer_ref: str = "pk"):
    """Whether an officer (a reference in an outer query) is a focal point, as an SQL condition
    (compiled once per reference: every portal page asks it of the viewer)."""
    from trainingops.precompiled import Precompiled

    return Precompiled(_focal_point_exists, officer_ref)


def _focal_point_exists(officer_ref: str):
    return Exists(holding_focal_points().filter(officer_id=OuterRef(officer_ref)))


def focal_point_agency_id(user) -> int | None:
    """The agency the user is a focal point of, or None (an officer belongs to one agency).

    Cached on the user object, like ``is_manager``; an officer loaded with the annotation
    ``is_focal_point`` (``focal_point_condition``) seeds it without a query.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_focal_point_agency_id"):
        officer = user._state.fields_cache.get("officer")
        if officer is not None and hasattr(officer, "is_focal_point"):
            user._focal_point_agency_id = officer.agency_id if officer.is_focal_point else None
        else:
            user._focal_point_agency_id = (
                holding_focal_points().filter(officer__user=user).values_list("agency_id", flat=True).first()
            )
    return user._focal_point_agency_id


def is_focal_point_of(user, agency_id: int | None) -> bool:
    return agency_id is not None and focal_point_agency_id(user) == agency_id


def may_see_agency(user, agency_id: int | None) -> bool:
    """Managers see every agency's officers and figures; a focal point sees their own agency's."""
    return is_manager(user) or is_focal_point_of(user, agency_id)


def may_decide_affiliation(user, officer) -> bool:
    """Who approves or rejects an officer's claimed agency: managers (and staff granted the officers'
    change permission in the back office), and that agency's focal points."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm("agencies.change_officer") or is_focal_point_of(user, officer.agency_id)


def may_request_training(user, agency_id: int | None) -> bool:
    """Managers request a training for any agency; a focal point for their own."""
    return may_see_agency(user, agency_id)


def visible_quota_condition(role: Role, user) -> Q | None:
    """Which seat quotas of a session a user may read, as a condition on ``SessionQuota``: staff (who
    set them) every agency's, a focal point their own agency's, anyone else none (None)."""
    if role.is_staff_role:
        return Q()
    agency_id = focal_point_agency_id(user)
    return Q(agency_id=agency_id) if agency_id is not None else None
