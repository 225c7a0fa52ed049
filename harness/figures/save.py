"""Writing one figure as PNG (DPI dots per inch), SVG and PDF, with its caption beside it and in each file's metadata.

`<stem>.caption.md` holds the title and the caption (what the marks are, what the error bars mean, where the n
comes from), so the docs can print the caption under the image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.run.store import write_text_atomic

DPI = 200
FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class Caption:
    title: str
    text: str

    def markdown(self) -> str:
        return f"**{self.title}.** {self.text}\n"


def caption_path(png: Path) -> Path:
    return png.with_name(f"{png.stem}.caption.md")


def metadata(fmt: str, caption: Caption) -> dict[str, str | None]:
    """Each backend names its fields differently (the PNG's are free-form text chunks); no dates, so a figure
    redrawn from the same data is the same file."""
    if fmt == "pdf":
        return {"Title": caption.title, "Subject": caption.text, "CreationDate": None}
    if fmt == "svg":
        return {"Title": caption.title, "Description": caption.text, "Date": None}
    return {"Title": caption.title, "Description": caption.text}


def save(fig: Any, png: Path, caption: Caption) -> list[Path]:
    """Writes `png` and its .svg, .pdf and .caption.md siblings (each to a temporary name, then renamed)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    png.parent.mkdir(parents=True, exist_ok=True)
    written = []
    # TrueType fonts in the PDF (publishers reject Type 3); a fixed salt keeps SVG element ids stable across runs
    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "feedback-harness"}):
        for fmt in FORMATS:
            path = png.with_suffix(f".{fmt}")
            tmp = path.with_name(f".{path.name}.tmp")
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata(fmt, caption))
            tmp.replace(path)
            written.append(path)
    write_text_atomic(caption_path(png), caption.markdown())
    return [*written, caption_path(png)]


__all__ = ["DPI", "FORMATS", "Caption", "caption_path", "save"]
