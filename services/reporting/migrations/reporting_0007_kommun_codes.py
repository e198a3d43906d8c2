"""Kommun as SCB's code list: the monthly (and kept) figures of the breakdown by kommun, kept under
the names as typed, are summed under each name's code (names in any case and spacing of
one kommun add up), unknown ones under `okand` (logged: `shared.platform.kommun_recoding`).

Revision ID: reporting_0007_kommun_codes
Revises: reporting_0006_erasure
"""

from alembic import op

from shared.platform.kommun_recoding import recode_breakdown

revision = "reporting_0007_kommun_codes"
down_revision = "reporting_0006_erasure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An erased participant's kept cells are recoded like everyone's figures.
    for table in ("reporting_monthly", "reporting_retained"):
        recode_breakdown(op.get_bind(), table, "breakdown:municipality")


def downgrade() -> None:
    """The names are not restored: a code stands for its kommun as well."""
