"""A participant's registrations as their page lists them: each one's kind, date and main
answers, in Swedish."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel

from services.intake.domain.fields import FIELDS, code_list
from services.intake.entrypoints.form_input import input_text
from services.intake.entrypoints.form_labels import (
    INDICATORS,
    REGISTRATIONS,
    YES_NO,
    RegistrationWords,
)
from services.intake.entrypoints.form_registrations import CORRECTION_FORMS
from shared.contract.codes import Education, Gender, Reason, Referrer, SupportType, WorkCapacity
from shared.contract.events import (
    RegisteredEvent,
    correction_kind,
)
from shared.contract.kommuner import kommun_name
from shared.web import code_labels

Facts = list[tuple[str, str]]
"""(label, answer) of the questions answered."""


@dataclass(frozen=True)
class ListedRegistration:
    event_id: str
    words: RegistrationWords
    date: date
    facts: Facts


def listed(event: RegisteredEvent) -> ListedRegistration:
    return ListedRegistration(
        event.event_id,
        REGISTRATIONS[correction_kind(event)],
        registration_date(event),
        _answered(_facts(event)),
    )


def registration_date(event: RegisteredEvent) -> date:
    """The start date, the check-in's date or the end date."""
    return getattr(event, CORRECTION_FORMS[correction_kind(event)].date_field)


_CODE_LABELS: dict[type[StrEnum], dict[str, str]] = {
    Gender: code_labels.GENDER,
    Education: code_labels.EDUCATION,
    Referrer: code_labels.REFERRER,
    SupportType: code_labels.SUPPORT,
    Reason: code_labels.REASON,
    WorkCapacity: code_labels.WORK_CAPACITY,
}


def _facts(event: RegisteredEvent) -> list[tuple[str, object]]:
    """Every field of the registration's form but its date, labelled as the form labels
    it (`domain.fields`)."""
    form = CORRECTION_FORMS[correction_kind(event)]
    model = form.spec.details
    return [
        (asked.label, _shown(model, name, getattr(event, name)))
        for name, asked in FIELDS[model].items()
        if name != form.date_field
    ]


def _shown(model: type[BaseModel], name: str, value: object) -> object:
    if value is None:
        return None
    if isinstance(value, dict):  # the indicator card
        return ", ".join(f"{INDICATORS.get(area, area)} {score}" for area, score in value.items())
    if name == "municipality":  # stored as its code
        return kommun_name(str(value))
    if (codes := code_list(model, name)) is not None:
        labels = _CODE_LABELS[codes]
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels[str(code)] for code in chosen)
    return YES_NO[input_text(value)] if isinstance(value, bool) else input_text(value)


def _answered(facts: list[tuple[str, object]]) -> Facts:
    return [(label, str(answer)) for label, answer in facts if answer not in (None, "")]
