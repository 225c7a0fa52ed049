"""Split shares: the fraction of a benchmark's prompt texts in each split (a text's split is fixed by its hash)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, model_validator


class SplitSharesBase(BaseModel):
    """Subclasses declare one float field per split; together they must cover every prompt text exactly once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitSharesBase:
        shares = self.model_dump()
        total = sum(shares.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(f"splits: shares sum to {total:g}; make {' + '.join(shares)} equal 1")
        return self
