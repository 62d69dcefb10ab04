"""The two staff roles, Managers and Trainers, as groups with their permissions.

``sync_role_groups`` is run by the ``accounts`` data migration (with the migration's app
registry) and by tests that flush the database. It only adds: running it again, or after
someone granted a group more by hand, changes nothing that exists. A later migration that
adds models to our apps can call it again to grant their permissions.
"""

from django.contrib.auth.management import create_permissions

MANAGERS = "Managers"
TRAINERS = "Trainers"

# Managers: everything in our apps and in the periodic-task schedules, plus user and group
# management short of deleting users (people are erased through their own flow).
MANAGER_APPS = ("agencies", "training", "messaging", "django_celery_beat")
MANAGER_EXTRA_PERMISSIONS = {
    "accounts": ["add_user", "view_user", "change_user"],
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
    ],
    "messaging": ["view_outboundmessage"],
    # To pick a session's country, host agency and audience.
    "agencies": ["view_country", "view_agency"],
}


def is_manager(user) -> bool:
    """Whether a staff user works on every session (superusers and the Managers group).

    Cached on the user object: the admin asks several times per request.
    """
    if not hasattr(user, "_is_manager"):
        user._is_manager = user.is_active and (user.is_superuser or user.groups.filter(name=MANAGERS).exists())
    return user._is_manager


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
        user._has_confirmed_email = _confirmed_addresses(user).exists()
    return user._has_confirmed_email


def _confirmed_addresses(user):
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)


def has_confirmed_email_expression(user):
    """``has_confirmed_email`` as an SQL condition, to fold into a query that runs anyway."""
    from django.db.models import Exists, Value

    if hasattr(user, "_has_confirmed_email"):
        return Value(user._has_confirmed_email)
    if user is None or not getattr(user, "is_authenticated", False) or not user.email:
        return Value(False)
    return Exists(_confirmed_addresses(user))


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
