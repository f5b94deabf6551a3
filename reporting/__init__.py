"""The HTML report of a run: `newsx report OUTDIR` writes OUTDIR/report.html."""

from __future__ import annotations

from .command import add_parser
from .html import write_report

__all__ = ["add_parser", "write_report"]
