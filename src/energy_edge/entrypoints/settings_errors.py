"""A refused EE_* setting as one sentence: the variable, the value given and what is allowed.

pydantic-settings raises a ValidationError listing field names and pydantic's
wording; a person set an environment variable, so the sentence names that
variable (the model's env prefix + the field) and says what it accepts, from
the field's own type and bounds.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from ..domain.shown import cut
from ..domain.shown import shown as shown_repr


def settings_sentence(error: ValidationError) -> str | None:
    """The sentence for a ValidationError raised by one of the package's settings models, else None."""
    model = _settings_model(error.title)
    if model is None:
        return None
    prefix = str(model.model_config.get("env_prefix", "")).upper()
    sentences = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        field = model.model_fields.get(name)
        variable = f"{prefix}{name.upper()}"
        allowed = describe_allowed(field) if field is not None else None
        message = item["msg"].removeprefix("Value error, ")  # pydantic's wrapping of a validator's own sentence
        sentences.append(f"{variable}={shown(item.get('input'))} is not allowed: "
                         f"{allowed or message[0].lower() + message[1:]}.")
    return " ".join(sentences)


def shown(value: Any) -> str:
    """The value as the variable was set (EE_SPEED=abc), cut by domain.shown's rule; its repr when it is no plain
    line of text (a newline, a control character), begins or ends with a space (the line's spaces are collapsed:
    `EE_MQTT_HOST= ` read as empty) or is no string at all, so the sentence stays one line and shows it."""
    if isinstance(value, str) and value.isprintable() and value == value.strip():
        return cut(value)
    return shown_repr(value)


def describe_allowed(field: FieldInfo) -> str | None:
    """'a number from 0 to 1', 'one of inmemory, mqtt, edgehub', ... from the field's annotation and bounds."""
    annotation = field.annotation
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    if typing.get_origin(annotation) is typing.Literal:
        text = "one of " + ", ".join(str(choice) for choice in typing.get_args(annotation))
    elif annotation is bool:
        text = "true or false"
    elif annotation in (int, float):
        text = ("a whole number" if annotation is int else "a finite number") + _bounds(field)
    elif annotation is dt.datetime:
        text = "a date and time in ISO 8601, e.g. 2026-06-21T12:00:00+00:00"
    elif typing.get_origin(annotation) is list:
        text = "a JSON list, e.g. [40000, 0, 50000]"
    else:
        return None
    return text + (" (or unset)" if optional else "")


def _bounds(field: FieldInfo) -> str:
    low = high = None
    for item in field.metadata:
        if isinstance(item, annotated_types.Gt):
            low = f"> {item.gt:g}"
        elif isinstance(item, annotated_types.Ge):
            low = f">= {item.ge:g}"
        elif isinstance(item, annotated_types.Lt):
            high = f"< {item.lt:g}"
        elif isinstance(item, annotated_types.Le):
            high = f"<= {item.le:g}"
    return "".join(f" {b}" if i == 0 else f" and {b}" for i, b in enumerate(b for b in (low, high) if b))


def _settings_model(title: str) -> type[BaseModel] | None:
    pending: list[type] = [BaseSettings]
    while pending:
        cls = pending.pop()
        if cls.__name__ == title and cls.__module__.startswith("energy_edge."):
            return cls
        pending.extend(cls.__subclasses__())
    return None
