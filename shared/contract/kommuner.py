"""The kommun code list: SCB's kommunkoder, the 290 kommuner by four-digit code, with the
name the pages and exports show. The one home of kommun codes and names: `kommuner.csv`
beside this module (its first line says where it came from), read once.

A participant's kommun is stored as its code, or `okand` when it is not known. Where a
person or a sheet gives one (the API, the import), the code is read in any spelling a
spreadsheet leaves it (`180` for `0180`), and a kommun's name (in any case and spacing) is
taken for its code, so clients that sent names before codes keep working.
"""

import csv
from pathlib import Path

from pydantic_core import PydanticCustomError

UNKNOWN = "okand"
"""The code of a kommun not known (also what a breakdown counts an unanswered field as)."""

_SOURCE = Path(__file__).with_name("kommuner.csv")
CODE_LENGTH = 4


def _read() -> dict[str, str]:
    with _SOURCE.open(encoding="utf-8", newline="") as file:
        lines = (line for line in file if not line.startswith("#"))
        return {row["kod"]: row["namn"] for row in csv.DictReader(lines, delimiter=";")}


KOMMUNER: dict[str, str] = _read()
"""Each kommun's name by its code, in code order."""


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


_BY_NAME = {_folded(name): code for code, name in KOMMUNER.items()}

REASON = "must be a kommun's four-digit SCB code (such as 0180), okand, or a kommun's name"
"""Why a value was refused (never the value: it is anyone's text)."""


def code_of(text: str) -> str | None:
    """The kommun `text` names (a code, `okand` or a kommun's name), or None."""
    folded = _folded(text)
    if folded == UNKNOWN:
        return UNKNOWN
    if folded.isascii() and folded.isdigit() and len(folded) <= CODE_LENGTH:
        code = folded.zfill(CODE_LENGTH)  # a spreadsheet drops the leading zero
        return code if code in KOMMUNER else None
    return _BY_NAME.get(folded)


def kommun_code(text: str) -> str:
    """`code_of`, refusing what names no kommun (a pydantic error, naming no value)."""
    code = code_of(text)
    if code is None:
        raise PydanticCustomError("kommun_code", REASON)
    return code


def kommun_name(code: str) -> str:
    """The kommun's name (a code not in the list, such as `okand`, as it is)."""
    return KOMMUNER.get(code, code)


_SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e"})
"""å, ä and ö after z, in that order (the characters after z in ASCII)."""


def _swedish_order(name: str) -> str:
    return name.casefold().translate(_SWEDISH_LAST)


def members_first(members: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    """The code list as a form offers it: the förbund's member kommuner (by name), then the
    rest; all of them by name when no members are given."""
    named = dict(sorted(KOMMUNER.items(), key=lambda item: _swedish_order(item[1])))
    if not members:
        return [("Alla kommuner", named)]
    return [
        ("Förbundets kommuner", {code: KOMMUNER[code] for code in members}),
        ("Övriga kommuner", {code: name for code, name in named.items() if code not in members}),
    ]
