"""The documentation site, built once per session with `mkdocs build --strict` into a temporary folder.

The build runs without a network where the machine allows it (`unshare -rn`: a network namespace with no
interfaces), so a theme or plug-in that fetches at build time fails the suite instead of passing on a connected CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Build:
    site: Path
    result: subprocess.CompletedProcess
    offline: bool


def no_network_prefix() -> list[str]:
    """`unshare -rn` when this machine lets an unprivileged command drop its network, else nothing."""
    if not shutil.which("unshare"):
        return []
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=30)
    return ["unshare", "-rn"] if probe.returncode == 0 else []


def build_site(out: Path, docs_dir: Path | None = None) -> Build:
    """`mkdocs build --strict` of this repository's mkdocs.yml (optionally over another docs folder) into `out`."""
    config = ROOT / "mkdocs.yml"
    if docs_dir is not None:  # a copy of the config pointing at another docs folder, hooks still from the repo
        text = config.read_text(encoding="utf-8")
        text = text.replace("docs_dir: docs", f"docs_dir: {docs_dir}").replace(
            "  - docs/gen_results.py", f"  - {ROOT / 'docs' / 'gen_results.py'}"
        )
        config = out.parent / "mkdocs.yml"
        config.write_text(text, encoding="utf-8")
    prefix = no_network_prefix()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    command = [*prefix, sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return Build(out, result, offline=bool(prefix))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Build:
    return build_site(tmp_path_factory.mktemp("docs") / "site")
