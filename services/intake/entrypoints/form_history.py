"""A participant's registrations as their page lists them: each one's kind, date and main
answers, in Swedish."""

from dataclasses import dataclass
from datetime import date

from services.intake.entrypoints.form_input import input_text
from services.intake.entrypoints.form_labels import INDICATORS, REGISTRATIONS, RegistrationWords
from services.intake.entrypoints.form_registrations import CORRECTION_FORMS
from shared.contract.events import (
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    RegisteredEvent,
    correction_kind,
)
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
        _answered(_FACTS[type(event)](event)),
    )


def registration_date(event: RegisteredEvent) -> date:
    """The start date, the check-in's date or the end date."""
    return getattr(event, CORRECTION_FORMS[correction_kind(event)].date_field)


def _start(event: ParticipantStarted) -> list[tuple[str, object]]:
    return [
        ("Kön", code_labels.GENDER[event.gender]),
        ("Födelseår", event.birth_year),
        ("Utbildning", code_labels.EDUCATION.get(event.education)),
        ("Remittent", code_labels.REFERRER.get(event.referrer)),
        ("Kommun", event.municipality),
        ("Försörjning vid start", _supports(event.support_at_start)),
        ("VAS", event.vas),
    ]


def _progress(event: ParticipantProgressed) -> list[tuple[str, object]]:
    indicators = ", ".join(
        f"{INDICATORS.get(area, area)} {score}" for area, score in event.indicators.items()
    )
    return [
        ("Aktivitetstimmar per vecka", _typed(event.activity_hours_per_week)),
        ("VAS", event.vas),
        ("Indikatorer", indicators),
    ]


def _stop(event: ParticipantStopped) -> list[tuple[str, object]]:
    return [
        ("Avslutsanledning", code_labels.REASON[event.reason]),
        ("Försörjning vid avslut", _supports(event.support_at_end)),
        ("Arbetsförmåga", code_labels.WORK_CAPACITY.get(event.work_capacity)),
        ("VAS", event.vas),
    ]


_FACTS = {ParticipantStarted: _start, ParticipantProgressed: _progress, ParticipantStopped: _stop}


def _answered(facts: list[tuple[str, object]]) -> Facts:
    return [(label, str(answer)) for label, answer in facts if answer not in (None, "")]


def _supports(codes: list[str]) -> str:
    return ", ".join(code_labels.SUPPORT[code] for code in codes)


def _typed(value: object) -> str | None:
    return None if value is None else input_text(value)
