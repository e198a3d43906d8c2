"""Participant codes: opaque, random, short enough to read aloud and write on a form.

A code says nothing about the person nor about the order of registration, so it cannot be
used to find someone or to count participants.
"""

import re
import secrets
from collections.abc import Callable

from shared.contract.events import PARTICIPANT_ID_PATTERN

# Crockford's base32: no I, L, O or U, so a code copied by hand is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PATTERN = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
_STORED_CODE = re.compile(PARTICIPANT_ID_PATTERN)
"""What the event log takes as a code (codes of other origins than `new_participant_code`
included)."""


_BITS = 5
"""A character's: the alphabet has 32."""
_LENGTH = 8


def new_participant_code(random_bits: Callable[[int], int] = secrets.randbits) -> str:
    """`K7M2-QX9D`: 8 random characters (40 bits), hyphenated in the middle. One draw of
    40 bits, cut into the characters: a draw a character was a system call each (~50 µs a
    code)."""
    bits = random_bits(_BITS * _LENGTH)
    characters = "".join(
        ALPHABET[(bits >> shift) & (len(ALPHABET) - 1)]
        for shift in range(_BITS * (_LENGTH - 1), -1, -_BITS)
    )
    return f"{characters[:4]}-{characters[4:]}"


def participant_code(written: str) -> str | None:
    """The code as stored, however it was written (`k7m2-qx9d` is `K7M2-QX9D`: phones
    capitalise as they please); None when no participant can have it."""
    code = written.strip().upper()
    return code if _STORED_CODE.fullmatch(code) else None
