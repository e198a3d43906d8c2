"""Reading a sheet's rows (`domain.import_rows`), pure: which kind the header names, each
column by its API or Swedish name, and an activity's row checked by `ActivityDetails` and
the activity command's rules, as the API checks its body."""

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from services.intake.domain.errors import Conflict, NotFound
from services.intake.domain.import_rows import (
    ACTIVITIES,
    PARTICIPANTS,
    ActivityRow,
    Columns,
    Part,
    RowRefused,
    SheetProblem,
    SheetProblemKind,
    SheetRefused,
    SheetRow,
    check_row,
    read_columns,
)
from services.intake.domain.model import Insats
from shared.contract.codes import Registration
from shared.contract.events import ActivityDetails
from tests.intake.test_activities import ACTIVITY

INSATSER = {
    "kunskap": Insats("kunskap", "Kunskap", Registration.STRUKTUR),
    "steget": Insats("steget", "Steget", Registration.INDIVID),
    "halsoskolan": Insats("halsoskolan", "Hälsoskolan", Registration.VOLYM),
}
SWEDISH = ["Insats", "Datum", "Aktivitet", "Deltagare kvinnor", "Deltagare-män", "DELTAGARE ANNAN"]
API = [
    "insats",
    "date",
    "kind",
    "participants.kvinna",
    "participants_man",
    "Participants Annan",
    "organisations_fk",
    "organisations.kommun",
    "places",
]


def _columns(header: list, *rows: list) -> Columns:
    return read_columns(header, [SheetRow(number, row) for number, row in enumerate(rows, 2)])


def _checked(header: list, row: list) -> ActivityRow:
    columns = _columns(header, row)
    checked = check_row(columns, SheetRow(2, row), INSATSER)
    assert isinstance(checked, ActivityRow)
    return checked


def _refused(header: list, row: list) -> dict[Part, list[str]]:
    """Each part's refused fields (the model's) or refusal's type (the rules')."""
    with pytest.raises(RowRefused) as refused:
        check_row(_columns(header, row), SheetRow(2, row), INSATSER)
    found: dict[Part, list[str]] = {}
    for part, error in refused.value.refusals:
        if isinstance(error, ValidationError):
            found.setdefault(part, []).extend(".".join(map(str, e["loc"])) for e in error.errors())
        else:
            found.setdefault(part, []).append(type(error).__name__)
    return found


@pytest.mark.parametrize(
    ("header", "optional"),
    [(SWEDISH, []), (API, ["organisations_fk", "organisations_kommun", "places"])],
)
def test_a_header_of_activity_columns_is_a_sheet_of_activities(
    header: list, optional: list
) -> None:
    columns = _columns(header, ["kunskap"] + [""] * (len(header) - 1))
    assert columns.kind is ACTIVITIES
    assert list(columns.positions) == [*ACTIVITIES.required, *optional]


def test_a_header_that_names_no_kind_more_than_another_is_participants_as_before() -> None:
    with pytest.raises(SheetRefused) as refused:
        _columns(["insats", "okänd"], ["kunskap", "x"])
    assert refused.value.kind is PARTICIPANTS


def test_an_activity_sheet_without_its_counts_names_each_missing_column() -> None:
    with pytest.raises(SheetRefused) as refused:
        _columns(["insats", "datum", "aktivitet", "deltagare kvinnor"], ["kunskap"])
    assert refused.value.kind is ACTIVITIES
    assert refused.value.problems == [
        SheetProblem(SheetProblemKind.MISSING, "participants_man"),
        SheetProblem(SheetProblemKind.MISSING, "participants_annan"),
    ]


def test_an_activity_row_is_the_apis_body_as_its_model_reads_it() -> None:
    # The API's body of `ACTIVITY`.
    """XLSX cells typed: a date cell at midnight, counts as floats; a code in capitals."""
    row = ["kunskap", datetime(2025, 3, 12), "Utbildning", 14.0, 6, "1", 5, " 12 ", 25.0]

    checked = _checked(API, row)

    assert checked == ActivityRow(2, "kunskap", ActivityDetails.model_validate(ACTIVITY))
    assert checked.activity.organisations is not None
    assert checked.activity.organisations.af == 0  # not given: 0, as in the API


def test_without_organisations_or_places_they_are_not_given() -> None:
    checked = _checked(SWEDISH, ["kunskap", "2025-03-12", "natverk", "0", "2", "0"])
    assert checked.activity.organisations is None and checked.activity.places is None
    assert checked.activity.date == date(2025, 3, 12)


def test_each_refusal_of_an_activity_row_names_its_field() -> None:
    row = ["", "12/3", "fest", "", "många", "0", "-1", "", "0"]
    assert _refused(API, row) == {
        Part.INSATS: ["InvalidField"],
        Part.ACTIVITY: [
            "date",
            "kind",
            "participants.kvinna",  # empty: the part is given, so each count says why
            "participants.man",
            "organisations.fk",
            "places",
        ],
    }


@pytest.mark.parametrize(("insats", "refusal"), [("steget", Conflict), ("kunskapen", NotFound)])
def test_an_activity_in_an_insats_that_is_no_structural_one_is_refused(
    insats: str, refusal: type
) -> None:
    row = [insats, "2025-03-12", "konferens", "1", "1", "1"]
    assert _refused(SWEDISH, row) == {Part.INSATS: [refusal.__name__]}


def test_an_activity_refusal_names_the_sheets_columns() -> None:
    assert ACTIVITIES.column_of(Part.ACTIVITY, "participants.kvinna") == "participants_kvinna"
    assert ACTIVITIES.column_of(Part.ACTIVITY, "places") == "places"
    assert PARTICIPANTS.column_of(Part.STOP, "vas") == "vas_end"
    assert ACTIVITIES.field_of("participants_kvinna") == (
        ActivityDetails.model_fields["participants"].annotation,
        "kvinna",
    )


def test_a_participant_row_in_a_volume_insats_is_refused_beside_its_refused_stop() -> None:
    """Every refusal of the row: the rules check the start although the stop was refused."""
    header = ["insats", "startdatum", "kön", "slutdatum", "avslutsanledning"]
    row = ["halsoskolan", "2025-03-01", "man", "2025-04-01", "semester"]
    assert _refused(header, row) == {Part.STOP: ["reason"], Part.INSATS: ["Conflict"]}
