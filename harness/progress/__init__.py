"""Live progress for long runs: the `Progress` interface library code reports through, a null one, and the two
displays the CLI picks between (a rich panel on a terminal, periodic plain lines otherwise)."""

from __future__ import annotations

import os
import sys
from typing import IO

from harness.progress.board import BoardProgress
from harness.progress.core import NULL_PROGRESS, NullProgress, Progress, Task
from harness.progress.plain import DEFAULT_INTERVAL, PlainDisplay

# Seconds of silence before the plain display writes a status line (tests shorten it)
INTERVAL_ENV = "HARNESS_PROGRESS_INTERVAL"


def open_display(
    stream: IO[str] | None = None, quiet: bool = False, verbose: bool = False, live: bool = True
) -> BoardProgress:
    """The display for `stream` (default stdout): a live rich panel on a terminal (unless `live` is False: worker
    processes write there too), plain periodic lines otherwise, nothing but errors when `quiet`. Use it as a
    context manager: it starts its redraw or ticker thread on entry and stops it on exit."""
    stream = stream or sys.stdout
    if live and not quiet and stream.isatty():
        from harness.progress.terminal import TerminalDisplay

        return TerminalDisplay(stream, verbose=verbose)
    interval = float(os.environ.get(INTERVAL_ENV) or DEFAULT_INTERVAL)

    def write(line: str) -> None:
        print(line, file=stream, flush=True)

    return PlainDisplay(write, interval=interval, verbose=verbose, quiet=quiet)


__all__ = ["NULL_PROGRESS", "BoardProgress", "NullProgress", "PlainDisplay", "Progress", "Task", "open_display"]
