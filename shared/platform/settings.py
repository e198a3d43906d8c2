"""Configuration from the environment (`STEGVIS_*`), read once at start-up."""

import socket
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.contract.codes import FOLLOWUP_MONTHS, OutcomeClass, OutcomePolicy, Reason
from shared.contract.kommuner import KOMMUNER

MIN_ADMIN_TOKEN_LENGTH = 16
_PLACEHOLDER_WORDS = (
    "changeme",
    "change-me",
    "change_me",
    "example",
    "placeholder",
    "documentation",
)
"""Words of tokens copied from documentation or templates rather than generated."""


def _kommun_codes(value: object) -> object:
    if isinstance(value, str):
        value = [code.strip() for code in value.split(",") if code.strip()]
    if not isinstance(value, list | tuple):
        return value  # the field's type refuses it
    codes = tuple(value)
    if unknown := [str(code) for code in codes if code not in KOMMUNER]:
        raise ValueError(f"not SCB kommun codes: {', '.join(unknown)}")
    return codes


def _followup_months(value: object) -> object:
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple):
        return value  # the field's type refuses it
    months = sorted({int(month) for month in value})
    if unknown := [str(month) for month in months if month not in FOLLOWUP_MONTHS]:
        raise ValueError(
            f"not months a follow-up is made at ({', '.join(map(str, FOLLOWUP_MONTHS))}): "
            + ", ".join(unknown)
        )
    return tuple(months)


EMBEDDED_REDIS_SOCKET = Path("redis") / "redis.sock"
"""Where, in the data dir, the embedded Redis of `stegvis up` listens."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEGVIS_", extra="ignore")

    data_dir: Path = Path("./var")
    admin_token: SecretStr | None = None
    database_url: str | None = None
    """Any SQLAlchemy URL or a plain `postgresql://…`; unset: a SQLite file in `data_dir`."""
    redis_url: str | None = None
    host: str = "127.0.0.1"
    intake_port: int = 8000
    reporting_port: int = 8001
    outcomes_port: int = 8002
    intake_url: str | None = None
    """Where browsers reach intake's pages (the forms, the admin pages), for the links of
    the other service's pages; unset: the page's own host on `intake_port`. Behind a proxy
    that serves both on one address it may be a path (`STEGVIS_INTAKE_URL=`, empty)."""
    reporting_url: str | None = None
    """Where browsers reach the report pages, as `intake_url` (e.g. `/` behind a proxy)."""

    stream_prefix: str = "stegvis"
    """Prefix of every stream name, so that several systems (or test runs) share one Redis."""
    consumer_name: str = Field(default_factory=socket.gethostname)
    """Stable per replica: pending entries of a restarted consumer stay its own."""
    batch_size: int = Field(default=300, ge=1, le=10_000)
    """Entries a consumer reads and applies in one transaction, at most. Larger batches cost
    less per entry (a batch's statements and commit cost about the same whatever its size),
    but a consumer's peak memory is its batch's objects on top of what it keeps: reaching its
    plateau only after some 50,000 entries, at 500 it grew 3–9% from 10k to 200k events
    (reporting's; the bound is 5%), at 300 at most 4%."""
    read_linger_ms: int = Field(default=50, ge=0, le=1_000)
    """How long a consumer waits after a batch smaller than `batch_size` before it reads
    again, so the next batch gathers what arrives meanwhile: under a steady trickle a reader
    that read at once took a few entries a transaction, each paying the transaction's fixed
    cost. Adds at most this to an entry's way through; 0 reads again at once."""
    claim_idle_ms: int = Field(default=10_000, ge=100)
    """A delivered entry left unacknowledged this long is claimed and retried."""
    max_deliveries: int = Field(default=5, ge=1)
    """After this many failed deliveries an entry goes to the dead-letter stream."""

    log_format: Literal["json", "text"] = "json"
    """`json`: one object per line, with `event_id` where a line concerns one event."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    max_request_bytes: int = Field(default=64 * 1024, ge=1024)
    """A request body larger than this is refused (413), unread when its Content-Length
    says so."""

    session_hours: float = Field(default=8, gt=0, le=24 * 7)
    """How long a login lasts."""
    login_max_failures: int = Field(default=5, ge=1)
    """Failed logins allowed per username within `login_window_minutes`; more are refused
    (429) until the oldest leaves the window. A client address may fail 10× that; past it
    its attempts are verified one at a time and only wrong ones refused (429)."""
    login_window_minutes: float = Field(default=15, gt=0)
    token_max_days: int = Field(default=365, ge=1, le=3650)
    """The longest lifetime an API token may be issued with (`expires_in_days`; more: 422)."""
    trusted_proxies: list[str] = []
    """Addresses or networks (JSON list, e.g. `["10.0.0.2", "10.1.0.0/16"]`) of reverse
    proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. Empty: the connecting
    peer is the client, and those headers are ignored (anyone can send them)."""

    delar_end_month: int = Field(default=8, ge=1, le=11)
    month_close_days: int = Field(default=5, ge=0, le=60)
    """A month closes this many days after its last day (Swedish time): what intake accepted
    until then is the month as closed, anything later restates it. Changing it needs
    `stegvis rebuild`."""
    suppression_threshold: int = Field(default=5, ge=2, le=100)
    """Published exports (`suppress=true`) hide counts from 1 to one below this."""
    member_kommuner: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_kommun_codes)] = ()
    """The förbund's member kommuner (`0180,0184`: SCB codes, comma-separated), offered
    first in the start form; empty: every kommun, by name."""
    followups: Annotated[tuple[int, ...], NoDecode, BeforeValidator(_followup_months)] = (6,)
    """The follow-ups after the stop the förbund makes, in months (`3,6,12`): the caseload
    lists them as due and the reports count them."""
    followup_window_days: tuple[int, int] = (14, 60)
    """*Att följa upp* lists a follow-up from this many days before its due date until this
    many days after (JSON, e.g. `[14, 60]`)."""
    outcome_classes: dict[Reason, OutcomeClass] = {}
    """Overrides of the default class per avslutsanledning, as JSON."""
    bands: dict[str, list[int]] = {}
    """The förbund's bands of reporting's banded breakdowns, as JSON: breakdown name → lower
    edges (e.g. `{"age_band": [15, 30, 45, 65]}`); checked when reporting starts."""

    def outcome_policy(self) -> OutcomePolicy:
        return OutcomePolicy(classes=self.outcome_classes)

    def service_database_url(self, service: str) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / f'{service}.db'}"

    def required_admin_token(self) -> str:
        token = self.admin_token.get_secret_value() if self.admin_token else ""
        if len(token) < MIN_ADMIN_TOKEN_LENGTH:
            raise SystemExit(
                f"STEGVIS_ADMIN_TOKEN must be set to a secret of at least "
                f"{MIN_ADMIN_TOKEN_LENGTH} characters"
            )
        if len(set(token)) < 8 or any(word in token.lower() for word in _PLACEHOLDER_WORDS):
            raise SystemExit(
                "STEGVIS_ADMIN_TOKEN looks like a placeholder, not a secret: "
                "generate one, e.g. with `openssl rand -hex 24`"
            )
        return token

    def reachable_redis_url(self) -> str:
        """`STEGVIS_REDIS_URL`, else the embedded Redis of the `stegvis up` running on the
        data dir (for a command run beside it)."""
        socket_file = self.data_dir / EMBEDDED_REDIS_SOCKET
        if not self.redis_url and socket_file.exists():
            return f"unix://{socket_file.resolve()}"
        return self.required_redis_url()

    def required_redis_url(self) -> str:
        if not self.redis_url:
            raise SystemExit(
                "STEGVIS_REDIS_URL must be set (or use `stegvis up`, which embeds Redis)"
            )
        return self.redis_url
