"""Numbers and switches taken as written: pydantic's lax mode reads `prompts: true` as 1 and `enabled: 1` as true,
so a slip in a recipe changes a run instead of stopping it. Models of recipe input inherit `ExactScalars`."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

NUMBERS = (int, float)
EXACT_SCALAR = "exact_scalar"


def _scalar(annotation: Any) -> tuple[type | None, bool]:
    """(int, float or bool the field holds, whether it is a list/tuple of them), or (None, False)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return _scalar(kinds[0]) if len(kinds) == 1 else (None, False)
    if origin in (list, tuple):
        inner = [a for a in get_args(annotation) if a is not Ellipsis]
        if len(set(inner)) == 1 and inner[0] in (*NUMBERS, bool):
            return inner[0], True
        return None, False
    return (annotation, False) if annotation in (*NUMBERS, bool) else (None, False)


def _wrong(kind: type, value: Any) -> str | None:
    if kind in NUMBERS and isinstance(value, bool):
        return f"a number, not {str(value).lower()}; write a number"
    if kind is bool and value is not None and not isinstance(value, bool):
        return f"true or false, not {value!r}; write true or false"
    return None


class ExactScalars(BaseModel):
    """A bool is never read as a number, nor a number or a string as a bool; other types keep pydantic's rules.
    The error (type `exact_scalar`) carries the field's name, which `harness.recipes.schema.first_error` appends to the
    location (a model-level check, so a discriminator field keeps pydantic's own handling)."""

    @model_validator(mode="before")
    @classmethod
    def _exact_scalars(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key not in data:
                continue
            kind, many = _scalar(field.annotation)
            if kind is None:
                continue
            values = (data[key] if isinstance(data[key], (list, tuple)) else []) if many else [data[key]]
            for value in values:
                problem = _wrong(kind, value)
                if problem:
                    raise PydanticCustomError(
                        EXACT_SCALAR, "{field}: {problem}", {"field": key, "problem": problem, "value": value}
                    )
        return data
