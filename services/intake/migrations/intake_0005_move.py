"""A participant's code in more than one insats (moving on, `move`): a registration is the
code in an insats. The code's first registration (`moved_from` NULL) keeps codes unique
across the förbund; each later one names the insats it came from.

Revision ID: intake_0005_move
Revises: intake_0004_kommun_codes
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0005_move"
down_revision = "intake_0004_kommun_codes"
branch_labels = None
depends_on = None

_FIRST = sa.text("moved_from IS NULL")
_COLUMNS = "participant_id, insats_id, start_date, end_date, voided"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("intake_participants", sa.Column("moved_from", sa.String(64)))
        op.drop_constraint("intake_participants_pkey", "intake_participants", type_="primary")
        op.create_primary_key(
            "intake_participants_pkey", "intake_participants", ["participant_id", "insats_id"]
        )
    else:  # SQLite changes a primary key by copying the table
        op.create_table(
            "intake_participants_moved",
            sa.Column("participant_id", sa.String(32), primary_key=True),
            sa.Column(
                "insats_id",
                sa.String(64),
                sa.ForeignKey("intake_insatser.insats_id", name="fk_intake_participants_insats_id"),
                primary_key=True,
            ),
            sa.Column("start_date", sa.Date, nullable=False),
            sa.Column("end_date", sa.Date),
            sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("moved_from", sa.String(64)),
        )
        op.execute(
            f"INSERT INTO intake_participants_moved ({_COLUMNS})"
            f" SELECT {_COLUMNS} FROM intake_participants"
        )
        op.drop_table("intake_participants")
        op.rename_table("intake_participants_moved", "intake_participants")
        op.create_index("ix_intake_participants_insats_id", "intake_participants", ["insats_id"])
    op.create_index(
        "ux_intake_participants_first_code",
        "intake_participants",
        ["participant_id"],
        unique=True,
        postgresql_where=_FIRST,
        sqlite_where=_FIRST,
    )


def downgrade() -> None:
    raise NotImplementedError("a code in two insatser has no place in the table before")
