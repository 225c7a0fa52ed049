"""Sweeps: one recipe, many variants (grid, zip, seeds), run side by side and read as one table and one plot.

spec (the `sweep:` block, expansion, validation) -> run (variants and the sweep record) -> aggregate + pooled
(rows over seeds) -> view + breakeven (curves) -> tables + plot (md, csv, html, png).
"""
