"""Paper-ready figures: drawing from plain data, saving as PNG, SVG and PDF with a caption, and checking them.

Each drawing module takes its own small dataclasses (never run records), so the same code draws a figure from a
live run and from the committed example tables (`python -m harness.figures.examples`). matplotlib (the `plots`
extra) is imported inside the functions and used through `Figure` objects with the Agg canvas, so no pyplot global
state or display backend is involved.
"""
