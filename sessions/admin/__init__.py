"""The trainers' back office (the Django admin, made ours), one module per noun.

Importing the package registers every admin: ``base`` (scoping by the sessions a trainer trains,
history, service errors as messages), ``topics`` (topics and trainers), ``sessions``, ``registrations``
(registrations and attendance), ``invitations``, ``surveys``, ``certificates`` (the issuer and signatory), ``dashboard`` (the home page) and
``calendar``; ``forms`` holds their forms.
"""

from sessions.admin import (  # noqa: F401 — registers them
    certificates,
    dashboard,
    invitations,
    knowledge_checks,
    nominations,
    registrations,
    sessions,
    surveys,
    topics,
)
