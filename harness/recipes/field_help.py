"""Recipe help from the pydantic models themselves: every field's dotted name, type, default and description
(`harness validate --explain`), and "did you mean" for a misspelt key. The models are the single source, so
the help cannot drift from what validation accepts.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

WILDCARD = "<name>"  # a key the user chooses: a model's name in `models`, a source's block
Row = tuple[str, str, str, str]  # (dotted name, type, default, description)


def _args(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def nested_model(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """How a model field's own fields are named below it: ('.', Model) for a model field (also Optional),
    ('.<name>.', Model) for dict[str, Model], ('[].', Model) for a list of models; None otherwise."""
    if _is_model(annotation):
        return ".", annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in _args(annotation) if _is_model(a)]
        return (".", models[0]) if len(models) == 1 else None
    if origin is dict and len(_args(annotation)) == 2 and _is_model(_args(annotation)[1]):
        return f".{WILDCARD}.", _args(annotation)[1]
    if origin in (list, tuple) and _args(annotation) and _is_model(_args(annotation)[0]):
        return "[].", _args(annotation)[0]
    return None


def type_name(annotation: Any) -> str:
    """The type as YAML writers read it: `int | None`, `list[str]`, `Literal['a', 'b']`, model names bare."""
    origin, args = typing.get_origin(annotation), _args(annotation)
    if origin is typing.Annotated:  # constraints and Field info are listed elsewhere, not in the type
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "Any"
    if origin is not None and args:
        name = origin.__name__ if isinstance(origin, type) else str(origin).removeprefix("typing.")
        return f"{name}[{', '.join('...' if a is Ellipsis else type_name(a) for a in args)}]"
    if isinstance(annotation, type):
        return annotation.__name__
    # module prefixes (typing., harness.train.spec.) say nothing to someone writing YAML
    return re.sub(r"\b[a-z_][a-z0-9_]*\.(?=[A-Za-z_])", "", str(annotation)).replace("NoneType", "None")


def default_text(info: Any) -> str:
    if info.default_factory is not None:
        value = info.default_factory()
        return "{}" if isinstance(value, BaseModel) else repr(value)  # a nested model: its fields list its defaults
    if info.default is PydanticUndefined:
        return "required"
    if isinstance(info.default, BaseModel):  # as YAML would set it: the keys that differ from their defaults
        return repr(info.default.model_dump(exclude_defaults=True))
    return repr(info.default)


def field_lines(
    model: type[BaseModel], prefix: str = "", seen: dict[type[BaseModel], str] | None = None
) -> Iterator[Row]:
    """(dotted name, type, default, description) for every field, nested models' fields after their parent; a
    model met again (TrainSpec under sft, dpo, rmsp...) refers to its first listing instead of repeating it."""
    seen = {} if seen is None else seen
    for name, info in model.model_fields.items():
        nested = nested_model(info.annotation)
        description = info.description or ""
        if nested is not None and nested[1] in seen:
            description = f"{description}; " if description else ""
            description += f"fields as under {seen[nested[1]]}"
        yield f"{prefix}{name}", type_name(info.annotation), default_text(info), description
        if nested is not None and nested[1] not in seen:
            seen[nested[1]] = f"{prefix}{name}"
            yield from field_lines(nested[1], f"{prefix}{name}{nested[0]}", seen)


def table(rows: Sequence[Row], indent: str = "  ") -> str:
    """Name, type and default on one line, the description indented beneath (as argparse prints dataclass help)."""
    if not rows:
        return f"{indent}(none)"
    width = max(len(r[0]) for r in rows)
    lines = []
    for name, kind, default, description in rows:
        lines.append(f"{indent}{name:<{width}}  {kind} (default: {default})")
        if description:
            lines.append(f"{indent}{'':<{width}}    {description}")
    return "\n".join(lines)


def explain(model: type[BaseModel], extra: Sequence[Row] = (), prefix: str = "") -> str:
    """Every field of `model` (nested models' after their parent) as a table, then the `extra` rows."""
    return table([*field_lines(model, prefix), *extra])


def model_at(model: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that holds the keys at `path` (pydantic's location of a mapping); None where the keys are free."""
    steps = list(path)
    while steps:
        info = model.model_fields.get(str(steps.pop(0)))
        nested = nested_model(info.annotation) if info is not None else None
        if nested is None:
            return None
        model = nested[1]
        if nested[0] != ".":  # a dict or list of models: the next step is the user's own key or an index
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
