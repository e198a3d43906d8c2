"""Each field's label and hint are declared once (`domain/fields.py`): the forms show them,
and the participant's history labels an answer as the form asked it."""

import html
import re
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from services.intake.domain.bounds import Bounds, bounds
from services.intake.domain.fields import FIELDS
from shared.contract.events import ProgressDetails, StartDetails, StopDetails, VolumeDetails
from tests.intake.forms_support import start


def _labelled(page: str, name: str) -> str | None:
    """The label (or a fieldset's legend) the page shows for the input `name`."""
    found = re.search(
        rf'(?:<label for="{name}">|<fieldset id="{name}"[^>]*>\s*<legend>)([^<]*)', page
    )
    return html.unescape(found[1]).strip() if found else None  # before "(obligatoriskt)"


def _hint(page: str, name: str) -> str | None:
    found = re.search(rf'<span id="{name}-hint" class="hint">([^<]*)</span>', page)
    return html.unescape(found[1]) if found else None


async def test_every_form_shows_each_fields_declared_label_and_hint(intake, staff) -> None:
    code = await start(staff)
    pages = {
        StartDetails: "/insatser/a/ny-deltagare",
        ProgressDetails: f"/insatser/a/deltagare/{code}/uppfoljning",
        StopDetails: f"/insatser/a/deltagare/{code}/avsluta",
        VolumeDetails: "/insatser/va/volym",
    }
    for model, path in pages.items():
        page = (await staff.open(path)).text
        for name, asked in FIELDS[model].items():
            if name == "indicators":  # a select per area, under the field's legend and hint
                assert f"<legend>{asked.label} (frivilligt)</legend>" in page
                assert f'<p class="hint">{asked.hint}</p>' in page
                continue
            assert _labelled(page, name) == asked.label, (path, name)
            assert _hint(page, name) == asked.hint, (path, name)
    stop = (await staff.open(pages[StopDetails])).text
    assert _labelled(stop, "vas") == "Skattad livssituation vid avslut (VAS)"
    assert _hint(stop, "respect") == "1 = inte alls, 6 = helt och hållet"
    new = (await staff.open(pages[StartDetails])).text
    kommuner = new.split('<select id="municipality"')[1].split("</select>")[0]
    assert len(re.findall(r'<option value="\d{4}"', kommuner)) == 290
    assert '<option value="2480">Umeå</option>' in kommuner


async def test_the_history_labels_an_answer_as_the_form_asks_it(intake, staff) -> None:
    code = await start(staff)
    path = f"/insatser/a/deltagare/{code}/avsluta"
    await staff.open(path)
    answers = {"end_date": "2025-06-30", "reason": "arbete", "health_better": "ja", "vas": "40"}
    assert (await staff.submit(path, answers)).status_code == 201
    history = (await staff.open(f"/insatser/a/deltagare/{code}")).text
    assert "<dt>Mår bättre än före insatsen</dt><dd>Ja</dd>" in history
    assert "<dt>Skattad livssituation vid avslut (VAS)</dt><dd>40</dd>" in history
    labels = FIELDS[StopDetails]
    for name in ("health_better", "vas"):
        assert f"<dt>{labels[name].label}</dt>" in history


class _Details(BaseModel):
    score: Annotated[int, Field(strict=True, ge=2, le=7)] | None = None
    count: Annotated[int, Field(ge=0, le=9)]
    note: Annotated[str, StringConstraints(max_length=12)] | None = None
    scores: dict[str, Annotated[int, Field(ge=1, le=3)]] = Field(default={}, max_length=20)
    plain: int | None = None


def test_a_fields_bounds_are_read_from_its_model() -> None:
    assert bounds(_Details, "score") == Bounds(low=2, high=7)
    assert bounds(_Details, "count") == Bounds(low=0, high=9)
    assert bounds(_Details, "note") == Bounds(longest=12)
    assert bounds(_Details, "scores") == Bounds(low=1, high=3)  # each value's, not the size
    assert bounds(_Details, "plain") == Bounds()
    # The Swedish texts state the models' bounds.
    assert FIELDS[StopDetails]["respect"].refused == "Välj ett värde från 1 till 6."
    assert FIELDS[StartDetails]["years_in_support"].hint == "Hela år, 0–60"
    assert FIELDS[ProgressDetails]["vas"].hint == "1–100, där 100 är bästa tänkbara"
