"""A sweep whose zip block moves with the dial (a flip rate and the loss's assumed noise rate): against the measured
pair accuracy, one curve per grid value (each loss), not one point per zipped value."""

from __future__ import annotations

from harness.sweep.aggregate import SweepRow, SweepTable
from harness.sweep.record import SweepRecord
from harness.sweep.view import curves

LOSSES = (("robust", "sft"), ("sigmoid", "sft"))
LEVELS = ((0.4, 0.6, 2.3), (0.2, 0.8, 2.5))  # flip rate, measured pair accuracy, score


def _table(zip_block: bool) -> SweepTable:
    spec = {"grid": {"dpo.loss_type": [list(x) for x in LOSSES]}}
    if zip_block:
        spec["zip"] = {"noisy_oracle.flip_rate": [0.4, 0.2], "dpo.trl.label_smoothing": [0.4, 0.2]}
    else:
        spec["grid"]["noisy_oracle.flip_rate"] = [0.4, 0.2]
    rows = [
        SweepRow(
            group=f"{loss[0]}-{rate}",
            values={
                "dpo.loss_type": list(loss),
                "noisy_oracle.flip_rate": rate,
                **({"dpo.trl.label_smoothing": rate} if zip_block else {}),
            },
            extra=False,
            model="M2-noisy_oracle",
            stage="M2",
            source="noisy_oracle",
            seeds=[None],
            run_ids=["r"],
            score=score,
            score_sd=0.0,
            gold_pair_accuracy=accuracy,
        )
        for loss in LOSSES
        for rate, accuracy, score in LEVELS
    ]
    record = SweepRecord(sweep="zip", sweep_id="20260101-000000-zip", spec=spec)
    return SweepTable(record, "M1", rows, dimensions=list(spec["grid"]) + list(spec.get("zip", {})))


def test_zipped_paths_move_with_the_dial_so_each_loss_is_one_curve():
    found, singles = curves(_table(zip_block=True), "gold_pair_accuracy", "score")
    assert not singles
    assert sorted(c.label for c in found) == [
        "M2-noisy_oracle (loss_type=['robust', 'sft'])",
        "M2-noisy_oracle (loss_type=['sigmoid', 'sft'])",
    ]
    assert all([p.x for p in c.points] == [0.6, 0.8] for c in found)


def test_without_a_zip_block_the_first_swept_path_is_the_curve_and_the_rest_split_it():
    found, _ = curves(_table(zip_block=False), "gold_pair_accuracy", "score")
    assert len(found) == 2 and all(len(c.points) == 2 for c in found)
    assert all("flip_rate" in c.label and "loss_type" not in c.label for c in found)
