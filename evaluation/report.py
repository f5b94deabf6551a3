"""The figures of a scoring run as JSON and as terminal tables, and the check against floors."""

from __future__ import annotations

from dataclasses import asdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .scorer import Scores, Share, Tally

DECIMALS = 4


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _prf(tally: Tally) -> dict:
    return {"precision": _round(tally.precision), "recall": _round(tally.recall), "f1": _round(tally.f1)}


def _counted(tally: Tally) -> dict:
    """P/R/F1 with the counts behind them, so a reader can tell 0 of 0 from 0 of 40."""
    return {**_prf(tally), "tp": tally.tp, "fp": tally.fp, "fn": tally.fn}


def _by_type(tallies: dict[str, Tally]) -> dict:
    return {kind: _counted(tallies[kind]) for kind in sorted(tallies)}


def _share(share: Share) -> float | None:
    return _round(share.value)


def to_json(scores: Scores, explain: bool = False) -> dict:
    """The report as one JSON object; `explain` adds every false positive and false negative."""
    figures = {
        "documents": scores.documents,
        "missing": list(scores.missing),
        "clean": {"must_drop": _share(scores.must_drop), "must_keep": _share(scores.must_keep)},
        "entities": {
            **_counted(scores.entities),
            "mentions_resolved": _share(scores.mentions_resolved),
            "by_type": _by_type(scores.entities_by_type),
        },
        "events": {
            **_counted(scores.events),
            "arguments": _prf(scores.arguments),
            "date_accuracy": _share(scores.event_dates),
            "precision_at_confidence": {f"{t:g}": _share(share) for t, share in scores.event_precision_at.items()},
            "by_type": _by_type(scores.events_by_type),
        },
        "relations": {
            **_counted(scores.relations),
            "role_accuracy": _share(scores.relation_role),
            "start_accuracy": _share(scores.relation_start),
            "end_accuracy": _share(scores.relation_end),
            "ended_accuracy": _share(scores.relation_ended),
            "by_type": _by_type(scores.relations_by_type),
        },
    }
    if explain:
        figures["explain"] = [asdict(miss) for miss in scores.misses]
    return figures


# --- floors ---


def flat_figures(figures: dict, prefix: str = "") -> dict[str, float | None]:
    """Every number of the JSON report by its dotted name (`entities.f1`, `events.by_type.org.funding.recall`)."""
    flat: dict[str, float | None] = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update(flat_figures(value, f"{prefix}{key}."))
        elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            flat[f"{prefix}{key}"] = value
    return flat


def below_floors(figures: dict, floors: dict[str, float]) -> list[str]:
    """A message per figure under its floor; a null figure (nothing was measured) is under any floor."""
    flat = flat_figures(figures)
    failures = []
    for name in sorted(floors):
        value = flat[name]
        if value is None or value < floors[name]:
            shown = "null (nothing to measure)" if value is None else f"{value:.{DECIMALS}f}"
            failures.append(f"{name} is {shown}, below its floor {floors[name]}")
    return failures


# --- terminal ---


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.{DECIMALS}f}"


def _prf_table(title: str, rows: dict[str, dict]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for column in ("precision", "recall", "f1", "tp", "fp", "fn"):
        table.add_column(column, justify="right")
    for label, row in rows.items():
        counts = [str(row[key]) if key in row else "" for key in ("tp", "fp", "fn")]
        table.add_row(label, _number(row["precision"]), _number(row["recall"]), _number(row["f1"]), *counts)
    return table


def _summary_table(figures: dict) -> Table:
    table = Table(title="newsx eval", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("documents scored", str(figures["documents"]))
    table.add_row("missing predictions", str(len(figures["missing"])))
    table.add_row("cleaning: must_drop gone", _number(figures["clean"]["must_drop"]))
    table.add_row("cleaning: must_keep kept", _number(figures["clean"]["must_keep"]))
    table.add_row("entities: mentions resolved", _number(figures["entities"]["mentions_resolved"]))
    table.add_row("events: date accuracy", _number(figures["events"]["date_accuracy"]))
    for attribute in ("role", "start", "end", "ended"):
        table.add_row(f"relations: {attribute} accuracy", _number(figures["relations"][f"{attribute}_accuracy"]))
    return table


_SHORT_ERRORS = {"false negative": "FN", "false positive": "FP"}


def _explain_tables(scores: Scores) -> list[Table]:
    """One table of misses per document, narrow columns unwrapped so the evidence gets the width."""
    tables: dict[str, Table] = {}
    for miss in scores.misses:
        if miss.document not in tables:
            table = Table(title=f"{escape(miss.document)}: FN in gold only, FP predicted only", title_justify="left")
            for column in ("", "kind", "type"):
                table.add_column(column, no_wrap=True)
            table.add_column("what", ratio=1, overflow="fold")
            table.add_column("evidence", ratio=2, overflow="fold")
            tables[miss.document] = table
        cells = (miss.type, miss.what, miss.evidence or "")  # article text: shown as is, never read as markup
        tables[miss.document].add_row(_SHORT_ERRORS[miss.error], miss.kind, *map(Text, cells))
    return list(tables.values())


def render(scores: Scores, console: Console, explain: bool = False) -> None:
    """Print the report as tables: headline figures, P/R/F1 overall and per type, then (optionally) every miss."""
    figures = to_json(scores)
    console.print(_summary_table(figures))
    for name in figures["missing"]:
        console.print(f"[yellow]no prediction for[/yellow] {escape(name)}")
    console.print(
        _prf_table(
            "precision / recall / F1 (micro over documents)",
            {
                "entities": figures["entities"],
                "events": figures["events"],
                "event arguments": figures["events"]["arguments"],
                "relations": figures["relations"],
            },
        )
    )
    for kind in ("entities", "events", "relations"):
        if figures[kind]["by_type"]:
            console.print(_prf_table(f"{kind} by type", figures[kind]["by_type"]))
    if explain:
        for table in _explain_tables(scores):
            console.print(table)
