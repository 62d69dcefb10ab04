"""How the portal names a time zone to officers: by its city, not by its IANA id."""

from datetime import tzinfo

from django import template

register = template.Library()


@register.filter
def zone_city(zone: tzinfo | str | None) -> str:
    """The readable city of an IANA zone: "America/Argentina/Buenos_Aires" is "Buenos Aires".

    Officers know where a session is, not the tz database's spelling of it; a zone without a
    city part (UTC) keeps its own name.
    """
    if zone is None:
        return ""
    key = getattr(zone, "key", None) or str(zone)
    return key.rsplit("/", 1)[-1].replace("_", " ")
