"""Reporting's tables (created by `migrations/`, which must match these definitions)."""

from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from shared.contract.access import access_tables
from shared.platform.projection import Bookkeeping, meta_columns, processed_columns

SERVICE = "reporting"
"""The service whose tables these are (its schema's migration history is its own)."""
REVISIONS_DIR = Path(__file__).parents[1] / "migrations"

metadata = MetaData()

meta = Table(
    "reporting_meta",
    metadata,
    *meta_columns(
        Column("processed_position", BigInteger, nullable=False),
        Column("processed_occurred_at", DateTime(timezone=True), nullable=True),
    ),
)

processed = Table("reporting_processed", metadata, *processed_columns("change_id"))


_CELL_KEY = {
    "insats_id": String(64),
    "month": String(7),
    "gender": String(8),
    "figure": String(128),
    "code": String(160),
    "known_by": String(7),
}
"""A `contributions.Cell`'s columns and their types, in its order."""


def _cell_columns(key_name: str, key: tuple[str, ...] = tuple(_CELL_KEY)) -> list:
    """A table of `contributions.Cell` values, or of their sums by some of their columns
    (`key`); new column objects for each table."""
    return [
        *(Column(name, _CELL_KEY[name], nullable=False) for name in key),
        Column("value", Double, nullable=False),
        PrimaryKeyConstraint(*key, name=key_name),
    ]


monthly = Table(
    "reporting_monthly",
    metadata,
    *_cell_columns("reporting_monthly_dated_pkey"),
    # A few figures over many months (opening stock, monthly charts), in any scope.
    Index("reporting_monthly_by_figure", "figure", "insats_id", "month"),
    # A period's months of every insats (the whole förbund's reports), and its first month.
    Index("reporting_monthly_by_month", "month"),
    # Room on each page for a row's next version, as `forbund` (`reporting_0015_monthly_room`).
    postgresql_with={"fillfactor": 70},
)
"""Each figure by the month whose closing first counted it (`known_by`): summing the cells
known by a month gives the figures as that month closed."""

yearly = Table(
    "reporting_yearly",
    metadata,
    Column("insats_id", String(64), nullable=False),
    Column("year", String(4), nullable=False),
    Column("gender", String(8), nullable=False),
    Column("figure", String(128), nullable=False),
    Column("value", Double, nullable=False),
    PrimaryKeyConstraint("insats_id", "year", "gender", "figure"),
)
"""The trend's figures (`reports.FIGURE_SOURCES`, uncoded) of `monthly` summed by year,
whatever their `known_by`: written with `monthly`, so the whole förbund's trend sums a few
hundred rows, not every month's cells."""

forbund = Table(
    "reporting_forbund",
    metadata,
    *_cell_columns("reporting_forbund_pkey", tuple(_CELL_KEY)[1:]),
    # The opening stock's figures over many months (the key finds a period's months).
    Index("reporting_forbund_by_figure", "figure", "month"),
    # Room on each page for a row's next version: every batch updates some of the same few
    # rows, in place (HOT) only where their page has room; the migration's fill packs them.
    postgresql_with={"fillfactor": 50},
)
"""`monthly` summed over the insatser (every cell but its `insats_id`): written with
`monthly`, so the whole förbund's reports sum a fifth of the cells."""

retained = Table("reporting_retained", metadata, *_cell_columns("reporting_retained_pkey"))
"""What erased participants add to `monthly`, anonymous (cells, no code, no day): their
events are gone from intake's log, so `reset` keeps these and starts `monthly` from them,
and a rebuild's figures equal the ones before."""

targets = Table(
    "reporting_targets",
    metadata,
    Column("insats_id", String(64), nullable=False),
    Column("share", String(64), nullable=False),
    Column("percent", Integer, nullable=False),
    PrimaryKeyConstraint("insats_id", "share"),
)
"""The förbund's targets per insats, a share of `reports.SHARES` in whole percent (set by
its admins, not derived from events: `reset` keeps them)."""

budgets = Table(
    "reporting_budgets",
    metadata,
    Column("insats_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("budget", BigInteger, nullable=False),
    PrimaryKeyConstraint("insats_id", "year"),
)
"""An insats's budget per year in whole kronor (set by the förbund's admins, kept by `reset`,
as are the financiers, costs and goals below)."""

budget_financiers = Table(
    "reporting_budget_financiers",
    metadata,
    Column("insats_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("financier", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    PrimaryKeyConstraint("insats_id", "year", "financier"),
)
"""Who pays how much of a budget (replaced with it)."""

costs = Table(
    "reporting_costs",
    metadata,
    Column("insats_id", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("known_by", String(7), nullable=False),
    Column("amount", BigInteger, nullable=False),
    PrimaryKeyConstraint("insats_id", "month", "known_by", name="reporting_costs_dated_pkey"),
)
"""An insats's utfall per month (`YYYY-MM`) in whole kronor, as set before each closing:
`known_by` the first month whose closing knew the amount (`domain/closing.py`), the latest
set by then. The month's cost now is its latest `known_by`'s; as a period closed, the latest
by its last month's."""

goals = Table(
    "reporting_goals",
    metadata,
    Column("insats_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("goal", Text, nullable=False),
    PrimaryKeyConstraint("insats_id", "position"),
)
"""An insats's goals in the order given, each as its JSON (`domain/goals.py`)."""

insatser = Table(
    "reporting_insatser",
    metadata,
    Column("insats_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("registration", String(16), nullable=False),
    Column("position", BigInteger, nullable=False),
)

access = access_tables(metadata, "reporting_access")
"""Intake's users and credentials, as its access stream tells them (not a projection of the
event log: `reset` keeps them)."""

page_sessions = Table(
    "reporting_page_sessions",
    metadata,
    Column("secret_hash", String(64), primary_key=True),
    Column("credential_id", String(32), nullable=True),
    Column("admin_token_hash", String(64), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
"""Logins at the pages: each lasts while it is neither expired nor revoked (logout), and the
secret it was made with (an intake credential, by `credential_id`, or the admin token, by
`admin_token_hash`) still admits its holder. Kept by `reset`."""

bookkeeping = Bookkeeping(meta, processed, derived=(monthly, yearly, forbund, insatser))
"""The generation and processed change ids; `reset` also throws away the figures and the
insatser (targets, accounts and page sessions are configuration, kept; so are the erased
participants' contributions, `retained`)."""
