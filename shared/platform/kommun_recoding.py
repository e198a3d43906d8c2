"""Stored kommun names to their codes (issue 16: kommun became a code list), for the
migrations of each service that kept a participant's kommun as it was typed. A name is
matched in any case and spacing (`kommuner.code_of`); what names no kommun becomes
`okand`. Each migration logs how many values and which distinct ones became `okand` (to
the migration's log only: the values were anyone's text), so the operator can check them.
"""

import json
import logging
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.contract.kommuner import KOMMUNER, UNKNOWN, code_of

FIELD = "municipality"
_log = logging.getLogger("alembic.runtime.migration")


def recoded(value: str, unknown: Counter[str]) -> str:
    """The code of a stored kommun (counting in `unknown` what became `okand`)."""
    if value in KOMMUNER or value == UNKNOWN:
        return value
    code = code_of(value)
    if code is None:
        unknown[value] += 1
        return UNKNOWN
    return code


def _recoded_json(node: object, unknown: Counter[str]) -> object:
    if isinstance(node, dict):
        return {
            key: recoded(child, unknown)
            if key == FIELD and isinstance(child, str)
            else _recoded_json(child, unknown)
            for key, child in node.items()
        }
    if isinstance(node, list):
        return [_recoded_json(child, unknown) for child in node]
    return node


def recode_json_column(
    connection: Connection, table: str, key: str, column: str, unknown: Counter[str]
) -> None:
    """Every `municipality` within the JSON texts of `table.column` (rows by `key`)."""
    rows = sa.table(table, sa.column(key), sa.column(column))
    pattern = f'%"{FIELD}"%'
    for row_key, text in connection.execute(
        sa.select(rows.c[key], rows.c[column]).where(rows.c[column].like(pattern))
    ):
        body = json.loads(text)
        again = _recoded_json(body, unknown)
        if again != body:
            connection.execute(
                rows.update()
                .where(rows.c[key] == row_key)
                .values({column: json.dumps(again, ensure_ascii=False, separators=(",", ":"))})
            )


def log_unknown(service: str, unknown: Counter[str]) -> None:
    if unknown:
        _log.warning(
            "%s: %d stored kommun values named no kommun and became %s: %s",
            service,
            unknown.total(),
            UNKNOWN,
            "; ".join(sorted(unknown)),
        )


def recode_all(
    connection: Connection, service: str, columns: Iterable[tuple[str, str, str]]
) -> None:
    """`recode_json_column` for each (table, key, column), then the log line."""
    unknown: Counter[str] = Counter()
    for table, key, column in columns:
        recode_json_column(connection, table, key, column, unknown)
    log_unknown(service, unknown)


def recode_breakdown(connection: Connection, table: str, figure: str) -> None:
    """A breakdown's rows of `table` (reporting's monthly cells, `code` and `value` by
    the other columns) summed again under each stored name's code."""
    cells = sa.table(
        table,
        *(sa.column(name) for name in ("insats_id", "month", "gender", "figure", "code")),
        sa.column("known_by"),
        sa.column("value"),
    )
    unknown: Counter[str] = Counter()
    sums: Counter[tuple] = Counter()
    for row in connection.execute(sa.select(cells).where(cells.c.figure == figure)):
        code = recoded(row.code, unknown)
        sums[(row.insats_id, row.month, row.gender, code, row.known_by)] += row.value
    connection.execute(cells.delete().where(cells.c.figure == figure))
    columns = ("insats_id", "month", "gender", "code", "known_by")
    rows = [
        dict(zip(columns, key, strict=True)) | {"figure": figure, "value": value}
        for key, value in sums.items()
    ]
    if rows:
        connection.execute(cells.insert(), rows)
    log_unknown(table, unknown)
