"""The `newsx` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console(stderr=False, highlight=False)


def _summary_table(summary) -> Table:
    table = Table(title=f"newsx run {summary.run_id}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("source", summary.source)
    table.add_row("output", str(summary.out_dir))
    table.add_row("database", str(summary.database))
    table.add_row("read", str(summary.read))
    table.add_row("processed", str(summary.processed))
    table.add_row("quarantined", str(summary.quarantined))
    for reason, count in summary.quarantine_reasons.items():
        table.add_row("", f"{count} × {reason}")
    table.add_row("duplicates", str(summary.duplicates))
    table.add_row("entities / events / relations", f"{summary.entities} / {summary.events} / {summary.relations}")
    for stage, status in summary.stages.items():
        seconds = summary.stage_seconds.get(stage)
        table.add_row(f"stage {stage}", status + (f"  ({seconds:.3f} s)" if seconds is not None else ""))
    return table


def cmd_run(args: argparse.Namespace) -> int:
    from newsx.config import load_settings

    settings = load_settings(args.config, batch_size=args.batch_size, database=args.db)
    if not args.verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from newsx.flows import extract_corpus

    summary = extract_corpus(
        source=args.source,
        out_dir=args.out,
        database=settings.database,
        settings=settings,
        show_progress=not args.no_progress and sys.stderr.isatty(),
    )
    console.print(_summary_table(summary))
    console.print(f"wrote {Path(args.out) / 'documents.jsonl'}, events.jsonl, relations.jsonl, quarantine.jsonl, summary.json")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from newsx.schemas import write_json_schemas

    for path in write_json_schemas(Path(args.out)) if args.out else write_json_schemas():
        console.print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsx", description="Bilingual news extraction: entities, events, relations.")
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="extract a corpus (file, folder or glob) into JSON Lines and a database")
    run.add_argument("source", help="a file, a folder (read recursively) or a glob of .txt/.md/.html/.jsonl")
    run.add_argument("--out", required=True, help="output folder")
    run.add_argument("--db", help="database URL (default: sqlite:///OUT/newsx.sqlite)")
    run.add_argument("--config", help="a newsx.toml (default: ./newsx.toml when present)")
    run.add_argument("--batch-size", type=int, help="documents per task run")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's own log lines")
    run.set_defaults(handler=cmd_run)

    schema = commands.add_parser("schema", help="write the JSON Schema files of the records")
    schema.add_argument("--out", help="folder (default: the package's schemas/json)")
    schema.set_defaults(handler=cmd_schema)

    from newsx.evaluation import bench, command

    command.add_parser(commands)
    bench.add_parser(commands)
    return parser


def _version() -> str:
    from newsx import __version__
    from newsx.schemas import SCHEMA_VERSION

    return f"newsx {__version__} (schema {SCHEMA_VERSION})"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
