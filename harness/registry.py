"""One registry type for every plug-in kind.

A plug-in is a factory registered under a name with a decorator (`@judge("name")`). Lookups are lazy:
built-in modules are imported on first use, and third-party packages are found through the entry-point
group ``harness.plugins`` (each entry point names a module whose import registers its plug-ins).
`build()` records the factory's name and arguments on the object, so a run record can rebuild it.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")
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
    _entries: dict[str, Entry[T]] = field(default_factory=dict)
    _loaded: bool = False

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def decorator(factory: Callable[..., T]) -> Callable[..., T]:
            existing = self._entries.get(name)
            if existing is not None and existing.module != factory.__module__:
                raise RegistryError(f"{self.kind} {name!r} is already registered by {existing.module}")
            doc = inspect.getdoc(factory) or ""
            self._entries[name] = Entry(name, factory, factory.__module__, doc.split("\n")[0])
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
        try:
            obj.plugin_spec = {"kind": self.kind, "name": name, "params": params}  # type: ignore[attr-defined]
        except AttributeError:  # slots or frozen objects: the caller keeps the spec itself
            pass
        return obj


generators: Registry[Any] = Registry(
    "generator", ("harness.generation.hf", "harness.generation.openai", "harness.generation.gemini", "harness.generation.vllm",
                  "harness.generation.simulated"))
judges: Registry[Any] = Registry("judge", ("judges",))
sources: Registry[Any] = Registry("feedback source", ("judges",))
metrics: Registry[Any] = Registry("metric", ("harness.evaluate",))
benchmarks: Registry[Any] = Registry("benchmark", ("benchmarks",))

generator = generators.register
judge = judges.register
source = sources.register
metric = metrics.register
benchmark = benchmarks.register

ALL = {r.kind: r for r in (generators, judges, sources, metrics, benchmarks)}
