"""A registration's record and summary in one row: a batch reads each participant it touches
by one key and writes one row (two lookups and two upserts before). The summaries move into
`outcomes_participants` (a registration with events but no record gets a row whose record
is NULL), whose `insats_id` goes: it is the registration's prefix (`domain.registrations`).
The table keeps its `fillfactor` (`outcomes_0005_room`).

Revision ID: outcomes_0006_one_row
Revises: outcomes_0005_room
"""

import sqlalchemy as sa
from alembic import op

revision = "outcomes_0006_one_row"
down_revision = "outcomes_0005_room"
branch_labels = None
depends_on = None

_ROWS = "outcomes_participants"
_SUMMARIES = "outcomes_participant_summaries"


def upgrade() -> None:
    with op.batch_alter_table(_ROWS) as batch:
        batch.add_column(sa.Column("summary", sa.Text, nullable=True))
        batch.alter_column("record", existing_type=sa.Text, nullable=True)
        batch.drop_column("insats_id")
    # A record without a summary row (none is made so) keeps NULL: derived in full, once.
    op.execute(
        f"UPDATE {_ROWS} SET summary = ("
        f" SELECT s.summary FROM {_SUMMARIES} AS s WHERE s.registration = {_ROWS}.registration"
        ")"
    )
    op.execute(
        f"INSERT INTO {_ROWS} (registration, record, summary)"
        f" SELECT s.registration, NULL, s.summary FROM {_SUMMARIES} AS s"
        f" WHERE NOT EXISTS (SELECT 1 FROM {_ROWS} AS p WHERE p.registration = s.registration)"
    )
    op.drop_table(_SUMMARIES)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        _SUMMARIES,
        sa.Column("registration", sa.String(97), primary_key=True),
        sa.Column("summary", sa.Text, nullable=True),
        postgresql_with={"fillfactor": 60},  # as `outcomes_0005_room` left it
    )
    op.execute(
        f"INSERT INTO {_SUMMARIES} (registration, summary)"
        f" SELECT registration, summary FROM {_ROWS}"
    )
    op.execute(f"DELETE FROM {_ROWS} WHERE record IS NULL")
    insats = (
        "split_part(registration, '/', 1)"
        if postgresql
        else "substr(registration, 1, instr(registration, '/') - 1)"
    )
    with op.batch_alter_table(_ROWS) as batch:
        batch.add_column(sa.Column("insats_id", sa.String(64), nullable=True))
    op.execute(f"UPDATE {_ROWS} SET insats_id = {insats}")
    with op.batch_alter_table(_ROWS) as batch:
        batch.alter_column("insats_id", existing_type=sa.String(64), nullable=False)
        batch.alter_column("record", existing_type=sa.Text, nullable=False)
        batch.drop_column("summary")
