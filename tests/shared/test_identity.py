"""The identity guard over generated personnummer and samordningsnummer: every spelling is
refused, and near-misses pass unless their digits happen to form a valid one. The check
digits here are the test's own Luhn, not the library's."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.contract.identity import _candidates, _is_identity_number, contains_identity_number


def luhn_digit(nine: str) -> str:
    total = 0
    for position, digit in enumerate(int(d) for d in nine):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return str(-total % 10)


def is_valid(digits: str) -> bool:
    """The test's own oracle: 10 or 12 digits, a real date (day + 60 allowed), Luhn."""
    if len(digits) not in (10, 12) or not digits.isdigit():
        return False
    ten = digits[-10:]
    if luhn_digit(ten[:9]) != ten[9]:
        return False
    years = [int(digits[:4])] if len(digits) == 12 else [1900 + int(ten[:2]), 2000 + int(ten[:2])]
    day = int(ten[4:6])
    day = day - 60 if day > 60 else day
    for year in years:
        try:
            date(year, int(ten[2:4]), day)
            return True
        except ValueError:
            continue
    return False


@st.composite
def identity_numbers(draw: st.DrawFn) -> tuple[str, str, str]:
    """(century, YYMMDD, NNNC) of a valid personnummer or samordningsnummer."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)))
    samordning = draw(st.booleans())
    day = born.day + 60 if samordning else born.day
    yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    serial = f"{draw(st.integers(0, 999)):03d}"
    return f"{born.year // 100}", yymmdd, serial + luhn_digit(yymmdd + serial)


SEPARATORS = ["-", "+", "\u2013", "\u2014", "\u2212", "\u2011", "\u2012", ".", "/", " ", "\u00a0"]
SPACES = [" ", "\u00a0", "\u202f", "\u2009", "  ", " - ", " \u2013 "]
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


@st.composite
def spellings(draw: st.DrawFn) -> str:
    century, yymmdd, last = draw(identity_numbers())
    date_part = (century if draw(st.booleans()) else "") + yymmdd
    style = draw(st.sampled_from(["plain", "separated", "grouped", "spaced"]))
    if style == "plain":
        written = date_part + last
    elif style == "separated":
        written = date_part + draw(st.sampled_from(SEPARATORS + SPACES)) + last
    elif style == "grouped":  # YY MM DD-NNNN, with any space between the date's pairs
        space = draw(st.sampled_from(SPACES))
        pairs = [date_part[:-4], date_part[-4:-2], date_part[-2:]]
        written = space.join(pairs) + draw(st.sampled_from(SEPARATORS)) + last
    else:  # spaces anywhere inside
        digits = date_part + last
        cut = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=3)))
        pieces = [digits[a:b] for a, b in zip([0, *cut], [*cut, len(digits)])]
        written = draw(st.sampled_from(SPACES)).join(pieces)
    if draw(st.booleans()):
        written = "".join(FULL_WIDTH.get(c, c) if draw(st.booleans()) else c for c in written)
    before = draw(st.sampled_from(["", "Anna ", "pnr:", "Kalle Anka, ", "(", "x"]))
    after = draw(st.sampled_from(["", " Lund", ")", ", tel 070-1234567", "."]))
    return before + written + after


@given(spellings())
def test_every_spelling_of_an_identity_number_is_refused(text: str) -> None:
    assert contains_identity_number(text), text


@given(identity_numbers(), st.integers(1, 9))
def test_a_wrong_check_digit_passes(number: tuple[str, str, str], off: int) -> None:
    century, yymmdd, last = number
    wrong = last[:3] + str((int(last[3]) + off) % 10)
    for written in (f"{yymmdd}-{wrong}", f"{century}{yymmdd}{wrong}"):
        assert is_valid(written.replace("-", "")) is False
        assert not contains_identity_number(written), written


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_ten_digits_are_refused_exactly_when_they_are_valid(digits: str) -> None:
    """An invalid date (month 13, day 32, 30 February) or a wrong Luhn digit passes."""
    assert contains_identity_number(digits) is is_valid(digits)


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=20).filter(lambda d: len(d) not in (10, 12))
)
def test_other_lengths_pass(digits: str) -> None:
    assert not contains_identity_number(digits)
    assert not contains_identity_number(
        f"{digits[:6]}-{digits[6:]}" if len(digits) in (11, 13) else digits
    )


@given(st.integers(0, 9_999_999))
def test_a_phone_number_passes_unless_its_digits_are_a_valid_number(subscriber: int) -> None:
    digits = f"070{subscriber:07d}"
    written = f"{digits[:3]}-{digits[3:6]} {digits[6:8]} {digits[8:]}"
    assert contains_identity_number(written) is is_valid(digits)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_a_date_alone_passes(day: date) -> None:
    assert not contains_identity_number(day.isoformat())
    assert not contains_identity_number(
        f"{day.isoformat()} till {(day + timedelta(1)).isoformat()}"
    )


@given(st.text(alphabet="0123456789 -+./:x", max_size=40) | spellings())
def test_the_shortcut_for_ascii_decides_as_the_walk_over_every_candidate(text: str) -> None:
    # A text's candidates are what refuses it; the shortcut only skips texts that have none.
    walked = any(_is_identity_number(digits) for digits in _candidates(text))
    assert contains_identity_number(text) == walked


def test_ordinary_text_passes() -> None:
    for text in ("Lund", "Steget 2", "Arbetsrehab 2025–2026", "rum 12, plan 3", "+46 70 123 45 67"):
        assert not contains_identity_number(text)


REVIEWED_SPELLINGS = [
    "850101\u20131236",  # en dash, as Word and Outlook autocorrect a hyphen
    "850101\u20141236",  # em dash
    "850101\u00a01236",  # no-break space
    "850101\u20111236",  # non-breaking hyphen
    "850101\u22121236",  # minus sign
    "\uff18\uff15\uff10\uff11\uff10\uff11\uff0d\uff11\uff12\uff13\uff16",  # full-width
    "850101 - 1236",
    "85 01 01-1236",
    "850101.1236",
    "Kalle 19850101-1236",
    "850161-1233",  # samordningsnummer: day 01 + 60
]
"""The security review's findings, for 19850101-1236 (a valid number)."""


def test_the_review_s_spellings_are_refused() -> None:
    for text in [*REVIEWED_SPELLINGS, "850101+1236", "198501011236", "850101_1236"]:
        assert contains_identity_number(text), text
