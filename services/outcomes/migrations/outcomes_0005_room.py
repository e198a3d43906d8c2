"""Room on each page of the records and summaries for a row's next version: every batch
updates the rows of the participants it touches, in place (HOT: no new index entry, and no
dead one for the next lookup to step over) only where their page has room. New pages are
filled to 60%; the pages there are get their room as their rows move, or at a rebuild
(TRUNCATE starts the tables anew).

Revision ID: outcomes_0005_room
Revises: outcomes_0004_move
"""

from alembic import op

revision = "outcomes_0005_room"
down_revision = "outcomes_0004_move"
branch_labels = None
depends_on = None

_TABLES = ("outcomes_participants", "outcomes_participant_summaries")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 60)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
