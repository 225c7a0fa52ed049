"""Before a judge-evaluation run spends compute: every set's data is where the recipe says (`data:` paths with the
hint on where the shared folder is read from) and every HH-RLHF subset it names is one the data has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast

from harness.judge_eval.sets import (
    FairEvalSet,
    HHHSet,
    HHRLHFSet,
    LabelledSet,
    OasstSet,
    PairwiseFileSet,
    TruthfulQASet,
)
from harness.paths import data_file, where_to_get
from harness.recipes.schema import RecipeError


class _Subsets(Protocol):
    """HH-RLHF's loader: "test" and one split per subset file."""

    def splits(self) -> tuple[str, ...]: ...


def check_sets(sets: Mapping[str, LabelledSet], where: str) -> None:
    """A one-line RecipeError naming `sets.<name>` for the first set whose data is missing."""
    from harness.registry import benchmarks

    for name, spec in sets.items():
        field = f"{where}: sets.{name}"
        if isinstance(spec, (HHHSet, FairEvalSet, PairwiseFileSet)):
            path = data_file(spec.path)
            if not path.exists():
                raise RecipeError(
                    f"{field}.path: {path} not found; give the set's file relative to this recipe"
                    + where_to_get(spec.path)
                )
            continue
        try:
            if isinstance(spec, HHRLHFSet):
                data = cast(_Subsets, benchmarks.build("hh_rlhf", path=spec.path))
                known = [s for s in data.splits() if s != "test"]
                unknown = [s for s in spec.subsets if s not in known]
                if unknown:
                    raise RecipeError(
                        f"{field}.subsets: {unknown[0]!r} is not an HH-RLHF subset of the data; use one of "
                        f"{', '.join(known)}"
                    )
            elif isinstance(spec, (TruthfulQASet, OasstSet)):
                benchmarks.build(spec.type, path=None if spec.path is None else str(data_file(spec.path)))
        except FileNotFoundError as exc:
            raise RecipeError(f"{field}.path: {exc}") from None
