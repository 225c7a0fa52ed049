"""Judge-call throughput of the remote executor against a server with fixed latency.

Starts the fake OpenAI-compatible server in its own process (100 ms a reply), then times 1,000 logprob judge
calls through the real SDK with 32 in flight, and a short run of sequential calls. Prints throughput as a
ratio of the ideal (in flight / latency = 320/s; goal >= 0.8) and of sequential calls (goal >= 20x).

    python -m benchmarks.perf.judge_throughput [--calls 1000] [--in-flight 32] [--latency-ms 100] [--strict]

Run it from the repository root. Timings on a shared machine are noisy: rerun before believing a miss.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness.generation.openai import openai_generator
from harness.types import Failure, Message

REPO = Path(__file__).resolve().parents[2]


def judge_items(count: int, tag: str) -> list[tuple[Message, ...]]:
    return [
        (
            Message(role="system", content="Answer m if output (m) is better, M if output (M) is better."),
            Message(role="user", content=f"[{tag} {i}] (m): {i} + 1 = {i + 1}\n(M): {i} + 1 = {i + 2}"),
        )
        for i in range(count)
    ]


@dataclass(frozen=True)
class Timing:
    wall_s: float
    cpu_s: float  # this process only: the server runs in its own
    failed: int


def timed_judging(base_url: str, cache_dir: str, items: list[tuple[Message, ...]], in_flight: int) -> Timing:
    judge = openai_generator(
        model="fake-judge",
        base_url=base_url,
        api_key_env=None,
        concurrency=in_flight,
        max_retries=0,
        timeout_s=10.0,
        cache_path=f"{cache_dir}/calls.sqlite",
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    verdicts = judge.label_logprobs(items, labels=("m", "M"))
    timing = Timing(
        wall_s=time.perf_counter() - started,
        cpu_s=time.process_time() - cpu_started,
        failed=sum(isinstance(v, Failure) for v in verdicts),
    )
    judge.close()
    return timing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--sequential-calls", type=int, default=30)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.fake_llm", "--answer", "label", "--latency-ms", str(args.latency_ms)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip() + "/v1"
        with tempfile.TemporaryDirectory() as cache_dir:
            # Each phase uses its own items, so none is served from another's cache. The warm-up pays the
            # one-time SDK import, which is not throughput.
            timed_judging(base_url, cache_dir, judge_items(args.in_flight, "warm-up"), args.in_flight)
            parallel = timed_judging(base_url, cache_dir, judge_items(args.calls, "parallel"), args.in_flight)
            sequential = timed_judging(base_url, cache_dir, judge_items(args.sequential_calls, "sequential"), 1)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)

    throughput = args.calls / parallel.wall_s
    sequential_rate = args.sequential_calls / sequential.wall_s
    ideal = args.in_flight / (args.latency_ms / 1000)
    of_ideal, speedup = throughput / ideal, throughput / sequential_rate
    cpu_ms = 1000 * parallel.cpu_s / args.calls
    print(f"{args.calls} judge calls, {args.in_flight} in flight, {args.latency_ms:g} ms server latency")
    print(f"  parallel:   {parallel.wall_s:.2f} s, {throughput:.1f} calls/s, {parallel.failed} failed")
    print(f"  sequential: {sequential_rate:.2f} calls/s over {args.sequential_calls} calls, {sequential.failed} failed")
    # The client's CPU per call caps throughput at 1000/cpu_ms on one free core; a busy machine gives less.
    print(
        f"  client CPU: {cpu_ms:.2f} ms a call (one core caps at {1000 / cpu_ms:.0f}/s); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"  throughput / ideal {ideal:.0f}/s = {of_ideal:.2f} (goal >= 0.8) {'ok' if of_ideal >= 0.8 else 'MISSED'}")
    print(f"  throughput / sequential = {speedup:.1f}x (goal >= 20x) {'ok' if speedup >= 20 else 'MISSED'}")
    missed = of_ideal < 0.8 or speedup < 20 or parallel.failed or sequential.failed
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
