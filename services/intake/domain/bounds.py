"""The bounds a `*Details` model declares for a field, so the Swedish texts that state them
(`domain.fields`: a hint, what to enter when refused) read them from the one declaration."""

from collections.abc import Iterator
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class Bounds:
    low: int | float | None = None
    """The least number the field takes (each of a mapping's values)."""
    high: int | float | None = None
    longest: int | None = None
    """The most characters of a text."""


def bounds(model: type[BaseModel], name: str) -> Bounds:
    field = model.model_fields[name]
    # A field's own metadata bounds its value, unless the value is a container (there it
    # bounds the number of items).
    container = get_origin(field.annotation) in (dict, list)
    constraints = [*([] if container else field.metadata), *_constraints(field.annotation)]
    found: dict[str, Any] = {}
    for constraint in constraints:
        # `Field(ge=…, le=…)` declares them as annotated-types' `Ge` and `Le`.
        if (low := getattr(constraint, "ge", None)) is not None:
            found["low"] = low
        if (high := getattr(constraint, "le", None)) is not None:
            found["high"] = high
        if isinstance(constraint, StringConstraints) and constraint.max_length is not None:
            found["longest"] = constraint.max_length
    return Bounds(**found)


def _constraints(annotation: object) -> Iterator[object]:
    """The constraints annotated on the value (a mapping's: on each of its values)."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        for arg in get_args(annotation):
            if arg is not NoneType:
                yield from _constraints(arg)
    elif origin is Annotated:
        base, *extras = get_args(annotation)
        for extra in extras:
            yield from extra.metadata if isinstance(extra, FieldInfo) else [extra]
        yield from _constraints(base)
    elif origin is dict:
        yield from _constraints(get_args(annotation)[1])
