"""The plain display's rate limit and the terminal panel's content, driven by a fake clock (no sleeping)."""

from __future__ import annotations

import io

from rich.console import Console

from harness.progress import PlainDisplay
from harness.progress.terminal import TerminalDisplay


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def plain(**kw) -> tuple[PlainDisplay, list[str], FakeClock]:
    clock, lines = FakeClock(), []
    return PlainDisplay(lines.append, clock=clock, interval=10.0, **kw), lines, clock


def test_one_status_line_per_interval_of_silence_however_many_batches_pass():
    display, lines, clock = plain()
    display.begin("run demo")
    display.stage_start("generate M1")
    task = display.task(600, "prompt", "generate")
    for _ in range(99):  # a batch every 0.1 s for 9.9 s: no line yet
        clock.now += 0.1
        task.advance(6)
        display.tick()
    assert lines == ["run demo"]
    for _ in range(200):  # 20 s more of batches: a line at 10 s and at 20 s of silence, no more
        clock.now += 0.1
        task.advance(1)
        display.tick()
    status = lines[1:]
    assert len(status) == 2, status
    assert status[0].startswith("[generate M1] running 10s: generate 595/600 prompt, 59.5 prompt/s, ETA 0s")


def test_the_status_line_has_count_rate_and_time_left():
    display, lines, clock = plain()
    display.begin("run demo", ["pretrain s", "sft M1", "dpo M2-oracle"])
    display.stage_start("pretrain s")
    task = display.task(90, "step", "train")
    clock.now += 10
    task.advance(30)  # 3 steps a second: 60 left take 20 s
    display.tick()
    assert lines[-1] == (
        "[pretrain s] running 10s: train 30/90 step, 3 step/s, ETA 20s (stages: 0 done, 1 running, 2 waiting)"
    )


def test_items_a_cache_answers_at_once_do_not_count_toward_the_rate():
    display, lines, clock = plain()
    display.stage_start("judge")
    task = display.task(64, "item", "score")
    task.advance(32)  # found in the cache as the task opened
    clock.now += 10
    display.tick()
    assert lines[-1].endswith(": score 32/64 item (stages: 0 done, 1 running, more may follow)")  # no rate yet
    task.advance(16)  # 16 computed in 16 s
    clock.now += 6
    display.log("x")
    clock.now += 10
    display.tick()
    assert ": score 48/64 item, 0.615 item/s, ETA 26s" in lines[-1]


def test_a_log_line_restarts_the_silence_and_an_idle_run_still_says_it_works():
    display, lines, clock = plain()
    display.begin("run demo")
    clock.now += 9
    display.log("[tokenizer] done in 9.0s")
    clock.now += 9
    display.tick()
    assert lines == ["run demo", "[tokenizer] done in 9.0s"]  # 9 s since the last line: not yet
    clock.now += 1
    display.tick()
    assert lines[-1] == "[run demo] working, 19s (stages: 0 done, 0 running, more may follow)"
    display.finish()  # the run is over: what the command prints next is not interrupted
    clock.now += 60
    display.tick()
    assert len(lines) == 3


def test_stage_outcomes_move_through_the_list_and_close_their_tasks():
    display, _, _ = plain()
    display.begin("run demo", ["a", "b", "c"])
    display.stage_start("a")
    display.task(4, "step", "train").advance(1)
    display.stage_end("a", "done in 1.0s")
    display.stage_start("b")
    assert display.board.summary() == "stages: 1 done, 1 running, 1 waiting"
    assert display.board.open_tasks() == []  # a's task ended with a
    display.stage_end("b", "failed")
    assert display.board.summary() == "stages: 1 done, 0 running, 1 failed, 1 waiting"


def test_quiet_writes_nothing_and_a_training_rank_writes_only_while_it_counts():
    quiet, lines, clock = plain(quiet=True)
    quiet.begin("run demo")
    quiet.log("[a] done in 1.0s")
    clock.now += 60
    quiet.tick()
    assert lines == []
    rank, lines, clock = plain(idle_lines=False)
    clock.now += 60
    rank.tick()
    assert lines == []
    task = rank.task(10, "step", "train")
    clock.now += 10
    task.advance(5)
    rank.tick()
    assert lines == ["[harness] working, 1m10s: train 5/10 step, 0.5 step/s, ETA 10s (stages: 0 done, 0 running, "
                     "more may follow)"]  # fmt: skip


def test_the_terminal_panel_lists_stages_and_draws_a_bar_with_rate_and_eta():
    clock = FakeClock()
    display = TerminalDisplay(io.StringIO(), clock=clock)
    display.begin("run demo", [f"stage {i}" for i in range(8)])
    for i in range(6):
        display.stage_start(f"stage {i}")
        display.stage_end(f"stage {i}", "reused")
    display.stage_start("stage 6")
    task = display.task(64, "prompt", "generate")
    clock.now += 8
    task.advance(16)
    screen = Console(file=io.StringIO(), width=120, record=True)
    screen.print(display.render())
    text = screen.export_text()
    assert "run demo — stages: 6 done, 1 running, 1 waiting" in text
    assert "2 earlier stages" in text  # the oldest done stages are counted, the last four listed
    assert [line.split()[0] for line in text.splitlines()[1:7]] == ["done"] * 5 + ["running"]
    assert "running  stage 6" in text and "waiting  stage 7" in text
    assert "generate 16/64 prompt 2 prompt/s ETA 24s" in text
