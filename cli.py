"""The `newsx` command."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


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


def _run_settings(args: argparse.Namespace):
    """Settings from newsx.toml and the flags `run` and `reprocess` share."""
    from newsx.config import load_settings

    from newsx.models.registry import parse_model_flag

    models = dict(parse_model_flag(flag) for flag in args.model)
    if not args.verbose:
        import logging

        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        if _runner(args) == "dask":
            import distributed  # noqa: F401  (its import sets its loggers' levels: then ours)

            logging.getLogger("distributed").setLevel(logging.WARNING)  # no cluster chatter
    return load_settings(args.config, batch_size=args.batch_size, database=args.db, kb_file=args.kb, models=models)


def _runner(args: argparse.Namespace) -> str:
    """--runner, else dask when a scheduler address is given, else local."""
    return args.runner or ("dask" if args.dask_address else "local")


def cmd_run(args: argparse.Namespace) -> int:
    settings = _run_settings(args)
    from newsx.flows import extract_corpus

    summary = extract_corpus(
        source=args.source,
        out_dir=args.out,
        database=settings.database,  # a SecretStr: masked in Prefect's stored parameters
        settings=settings,
        show_progress=not args.no_progress and sys.stderr.isatty(),
        cache_dir=args.cache_dir,
        prune=args.prune,
        runner=_runner(args),
        dask_address=args.dask_address,
    )
    console.print(_summary_table(summary))
    console.print(f"wrote {Path(args.out) / 'documents.jsonl'}, events.jsonl, relations.jsonl, quarantine.jsonl, summary.json")
    from newsx.reporting import write_report

    console.print(f"wrote {write_report(Path(args.out))}")
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Recompute what a change invalidates; print per stage what (would) rerun, and the event changes."""
    settings = _run_settings(args)
    from newsx.flows import reprocess_corpus

    result = reprocess_corpus(
        source=args.source, out_dir=args.out, database=settings.database, settings=settings, dry_run=args.dry_run, cache_dir=args.cache_dir,
        runner=_runner(args), dask_address=args.dask_address,
    )
    console.print("would recompute:" if args.dry_run else "recomputed:")
    for stage in result.plan:
        console.print(f"  {escape(str(stage))}")
    if args.dry_run:
        console.print("dry run: nothing written")
        return 0
    console.print(_summary_table(result.summary))
    console.print(escape(result.changes_text))
    out = Path(args.out)
    console.print(f"wrote {out / 'changes.jsonl'}, {out / 'changes.md'}")
    from newsx.reporting import write_report

    console.print(f"wrote {write_report(out)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run extract_corpus on a cron schedule until stopped (Ctrl-C)."""
    from newsx.flows import serve_extract

    serve_extract(args.source, args.out, args.cron, name=args.name, database=args.db, prune=args.prune)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The run's database tables as Parquet files with a fixed column schema."""
    from newsx.warehouse import database_of, describe, export

    out = Path(args.out)
    destination = Path(args.dest) if args.dest else out / args.format
    database = database_of(out, args.db)
    counts = export(database, destination, args.format)
    console.print(f"exported {escape(describe(database))} to {escape(str(destination))}")
    table = Table()
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(f"{name}.{args.format}", str(count))
    console.print(table)
    return 0


def cmd_bench(measure_throughput, args: argparse.Namespace) -> int:
    """`newsx bench`, or with --reprocess what reprocessing after an event-lexicon change costs."""
    if not args.reprocess:
        return measure_throughput(args)
    import orjson

    from newsx.evaluation.reprocess_bench import render, run_reprocess_bench

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    figures = run_reprocess_bench(Path(args.dev), Path(args.sample), args.reprocess_size)
    if args.json:
        print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())
    else:
        render(figures, console)
    return 0


def _add_run_arguments(command: argparse.ArgumentParser) -> None:
    """Arguments of `run`, shared by `reprocess`: the same input, output, configuration and models."""
    command.add_argument("source", help="a file, a folder (read recursively) or a glob of .txt/.md/.html/.jsonl")
    command.add_argument("--out", required=True, help="output folder")
    command.add_argument("--db", help="database URL (default: sqlite:///OUT/newsx.sqlite)")
    command.add_argument("--config", help="a newsx.toml (default: ./newsx.toml when present)")
    command.add_argument("--batch-size", type=int, help="documents per task run")
    command.add_argument("--model", action="append", default=[], metavar="LANG=BACKEND:MODEL",
                         help="NER model per language, e.g. zh=hanlp:ner.MSRA_NER_ELECTRA_SMALL_ZH or en=spacy:en_core_web_trf")
    command.add_argument("--kb", help="a knowledge-base file to read and grow (default: propose to OUT/kb.learned.yaml)")
    command.add_argument("--cache-dir", help="stage cache folder (default: OUT/.cache)")
    command.add_argument("--runner", choices=["local", "dask"],
                         help="where the batches run: this process (local, the default) or a Dask cluster (dask)")
    command.add_argument("--dask-address", metavar="tcp://HOST:8786",
                         help="the Dask scheduler to use with --runner dask (default: start a LocalCluster, one worker per core)")
    command.add_argument("-v", "--verbose", action="store_true", help="show Prefect's own log lines")


def cmd_schema(args: argparse.Namespace) -> int:
    from newsx.schemas import write_json_schemas

    for path in write_json_schemas(Path(args.out)) if args.out else write_json_schemas():
        console.print(f"wrote {path}")
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    """Review and edit the knowledge base: the seed plus the user file given with --kb."""
    import orjson

    from newsx.models.knowledge_base import KnowledgeBase

    kb = KnowledgeBase.load(args.kb)

    def entity(name: str):
        found = kb.get(name) or kb.resolve(name)
        if found is None:
            raise LookupError(f"no KB entity named {name!r} (newsx kb list shows them)")
        return found

    if args.action == "list":
        table = Table(title=f"knowledge base {kb.version}", title_justify="left")
        for column in ("name", "type", "origin", "aliases", "learned"):
            table.add_column(column)
        for item in sorted(kb.entities.values(), key=lambda e: (e.type, e.name)):
            if args.learned and not item.learned:
                continue
            aliases = [a for values in item.aliases.values() for a in values]
            table.add_row(escape(item.name), item.type, item.origin, escape(", ".join(aliases[:6])), escape(", ".join(item.learned)))
        console.print(table)
    elif args.action == "show":
        console.print_json(orjson.dumps(entity(args.names[0]).to_dict()).decode())
    elif args.action == "export":
        for item in sorted(kb.entities.values(), key=lambda e: (e.type, e.name)):
            print(orjson.dumps({"entity_id": item.entity_id, **item.to_dict()}).decode())
    else:
        if not args.kb:
            raise LookupError("merge and split change the user KB file: name it with --kb FILE")
        if args.action == "merge":
            keep, other = (entity(name) for name in args.names[:2])
            kb.merge(keep, other)
            console.print(f"merged {escape(other.name)} into {escape(keep.name)}")
        elif args.action == "split":
            created = kb.split(entity(args.names[0]), args.names[1], args.names[2] if len(args.names) > 2 else None)
            console.print(f"split {escape(args.names[1])} off {escape(args.names[0])} as {escape(created.name)}")
        console.print(f"wrote {kb.save(args.kb)}")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """A person's career as the corpus tells it: affiliations and foundings, in time order, with sources."""
    import orjson

    from newsx.models.knowledge_base import name_key

    out = Path(args.out)
    if not (out / "relations.jsonl").is_file():
        raise FileNotFoundError(f"no relations.jsonl in {out}: pass the --out folder of `newsx run`")
    sources = {}
    with (out / "documents.jsonl").open("rb") as handle:
        for line in handle:
            document = orjson.loads(line)
            sources[document["document_id"]] = document["source"]
    wanted = name_key(args.person)
    rows = []
    with (out / "relations.jsonl").open("rb") as handle:
        for line in handle:
            relation = orjson.loads(line)
            person = relation["arguments"].get("person")
            if relation["type"] not in ("affiliation", "founder_of") or not person:
                continue
            if wanted not in {name_key(person["name"]), *(name_key(m) for m in person.get("mentions", []))}:
                continue
            rows.append(relation)
    if not rows:
        console.print(f"no affiliation of {escape(args.person)} in {out}")
        return 1
    rows.sort(key=lambda r: (r["start"] or r["end"] or "9999", r["arguments"]["organization"]["name"], r["type"]))
    table = Table(title=f"timeline of {escape(rows[0]['arguments']['person']['name'])}", title_justify="left")
    for column in ("from", "to", "organization", "relation", "role", "sources"):
        table.add_column(column)
    for relation in rows:
        end = relation["end"] or ("ended" if relation["ended"] else "")
        documents = ", ".join(Path(sources.get(d, d)).name for d in relation["sources"])
        kind = "founder" if relation["type"] == "founder_of" else "affiliation"
        role = relation["arguments"].get("role") or ""
        table.add_row(relation["start"] or "?", end, escape(relation["arguments"]["organization"]["name"]), kind, escape(role), escape(documents))
    console.print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsx", description="Bilingual news extraction: entities, events, relations.")
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="extract a corpus (file, folder or glob) into JSON Lines and a database")
    _add_run_arguments(run)
    run.add_argument("--prune", action="store_true", help="remove from the database the documents whose source file is gone")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(handler=cmd_run)

    reprocess = commands.add_parser("reprocess", help="recompute only what a change invalidates; report the event changes")
    _add_run_arguments(reprocess)
    reprocess.add_argument("--dry-run", action="store_true", help="say per stage what would rerun and why; write nothing")
    reprocess.set_defaults(handler=cmd_reprocess)

    serve = commands.add_parser("serve", help="run extraction on a cron schedule as a Prefect deployment (until stopped)")
    serve.add_argument("source", help="a file, a folder or a glob, as for run")
    serve.add_argument("--out", required=True, help="output folder")
    serve.add_argument("--cron", required=True, help='a cron schedule, e.g. "0 * * * *" (hourly)')
    serve.add_argument("--db", help="database URL (default: sqlite:///OUT/newsx.sqlite)")
    serve.add_argument("--name", default="newsx-extract", help="deployment name (default: newsx-extract)")
    serve.add_argument("--prune", action="store_true", help="each run removes documents whose source file is gone")
    serve.set_defaults(handler=cmd_serve)

    export = commands.add_parser("export", help="write the run's database tables as Parquet files (for DuckDB, pandas, Spark)")
    export.add_argument("out", help="the --out folder of `newsx run` (its newsx.sqlite is the default database)")
    export.add_argument("--format", default="parquet", choices=["parquet"], help="file format (default: parquet)")
    export.add_argument("--db", help="database URL to read instead (sqlite:///PATH or postgresql://…)")
    export.add_argument("--dest", help="folder for the files (default: OUT/parquet)")
    export.set_defaults(handler=cmd_export)

    schema = commands.add_parser("schema", help="write the JSON Schema files of the records")
    schema.add_argument("--out", help="folder (default: the package's schemas/json)")
    schema.set_defaults(handler=cmd_schema)

    kb = commands.add_parser("kb", help="review and edit the knowledge base (seed + the user file given with --kb)")
    kb.add_argument("action", choices=["list", "show", "merge", "split", "export"])
    kb.add_argument("names", nargs="*", help="show NAME | merge KEEP OTHER | split NAME ALIAS [NEW_NAME]")
    kb.add_argument("--kb", help="the user KB file (e.g. OUT/kb.learned.yaml)")
    kb.add_argument("--learned", action="store_true", help="list: only entities with learned aliases")
    kb.set_defaults(handler=cmd_kb)

    timeline = commands.add_parser("timeline", help="a person's career as the corpus tells it, with sources")
    timeline.add_argument("person", help="a name or any of its mentions, e.g. \"John Schulman\" or 舒尔曼")
    timeline.add_argument("--out", default="out/sample", help="the output folder of `newsx run` (default: out/sample)")
    timeline.set_defaults(handler=cmd_timeline)

    from newsx.evaluation import bench, command, soak
    from newsx.models import training

    from newsx.reporting import add_parser as add_report_parser

    command.add_parser(commands)
    bench.add_parser(commands)
    bench_command = commands.choices["bench"]
    bench_command.add_argument("--reprocess", action="store_true",
                               help="instead: a full run over dev + a synthetic corpus, one event-lexicon edit, then reprocess; compare")
    bench_command.add_argument("--reprocess-size", type=int, default=1000, help="synthetic documents for --reprocess (default: 1000)")
    bench_command.set_defaults(handler=functools.partial(cmd_bench, bench_command.get_default("handler")))
    soak.add_parser(commands)
    training.add_parser(commands)
    add_report_parser(commands)
    return parser


def _version() -> str:
    from newsx import __version__
    from newsx.schemas import SCHEMA_VERSION

    return f"newsx {__version__} (schema {SCHEMA_VERSION})"


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from newsx.models.registry import ModelSpecError
    from newsx.pipeline.sink import DatabaseUnavailable, OutputUnwritable

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (FileNotFoundError, LookupError, ModelSpecError, ValidationError, DatabaseUnavailable, OutputUnwritable, ValueError) as exc:
        # a missing input or model, a bad configuration or database URL: a message, not a traceback
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        return 2
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
