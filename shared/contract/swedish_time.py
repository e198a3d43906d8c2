"""Swedish time, in which a förbund's days and months begin and end (tzdata ships the zone,
so an image without the system's zone files still closes months at Swedish midnight)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Stockholm")


def today() -> date:
    """Today's date in Sweden."""
    return datetime.now(LOCAL_TIME).date()
