"""The `newsx report` subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `report` to the `newsx` subcommands."""
    parser = commands.add_parser("report", help="write OUTDIR/report.html: a self-contained page of a run's output")
    parser.add_argument("out_dir", type=Path, metavar="OUTDIR", help="the --out folder of `newsx run`")
    parser.set_defaults(handler=run_report)
    return parser


def run_report(args: argparse.Namespace) -> int:
    from .html import write_report

    print(f"wrote {write_report(args.out_dir)}")
    return 0
