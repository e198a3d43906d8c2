"""Prometheus metrics common to the services (each service runs in its own process)."""

from prometheus_client import Counter, Gauge, Histogram

PUBLISHED = Counter(
    "stegvis_stream_published_messages_total",
    "Entries added to a stream by an outbox relay.",
    ["stream"],
)
OUTBOX_BACKLOG = Gauge(
    "stegvis_outbox_backlog_messages",
    "Outbox rows not yet published, as of the relay's last pass.",
    ["stream"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "stegvis_outbox_oldest_message_age_seconds",
    "Age of the oldest outbox row not yet published, as of the relay's last pass.",
    ["stream"],
)
CONSUMED = Counter(
    "stegvis_stream_consumed_messages_total",
    "Entries processed and acknowledged (duplicates included).",
    ["stream", "group"],
)
DUPLICATES = Counter(
    "stegvis_stream_duplicate_messages_total",
    "Entries acknowledged without effect because their id was processed before.",
    ["stream", "group"],
)
RETRIED = Counter(
    "stegvis_stream_failed_deliveries_total",
    "Deliveries that failed and were left pending for a retry.",
    ["stream", "group", "reason"],
)
DEAD_LETTERED = Counter(
    "stegvis_stream_dead_lettered_messages_total",
    "Entries moved to the dead-letter stream after too many failed deliveries.",
    ["stream", "group"],
)
HANDLER_SECONDS = Histogram(
    "stegvis_stream_handler_duration_seconds",
    "Time to process one batch of entries, including its database transaction.",
    ["stream", "group"],
)
PENDING = Gauge(
    "stegvis_stream_pending_messages",
    "Entries delivered to the group and not yet acknowledged.",
    ["stream", "group"],
)
LAG = Gauge(
    "stegvis_stream_lag_messages",
    "Entries in the stream not yet delivered to the group.",
    ["stream", "group"],
)
DEAD_LETTERS = Gauge(
    "stegvis_stream_dead_letter_messages",
    "Entries waiting in the group's dead-letter stream.",
    ["stream", "group"],
)
