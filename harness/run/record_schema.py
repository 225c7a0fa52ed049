"""The typed run record: `metrics.json` of every recipe kind, with a schema version, and how it is read.

Writers build these models and `to_json` writes what they were given, key for key (`exclude_unset`): a field a
writer left out stays out of the file, so a record is the dict it always was plus `schema_version`. Readers get
fields, not string keys. Every model allows extra keys, so a plug-in's own statistics (a source's
`configurations`, a remote ledger) and fields a newer writer adds ride along; a new field is an optional one
here. A record from before `schema_version` (version 0) has the same fields and is read; a newer or unreadable
one is refused with one line naming the file and what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Tag, TypeAdapter, ValidationError

SCHEMA_VERSION = 1
OLDEST_READABLE = 0  # metrics.json written before schema_version existed has the fields version 1 names

# Measured values keep the JSON type they were written with: an int count stays an int, a float stays a float.
Number = int | float


class RecordError(ValueError):
    """A record this harness cannot read; the message is one line naming the file and what to do."""


class Record(BaseModel):
    model_config = ConfigDict(extra="allow", validate_assignment=True)

    def to_json(self) -> dict[str, Any]:
        """The fields a writer set (None included), nested records likewise, extras as given."""
        return self.model_dump(mode="json", exclude_unset=True)

    def value(self, name: str) -> Any:
        """A field by name, for tables whose columns are a list of names (and metrics a user names); None if
        absent."""
        return self.to_json().get(name)

    def has(self, name: str) -> bool:
        """Whether the record holds the key at all (written as null counts): some readers tell absent from None."""
        return name in self.model_fields_set or name in (self.model_extra or {})


class SourceStats(Record):
    """What one source's feedback gave (round 1; `round<r>` keys hold later rounds, see `round_stats`)."""

    prompts: int | None = None
    candidates: int | None = None
    pairs: int | None = None
    dropped: dict[str, int] = {}
    judge_calls: int | None = None
    judge_failures: int | None = None
    judge_failure_rate: Number | None = None
    position_consistency: Number | None = None
    gold_pair_accuracy: Number | None = None
    gold_pair_ties: Number | None = None
    feedback_seconds: Number | None = None
    dpo_seconds: Number | None = None
    online_seconds: Number | None = None  # an online source (harness/steps/online.py): its one stage's time;
    # an iterative one (harness/steps/iterative.py): its round stages' time, each round's account under `rounds`
    judge_calls_asked: int | None = None  # online: judge calls asked, and served from the judge-call cache on resume
    judge_calls_cached: int | None = None
    judged_tokens: int | None = None  # prompt + completion tokens of the answers judged (offline and online)
    steps: int | None = None
    stopped: str | None = None  # online: "steps" or "judge_budget"
    stages: dict[str, str] | None = None  # stage labels (feedback, dpo); records before labels were kept have none
    ledger: dict[str, dict[str, Any]] | None = None  # remote teachers' calls, per model
    configurations: dict[str, dict[str, Any]] | None = None  # ALMoST: each configuration's gold score and rank

    def round_stats(self, round_: int) -> SourceStats:
        """Round r's stats (M{r+1} trained on them); round 1 is the record itself."""
        later = (self.model_extra or {}).get(f"round{round_}")
        return self if round_ == 1 or later is None else SourceStats.model_validate(later)


class RowPower(Record):
    """A row's comparison with the baseline: its minimum detectable effect (harness/evaluate/power.py's
    PairedPower). NaN values (fewer than two prompts) are stored as null."""

    observed: Number | None = None
    sd_diff: Number | None = None
    n_prompts: int = 0
    mde: Number | None = None
    prompts_needed: int | None = None  # to detect the observed Δ; None when it is 0
    alpha: Number | None = None
    power: Number | None = None
    test: str = ""


class MetricsRow(Record):
    """One leaderboard row: a model, how it was made, and what the evaluation measured."""

    model: str
    stage: str
    source: str = ""
    stages: dict[str, str] | None = None
    score: Number | None = None
    score_se: Number | None = None
    n_prompts: int | None = None
    samples: int | None = None
    failed_samples: int | None = None
    win_rate: Number | None = None
    win_rate_se: Number | None = None
    discrete_win_rate: Number | None = None
    diff: Number | None = None
    diff_ci_low: Number | None = None
    diff_ci_high: Number | None = None
    p_sign: Number | None = None
    significant: bool | None = None
    power: RowPower | None = None  # rows compared with the baseline; records before power was kept have none
    pairs: int | None = None
    dropped: dict[str, int] | None = None
    judge_failure_rate: Number | None = None
    gold_pair_accuracy: Number | None = None
    feedback_seconds: Number | None = None
    dpo_seconds: Number | None = None
    online_seconds: Number | None = None
    judge_calls: int | None = None  # what the row's feedback cost: calls of its source's judge
    judged_tokens: int | None = None
    gain_per_1k_judge_calls: Number | None = None  # diff x 1000 / judge_calls
    # the teacher-as-SFT row (harness/steps/teacher_sft.py): what its SFT read and what the teacher was asked
    demonstrations: int | None = None
    teacher_calls: int | None = None
    missing: int | None = None
    # judged evaluation (no gold grader)
    n_judged: int | None = None
    eval_failures: int | None = None
    lc_win_rate: Number | None = None
    lc_win_rate_se: Number | None = None
    eval_judge_calls: int | None = None
    eval_judge_failures: int | None = None
    position_consistency: Number | None = None


class Premise(Record):
    strong: str
    weak: str
    strong_wins: Number
    weak_wins: Number
    ties: Number
    n: int


class EvaluationJudge(Record):
    model: str
    prompt: str | None = None


class FeedbackMetrics(Record):
    """metrics.json of a feedback run (`harness run` of a feedback recipe): rows, sources, judge quality."""

    schema_version: int = SCHEMA_VERSION
    recipe: str = ""  # hand-made records (a sweep's test fixtures) may leave it out; the pipeline always writes it
    baseline: str
    rows: list[MetricsRow]
    sources: dict[str, SourceStats] = {}
    premise: Premise | None = None
    judge_quality: dict[str, dict[str, Number | None]] | None = None
    evaluation: Literal["judge"] | None = None  # "judge": rows judged pairwise against the baseline, no gold score
    judge: EvaluationJudge | None = None
    lc_error: str | None = None

    @property
    def judged(self) -> bool:
        return self.evaluation == "judge"

    def row(self, model: str) -> MetricsRow | None:
        return next((r for r in self.rows if r.model == model), None)


class RewardModelMetrics(Record):
    """metrics.json of a `kind: reward_model` run: accuracy per held-out subset."""

    schema_version: int = SCHEMA_VERSION
    kind: Literal["reward_model"] = "reward_model"
    model: str
    train: dict[str, Any]
    eval: dict[str, dict[str, Any]]
    eval_seconds: Number


class JudgeEvalMetrics(Record):
    """metrics.json of a `kind: judge_eval` run: each judge's measures on each human-labelled set."""

    schema_version: int = SCHEMA_VERSION
    kind: Literal["judge_eval"] = "judge_eval"
    chance: dict[str, Number | None]  # None: no chance level (position consistency)
    judges: dict[str, dict[str, Any]] = {}  # type, model, params, trained_on per judge
    sets: dict[str, dict[str, Any]]
    results: dict[str, dict[str, dict[str, Any]]]  # judge -> set -> subset -> measure cells (judge_eval/measures.py)
    seconds: dict[str, dict[str, Number]] = {}


class StageRecord(Record):
    """What run.json says of one stage: where it lives, whether this run reused it, how long it took."""

    key: str | None = None
    path: str | None = None
    reused: bool = False
    seconds: Number | None = None
    usage: dict[str, Number] = {}  # the build's CPU seconds and waits (harness/run/usage.py), kept on reuse
    summary: dict[str, Any] = {}


class RunInfo(Record):
    """run.json: what a run did, with what, on what (written by harness/run/records.py's run_record)."""

    run_id: str
    recipe: dict[str, Any] = {}
    recipe_hash: str | None = None
    seed: int | None = None
    versions: dict[str, str] = {}
    git_revision: str = "unknown"
    hardware: dict[str, Any] = {}
    seconds: Number = 0.0
    stages: dict[str, StageRecord] = {}


Metrics = FeedbackMetrics | RewardModelMetrics | JudgeEvalMetrics


@dataclass(frozen=True)
class FinishedRun:
    """A finished run's folder, read: run.json, metrics.json, and where they are."""

    run: RunInfo
    metrics: Metrics
    dir: Path

    @property
    def feedback(self) -> FeedbackMetrics:
        """The metrics of a feedback run; RecordError naming the folder for another kind."""
        if not isinstance(self.metrics, FeedbackMetrics):
            raise RecordError(f"{self.dir}: a {self.metrics.kind} run has no model rows; its own leaderboard shows it")
        return self.metrics

    @property
    def judge_eval(self) -> JudgeEvalMetrics:
        """The metrics of a judge_eval run; RecordError naming the folder for another kind."""
        if not isinstance(self.metrics, JudgeEvalMetrics):
            raise RecordError(
                f"{self.dir}: not a judge_eval run; its leaderboard is `harness leaderboard` of its recipe"
            )
        return self.metrics


def read_run(folder: Path) -> FinishedRun:
    path = folder / "run.json"
    try:
        info = RunInfo.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RecordError(
            f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}; rerun the recipe that made it"
        ) from None
    return FinishedRun(info, read_metrics(folder / "metrics.json"), folder)


def _kind(value: Any) -> str:
    # A feedback run's record has no `kind` key (it predates the other kinds); the others name theirs.
    if isinstance(value, RewardModelMetrics | JudgeEvalMetrics):
        return value.kind
    kind = value.get("kind") if isinstance(value, dict) else None
    return kind or "feedback"


RunMetrics = Annotated[
    Annotated[FeedbackMetrics, Tag("feedback")]
    | Annotated[RewardModelMetrics, Tag("reward_model")]
    | Annotated[JudgeEvalMetrics, Tag("judge_eval")],
    Discriminator(_kind),
]
_ADAPTER: TypeAdapter[Metrics] = TypeAdapter(RunMetrics)


def to_json(metrics: Metrics) -> dict[str, Any]:
    """What metrics.json holds: the record as its writer built it, with the schema version it was built to."""
    return {**metrics.to_json(), "schema_version": metrics.schema_version}


def parse_metrics(data: Any, where: str = "metrics.json") -> Metrics:
    """A metrics dict (from a file or a run just finished) as its typed record; RecordError if unreadable."""
    rerun = f"rerun it with this harness (harness rerun {Path(where).parent})"
    if not isinstance(data, dict):
        raise RecordError(f"{where}: not a run record (a JSON object is expected); {rerun}")
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise RecordError(
            f"{where}: schema_version {version!r} is newer than this harness reads ({SCHEMA_VERSION}); "
            f"update feedback-harness, or {rerun}"
        )
    if version < OLDEST_READABLE:
        raise RecordError(f"{where}: schema_version {version} is older than this harness reads; {rerun}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise RecordError(
            f"{where}: {field}: {err['msg']}; the record is not one this harness reads, {rerun}"
        ) from None


def read_metrics(path: Path) -> Metrics:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}); rerun the recipe") from None
    return parse_metrics(data, str(path))


__all__ = [
    "OLDEST_READABLE",
    "SCHEMA_VERSION",
    "EvaluationJudge",
    "FeedbackMetrics",
    "FinishedRun",
    "JudgeEvalMetrics",
    "Metrics",
    "MetricsRow",
    "Premise",
    "RecordError",
    "RewardModelMetrics",
    "RowPower",
    "RunInfo",
    "RunMetrics",
    "SourceStats",
    "StageRecord",
    "parse_metrics",
    "read_metrics",
    "read_run",
    "to_json",
]
