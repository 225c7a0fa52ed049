"""Model and judge outputs are data: the HTML leaderboard shows hostile completions as text in a real browser
(nothing runs, nothing breaks out of its cell), and no harness, judge or benchmark code evaluates text or hands
it to a shell."""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.report import leaderboard, leaderboard_html
from tests.leaderboard.conftest import DATA, write_results
from tests.leaderboard.test_lb_chromium import browse, chromium  # noqa: F401  (the session's Chromium)

ROOT = Path(__file__).resolve().parents[2]
# Each would change the page's title (or add an element) if the browser took it as markup.
SCRIPT = '<script>document.title = "pwned-script"; window.pwned = 1</script>'
IMG = "<img src=x onerror=\"document.title='pwned-img'\">"
BREAKOUT = "</td></tr></table><script>document.title='pwned-breakout'</script><table><tr><td>"
SVG_PROMPT = '"><svg onload="document.title=\'pwned-svg\'"></svg> add 1 2'


def pair(source: str, k: int, prompt: str, chosen: str, rejected: str) -> dict:
    msg = lambda role, text: [{"role": role, "content": text}]  # noqa: E731
    return {
        "prompt_id": f"{source}-{k}",
        "prompt": msg("user", prompt),
        "chosen": msg("assistant", chosen),
        "rejected": msg("assistant", rejected),
        "source": source,
        "chosen_by": "m#0",
        "rejected_by": "m#1",
    }


@pytest.fixture
def hostile_results(tmp_path) -> tuple[Path, list[dict]]:
    run, metrics = json.loads((DATA / "run.json").read_text()), json.loads((DATA / "metrics.json").read_text())
    results = write_results(tmp_path / "results", run, metrics)
    written = []
    for source in metrics["sources"]:
        stage = Path(run["stages"][f"feedback {source}"]["path"])  # relocated into tmp by write_results
        stage.mkdir(parents=True, exist_ok=True)
        pairs = [
            pair(source, 0, SVG_PROMPT, SCRIPT, IMG),
            pair(source, 1, "reverse ab", BREAKOUT, "x" * 1000),
            pair(source, 2, "never shown", "third", "pair"),
        ]
        (stage / "preferences.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs))
        written += pairs[:2]
    return results, written


class Examples(HTMLParser):
    """Cells of the #examples table, the <title>, and every element the page holds, as the browser left them."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []
        self.title = ""
        self._in_title = self._in_examples = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_title = tag == "title"
        if tag == "table" and dict(attrs).get("id") == "examples":
            self._in_examples = True
        if self._in_examples and tag == "td":
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_cell = False
        if tag == "table":
            self._in_examples = False
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_cell:
            self.cells[-1] += data


def test_example_pairs_are_escaped_in_the_page(hostile_results):
    results, _pairs = hostile_results
    run = leaderboard.latest_run(results, "sandbox")
    assert len(leaderboard.example_pairs(run)) == 6  # two per source, three sources
    page = leaderboard.html_page(run)
    for payload in (SCRIPT, IMG, BREAKOUT):
        assert payload not in page
    assert page.count("<script>") == 1 and "<img" not in page and "<svg" not in page
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;" in page


def test_nothing_runs_and_the_text_shows_literally_in_chromium(chromium, hostile_results, tmp_path):  # noqa: F811
    results, pairs = hostile_results
    page = leaderboard.write(results, "sandbox", ["html"], out_dir=tmp_path)[0]
    shown = browse(chromium, tmp_path / "profile", "--dump-dom", "--virtual-time-budget=2000", page.as_uri())
    assert shown.returncode == 0, shown.stderr[-2000:]
    dom = Examples()
    dom.feed(shown.stdout)
    run = leaderboard.latest_run(results, "sandbox")
    assert dom.title == f"sandbox — run {run.run.run_id}"  # no script set it
    assert "pwned" not in dom.title and 'data-ready="1"' in shown.stdout  # the page's own script did run
    assert "img" not in dom.tags and "svg" not in dom.tags and dom.tags.count("script") == 1
    written_tables = page.read_text().count("<table")
    assert dom.tags.count("table") == written_tables >= 3  # as many as we wrote: no cell broke out
    expected = []
    for p in pairs:
        expected += [
            p["source"],
            *(leaderboard_html._clip(p[k][0]["content"]) for k in ("prompt", "chosen", "rejected")),
        ]
    assert dom.cells == expected  # every hostile string shown to the reader as text, intact
    assert (
        dom.cells[1] == SVG_PROMPT
        and dom.cells[2] == SCRIPT
        and dom.cells[3] == IMG
        and dom.cells[6] == BREAKOUT
        and dom.cells[7] == "x" * 239 + "…"
    )


# --- code that must not exist ---------------------------------------------------------------------------------

FORBIDDEN = {
    "eval(": re.compile(r"(?<![\w.])eval\("),  # the builtin; torch's model.eval() is a method and allowed
    "exec(": re.compile(r"(?<![\w.])exec\("),
    "shell=True": re.compile(r"shell\s*=\s*True"),
    "os.system": re.compile(r"\bos\.system\b"),
    "os.popen": re.compile(r"\bos\.popen\b"),
    "yaml.load(": re.compile(r"\byaml\.load\("),  # yaml.safe_load only: a YAML tag can construct objects
}
SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}


def subprocess_commands(path: Path) -> list[ast.expr]:
    """The first argument of every `subprocess.<call>(...)` in a file."""
    return [
        node.args[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SUBPROCESS_CALLS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "subprocess"
        and node.args
    ]


def is_command_string(arg: ast.expr) -> bool:
    """A literal, f-string, concatenation or %/format of strings: text a completion could be formatted into."""
    if isinstance(arg, (ast.Constant, ast.JoinedStr)):
        return isinstance(arg, ast.JoinedStr) or isinstance(arg.value, str)
    if isinstance(arg, ast.BinOp):
        return is_command_string(arg.left) or is_command_string(arg.right)
    return isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr in ("format", "join")


def code_files() -> list[Path]:
    return sorted(p for d in ("harness", "judges", "benchmarks") for p in (ROOT / d).rglob("*.py"))


def test_no_eval_exec_or_shell_in_harness_judges_and_benchmarks():
    files = code_files()
    assert len(files) > 60
    hits = [
        f"{p.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {name}"
        for p in files
        for text in [p.read_text(encoding="utf-8")]
        for name, pattern in FORBIDDEN.items()
        for m in pattern.finditer(text)
    ]
    assert hits == []
    # Subprocesses get an argument list, never a command string a completion could be formatted into.
    calls = [(p, arg) for p in files for arg in subprocess_commands(p)]
    assert len(calls) >= 3
    assert [f"{p.relative_to(ROOT)}:{arg.lineno}" for p, arg in calls if is_command_string(arg)] == []


def test_the_code_check_would_catch_each_pattern():
    caught = {
        name
        for name, pattern in FORBIDDEN.items()
        for line in (
            "x = eval(reply)",
            "exec(code)",
            "subprocess.run(cmd, shell=True)",
            "os.system(f'echo {x}')",
            "os.popen(cmd)",
            "yaml.load(fh, Loader=yaml.Loader)",
        )
        if pattern.search(line)
    }
    assert caught == set(FORBIDDEN)
    assert not any(
        p.search("model.to(device).eval(); alpaca_eval(path); yaml.safe_load(fh)") for p in FORBIDDEN.values()
    )
    strings = [
        'subprocess.run(f"git {x}")',
        'subprocess.Popen("ls " + d)',
        'subprocess.call("git {}".format(x))',
        'subprocess.check_output("echo hi")',
    ]
    lists = ['subprocess.run(["git", x])', "subprocess.Popen(command)", "subprocess.run(spec.command(job))"]
    parse = lambda line: ast.parse(line).body[0].value.args[0]  # noqa: E731
    assert [is_command_string(parse(line)) for line in strings + lists] == [True] * 4 + [False] * 3
