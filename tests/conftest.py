"""Every test reads public data from the samples vendored under tests/data (see its README), never from a shared
folder that a clone may lack: HARNESS_DATA is set before any harness module reads it."""

from __future__ import annotations

import os
from pathlib import Path

VENDORED_DATA = Path(__file__).resolve().parent / "data" / "shared"
os.environ["HARNESS_DATA"] = str(VENDORED_DATA)
