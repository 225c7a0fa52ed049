"""Recipe help from the pydantic models themselves: every field's dotted name, type, default and description
(`harness validate --explain`), and "did you mean" for a misspelt key. The models are the single source, so
the help cannot drift from what validation accepts.
"""

from __future__ import annotations

import difflib
import inspect
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

WILDCARD = "<name>"  # a key the user chooses: a model's name in `models`, a source's block


def _args(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _nested(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """('', Model) for a model field (also Optional), ('<name>.', Model) for dict[str, Model]; None otherwise."""
    if _is_model(annotation):
        return "", annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in _args(annotation) if _is_model(a)]
        return ("", models[0]) if len(models) == 1 else None
    if origin is dict and len(_args(annotation)) == 2 and _is_model(_args(annotation)[1]):
        return f"{WILDCARD}.", _args(annotation)[1]
    return None


def type_name(annotation: Any) -> str:
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    # module prefixes (typing., harness.train.spec.) say nothing to someone writing YAML
    return re.sub(r"\b[a-z_][a-z0-9_]*\.(?=[A-Za-z_])", "", str(annotation)).replace("NoneType", "None")


def default_text(info: Any) -> str:
    if info.default_factory is not None:
        value = info.default_factory()
        return "{}" if isinstance(value, BaseModel) else repr(value)  # a nested model: its fields list its defaults
    if info.default is PydanticUndefined:
        return "required"
    return repr(info.default)


def field_lines(
    model: type[BaseModel], prefix: str = "", seen: dict[type[BaseModel], str] | None = None
) -> Iterator[tuple[str, str, str, str]]:
    """(dotted name, type, default, description) for every field, nested models' fields after their parent; a
    model met again (TrainSpec under sft, dpo, rmsp...) refers to its first listing instead of repeating it."""
    seen = {} if seen is None else seen
    for name, info in model.model_fields.items():
        nested = _nested(info.annotation)
        description = info.description or ""
        if nested is not None and nested[1] in seen:
            description = f"{description}; " if description else ""
            description += f"fields as under {seen[nested[1]]}"
        yield f"{prefix}{name}", type_name(info.annotation), default_text(info), description
        if nested is not None and nested[1] not in seen:
            seen[nested[1]] = f"{prefix}{name}"
            yield from field_lines(nested[1], f"{prefix}{name}.{nested[0]}", seen)


def parameter_lines(prefix: str, parameters: Mapping[str, inspect.Parameter]) -> list[tuple[str, str, str, str]]:
    """The same rows for a registered factory's parameters (a source block's keys), pydantic Fields included."""
    rows = []
    for name, parameter in parameters.items():
        default, description = parameter.default, ""
        if isinstance(default, FieldInfo):
            description = default.description or ""
            default = default.get_default(call_default_factory=True)
        shown = "required" if default in (inspect.Parameter.empty, PydanticUndefined) else repr(default)
        kind = "Any" if parameter.annotation is inspect.Parameter.empty else type_name(parameter.annotation)
        rows.append((f"{prefix}.{name}", kind, shown, description))
    return rows


def explain(model: type[BaseModel], extra: Sequence[tuple[str, str, str, str]] = ()) -> str:
    """A table the way argparse prints dataclass help: name, type, default, then the description."""
    rows = [*field_lines(model), *extra]
    width = max(len(r[0]) for r in rows)
    lines = []
    for name, kind, default, description in rows:
        lines.append(f"  {name:<{width}}  {kind} (default: {default})")
        if description:
            lines.append(f"  {'':<{width}}    {description}")
    return "\n".join(lines)


def model_at(model: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that holds the keys at `path` (pydantic's location of a mapping); None where the keys are free."""
    steps = list(path)
    while steps:
        info = model.model_fields.get(str(steps.pop(0)))
        nested = _nested(info.annotation) if info is not None else None
        if nested is None:
            return None
        model = nested[1]
        if nested[0]:  # dict[str, Model]: the next step is the user's own key (a model's name)
            if not steps:
                return None
            steps.pop(0)
    return model


def did_you_mean(model: type[BaseModel], loc: Sequence[str | int], extra: Sequence[str] = ()) -> str:
    """'; did you mean 'x'?' for the misspelt key at `loc`, or '' when no known key is close."""
    parent = model_at(model, loc[:-1]) if loc else None
    if parent is None:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), [*parent.model_fields, *extra], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_key(model: type[BaseModel] | None, loc: Sequence[str | int], top_level: Sequence[str] = ()) -> str:
    """The message for a key the model forbids; `top_level` are other keys the root takes (source blocks)."""
    hint = did_you_mean(model, loc, top_level if len(loc) == 1 else ()) if model is not None else ""
    return f"unknown key{hint or '; remove it or check its spelling'} (see `harness validate --explain RECIPE`)"
