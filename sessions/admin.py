from sessions import admin_invitations  # noqa: E402,F401 — invitation and survey admins register themselves
