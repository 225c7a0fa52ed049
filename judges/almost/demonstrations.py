"""Few-shot demonstrations for response generation, and how they are put before a prompt.

A configuration names its demonstrations by quality:
- a path to an ALMoST prompt file (assets/HHH_prompt.txt, assets/Faithful_prompt.txt): a header, then
  "Human:" / "Assistant:" dialogues separated by lines of "-----";
- `benchmark:clean` — the benchmark's clean seed demonstrations (`benchmark.demonstrations(n)`);
- `benchmark:noisy` — the first examples of the benchmark's noisy corpus (`benchmark.corpus()`, the
  sandbox's pretraining chats), the worse demonstrations of the pair.

ALMoST pasted the header and the first k dialogues before "Human: <prompt>\\n\\nAssistant:" as one text.
We give the same content as chat messages — the header as the system message, each dialogue as prior
user/assistant turns — so any chat model (sandbox or real) reads the demonstrations through its template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.benchmark import Demonstrations as BenchmarkDemonstrations
from harness.benchmark import PretrainingCorpus
from harness.paths import data_file, where_to_get
from harness.types import Message, Prompt

BENCHMARK_QUALITIES = ("benchmark:clean", "benchmark:noisy")
_TURN = re.compile(r"^(Human|Assistant):", re.MULTILINE)
_ROLES = {"Human": "user", "Assistant": "assistant"}

Dialogue = tuple[Message, ...]


@dataclass(frozen=True)
class Demonstrations:
    header: str  # system message before the shots; "" for none
    dialogues: tuple[Dialogue, ...]  # each alternates user/assistant and ends with the assistant

    def before(self, prompt: Prompt, shots: int) -> tuple[Message, ...]:
        """The messages a model reads: header, the first `shots` dialogues (as ALMoST: always the same ones), the prompt."""
        if shots > len(self.dialogues):
            raise ValueError(f"shots={shots} but only {len(self.dialogues)} demonstrations are available: ask fewer")
        header = (Message(role="system", content=self.header),) if self.header else ()
        return (*header, *(m for dialogue in self.dialogues[:shots] for m in dialogue), *prompt.messages)


def parse_dialogue(text: str, where: str) -> Dialogue:
    """'Human: ...\\n\\nAssistant: ...' turns -> messages. A closing Human turn nobody answered is dropped,
    so that the dialogue ends with the assistant and the next prompt's user turn does not follow a user turn."""
    pieces = _TURN.split(text)
    if pieces[0].strip():
        raise ValueError(f"{where}: text before the first 'Human:' turn; every dialogue starts with 'Human:'")
    messages = [
        Message(role=_ROLES[speaker], content=content.strip())  # type: ignore[arg-type]
        for speaker, content in zip(pieces[1::2], pieces[2::2])
    ]
    if messages and messages[-1].role == "user":
        messages.pop()
    expected = ["user", "assistant"] * (len(messages) // 2)
    if not messages or [m.role for m in messages] != expected:
        raise ValueError(f"{where}: turns must alternate Human/Assistant, starting with Human")
    return tuple(messages)


def read_prompt_file(path: str | Path) -> Demonstrations:
    """An ALMoST demonstration file: header, then dialogues, separated by "\\n\\n-----"; `data:` paths are
    under the shared data folder (harness.paths)."""
    spec, path = path, data_file(path)
    if not path.is_file():
        raise ValueError(
            f"demos: file {str(path)!r} not found; give an ALMoST prompt file "
            f"(e.g. HHH_prompt.txt) or one of {', '.join(BENCHMARK_QUALITIES)}" + where_to_get(spec)
        )
    pieces = [p.strip("\n ") for p in path.read_text(encoding="utf-8").split("\n\n-----")]
    header, *dialogues = [p for p in pieces if p]
    return Demonstrations(
        header=header, dialogues=tuple(parse_dialogue(d, f"{path} dialogue {i + 1}") for i, d in enumerate(dialogues))
    )


def _chats(chats: list[list[dict[str, str]]]) -> tuple[Dialogue, ...]:
    return tuple(tuple(Message(**m) for m in chat) for chat in chats)


def benchmark_need(quality: str) -> type:
    """The benchmark capability a `benchmark:` quality reads (declared by the source, checked by `harness validate`)."""
    if quality not in BENCHMARK_QUALITIES:
        raise ValueError(f"demos: unknown quality {quality!r}; use one of {', '.join(BENCHMARK_QUALITIES)} or a file")
    return BenchmarkDemonstrations if quality == "benchmark:clean" else PretrainingCorpus


def benchmark_demonstrations(benchmark: object, quality: str, n: int) -> Demonstrations:
    """The first `n` clean demonstrations or noisy corpus chats of `benchmark` (its declared capabilities only)."""
    benchmark_need(quality)
    if quality == "benchmark:clean" and isinstance(benchmark, BenchmarkDemonstrations):
        return Demonstrations(header="", dialogues=_chats(list(benchmark.demonstrations(n))))
    if quality == "benchmark:noisy" and isinstance(benchmark, PretrainingCorpus):
        return Demonstrations(header="", dialogues=_chats(list(benchmark.corpus()[:n])))
    method = "demonstrations" if quality == "benchmark:clean" else "corpus"
    raise ValueError(
        f"demos: {quality} needs a benchmark with `{method}()`, and "
        f"{type(benchmark).__name__} has none; give an ALMoST prompt file instead"
    )


def load_demonstrations(demos: str, shots: int, benchmark: object = None) -> Demonstrations:
    if demos.startswith("benchmark:"):
        return benchmark_demonstrations(benchmark, demos, shots)
    return read_prompt_file(demos)
