"""MkDocs hook: the site's results section, built from `results/examples/` at every build.

Each file stem there (`sandbox` for `sandbox.md`, `sandbox.csv`, `sandbox.png`, ...) is one page,
`results/<stem>.md`. A handwritten page of that name holds the write-up and, in its front matter, the provenance
(`provenance:` machine, threads, torch, command, commit, run, wall time); the hook puts a provenance table at its
top and the example's table, figures and CSV where the page says `<!-- results:example -->` (at the end if it does
not). A stem without a handwritten page still gets a page, its provenance "not recorded" except the run id its
table names. Any page may also say `<!-- include: PATH -->` to show a file from the repository root (the
architecture page shows ARCHITECTURE.md this way, so the file stays the one source).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

EXAMPLES = Path("results") / "examples"
FIGURES = (".png", ".svg")  # shown inline; .pdf is linked
DOWNLOADS = (".csv", ".pdf")
CAPTION = ".caption.md"  # a figure's caption (harness/figures/save.py), printed under its images
PROVENANCE = ("machine", "threads", "torch", "command", "commit", "run", "wall time")
NOT_RECORDED = "not recorded"
EXAMPLE_MARK = "<!-- results:example -->"
INCLUDE = re.compile(r"<!-- include: (\S+) -->")
RUN_ID = re.compile(r"— (?:run|sweep) (\S+)")


def repo_root(config: MkDocsConfig) -> Path:
    """The repository this hook belongs to (it lives in <repo>/docs/), wherever the config file was written."""
    return Path(__file__).resolve().parents[1]


def example_stems(examples: Path) -> list[str]:
    """Every stem under results/examples/ with a table, a CSV or a figure (the folder's README and the figures'
    captions are not one)."""
    kinds = (".md", *DOWNLOADS, *FIGURES)
    return sorted(
        {
            p.stem
            for p in examples.iterdir()
            if p.suffix in kinds and p.name != "README.md" and not p.name.endswith(CAPTION)
        }
    )


def recorded_run(examples: Path, stem: str) -> str | None:
    """The run or sweep id the example's table names in its heading, if it has a table."""
    table = examples / f"{stem}.md"
    found = RUN_ID.search(table.read_text(encoding="utf-8")) if table.exists() else None
    return found.group(1) if found else None


def provenance_table(meta: Mapping[str, Any], run: str | None) -> str:
    """Where and how a result was measured, one row per field; a field nobody wrote down says so."""
    given = {**({"run": run} if run else {}), **dict(meta.get("provenance") or {})}
    rows = [f"| {field} | {_cell(given.get(field))} |" for field in PROVENANCE]
    return "\n".join(["| measured with | |", "|---|---|", *rows]) + "\n"


def _cell(value: Any) -> str:
    if value is None or str(value).strip() == "":
        return NOT_RECORDED
    text = str(value).strip().replace("|", "\\|")
    return f"`{text}`" if text.startswith(("harness ", "HARNESS_DATA", "python ", "make ")) else text


def shift_headings(markdown: str, top: int) -> str:
    """Demote the headings of an embedded file so its highest becomes level `top`, below the page's own."""
    levels = [len(m.group(1)) for m in re.finditer(r"^(#+) ", markdown, flags=re.M)]
    if not levels:
        return markdown
    shift = top - min(levels)
    return re.sub(r"^(#+) ", lambda m: "#" * min(6, len(m.group(1)) + shift) + " ", markdown, flags=re.M)


def example_markdown(examples: Path, stem: str) -> str:
    """The example's figures, its table as the run wrote it, and links to its CSV and PDF."""
    parts = [f"## The example files (`results/examples/{stem}.*`)\n"]
    for suffix in FIGURES:
        if (examples / f"{stem}{suffix}").exists():
            parts.append(f"![{stem}{suffix}](examples/{stem}{suffix})\n")
    caption = examples / f"{stem}{CAPTION}"
    if caption.exists():
        parts.append(caption.read_text(encoding="utf-8"))
    downloads = [f"[{stem}{s}](examples/{stem}{s})" for s in DOWNLOADS if (examples / f"{stem}{s}").exists()]
    if downloads:
        parts.append("Download: " + ", ".join(downloads) + ".\n")
    table = examples / f"{stem}.md"
    if table.exists():
        parts.append(shift_headings(table.read_text(encoding="utf-8"), 3))
    return "\n".join(parts)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    examples = repo_root(config) / EXAMPLES
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Results" in entry:
            listed = {next(iter(item.values())) if isinstance(item, dict) else item for item in entry["Results"]}
            for stem in example_stems(examples):
                if f"results/{stem}.md" not in listed:
                    entry["Results"].append({stem: f"results/{stem}.md"})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    examples = repo_root(config) / EXAMPLES
    for path in sorted(examples.iterdir()):
        if path.suffix in FIGURES + DOWNLOADS:
            files.append(File.generated(config, f"results/examples/{path.name}", abs_src_path=str(path)))
    for stem in example_stems(examples):
        if files.get_file_from_path(f"results/{stem}.md") is None:
            page = f"# {stem}\n\nNo write-up for this example yet.\n\n{EXAMPLE_MARK}\n"
            files.append(File.generated(config, f"results/{stem}.md", content=page))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    root = repo_root(config)
    markdown = INCLUDE.sub(lambda m: (root / m.group(1)).read_text(encoding="utf-8"), markdown)
    uri = page.file.src_uri
    if not uri.startswith("results/") or uri == "results/index.md":
        return markdown
    examples, stem = root / EXAMPLES, Path(uri).stem
    has_example = stem in example_stems(examples)
    table = provenance_table(page.meta, recorded_run(examples, stem) if has_example else None)
    title, _, body = markdown.partition("\n")  # the provenance goes right under the page's title
    if has_example:
        section = example_markdown(examples, stem)
        body = body.replace(EXAMPLE_MARK, section) if EXAMPLE_MARK in body else f"{body}\n\n{section}"
    return f"{title}\n\n{table}\n{body}"
