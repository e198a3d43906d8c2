"""Logs as one JSON object per line, so that a log store can filter them by field; above all
`event_id`, which follows one intake event through intake, outcomes and reporting (a
consumer's line about a batch names its events in `event_ids`)."""

import logging
import time
from collections.abc import Sequence

import msgspec

TRACE_FIELDS = ("event_id", "event_type", "position", "event_ids", "positions")
"""Fields a log call may pass in `extra` that the JSON line carries."""


def trace(event_id: str, event_type: str, position: int | None = None) -> dict[str, object]:
    """`extra` of a log line about one event (or the change an event caused)."""
    return {"event_id": event_id, "event_type": event_type, "position": position}


def batch_trace(traced: Sequence[tuple[str, int]]) -> dict[str, object]:
    """`extra` of a log line about a non-empty batch of (event id, position): every id, in
    order, and the first and last position. One line a batch, not one an event: a
    consumer's line per event cost it about a tenth of its CPU."""
    positions = [position for _, position in traced]
    return {
        "event_ids": [event_id for event_id, _ in traced],
        "positions": [min(positions), max(positions)],
    }


_ENCODER = msgspec.json.Encoder(enc_hook=str)
"""The line's JSON (UTF-8, non-ASCII kept as it is): `json`'s encoder builds its C encoder
anew every call, a third of a line's formatting."""


class JsonLines(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service
        self._second = -1
        self._second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self._time(record),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in TRACE_FIELDS:
            if (value := getattr(record, name, None)) is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(line).decode()

    def _time(self, record: logging.LogRecord) -> str:
        """ISO 8601 in UTC to the millisecond, e.g. `2026-12-06T19:35:30.123+00:00`. The text
        up to the second is made once a second: through `datetime` it was the costliest part
        of a line."""
        second = int(record.created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int(record.msecs):03d}+00:00"


def configure_logging(service: str, log_format: str, level: str) -> None:
    # A line per event accepted, a line per batch consumed: skip what no line of ours
    # shows (the logging HOWTO's "Optimization": the caller's file and line, thread and
    # process).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonLines(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # One line per alembic plugin at every start says nothing an operator needs.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
