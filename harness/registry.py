"""One registry type for every plug-in kind.

A plug-in is a factory registered under a name with a decorator (`@judge("name")`). Lookups are lazy:
built-in modules are imported on first use, and third-party packages are found through the entry-point
group ``harness.plugins`` (each entry point names a module whose import registers its plug-ins).
`build()` records the factory's name and arguments on the object, so a run record can rebuild it.

Each registry is typed by its kind's contract (a protocol: `FeedbackSource`, `Generator`, `Benchmark`, ...), and
`build()` checks that what a factory returned declares every member of it, so a plug-in missing one fails when it
is built, naming the member, not deep inside a run.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel

from harness.benchmark import Benchmark
from harness.feedback import FeedbackSource
from harness.generation import Generator
from harness.judging.contract import (
    JUDGE_CONTRACTS,
    AnyJudge,
    JudgeCheck,
    JudgeReads,
    JudgeTraits,
    PairJudge,
    PointwiseJudge,
    RewardScorer,
    missing_members,
)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., object])  # a factory, kept with its own signature and return type
ENTRY_POINT_GROUP = "harness.plugins"


class RegistryError(LookupError):
    pass


@dataclass(frozen=True)
class Entry(Generic[T]):
    name: str
    factory: Callable[..., T]
    module: str
    doc: str

    @property
    def parameters(self) -> dict[str, inspect.Parameter]:
        return dict(inspect.signature(self.factory).parameters)


@dataclass
class Registry(Generic[T]):
    kind: str
    builtin_modules: tuple[str, ...] = ()
    contract: type | tuple[type, ...] | None = None  # runtime-checkable protocol(s): a built object implements one
    _entries: dict[str, Entry[T]] = field(default_factory=dict)
    _loaded: bool = False

    def register(self, name: str) -> Callable[[F], F]:
        def decorator(factory: F) -> F:
            existing = self._entries.get(name)
            if existing is not None and existing.module != factory.__module__:
                raise RegistryError(f"{self.kind} {name!r} is already registered by {existing.module}")
            doc = inspect.getdoc(factory) or ""
            # What a factory builds is checked against `contract` when it is built (build), not here.
            self._entries[name] = Entry(name, cast(Callable[..., T], factory), factory.__module__, doc.split("\n")[0])
            return factory

        return decorator

    __call__ = register

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self.builtin_modules:
            importlib.import_module(module)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            ep.load()

    def names(self) -> list[str]:
        self._load()
        return sorted(self._entries)

    def entries(self) -> list[Entry[T]]:
        return [self._entries[n] for n in self.names()]

    def get(self, name: str) -> Entry[T]:
        self._load()
        if name in self._entries:
            return self._entries[name]
        close = difflib.get_close_matches(name, self._entries, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(self._entries))}"
        raise RegistryError(f"unknown {self.kind} {name!r}{hint}")

    def __contains__(self, name: str) -> bool:
        self._load()
        return name in self._entries

    def build(self, name: str, /, **params: Any) -> T:
        entry = self.get(name)
        obj = entry.factory(**params)
        self.check_built(name, entry, obj)
        with contextlib.suppress(AttributeError):  # slots or frozen objects: the caller keeps the spec itself
            obj.plugin_spec = {"kind": self.kind, "name": name, "params": params}  # type: ignore[attr-defined]
        return obj

    def check_built(self, name: str, entry: Entry[T], obj: object) -> None:
        """A RegistryError naming the members `obj` lacks, unless it implements the contract (one of them, where
        the kind has several: a judge is pointwise or pairwise)."""
        if self.contract is None:
            return
        contracts = self.contract if isinstance(self.contract, tuple) else (self.contract,)
        if any(isinstance(obj, c) for c in contracts):
            return
        built = f"{self.kind} {name!r} ({entry.module}) built a {type(obj).__name__}, which"
        if len(contracts) == 1:
            (c,) = contracts
            missing = ", ".join(missing_members(obj, c))
            raise RegistryError(
                f"{built} does not implement {c.__name__} (missing: {missing}); subclass {c.__name__} or add them"
            )
        lacks = " nor ".join(f"{c.__name__} (missing: {', '.join(missing_members(obj, c))})" for c in contracts)
        raise RegistryError(f"{built} implements neither {lacks}; add the missing members of one")


class JudgeRegistry(Registry[AnyJudge]):
    """The judge registry: `@judge(name, on_model=..., seeded=..., params=..., check=...)` declares what the
    harness hands the factory (harness/judging/contract.py `JudgeTraits`); a declaration the factory's signature
    contradicts is a RegistryError when the module registers it."""

    def __init__(self) -> None:
        super().__init__("judge", ("judges",), JUDGE_CONTRACTS)
        self._traits: dict[str, JudgeTraits] = {}

    def register(  # type: ignore[override]
        self,
        name: str,
        *,
        on_model: bool = False,
        seeded: bool = False,
        params: type[BaseModel] | None = None,
        check: JudgeCheck | None = None,
        reads: JudgeReads | None = None,
    ) -> Callable[[Callable[..., AnyJudge]], Callable[..., AnyJudge]]:
        def decorator(factory: Callable[..., AnyJudge]) -> Callable[..., AnyJudge]:
            accepts = inspect.signature(factory).parameters
            where = f"judge {name!r} ({factory.__module__})"
            if on_model != ("generator" in accepts):
                problem = (
                    "declares on_model=True but takes no `generator`"
                    if on_model
                    else ("takes `generator` but does not declare on_model=True")
                )
                raise RegistryError(f"{where}: {problem}; a judge on a model takes `generator`, declared on_model=True")
            if seeded and "seed" not in accepts:
                raise RegistryError(f"{where}: declares seeded=True but takes no `seed` parameter; add one or drop it")
            Registry.register(self, name)(factory)
            self._traits[name] = JudgeTraits(on_model=on_model, seeded=seeded, params=params, check=check, reads=reads)
            return factory

        return decorator

    __call__ = register  # type: ignore[assignment]

    def pointwise(self, name: str, /, **params: Any) -> PointwiseJudge:
        """Build a judge that must score one reply at a time (a RegistryError naming what it lacks otherwise)."""
        built = self.build(name, **params)
        if not isinstance(built, PointwiseJudge):
            raise self._not_a(name, built, PointwiseJudge)
        return built

    def pair(self, name: str, /, **params: Any) -> PairJudge:
        """Build a judge that must compare two replies."""
        built = self.build(name, **params)
        if not isinstance(built, PairJudge):
            raise self._not_a(name, built, PairJudge)
        return built

    def reward_scorer(self, name: str, /, **params: Any) -> RewardScorer:
        """Build a judge that must score whole conversations (a reward model)."""
        built = self.build(name, **params)
        if not isinstance(built, RewardScorer):
            raise self._not_a(name, built, RewardScorer)
        return built

    def _not_a(self, name: str, built: object, contract: type) -> RegistryError:
        missing = ", ".join(missing_members(built, contract))
        return RegistryError(
            f"judge {name!r} built a {type(built).__name__}, and this use needs a {contract.__name__} "
            f"(missing: {missing}); use a judge that has them"
        )

    def traits(self, name: str) -> JudgeTraits:
        """What the judge's `@judge` declared (an unknown name is a RegistryError naming the close matches)."""
        self.get(name)
        return self._traits[name]


generators: Registry[Generator] = Registry(
    "generator",
    (
        "harness.generation.hf",
        "harness.generation.openai",
        "harness.generation.gemini",
        "harness.generation.vllm",
        "harness.generation.simulated",
    ),
    Generator,
)
judges = JudgeRegistry()  # pointwise and pairwise judges (harness/judging/contract.py)
sources: Registry[FeedbackSource] = Registry("feedback source", ("judges",), FeedbackSource)
metrics: Registry[Callable[..., Any]] = Registry("metric", ("harness.evaluate",))  # functions of plain sequences
benchmarks: Registry[Benchmark] = Registry("benchmark", ("benchmarks",), Benchmark)

generator = generators.register
judge = judges.register
source = sources.register
metric = metrics.register
benchmark = benchmarks.register

ALL = {r.kind: r for r in (generators, judges, sources, metrics, benchmarks)}
