"""Why a form was refused, in Swedish, by the input it concerns: the `*Details` models'
validation errors and the domain's refusal of a field (`InvalidField`), a correction's
included. Each message says what to enter, not what went wrong inside."""

from datetime import date

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from services.intake.domain.errors import InvalidField
from services.intake.domain.fields import AGE, PART, refused
from services.intake.entrypoints.form_history import registration_date
from services.intake.entrypoints.form_input import INDICATOR_PREFIX
from shared.contract.events import (
    FollowupDetails,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    RegisteredEvent,
    StartDetails,
)
from shared.contract.identity import ERROR_TYPE as IDENTITY_ERROR

FieldErrors = dict[str, str]
"""Message by input name."""

_NEVER_STORED = "Det här ser ut som ett personnummer. Stegvis sparar aldrig personnummer"
IDENTITY_NUMBER = f"{_NEVER_STORED}."
PERSONAL_NUMBER = f"{_NEVER_STORED}: ange bara kommunen."
_BEFORE_START = {"end_date": "Slutdatum", "date": "Datumet"}
_AFTER_START = {ParticipantProgressed: "Uppföljningen", ParticipantStopped: "Avslutet"}
"""The registrations a start may not come after."""
_FALLBACK = "Kontrollera uppgiften."
RESENT_CHANGED = (
    "Det här formuläret har redan skickats in, med andra uppgifter. Det som registrerades "
    "första gången gäller. Vill du göra en ny registrering, öppna ett nytt formulär."
)
"""The form's one-off key already registered other details."""


def validation_errors(error: ValidationError) -> FieldErrors:
    """The first problem of each input."""
    errors: FieldErrors = {}
    for item in error.errors():
        name, message = _translated(item)
        errors.setdefault(name, message)
    return errors


def _translated(item: ErrorDetails) -> tuple[str, str]:
    field, *rest = (str(part) for part in item["loc"])
    kind = item["type"]
    if kind == IDENTITY_ERROR:  # named by its field alone: a refused indicator's key is input
        return field, PERSONAL_NUMBER if field == "municipality" else IDENTITY_NUMBER
    if field == "indicators":
        return (INDICATOR_PREFIX + rest[0] if rest else field), refused("indicators") or _FALLBACK
    if field == "birth_year" and kind == "value_error":
        return field, AGE
    if rest and (message := refused(PART.join((field, rest[0])))):  # an input of a part
        return PART.join((field, rest[0])), message
    return field, refused(field) or _FALLBACK


def refused_field(
    error: InvalidField, start_date: date | None, end_date: date | None = None
) -> FieldErrors:
    """The domain's refusal of one field given the stored state: a check-in or an end
    before the participant's start (`start_date`), or, once it has ended (`end_date`), a
    follow-up's date before the end or in the future."""
    if end_date is not None and error.field == "date":
        return {"date": f"Datumet ska vara från slutdatum ({end_date.isoformat()}) till i dag."}
    what = _BEFORE_START.get(error.field)
    if what is None or start_date is None:
        return {error.field: _FALLBACK}
    return {error.field: f"{what} får inte vara före startdatum ({start_date.isoformat()})."}


def refused_correction(
    error: InvalidField, details: BaseModel, registrations: list[RegisteredEvent]
) -> FieldErrors:
    """The domain's refusal of a correction (`details`) whose date would contradict the
    participant's other `registrations` (as they count now): a check-in or an end before
    the start. The domain names the field after the correction's kind (`stop.end_date`);
    the form's input is the field itself."""
    field = error.field.rpartition(".")[2]
    start = next((r for r in registrations if isinstance(r, ParticipantStarted)), None)
    if not isinstance(details, StartDetails):
        stop = next((r for r in registrations if isinstance(r, ParticipantStopped)), None)
        end = stop.end_date if stop and isinstance(details, FollowupDetails) else None
        return refused_field(
            InvalidField(field, error.message), start.start_date if start else None, end
        )
    for registration in registrations:
        what = _AFTER_START.get(type(registration))
        if what and (day := registration_date(registration)) < details.start_date:
            return {field: f"{what} den {day.isoformat()} skulle hamna före startdatumet."}
    return {field: _FALLBACK}
