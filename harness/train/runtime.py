"""Training arguments that depend on the machine, decided at run time in this one place.

TRL defaults to bf16 and gradient checkpointing, both meant for GPUs: on a CPU, bf16 autocast is slow or unsupported
and checkpointing only adds recomputation. Whatever the machine, a stage writes nothing but its final model (the stage
store owns persistence) and reports to no tracker.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def require_quantization_backend(mode: str) -> None:
    """QLoRA's bitsandbytes kernels need CUDA: say so in one line before TRL fails deep inside model loading."""
    import importlib.util

    if not cuda_available():
        raise ValueError(
            f"lora.quantization: {mode} needs a CUDA GPU and this machine has none; "
            "set lora.quantization to null to train plain LoRA here"
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise ValueError(
            f"lora.quantization: {mode} needs bitsandbytes; `pip install bitsandbytes` or set lora.quantization to null"
        )


def runtime_arguments() -> dict[str, Any]:
    """TRL config arguments for this machine; TrainSpec fields and `trl` extras override them."""
    arguments: dict[str, Any] = {
        "report_to": "none",
        "save_strategy": "no",
        "dataloader_num_workers": 0,  # worker processes cost more than they save for tiny, pre-tokenised batches
        "disable_tqdm": True,
    }
    if not cuda_available():
        # transformers 5.23 renamed gradient_checkpointing (TRL's default: on) to activation_checkpointing; setting
        # the new name overrides the old one and keeps gradient_checkpointing mirrored, without a warning.
        arguments.update(bf16=False, fp16=False, activation_checkpointing=False, use_cpu=True)
    return arguments


def machine_threads() -> int:
    """Threads for torch: OMP_NUM_THREADS when set (the standard knob, e.g. for a shared machine), else every core
    this process may run on (respects taskset/cgroup affinity, unlike os.cpu_count)."""
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def configure_torch_threads() -> int:
    """Set torch's intra-op thread count to `machine_threads()`; returns it.

    On an oversubscribed machine (more busy threads than cores) OpenMP threads spin-wait for each other: a tiny
    model's matmuls then run several times slower on 2 threads than on 1, so set OMP_NUM_THREADS=1 there.
    """
    import torch

    threads = machine_threads()
    torch.set_num_threads(threads)
    return threads


@contextmanager
def training_output(shown: bool) -> Iterator[None]:
    """What one training stage prints: the datasets / transformers progress bars shown or hidden (process-wide
    switches, restored after the stage), and one deprecation a user cannot act on muted: TRL 1.16 and peft read
    `model.is_gradient_checkpointing`, which transformers 5.23 deprecated, once per forward pass of a LoRA model
    (hundreds of identical lines a stage).
    """
    import datasets
    from transformers.utils import logging as transformers_logging

    switches = [
        (datasets.is_progress_bar_enabled(), datasets.enable_progress_bars, datasets.disable_progress_bars),
        (
            transformers_logging.is_progress_bar_enabled(),
            transformers_logging.enable_progress_bar,
            transformers_logging.disable_progress_bar,
        ),
    ]
    for _, enable, disable in switches:
        (enable if shown else disable)()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=".*is_gradient_checkpointing.*is deprecated", category=FutureWarning
            )
            yield
    finally:
        for was_shown, enable, disable in switches:
            (enable if was_shown else disable)()
