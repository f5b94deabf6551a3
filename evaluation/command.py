"""The `newsx eval` subcommand: score an output folder (or a fresh run) against a gold folder."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import orjson
from rich.console import Console
from rich.markup import escape

from .report import below_floors, flat_figures, render, to_json
from .scorer import score


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `eval` to the `newsx` subcommands."""
    parser = commands.add_parser("eval", help="score extraction output against gold annotations (GOLD_FORMAT.md)")
    parser.add_argument("--gold", required=True, type=Path, metavar="DIR", help="folder of gold *.json files")
    predictions = parser.add_mutually_exclusive_group(required=True)
    predictions.add_argument("--pred", type=Path, metavar="OUTDIR", help="an output folder of `newsx run` (documents.jsonl)")
    predictions.add_argument("--source", metavar="DIR", help="a corpus to run the pipeline on first, into a temporary folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--explain", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--floors", type=Path, metavar="FILE", help='JSON of minimum figures, e.g. {"entities.f1": 0.5}')
    parser.add_argument(
        "--before-linking",
        action="store_true",
        help="score the NER stage's mentions as entities (each distinct surface form and label one entity), not the linked ones",
    )
    parser.set_defaults(handler=run_eval)
    return parser


def load_gold(folder: Path) -> list[dict]:
    """Every gold file of a folder, in name order."""
    paths = sorted(Path(folder).glob("*.json"))
    if not paths:
        raise FileNotFoundError(f"no gold files (*.json) in {folder}")
    return [orjson.loads(path.read_bytes()) for path in paths]


def load_predictions(out_dir: Path) -> list[dict]:
    """The documents a run wrote to OUTDIR/documents.jsonl."""
    path = Path(out_dir) / "documents.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"no documents.jsonl in {out_dir}: is it the --out folder of `newsx run`?")
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]


def load_floors(path: Path) -> dict[str, float]:
    """Minimum figures by dotted name; anything but a JSON object of numbers is a usage error."""
    try:
        floors = orjson.loads(Path(path).read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(floors, dict) or not all(
        isinstance(value, (int, float)) and not isinstance(value, bool) for value in floors.values()
    ):
        raise ValueError(f'{path} must be a JSON object of numbers, e.g. {{"entities.f1": 0.5}}')
    return floors


ENTITY_LABELS = ("PERSON", "ORG", "GPE", "PRODUCT")
LINKING_SOURCES = {"propagated", "coordination", "short name"}  # mentions the linker adds, not NER


def before_linking(prediction: dict) -> dict:
    """The document with its entities as NER left them: every distinct (surface form, label) of the
    recognised mentions is an entity named as written, with no merging across spellings."""
    entities = {}
    for mention in prediction.get("mentions", []):
        if mention["label"] in ENTITY_LABELS and mention.get("source") not in LINKING_SOURCES:
            entities.setdefault((mention["text"], mention["label"]), {"name": mention["text"], "type": mention["label"], "mentions": [mention["text"]]})
    return {**prediction, "entities": list(entities.values())}


def _run_pipeline(source: str) -> list[dict]:
    """Extract `source` into a temporary folder and read back what it wrote."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # before Prefect loads its settings
    from newsx.flows import extract_corpus

    with tempfile.TemporaryDirectory(prefix="newsx-eval-") as tmp:
        extract_corpus(source=source, out_dir=tmp, show_progress=False)
        return load_predictions(Path(tmp))


def run_eval(args: argparse.Namespace) -> int:
    """Score, print, and exit 1 when a figure is under its floor (2 for a bad floors file)."""
    errors = Console(stderr=True, highlight=False)
    try:
        floors = load_floors(args.floors) if args.floors else {}
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        return 2
    gold = load_gold(args.gold)
    predictions = load_predictions(args.pred) if args.pred else _run_pipeline(args.source)
    if args.before_linking:
        predictions = [before_linking(prediction) for prediction in predictions]
    scores = score(gold, predictions)
    figures = to_json(scores, explain=args.explain)
    unknown = sorted(floors.keys() - flat_figures(figures).keys())
    if unknown:
        errors.print(f"[red]error:[/red] not figures of the report: {escape(', '.join(unknown))}")
        return 2
    if args.json:
        sys.stdout.write(orjson.dumps(figures, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")
    else:
        render(scores, Console(highlight=False), explain=args.explain)
    failures = below_floors(figures, floors)
    for failure in failures:
        errors.print(f"[red]below floor:[/red] {escape(failure)}")
    return 1 if failures else 0

