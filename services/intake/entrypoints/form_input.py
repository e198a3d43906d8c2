"""What a staff form sent, as the payload of its command: the url-encoded body read into
lists of values, then each field converted to what the command's `*Details` model takes;
and the other way, a stored event's details as the form's inputs (to correct them).

An empty input is a question left unanswered, so it is left out and the model's default
applies. A value that does not convert (a letter in a number) is passed on as typed, so the
model refuses it and the form says why.
"""

from dataclasses import dataclass

from pydantic import BaseModel

from services.intake.domain.fields import Kind, kind_of
from shared.contract.typed_numbers import typed_decimal, typed_integer
from shared.web.forms import FormData, first

INDICATOR_PREFIX = "indicator_"
"""Inputs `indicator_<name>` make the `indicators` mapping of a check-in."""

YES, NO = "ja", "nej"


@dataclass(frozen=True)
class FormSpec:
    """How a form's inputs become its command's details. The inputs are named as the
    model's fields, and converted as each field's declaration says (`domain.fields`)."""

    details: type[BaseModel]

    def payload(self, form: FormData) -> dict:
        payload: dict = {}
        for name in self.details.model_fields:
            value: object
            if name == "indicators":
                value = _indicators(form)
            elif kind_of(self.details, name) is Kind.CODES:
                value = [chosen for chosen in form.get(name, []) if chosen]
            else:
                value = self._single(name, first(form, name))
            if value not in ("", [], {}):
                payload[name] = value
        return payload

    def form_data(self, details: BaseModel) -> FormData:
        """The inputs that send `details` again as they are (the inverse of `payload`)."""
        form: FormData = {}
        for name in self.details.model_fields:
            value = getattr(details, name)
            if name == "indicators":
                form |= {INDICATOR_PREFIX + area: [str(score)] for area, score in value.items()}
            elif kind_of(self.details, name) is Kind.CODES:
                form[name] = [str(chosen) for chosen in value]
            elif value is not None:
                form[name] = [input_text(value)]
        return form

    def _single(self, name: str, text: str) -> object:
        kind = kind_of(self.details, name)
        if kind is Kind.INTEGER:
            return typed_integer(text)
        if kind is Kind.DECIMAL:
            return typed_decimal(text)
        if kind is Kind.YES_NO:
            return {YES: True, NO: False}.get(text, text)
        return text


def input_text(value: object) -> str:
    """A stored value as its input shows it."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return str(value).removesuffix(".0").replace(".", ",")  # as a Swedish hand types it
    return str(value)  # dates in ISO form, codes as their values


def _indicators(form: FormData) -> dict[str, int | str]:
    return {
        name.removeprefix(INDICATOR_PREFIX): typed_integer(value)
        for name in form
        if name.startswith(INDICATOR_PREFIX) and (value := first(form, name))
    }
