"""Participant codes: opaque, readable, random."""

import random

from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.participant_codes import (
    ALPHABET,
    CODE_PATTERN,
    new_participant_code,
)
from shared.contract.events import ParticipantStarted


@given(st.randoms(use_true_random=False))
def test_a_code_is_eight_crockford_characters_hyphenated(rng: random.Random) -> None:
    code = new_participant_code(rng.getrandbits)
    assert CODE_PATTERN.fullmatch(code), code
    assert code[4] == "-"
    # It is a valid participant id of the event schema.
    ParticipantStarted(insats_id="x", participant_id=code, start_date="2025-01-01", gender="man")


def test_the_alphabet_leaves_out_letters_misread_as_digits() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_codes_are_not_sequential() -> None:
    codes = [new_participant_code() for _ in range(1000)]
    assert len(set(codes)) == len(codes)
    # Registration order cannot be read from the codes.
    assert codes != sorted(codes)


@given(st.lists(st.sampled_from(ALPHABET), min_size=8, max_size=8))
def test_every_character_of_the_alphabet_can_appear(characters: list[str]) -> None:
    bits = 0
    for character in characters:  # 5 bits each, the first character's highest
        bits = bits << 5 | ALPHABET.index(character)

    def forty_bits(count: int) -> int:
        assert count == 40
        return bits

    code = new_participant_code(forty_bits)
    assert code.replace("-", "") == "".join(characters)
