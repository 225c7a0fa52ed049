"""The vLLM backend is an optional extra; without it, building one says which extra to install."""

from __future__ import annotations

import importlib.util

import pytest

from harness.generation.vllm import MissingExtraError, vllm_generator


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed here")
def test_without_the_extra_the_error_names_it():
    with pytest.raises(MissingExtraError, match=r"optional extra `vllm`.*feedback-harness\[vllm\]"):
        vllm_generator(model="some/model", tensor_parallel_size=2)
