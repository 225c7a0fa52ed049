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

from harness.benchmark import Benchmark
from harness.feedback import FeedbackSource
from harness.generation import Generator

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
    contract: type | None = None  # a runtime-checkable protocol every built object implements
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
        if self.contract is not None and not isinstance(obj, self.contract):
            missing = [m for m in _protocol_members(self.contract) if m not in dir(obj)]
            raise RegistryError(
                f"{self.kind} {name!r} ({entry.module}) built a {type(obj).__name__}, which does not "
                f"implement {self.contract.__name__} (missing: {', '.join(missing)}); subclass "
                f"{self.contract.__name__} or add them"
            )
        with contextlib.suppress(AttributeError):  # slots or frozen objects: the caller keeps the spec itself
            obj.plugin_spec = {"kind": self.kind, "name": name, "params": params}  # type: ignore[attr-defined]
        return obj


def _protocol_members(protocol: type) -> list[str]:
    names = {
        n
        for klass in protocol.__mro__
        if klass is not object and klass.__name__ != "Protocol" and klass is not Generic
        for n in (*vars(klass), *vars(klass).get("__annotations__", {}))
    }
    return sorted(n for n in names if not n.startswith("_"))


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
judges: Registry[Any] = Registry("judge", ("judges",))  # pointwise (`Judge`) and pairwise judges
sources: Registry[FeedbackSource] = Registry("feedback source", ("judges",), FeedbackSource)
metrics: Registry[Callable[..., Any]] = Registry("metric", ("harness.evaluate",))  # functions of plain sequences
benchmarks: Registry[Benchmark] = Registry("benchmark", ("benchmarks",), Benchmark)

generator = generators.register
judge = judges.register
source = sources.register
metric = metrics.register
benchmark = benchmarks.register

ALL = {r.kind: r for r in (generators, judges, sources, metrics, benchmarks)}
