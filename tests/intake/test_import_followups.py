"""`stegvis import` of rows that carry a follow-up after their stop (`followup_*` columns,
or their Swedish names): registered with the row, or the row refused saying why."""

from pathlib import Path

from shared.contract.codes import Registration
from shared.platform.settings import Settings
from tests.intake.import_files import define_insatser, read_csv, run, stored, write_csv

HEADER = [
    "insats",
    "startdatum",
    "kön",
    "slutdatum",
    "avslutsanledning",
    "Uppföljning datum",
    "uppföljning_månader",
    "Uppföljning nådd",
    "uppföljning status",
    "uppföljning försörjning",
]

ENDED = ("arbetsrehab", "2025-02-03", "kvinna", "2025-03-31", "arbete")
FOLLOWED_UP = ("2025-10-01", "6", "ja", "studier", "ingen")


async def _imported(settings: Settings, tmp_path: Path, *rows: list[str]):
    """`stegvis import` of the rows under `HEADER`."""
    return await run(settings, write_csv(tmp_path / "deltagare.csv", [HEADER, *rows]))


async def test_a_row_with_a_follow_up_registers_it_after_its_stop(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=Registration.INDIVID)
    ran = await _imported(
        settings,
        tmp_path,
        [*("arbetsrehab", "2025-02-03", "kvinna", "2025-03-31", "sjukdom"), *FOLLOWED_UP],
        ["arbetsrehab", "2025-02-03", "man", "2025-03-31", "arbete", "", "", "", "", ""],
    )
    assert ran.code == 0, ran.err
    new = (await stored(settings)).registered
    assert [event.type for event in new] == [
        "ParticipantStarted",
        "ParticipantStopped",
        "ParticipantFollowedUp",
        "ParticipantStarted",
        "ParticipantStopped",
    ]
    followup = new[2]
    assert (followup.participant_id, followup.months_after, followup.reached) == (
        new[0].participant_id,
        6,
        True,
    )
    assert (followup.status, followup.support) == ("studier", ["ingen"])


async def test_a_follow_up_without_a_stop_or_before_it_is_a_row_error(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=Registration.INDIVID)
    before = await stored(settings)
    ran = await _imported(
        settings,
        tmp_path,
        ["arbetsrehab", "2025-02-03", "kvinna", "", "", "2025-10-01", "6", "nej", "", ""],
        [*ENDED, "2025-03-30", "6", "nej", "", ""],
        [*ENDED, "2025-10-01", "5", "nej", "arbete", ""],
    )
    assert ran.code == 1
    errors = read_csv(tmp_path / "deltagare.fel.csv")[1:]
    assert [row[:2] for row in errors] == [
        ["2", "Uppföljning datum"],
        ["3", "Uppföljning datum"],
        ["4", "uppföljning_månader"],
        ["4", "uppföljning status"],
    ]
    assert errors[1][2] == "Datumet ska vara från slutdatum (2025-03-31) till i dag."
    assert await stored(settings) == before
