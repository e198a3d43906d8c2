"""Erasure in intake's own tables (`stegvis purge`'s part there), on PostgreSQL and SQLite:
a dry run changes nothing; the erased participant leaves the log, the state, the audit log
and the stored answers, and an import's answer keeps the file imported once, its other
codes with it."""

from datetime import date
from pathlib import Path

from services.intake.bootstrap import participants_ended_before, purge
from services.intake.service_layer.erasure import Registrations
from shared.platform.settings import Settings
from tests.intake.import_files import define_insatser, read_csv, run, stored, write_csv
from tests.intake.test_import import INDIVID, SWEDISH_SHEET

BEFORE = date(2025, 6, 1)
"""The third row's participant stopped on 2 May; the first row's on 30 September."""


async def test_a_purge_erases_those_stopped_before_the_day_and_nothing_else(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID, steget=INDIVID)
    sheet = write_csv(tmp_path / "deltagare.csv", SWEDISH_SHEET)
    assert (await run(settings, sheet)).code == 0
    rows = read_csv(tmp_path / "deltagare.koder.csv")[1:]
    stopped_in_may = rows[2][2]
    kept = {row[2] for row in rows} - {stopped_in_may}
    imported = await stored(settings)

    one = Registrations({"arbetsrehab": 1}, people=1)
    assert await participants_ended_before(settings, BEFORE) == one
    assert await stored(settings) == imported  # the dry run's count changed nothing

    told: list[tuple[int, int]] = []
    erased = await purge(settings, BEFORE, lambda done, total: told.append((done, total)))
    assert erased == one
    assert told == [(0, 1), (1, 1)]

    after = await stored(settings)
    codes = {getattr(event, "participant_id", None) for event in after.events} - {None}
    assert codes == kept
    assert not any(stopped_in_may in target for _, target in after.audit)
    assert after.audit[-1] == ("erase", "/api/v1/insatser/arbetsrehab")
    # The file stays imported once; its codes, written again for a copy, name the erased no
    # more.
    copy = tmp_path / "kopia.csv"
    copy.write_bytes(sheet.read_bytes())
    assert (await run(settings, copy)).code == 1
    again = read_csv(tmp_path / "kopia.koder.csv")[1:]
    assert [row[2] for row in again] == [rows[0][2], rows[1][2], "(gallrad)"]
    assert await purge(settings, BEFORE, lambda done, total: None) == Registrations({}, 0)
