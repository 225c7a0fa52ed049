"""What a registered plug-in takes, read from its factory: the full description and one row per parameter (name,
type, default, help), for `harness judges|sources|generators|benchmarks|metrics` and `harness validate --explain`.

Each row is the pydantic field built from the parameter the way `validate_call` builds it (`Annotated[...,
Field(...)]` help and constraints included), so the help cannot drift from what a recipe is checked against. A `**kwargs`
parameter that a factory hands to a pydantic model declares it with `KeysOf(Model)` in its annotation, and is
listed as that model's fields.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from harness.recipes.field_help import Row, default_text, field_lines, nested_model, type_name


@dataclass(frozen=True)
class KeysOf:
    """Annotation marker for `**spec: Annotated[Any, KeysOf(SpecModel)]`: the keys are SpecModel's fields."""

    model: type[BaseModel]


def description(factory: Callable[..., Any]) -> str:
    return inspect.getdoc(factory) or ""


def summary(factory: Callable[..., Any]) -> str:
    """The description's first paragraph as one line (never cut inside it)."""
    return " ".join(description(factory).split("\n\n")[0].split())


def _hints(factory: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(factory, include_extras=True)
    except (NameError, TypeError, AttributeError):  # a plug-in annotating with names only its type checker sees
        return {}


def _constraints(info: FieldInfo) -> str:
    bounds = []
    for item in info.metadata:
        if isinstance(item, Ge):
            bounds.append(f">= {item.ge}")
        elif isinstance(item, Gt):
            bounds.append(f"> {item.gt}")
        elif isinstance(item, Le):
            bounds.append(f"<= {item.le}")
        elif isinstance(item, Lt):
            bounds.append(f"< {item.lt}")
    return f"allowed: {', '.join(bounds)}" if bounds else ""


def _metadata(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)[1:] if typing.get_origin(annotation) is Annotated else ()


def _keys_of(annotation: Any) -> type[BaseModel] | None:
    return next((m.model for m in _metadata(annotation) if isinstance(m, KeysOf)), None)


def _described(annotation: Any) -> str:
    return next((m.description for m in _metadata(annotation) if isinstance(m, FieldInfo) and m.description), "")


def parameter_rows(factory: Callable[..., Any], prefix: str = "") -> list[Row]:
    """One row per parameter the factory takes; `prefix` is prepended to each name (a recipe block's path)."""
    hints = _hints(factory)
    return [row for p in inspect.signature(factory).parameters.values() for row in _rows(p, hints, prefix)]


def _rows(parameter: inspect.Parameter, hints: dict[str, Any], prefix: str) -> Iterator[Row]:
    annotation = hints.get(parameter.name, Any if parameter.annotation is inspect.Parameter.empty else None)
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        return
    if parameter.kind is inspect.Parameter.VAR_KEYWORD:
        model = _keys_of(annotation)
        if model is not None:
            yield from (
                (f"{prefix}{name}", kind, shown, help_text) for name, kind, shown, help_text in field_lines(model)
            )
        else:
            yield f"{prefix}**{parameter.name}", "keyword arguments", "{}", _described(annotation)
        return
    if annotation is None:  # unresolvable annotation: show it as written
        shown = "required" if parameter.default is inspect.Parameter.empty else repr(parameter.default)
        yield f"{prefix}{parameter.name}", str(parameter.annotation), shown, ""
        return
    default = PydanticUndefined if parameter.default is inspect.Parameter.empty else parameter.default
    info = FieldInfo.from_annotated_attribute(annotation, default)
    help_text = "; ".join(t for t in (info.description or "", _constraints(info)) if t)
    yield f"{prefix}{parameter.name}", type_name(info.annotation), default_text(info), help_text
    nested = nested_model(info.annotation)
    if nested is not None:  # a parameter that is a model (or a mapping or list of them): its fields beneath it
        yield from field_lines(nested[1], f"{prefix}{parameter.name}{nested[0]}")


def judge_rows(name: str, prefix: str = "") -> list[Row]:
    """A registered judge's rows: a parameter model declared with `@judge(..., params=Model)` replaces the
    signature's rows for the fields it declares (it is what validates them); the rest come from the signature."""
    from harness.registry import judges

    rows = parameter_rows(judges.get(name).factory, prefix)
    declared = judges.traits(name).params
    if declared is None:
        return rows
    kept = [r for r in rows if r[0].removeprefix(prefix).split(".")[0] not in declared.model_fields]
    return kept + list(field_lines(declared, prefix))
