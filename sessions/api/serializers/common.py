"""What the sessions API's serializers share: times in a zone, people's names."""


def iso_in_zone(value, zone):
    """ISO 8601 in ``zone``, with its offset (None stays None)."""
    return value.astimezone(zone).isoformat() if value is not None else None


def person_name(first_name: str, last_name: str, email: str) -> str:
    """First and last name, or the email address when both are empty."""
    return f"{first_name} {last_name}".strip() or email


def officer_summary(row: dict) -> dict | None:
    """The officer of a sheet row read with ``officer_id``, ``officer__uuid`` and the user's names and email."""
    if row["officer_id"] is None:
        return None
    email = row["officer__user__email"]
    name = person_name(row["officer__user__first_name"], row["officer__user__last_name"], email)
    return {"uuid": str(row["officer__uuid"]), "name": name, "email": email}
