"""Judge prompts are data: one folder per prompt, `template.txt` plus `judge.yaml` (parser, generation)."""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from harness.recipes.yamlfile import read_yaml_mapping
from harness.types import Failure, Preference, Score

# The prompt folders are data shipped in the judges package (package-data); loading them is core.
PROMPTS_DIR = Path(__file__).resolve().parents[2] / "judges" / "prompts"
PLACEHOLDERS = {"score": {"prompt", "response"}, "pairwise": {"prompt", "response_a", "response_b"}}


class ScoreParser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    regex: str = Field(description="first capture group is the score")
    min: float
    max: float

    def parse(self, raw: str) -> Score | Failure:
        match = re.search(self.regex, raw)
        if match is None:
            return Failure(reason="unparseable", raw=raw)
        try:
            value = float(_whole_number(raw, *match.span(1)))
        except (IndexError, ValueError):
            return Failure(reason="unparseable", raw=raw)
        if not self.min <= value <= self.max:
            return Failure(reason="out_of_range", raw=raw)
        return Score(value=value, rationale=raw)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _whole_number(raw: str, start: int, end: int) -> str:
    """The whole number the captured text is part of: a regex like `Score: ?([0-5])` captures the "1" of
    "Score: 10", which must be read as 10 (out of range), never as 1."""
    for number in _NUMBER.finditer(raw):
        if number.start() <= start and end <= number.end() and number.start() < end:
            return number.group()
    return raw[start:end]


class LabelParser(BaseModel):
    """Pairwise verdicts: the first capture group is a label, mapped to a, b or tie (e.g. MT-bench [[A]])."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    regex: str
    labels: dict[str, Literal["a", "b", "tie"]]

    def parse(self, raw: str) -> Preference | Failure:
        match = re.search(self.regex, raw)
        if match is None or match.group(1) not in self.labels:
            return Failure(reason="unparseable", raw=raw)
        winner = self.labels[match.group(1)]
        return Preference(winner=winner, prob={"a": 1.0, "b": 0.0, "tie": 0.5}[winner])


def _parser_kind(value: Any) -> str:
    # Chosen by shape, so a bad label parser is reported as one, not as a score parser missing min/max.
    labelled = isinstance(value, LabelParser) or (isinstance(value, dict) and "labels" in value)
    return "LabelParser" if labelled else "ScoreParser"


class JudgeGeneration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    temperature: float = 0.0
    top_p: float = 1.0
    max_new_tokens: int = 256


class JudgePrompt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    kind: Literal["score", "pairwise"] = "score"
    template: str
    parser: Annotated[
        Annotated[ScoreParser, Tag("ScoreParser")] | Annotated[LabelParser, Tag("LabelParser")],
        Discriminator(_parser_kind),
    ]
    target: str = Field("{score}", description="answer format of a judging (EFT) training example")
    generation: JudgeGeneration = JudgeGeneration()
    samples: int = Field(1, ge=1, description="judge samples per candidate; parsed scores are averaged")

    @model_validator(mode="after")
    def _placeholders(self) -> JudgePrompt:
        used = {f for _, f, _, _ in string.Formatter().parse(self.template) if f}
        wanted = PLACEHOLDERS[self.kind]
        missing, unknown = wanted - used, used - wanted
        if missing or unknown:
            raise ValueError(
                f"template placeholders: missing {sorted(missing)}, unknown {sorted(unknown)}; "
                f"a {self.kind} template uses exactly {', '.join('{' + w + '}' for w in sorted(wanted))}"
            )
        if isinstance(self.parser, LabelParser) != (self.kind == "pairwise"):
            raise ValueError(
                f"parser: a {self.kind} prompt needs a "
                f"{'regex + labels' if self.kind == 'pairwise' else 'regex + min + max'} parser"
            )
        try:
            groups = re.compile(self.parser.regex).groups
        except re.error as exc:
            raise ValueError(
                f"parser.regex: not a valid regular expression ({exc}); fix {self.parser.regex!r}"
            ) from None
        if groups != 1:  # the verdict is group 1: without it nothing ever parses, with more the wrong one might
            raise ValueError(
                f"parser.regex: has {groups} capture groups; capture exactly the verdict, use (?:...) for other groups"
            )
        if isinstance(self.parser, ScoreParser) and self.parser.min > self.parser.max:
            raise ValueError(f"parser: min {self.parser.min} is above max {self.parser.max}; swap them")
        return self

    def render(self, prompt: str, response: str) -> str:
        return self.template.format(prompt=prompt, response=response)

    def render_pair(self, prompt: str, response_a: str, response_b: str) -> str:
        return self.template.format(prompt=prompt, response_a=response_a, response_b=response_b)

    def answer(self, score: int) -> str:
        return self.target.format(score=score)


# In a source's or a judge's block of a recipe, these keys name a judge prompt: a folder name in judges/prompts/ or a
# folder path, which the recipe loader resolves against the recipe's folder.
PROMPT_KEYS = ("prompt", "judge_prompt")


def is_shipped(name: str) -> bool:
    """Whether `name` is a prompt folder shipped in judges/prompts/ (a bare name, not a path)."""
    return "/" not in name and "\\" not in name and (PROMPTS_DIR / name / "judge.yaml").exists()


def resolve(path_or_name: str, base_dir: Path | None) -> str:
    """A judge prompt as the recipe in `base_dir` means it: a shipped prompt's name stays its name; a folder path,
    relative to `base_dir` (as `extends:` is), so a recipe validates the same from any working directory; an
    absolute or `~` path as given."""
    if is_shipped(path_or_name) or base_dir is None:
        return path_or_name
    path = Path(path_or_name).expanduser()
    if path.is_absolute():
        return str(path)
    beside = base_dir / path_or_name
    if "/" not in path_or_name and not beside.is_dir():
        return path_or_name  # an unknown bare name: loading it lists the shipped prompts
    return str(beside)


@cache
def load_judge_prompt(name: str) -> JudgePrompt:
    folder = Path(name) if Path(name).is_dir() else PROMPTS_DIR / name
    if not (folder / "judge.yaml").exists():
        known = sorted(p.name for p in PROMPTS_DIR.iterdir() if (p / "judge.yaml").exists())
        raise ValueError(f"judge prompt {name!r} not found; known: {', '.join(known)} (or a folder path)")
    config = read_yaml_mapping(
        folder / "judge.yaml", "must be a mapping of fields (kind, parser, generation, ...)", empty_is_mapping=True
    )
    if not (folder / "template.txt").exists():
        raise ValueError(f"{folder}/template.txt: not found; write the judge's prompt there with its placeholders")
    template = (folder / "template.txt").read_text(encoding="utf-8").rstrip("\n")
    try:
        return JudgePrompt(name=folder.name, template=template, **config)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise ValueError(f"{folder}/judge.yaml: {field + ': ' if field else ''}{msg}") from None
