"""Swedish time, in which a förbund's days and months begin and end (tzdata ships the zone,
so an image without the system's zone files still closes months at Swedish midnight)."""

from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Stockholm")
