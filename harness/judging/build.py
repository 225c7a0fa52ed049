"""The one way a recipe's judge is checked and built, for the `judged` source, judge evaluation and judge quality.

What a judge is handed comes from its `@judge` declaration (harness/judging/contract.py): the generator of its
recipe model when it runs on one, the run's seed when it takes one (a seed the recipe gives wins). Its own
parameters are checked against its parameter model, and its `check` hook runs, before any compute is spent.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from harness.generation import Generator
from harness.judging.contract import JUDGE_CONTRACTS, AnyJudge, JudgeSite, missing_members
from harness.registry import Entry, RegistryError, judges

HANDED = ("generator",)  # parameters the harness hands a judge, never the recipe


def judge_params(name: str, params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The judge's parameters as built: the recipe's, plus the run's seed where the judge is seeded."""
    out = dict(params)
    if judges.traits(name).seeded:
        out.setdefault("seed", seed)
    return out


def build_judge(name: str, params: Mapping[str, Any], *, generator: Generator | None = None, **handed: Any) -> AnyJudge:
    """Build the registered judge `name` with `params` (seed included: `judge_params`), on `generator` where it
    runs on a model; `handed` are values the caller provides for the judge (a reward model's `path`)."""
    traits = judges.traits(name)
    if traits.on_model != (generator is not None):
        need = "runs on a model and was given none" if traits.on_model else "runs on no model and was given one"
        raise ValueError(f"judge {name!r} {need}")
    extra = {"generator": generator} if generator is not None else {}
    return judges.build(name, **params, **handed, **extra)


def check_judge(
    name: str,
    params: Mapping[str, Any],
    *,
    field: str,
    model: str | None,
    handed: Iterable[str] = (),
) -> None:
    """A ValueError "<field>.<param>: <problem>; <fix>" (with `field` "": "<param>: ...") for a judge that would
    fail when built: a model given to a judge on none or missing for one on a model, parameters its parameter model
    rejects, a factory whose declared return class lacks the judge contract, or its own `check` hook's finding. An
    unknown name is the registry's RegistryError (naming close matches). `handed`: parameters the caller provides."""
    entry = judges.get(name)
    traits = judges.traits(name)
    if traits.on_model and model is None:
        raise ValueError(f"{_at(field, 'model')}: judge {name!r} runs on a model; add model: <name in models>")
    if model is not None and not traits.on_model:
        raise ValueError(f"{_at(field, 'model')}: judge {name!r} runs on no model; remove model")
    handed = set(handed)
    model_of_params = parameter_model(entry, traits.params)
    accepts = [p for p in model_of_params.model_fields if p not in handed]
    try:
        model_of_params.model_validate(dict(params))
    except ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            if err["type"] == "missing" and key in handed:
                continue
            if err["type"] == "missing":
                raise ValueError(
                    f"{_at(field, key)}: judge {name!r} needs this parameter; add {key}: <value>"
                ) from None
            if err["type"] == "extra_forbidden":
                takes = ", ".join(accepts) or "none"
                raise ValueError(
                    f"{_at(field, key)}: judge {name!r} takes no such parameter; it takes {takes}"
                ) from None
            raise ValueError(f"{_at(field, key)}: {err['msg']} (got {err.get('input')!r})") from None
    lacking = declared_lacks(entry)
    if lacking:
        raise ValueError(f"{field}: {lacking}" if field else lacking)
    if traits.check is not None:
        try:
            traits.check(JudgeSite(field=field, params=params))
        except ValueError as exc:
            raise ValueError(_at(field, str(exc))) from None


def _at(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def parameter_model(entry: Entry[AnyJudge], declared: type[BaseModel] | None = None) -> type[BaseModel]:
    """The judge's parameter model: the declared one, else one derived from the factory's signature (the
    parameters the harness hands over left out; unknown keys rejected)."""
    if declared is not None:
        return declared
    try:
        hints = typing.get_type_hints(entry.factory)
    except Exception:
        hints = {}
    fields: dict[str, Any] = {}
    for p in inspect.signature(entry.factory).parameters.values():
        if p.name in HANDED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = ... if p.default is p.empty else p.default
        fields[p.name] = (hints.get(p.name, Any), default)
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    return create_model(f"{entry.name}_params", __config__=config, **fields)


def declared_lacks(entry: Entry[AnyJudge]) -> str:
    """What the factory's declared return class lacks of the judge contract ("" when it has all of one of them, or
    declares no class to check); the registry checks the built object again."""
    try:
        returned = typing.get_type_hints(entry.factory).get("return")
    except Exception:
        return ""
    if not inspect.isclass(returned) or returned in (*JUDGE_CONTRACTS, object):
        return ""
    lacks = {c.__name__: missing_members(returned, c, methods_only=True) for c in JUDGE_CONTRACTS}
    if any(not m for m in lacks.values()):
        return ""
    named = " nor ".join(f"{c} (missing: {', '.join(m)})" for c, m in lacks.items())
    return (
        f"judge {entry.name!r} ({entry.module}) returns a {returned.__name__}, which implements neither {named}; "
        "add the missing members"
    )


__all__ = ["RegistryError", "build_judge", "check_judge", "judge_params", "parameter_model"]
