"""The fields staff answer, as staff speak of them: each field of the `*Details` models
(`shared.contract.events`, which declare its type and rules) with its one Swedish label, what
to enter when it is refused, and the import's column when a sheet names it otherwise.

How a typed value becomes the field's (`kind_of`) follows from the model's declaration, so
the forms and the import convert a field alike, and the model checks it for both and the
API. A new field is declared in its model and here (and placed in its form's template,
which reads its label and hint from here). A text stating a bound (1–100, 64 characters)
reads it from the model (`domain.bounds`), which declares it once.
"""

from dataclasses import asdict, dataclass, replace
from datetime import date
from enum import StrEnum
from types import NoneType, UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from services.intake.domain.bounds import bounds
from shared.contract.events import (
    MAX_AGE_AT_START,
    MIN_AGE_AT_START,
    ActivityDetails,
    FollowupDetails,
    MoveDetails,
    ProgressDetails,
    StartDetails,
    StopDetails,
    VolumeDetails,
)
from shared.web import code_labels


@dataclass(frozen=True)
class Asked:
    label: str
    """Labels the field in the form and the participant's history; the import's column
    when `column` is not given."""
    refused: str
    """What to enter instead, when the form or the import refuses the value."""
    column: str | None = None
    """The import's Swedish column, when it is not the label."""
    hint: str | None = None
    """Shown in the form under the label: what and in which format to enter."""
    longest: int | None = None
    """The most characters the field takes (filled in from the model, as the `{low}`,
    `{high}` and `{longest}` of `refused` and `hint` are: `domain.bounds`)."""


PART = "."
"""Joins a field and a field of its model, as the inputs of a form with parts are named
(`participants.kvinna`)."""
_VAS = "Ange ett heltal från {low} till {high}."
_VAS_HINT = "{low}–{high}, där {high} är bästa tänkbara"
_HOURS = Asked(
    "Aktivitetstimmar per vecka",
    "Ange timmar per vecka, {low}–{high} (till exempel 12,5).",
    "aktivitetstimmar",
    "{low}–{high}, till exempel 12,5",
)
_SUPPORTS = "Välj bland alternativen, vart och ett högst en gång."
_ALL_THAT_APPLY = "Markera alla som gäller"
_YES_NO = "Välj ja, nej eller ej besvarat."
DATE = "Ange ett datum (ÅÅÅÅ-MM-DD)."
_DATE_HINT = "ÅÅÅÅ-MM-DD"

_DECLARED: dict[type[BaseModel], dict[str, Asked]] = {
    StartDetails: {
        "start_date": Asked("Startdatum", DATE, hint=_DATE_HINT),
        "gender": Asked("Kön", "Välj kön."),
        "birth_year": Asked(
            "Födelseår",
            "Ange födelseåret med fyra siffror, till exempel 1985.",
            hint="Fyra siffror, till exempel 1985",
        ),
        "education": Asked(
            "Högsta avslutade utbildning", "Välj utbildning i listan.", "Utbildning"
        ),
        "support_at_start": Asked(
            "Försörjning vid start", _SUPPORTS, "försörjning_start", _ALL_THAT_APPLY
        ),
        "years_in_support": Asked(
            "År i offentlig försörjning före start",
            "Ange ett helt antal år, {low}–{high}.",
            "År i försörjning",
            "Hela år, {low}–{high}",
        ),
        "referrer": Asked(
            "Remittent", "Välj remittent i listan.", hint="Vem som skickade deltagaren hit"
        ),
        "municipality": Asked(
            "Kommun",
            "Välj kommunen i listan (i en fil: kommunkoden, fyra siffror, eller kommunens namn).",
            hint="Deltagarens hemkommun",
        ),
        "activity_hours_per_week": _HOURS,
        "vas": Asked("Skattad livssituation (VAS)", _VAS, "vas_start", _VAS_HINT),
    },
    ProgressDetails: {
        "date": Asked("Datum", DATE, hint=_DATE_HINT),
        "activity_hours_per_week": _HOURS,
        "vas": Asked("Skattad livssituation (VAS)", _VAS, hint=_VAS_HINT),
        "indicators": Asked(
            "Indikatorer",
            "Välj ett värde från {low} till {high}.",
            hint="{low} = långt ifrån, {high} = helt och hållet",
        ),
    },
    StopDetails: {
        "end_date": Asked("Slutdatum", DATE, hint="ÅÅÅÅ-MM-DD, inte före startdatum"),
        "reason": Asked(
            "Avslutsanledning",
            "Välj avslutsanledning.",
            hint="Grupperna visar hur förbundet räknar avslutet",
        ),
        "support_at_end": Asked(
            "Försörjning vid avslut", _SUPPORTS, "försörjning_avslut", _ALL_THAT_APPLY
        ),
        "health_better": Asked("Mår bättre än före insatsen", _YES_NO, "Mår bättre"),
        "activity_increased": Asked("Har utökat tiden i aktivitet", _YES_NO, "Utökad aktivitet"),
        "work_capacity": Asked("Arbetsförmåga", "Välj ett av alternativen."),
        "vas": Asked("Skattad livssituation vid avslut (VAS)", _VAS, "vas_avslut", _VAS_HINT),
        "respect": Asked(
            "Bemött med respekt",
            "Välj ett värde från {low} till {high}.",
            "Respekt",
            "{low} = inte alls, {high} = helt och hållet",
        ),
    },
    MoveDetails: {
        "date": Asked(
            "Datum", DATE, hint="ÅÅÅÅ-MM-DD: avslut här och start i den nya insatsen samma dag"
        ),
        "to_insats": Asked(
            "Går vidare till",
            "Välj en annan insats med individregistrering, där deltagaren inte har varit.",
        ),
    },
    FollowupDetails: {
        "date": Asked(
            "Datum för uppföljningen",
            "Ange ett datum (ÅÅÅÅ-MM-DD) från slutdatum till i dag.",
            "uppföljning_datum",
            "ÅÅÅÅ-MM-DD, inte före slutdatum",
        ),
        "months_after": Asked(
            "Månader efter avslut", "Välj 3, 6 eller 12 månader.", "uppföljning_månader"
        ),
        "reached": Asked(
            "Nådd", "Välj ja eller nej.", "uppföljning_nådd", "Gick deltagaren att nå?"
        ),
        "status": Asked(
            "Sysselsättning vid uppföljningen",
            "Välj i listan, bara om deltagaren nåddes.",
            "uppföljning_status",
            "Samma alternativ som avslutsanledningarna; bara om deltagaren nåddes",
        ),
        "support": Asked(
            "Försörjning vid uppföljningen",
            "Välj bland alternativen, vart och ett högst en gång, bara om deltagaren nåddes.",
            "uppföljning_försörjning",
            _ALL_THAT_APPLY,
        ),
    },
    ActivityDetails: {
        "date": Asked("Datum", DATE, hint=_DATE_HINT),
        "kind": Asked("Slags aktivitet", "Välj slags aktivitet i listan.", "aktivitet"),
        "participants.kvinna": Asked(
            "Kvinnor",
            "Ange antalet kvinnor som ett heltal, 0 om inga.",
            "deltagare kvinnor",
            "0 om inga",
        ),
        "participants.man": Asked(
            "Män", "Ange antalet män som ett heltal, 0 om inga.", "deltagare män", "0 om inga"
        ),
        "participants.annan": Asked(
            "Annan definition av kön",
            "Ange antalet med annan definition av kön som ett heltal, 0 om inga.",
            "deltagare annan",
            "0 om inga",
        ),
        **{
            f"organisations.{code}": Asked(
                label,
                "Ange ett heltal, {low}–{high}, eller lämna tomt.",
                f"från {code}",  # the label ("Annan") would name no column clearly
                "Lämna tomt om inga",
            )
            for code, label in code_labels.REFERRER.items()
        },
        "places": Asked(
            "Erbjudna platser",
            "Ange antalet platser som ett heltal, {low}–{high}, eller lämna tomt.",
            "platser",
            "Lämna tomt om aktiviteten inte hade ett antal platser",
        ),
    },
    VolumeDetails: {
        "date": Asked("Datum", DATE, hint=_DATE_HINT),
        "kvinna": Asked(
            "Kvinnor", "Ange antalet kvinnor som ett heltal, 0 om inga.", hint="0 om inga"
        ),
        "man": Asked("Män", "Ange antalet män som ett heltal, 0 om inga.", hint="0 om inga"),
        "annan": Asked(
            "Annan definition av kön",
            "Ange antalet med annan definition av kön som ett heltal, 0 om inga.",
            hint="0 om inga",
        ),
    },
}


def _not_none(annotation: object) -> object:
    """`X | None` and `Annotated[X, ...] | None` as `X`."""
    if get_origin(annotation) in (Union, UnionType):
        (annotation,) = (arg for arg in get_args(annotation) if arg is not NoneType)
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def parts_model(model: type[BaseModel], field: str) -> type[BaseModel]:
    """The model of a field of `Kind.PARTS`."""
    nested = _not_none(model.model_fields[field].annotation)
    assert isinstance(nested, type) and issubclass(nested, BaseModel)
    return nested


def part_of(model: type[BaseModel], name: str) -> tuple[type[BaseModel], str]:
    """The model that declares the field `name` (of `model`, or `field.part` of one of its
    fields' models), and the field's name there."""
    field, _, part = name.partition(PART)
    return (parts_model(model, field), part) if part else (model, name)


def _bounded(model: type[BaseModel], name: str, asked: Asked) -> Asked:
    declared = bounds(*part_of(model, name))
    values = asdict(declared)
    return replace(
        asked,
        refused=asked.refused.format(**values),
        hint=asked.hint.format(**values) if asked.hint else None,
        longest=declared.longest,
    )


FIELDS = {
    model: {name: _bounded(model, name, asked) for name, asked in fields.items()}
    for model, fields in _DECLARED.items()
}
"""Each model's fields, as declared above with the model's bounds filled in."""
AGE = (
    f"Åldern vid start blir inte {MIN_AGE_AT_START}–{MAX_AGE_AT_START} år med det "
    "födelseåret. Kontrollera födelseår och startdatum."
)


class Kind(StrEnum):
    """How a typed answer becomes the field's value."""

    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    YES_NO = "yes_no"
    CODES = "codes"
    """Several of a code list."""
    CODE = "code"
    TEXT = "text"
    MAPPING = "mapping"
    PARTS = "parts"
    """A model of its own: each of its fields is an input (`field.part`)."""


def kind_of(model: type[BaseModel], name: str) -> Kind:
    annotation = _not_none(model.model_fields[name].annotation)
    origin = get_origin(annotation)
    if origin is list:
        return Kind.CODES
    if origin is dict:
        return Kind.MAPPING
    if origin is Literal and all(isinstance(arg, int) for arg in get_args(annotation)):
        return Kind.INTEGER
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return Kind.PARTS
        for kind, types in _KINDS:
            if issubclass(annotation, types):
                return kind
    return Kind.TEXT


def code_list(model: type[BaseModel], name: str) -> type[StrEnum] | None:
    """The field's code list (of a code, or each of several)."""
    annotation = _not_none(model.model_fields[name].annotation)
    if get_origin(annotation) is list:
        annotation = _not_none(get_args(annotation)[0])
    return annotation if isinstance(annotation, type) and issubclass(annotation, StrEnum) else None


_KINDS: tuple[tuple[Kind, type | tuple[type, ...]], ...] = (
    (Kind.DATE, date),
    (Kind.YES_NO, bool),  # before int: a bool is an int
    (Kind.INTEGER, int),
    (Kind.DECIMAL, float),
    (Kind.CODE, StrEnum),
)


def refused(name: str) -> str | None:
    """What to enter in the field `name` (of whichever model: fields that share a name
    share the message)."""
    return next((f[name].refused for f in FIELDS.values() if name in f), None)
