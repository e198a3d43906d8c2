"""The one identity guard: Stegvis never stores a personnummer or samordningsnummer, however
it is written. Every stored string passes `contains_identity_number`: in a model as the type
`IdentityFree` (or `NoIdentityNumber` after a string type's own constraints), elsewhere (a
file name, a form's key, an error's text) called at the boundary.

A candidate is found in any spelling: the text is normalised (NFKC: full-width forms and most
spaces folded; any script's digits read as 0-9), digits are grouped at every other
character, and groups joined only by separators (any space, dash, minus sign, dot, slash,
plus, colon, comma, underscore or invisible format character) are read together. Every run
of consecutive groups holding exactly 10 or 12 digits is a candidate, and it is refused when
python-stdnum's personnummer rules accept it: a real birth date (a samordningsnummer's day
is the date's + 60) and the Luhn check digit. Anything else, a phone number or a date alone,
passes unless its digits happen to be a valid identity number.
"""

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer

ERROR_TYPE = "identity_number"
"""The pydantic error type of a refusal, for translators of errors (the forms)."""
REASON = (
    "looks like a personal identity number (ser ut som ett personnummer); "
    "Stegvis never stores one (Stegvis sparar aldrig personnummer)"
)
"""Why a value was refused, in the API's 422 body: never the value itself."""

_SEPARATOR_CHARACTERS = frozenset("-+./:,_\u2212")
"""Besides every space and dash (Unicode Zs, Pd) and invisible format characters (Cf)."""
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Pd", "Cf"})
_LENGTHS = (10, 12)
_SHORTEST = min(_LENGTHS)
_ENOUGH_ASCII_DIGITS = re.compile(rf"[0-9](?:[^0-9]*[0-9]){{{_SHORTEST - 1}}}")
"""As many ASCII digits as the shortest candidate has, anywhere in a text (one C search,
not a count per digit: the guard runs on every string of every event consumed)."""
_SAMORDNING_DAY_OFFSET = 60
_CENTURIES = ("19", "20")
"""A 10-digit number's candidates: born in either (a leap day may be valid in only one)."""


def contains_identity_number(text: str) -> bool:
    """Whether some spelling within `text` is a valid personnummer or samordningsnummer."""
    if text.isascii() and (len(text) < _SHORTEST or not _ENOUGH_ASCII_DIGITS.search(text)):
        # ASCII is its own NFKC form and has no other digits: too few for any candidate.
        # The common case (codes, ids, names) without walking the text character by character.
        return False
    return any(_is_identity_number(digits) for digits in _candidates(text))


def refuse_identity_number(text: str) -> str:
    """`text`, unless it holds an identity number: then a pydantic custom error (a
    `ValueError`) with `REASON`, naming no value."""
    if contains_identity_number(text):
        raise PydanticCustomError(ERROR_TYPE, REASON)
    return text


NoIdentityNumber = AfterValidator(refuse_identity_number)
"""Annotates a string type, after its constraints (which then stay in its JSON schema)."""
IdentityFree = Annotated[str, NoIdentityNumber]
"""A string that holds no identity number in any spelling."""


def _digit_groups(text: str) -> Iterator[list[str]]:
    """Each stretch of digit groups joined by separators only, as its list of groups."""
    stretch: list[str] = []
    group: list[str] = []
    for character in unicodedata.normalize("NFKC", text):
        digit = unicodedata.decimal(character, None)
        if digit is not None:
            group.append(str(digit))
            continue
        if group:
            stretch.append("".join(group))
            group = []
        if not _is_separator(character):
            if stretch:
                yield stretch
            stretch = []
    if group:
        stretch.append("".join(group))
    if stretch:
        yield stretch


def _is_separator(character: str) -> bool:
    return (
        character in _SEPARATOR_CHARACTERS
        or character.isspace()
        or unicodedata.category(character) in _SEPARATOR_CATEGORIES
    )


def _candidates(text: str) -> Iterator[str]:
    """The digits of every run of consecutive groups holding exactly 10 or 12 digits."""
    for groups in _digit_groups(text):
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:]:
                digits += group
                if len(digits) in _LENGTHS:
                    yield digits
                if len(digits) >= max(_LENGTHS):
                    break


def _is_identity_number(digits: str) -> bool:
    if not luhn.is_valid(digits[-10:]):
        return False
    dated = [digits] if len(digits) == 12 else [century + digits for century in _CENTURIES]
    return any(_birth_date(full) is not None for full in dated)


def _birth_date(twelve: str) -> date | None:
    """The birth date of a 12-digit number (a samordningsnummer's day less 60), if real."""
    day = int(twelve[6:8])
    if day > _SAMORDNING_DAY_OFFSET:
        twelve = f"{twelve[:6]}{day - _SAMORDNING_DAY_OFFSET:02d}{twelve[8:]}"
    try:
        return personnummer.get_birth_date(f"{twelve[:8]}-{twelve[8:]}")
    except StdnumError:
        return None
