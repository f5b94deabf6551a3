"""`OUTDIR/report.html`: one self-contained page a person can read a run from.

Self-contained means viewable offline: the CSS and JavaScript are inlined from
`assets/`, the graph is SVG computed here, fonts are the reader's own, and a
Content-Security-Policy lets no request leave the page and no script run but
ours (by hash), so an article that smuggles markup past escaping still cannot
act. Everything taken from the run's files is HTML-escaped. The same folder
always gives the same bytes: every list is sorted and nothing reads the clock.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path

from newsx.schemas import Document, RunSummary
from newsx.schemas.records import Evidence, EventBase, RelationBase

from .describe import (
    entity_button,
    entity_refs,
    event_label,
    ordered_events,
    phrase_html,
    short_type,
    type_category,
)
from .document_view import (
    ENTITY_LABELS,
    EvidenceUse,
    Inline,
    Region,
    evidence_regions,
    inline_spans,
    region_anchors,
    removal_points,
    text_html,
)
from .graph import build_graph, render_svg
from .run_output import EVENT_ADAPTER, RunOutput, load_run

REPORT_FILE = "report.html"
PIPELINE_STAGES = ("ingest", "clean", "language", "segment", "ner", "link", "events", "merge", "validate", "sink")
MODALITIES = ("actual", "planned", "negated", "rumored")
SNIPPET_CHARACTERS = 140
_FINGERPRINT = re.compile(r"^(?P<name>[^@#]+)@(?P<version>[^#]+)(?:#(?P<hash>.+))?$")  # name@version#hash


@dataclass(frozen=True)
class ReportContext:
    """What several sections need: event labels, document names and where each evidence span is marked."""

    run: RunOutput
    events: list[tuple[str, EventBase]]  # (label, event) in report order
    documents: list[Document]  # by source
    document_names: dict[str, str]
    entity_types: dict[str, str]
    markup: dict[str, tuple[list[Inline], list[Region]]]  # document id -> its highlights and evidence regions
    anchors: dict[tuple[str, int, int], str]  # (document id, start, end) -> anchor of its marked region


def asset(name: str) -> str:
    """A file of reporting/assets, read through the package so an installed wheel finds it too."""
    return resources.files("newsx.reporting").joinpath("assets", name).read_text("utf-8")


def csp_hash(text: str) -> str:
    """The CSP source that allows exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def document_name(document: Document) -> str:
    """The title when the article has one, else its file name (with the line for JSON Lines input)."""
    return document.title or Path(document.source).name


def evidence_uses(events: list[tuple[str, EventBase]], relations: list[RelationBase]) -> dict[str, list[EvidenceUse]]:
    """Every evidence span of the canonical events and relations, by the document it is in."""
    uses: dict[str, list[EvidenceUse]] = defaultdict(list)
    for label, event in events:
        for evidence in event.evidence:
            uses[evidence.document_id].append(EvidenceUse(evidence, event.type, label, event.event_id))
    for relation in relations:
        for evidence in relation.evidence:
            uses[evidence.document_id].append(EvidenceUse(evidence, relation.type, None, None))
    return uses


def build_context(run: RunOutput) -> ReportContext:
    """Number the events and mark up every document once, so links and their targets agree."""
    events = [(event_label(index), event) for index, event in enumerate(ordered_events(run.events))]
    documents = sorted(run.documents, key=lambda document: (document.source, document.document_id))
    entities = sorted((entity for document in documents for entity in document.entities), key=lambda e: (e.entity_id, e.name))
    entity_names = {entity.entity_id: entity.name for entity in entities}
    uses = evidence_uses(events, run.relations)
    markup: dict[str, tuple[list[Inline], list[Region]]] = {}
    anchors: dict[tuple[str, int, int], str] = {}
    for document in documents:
        document_uses = uses.get(document.document_id, [])
        spans = inline_spans(document, entity_names, document_uses)
        regions = evidence_regions(document_uses, spans)
        markup[document.document_id] = (spans, regions)
        for (start, end), anchor in region_anchors(document.document_id, document_uses, regions).items():
            anchors[(document.document_id, start, end)] = anchor
    return ReportContext(
        run=run,
        events=events,
        documents=documents,
        document_names={document.document_id: document_name(document) for document in documents},
        entity_types={entity.entity_id: entity.type for entity in entities},
        markup=markup,
        anchors=anchors,
    )


# --- small pieces ---


def badge(text: str, css_class: str) -> str:
    return f'<span class="badge {css_class}">{escape(text)}</span>'


def type_badge(record_type: str) -> str:
    return f'<span class="badge type-{type_category(record_type)}" title="{escape(record_type)}">{escape(short_type(record_type))}</span>'


def modality_badge(modality: str) -> str:
    return badge(modality, f"modality-{modality}")


def key_values(rows: list[tuple[str, str]]) -> str:
    """A two-column table of already-escaped values."""
    body = "".join(f"<tr><th>{escape(key)}</th><td>{value}</td></tr>" for key, value in rows)
    return f'<table class="key-values">{body}</table>'


def data_table(headers: list[str], rows: list[str], table_id: str = "") -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    id_attribute = f' id="{table_id}"' if table_id else ""
    return f'<table class="data"{id_attribute}><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def snippet(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARACTERS else text[: SNIPPET_CHARACTERS - 1] + "…"


def evidence_link(context: ReportContext, evidence: Evidence) -> str:
    """The document's name linking to the marked evidence, then the sentence itself."""
    anchor = context.anchors.get((evidence.document_id, evidence.start, evidence.end))
    name = escape(context.document_names.get(evidence.document_id, evidence.document_id))
    where = f'<a class="evidence-link" href="#{anchor}">{name}</a>' if anchor else name
    return f'<div class="evidence-cite">{where} <q title="{escape(evidence.text)}">{escape(snippet(evidence.text))}</q></div>'


def seconds(value: float) -> str:
    return f"{value:.3f} s"


# --- sections ---


def header_html(summary: RunSummary) -> str:
    finished = summary.finished.isoformat(timespec="seconds")
    return (
        '<header class="page-header"><h1>newsx run report</h1>'
        f'<p class="subtitle"><span class="mono">{escape(summary.run_id)}</span> · {escape(summary.source)} · finished {escape(finished)}</p>'
        "</header>"
    )


def nav_html(context: ReportContext) -> str:
    links = [("summary", "Summary")]
    if context.run.changes is not None:
        links.append(("changes", "Changes"))
    links += [
        ("events", f"Events ({len(context.events)})"),
        ("timeline", "Timeline"),
        ("careers", "Careers"),
        ("graph", "Entity graph"),
        ("documents", f"Documents ({len(context.documents)})"),
        ("quarantine", f"Quarantine ({len(context.run.quarantine)})"),
    ]
    return '<nav class="top-nav">' + "".join(f'<a href="#{anchor}">{escape(text)}</a>' for anchor, text in links) + "</nav>"


def stage_rows(summary: RunSummary) -> list[str]:
    """Stages in pipeline order (any others after, by name), each with its share of the time as a bar."""
    names = sorted(set(summary.stage_seconds) | set(summary.stages), key=lambda s: (PIPELINE_STAGES.index(s) if s in PIPELINE_STAGES else len(PIPELINE_STAGES), s))
    total = sum(summary.stage_seconds.values()) or 1.0
    rows = []
    for name in names:
        spent = summary.stage_seconds.get(name)
        bar = ""
        if spent is not None:
            width = 160 * spent / total
            bar = f'<svg class="bar" width="160" height="10" aria-hidden="true"><rect width="{width:.1f}" height="10" rx="2"></rect></svg>'
        rows.append(
            f'<tr><td>{escape(name)}<div class="stage-what">{escape(summary.stages.get(name, ""))}</div></td>'
            f'<td class="num">{seconds(spent) if spent is not None else ""}</td><td>{bar}</td></tr>'
        )
    rows.append(f'<tr class="total"><td>total</td><td class="num">{seconds(sum(summary.stage_seconds.values()))}</td><td></td></tr>')
    return rows


def model_rows(summary: RunSummary) -> list[str]:
    rows = []
    for slot, fingerprint in sorted(summary.provenance.models.items()):
        match = _FINGERPRINT.match(fingerprint)
        name, version, digest = (match["name"], match["version"], match["hash"] or "") if match else (fingerprint, "", "")
        rows.append(
            f'<tr><td>{escape(slot)}</td><td>{escape(name)}</td><td>{escape(version)}</td><td class="mono">{escape(digest)}</td></tr>'
        )
    return rows


def summary_section(context: ReportContext) -> str:
    summary = context.run.summary
    cards = [
        ("read", summary.read, ""),
        ("processed", summary.processed, "good"),
        ("quarantined", summary.quarantined, "warn" if summary.quarantined else ""),
        ("duplicates", summary.duplicates, ""),
        ("entities", summary.entities, ""),
        ("events", summary.events, ""),
        ("relations", summary.relations, ""),
    ]
    cards_html = "".join(f'<div class="card {kind}"><div class="card-number">{count}</div><div class="card-label">{name}</div></div>' for name, count, kind in cards)
    reasons = [f'<tr><td>{escape(reason)}</td><td class="num">{count}</td></tr>' for reason, count in sorted(summary.quarantine_reasons.items())]
    reasons_html = data_table(["quarantine reason", "inputs"], reasons) if reasons else '<p class="empty">No input was quarantined.</p>'
    provenance = summary.provenance
    duration = (summary.finished - summary.started).total_seconds()
    run_rows = [
        ("source", escape(summary.source)),
        ("output folder", escape(summary.out_dir or "")),
        ("database", escape(summary.database or "")),
        ("started", escape(summary.started.isoformat(timespec="seconds"))),
        ("finished", f"{escape(summary.finished.isoformat(timespec='seconds'))} ({seconds(duration)})"),
        ("pipeline version", escape(provenance.pipeline_version)),
        ("schema version", escape(provenance.schema_version)),
        ("KB version", f'<span class="mono">{escape(provenance.kb_version or "none")}</span>'),
        ("configuration", f'<span class="mono">{escape(provenance.config_fingerprint or "")}</span>'),
    ]
    return (
        '<section id="summary"><h2>Run summary</h2>'
        f'<div class="cards">{cards_html}</div>'
        f'<p class="note">read = processed + quarantined + duplicates ({summary.read} = {summary.processed} + {summary.quarantined} + {summary.duplicates}); '
        "a duplicate is an input whose normalised text another input already had.</p>"
        '<div class="columns"><div>'
        f"{key_values(run_rows)}<h3>Quarantine reasons</h3>{reasons_html}"
        f'<h3>Models</h3>{data_table(["slot", "model", "version", "fingerprint"], model_rows(summary))}</div>'
        f'<div><h3>Stage timings</h3>{data_table(["stage", "time", "share"], stage_rows(summary))}</div></div>'
        "</section>"
    )


def changed_fields(before: dict, after: dict) -> list[str]:
    """Top-level fields that differ, provenance aside (it changes with every model or config update)."""
    return sorted(key for key in set(before) | set(after) if key != "provenance" and before.get(key) != after.get(key))


def changes_section(changes: list[dict]) -> str:
    """Events added, removed or changed since the previous run (changes.jsonl: change, event_id, before, after)."""
    counts = Counter(change["change"] for change in changes)
    rows = []
    for change in sorted(changes, key=lambda c: (c["change"], c["event_id"])):
        before, after = change.get("before"), change.get("after")
        shown = EVENT_ADAPTER.validate_python(after or before)
        fields = ", ".join(changed_fields(before, after)) if before and after else ""
        rows.append(
            f'<tr><td>{badge(change["change"], "change-" + re.sub(r"[^a-z]", "", change["change"]))}</td>'
            f'<td>{type_badge(shown.type)}</td><td>{phrase_html(shown)}</td><td>{escape(fields)}</td>'
            f'<td class="mono">{escape(change["event_id"])}</td></tr>'
        )
    totals = " · ".join(f"{counts.get(kind, 0)} {kind}" for kind in ("added", "removed", "changed"))
    return (
        f'<section id="changes"><h2>Change report</h2><p class="note">Events since the previous run: {escape(totals)}.</p>'
        f'{data_table(["change", "type", "event", "changed fields", "event id"], rows)}</section>'
    )


def event_search_text(event: EventBase) -> str:
    """Every name and written form of the event's entities: what the entity filter matches."""
    names = sorted({text for _, ref in entity_refs(event.arguments) for text in (ref.name, *ref.mentions)})
    return " | ".join(names)


def event_row(context: ReportContext, label: str, event: EventBase) -> str:
    evidence = "".join(evidence_link(context, item) for item in event.evidence)
    date = escape(event.date) if event.date else '<span class="undated">undated</span>'
    return (
        f'<tr id="evt-{escape(event.event_id)}" data-type="{escape(event.type)}" data-modality="{escape(event.modality)}" '
        f'data-date="{escape(event.date or "")}" data-entities="{escape(event_search_text(event))}">'
        f'<td><a class="event-label" href="#evt-{escape(event.event_id)}">{label}</a></td>'
        f'<td class="date">{date}</td><td>{type_badge(event.type)}</td><td>{modality_badge(event.modality)}</td>'
        f'<td class="phrase">{phrase_html(event)}</td><td class="num">{event.confidence:.2f}</td>'
        f'<td class="num" title="{event.num_sources} sources">{event.num_articles}</td><td class="evidence-cell">{evidence}</td></tr>'
    )


def events_section(context: ReportContext) -> str:
    events = [event for _, event in context.events]
    types = Counter(event.type for event in events)
    modalities = Counter(event.modality for event in events)
    type_options = "".join(f'<option value="{escape(kind)}">{escape(kind)} ({count})</option>' for kind, count in sorted(types.items()))
    modality_options = "".join(f'<option value="{m}">{m} ({modalities[m]})</option>' for m in MODALITIES if modalities[m])
    names = sorted({ref.name for event in events for _, ref in entity_refs(event.arguments)}, key=lambda n: (n.casefold(), n))
    datalist = "".join(f'<option value="{escape(name)}"></option>' for name in names)
    filters = (
        '<div class="filters">'
        f'<label>Type <select id="filter-type"><option value="">all types</option>{type_options}</select></label>'
        '<label>Entity <input id="filter-entity" type="search" list="entity-names" placeholder="name or written form"></label>'
        f'<datalist id="entity-names">{datalist}</datalist>'
        '<label>From <input id="filter-from" size="11" placeholder="YYYY-MM-DD"></label>'
        '<label>To <input id="filter-to" size="11" placeholder="YYYY-MM-DD"></label>'
        f'<label>Modality <select id="filter-modality"><option value="">all</option>{modality_options}</select></label>'
        '<button type="button" id="filter-reset">Reset</button>'
        f'<span id="filter-count" class="count">{len(events)} of {len(events)} events</span></div>'
    )
    rows = [event_row(context, label, event) for label, event in context.events]
    table = data_table(["#", "date", "type", "modality", "what happened", "conf.", "articles", "evidence"], rows, "events-table")
    return (
        '<section id="events"><h2>Events</h2>'
        '<p class="note">Canonical events across documents, by date (undated last). A date filter keeps events whose date '
        "(year, month or day) overlaps the range; click a name to filter by it, an evidence link to read it in its document.</p>"
        f"{filters}{table}</section>"
    )


def timeline_section(context: ReportContext) -> str:
    """Events grouped by date in time order, undated at the end: who left, joined or was appointed, and when."""
    groups: dict[str, list[str]] = defaultdict(list)
    for label, event in context.events:
        modality = "" if event.modality == "actual" else " " + modality_badge(event.modality)
        groups[event.date or ""].append(
            f'<li>{type_badge(event.type)} {phrase_html(event)}{modality} <a class="event-label" href="#evt-{escape(event.event_id)}">{label}</a></li>'
        )
    items = []
    for date in sorted(groups, key=lambda d: (d == "", d)):
        heading = f"<time>{escape(date)}</time>" if date else '<time class="undated">undated</time>'
        items.append(f'<li class="moment">{heading}<ul>{"".join(groups[date])}</ul></li>')
    body = f'<ol class="timeline">{"".join(items)}</ol>' if items else '<p class="empty">No events.</p>'
    return f'<section id="timeline"><h2>Timeline</h2>{body}</section>'


def career_rows(relations: list[RelationBase], context: ReportContext) -> list[str]:
    """One person's affiliations and foundings, earliest first (undated last)."""
    rows = []
    for relation in sorted(relations, key=lambda r: (r.start or r.end or "9999", r.arguments.organization.name, r.type)):
        end = escape(relation.end) if relation.end else ("ended" if relation.ended else "")
        role = getattr(relation.arguments, "role", None) or ""
        kind = "founder" if relation.type == "founder_of" else "affiliation"
        evidence = "".join(evidence_link(context, item) for item in relation.evidence)
        rows.append(
            f'<tr><td class="date">{escape(relation.start or "?")}</td><td class="date">{end}</td>'
            f"<td>{entity_button(relation.arguments.organization)}</td><td>{badge(kind, 'relation-' + kind)}</td>"
            f'<td>{escape(role)}</td><td class="evidence-cell">{evidence}</td></tr>'
        )
    return rows


def careers_section(context: ReportContext) -> str:
    """Each person's career from the affiliation and founder relations, people by name."""
    careers: dict[str, list[RelationBase]] = defaultdict(list)
    for relation in context.run.relations:
        if relation.type in ("affiliation", "founder_of"):
            person = relation.arguments.person
            careers[person.entity_id or person.name].append(relation)
    rows = []
    for key in sorted(careers, key=lambda k: (careers[k][0].arguments.person.name.casefold(), k)):
        person = careers[key][0].arguments.person
        rows.append(f'<tr class="group"><th colspan="6">{entity_button(person)}</th></tr>')
        rows.extend(career_rows(careers[key], context))
    if not rows:
        return '<section id="careers"><h2>Careers</h2><p class="empty">No affiliation or founder relation.</p></section>'
    table = data_table(["from", "to", "organisation", "relation", "role", "evidence"], rows, "careers-table")
    return f'<section id="careers"><h2>Careers</h2>{table}</section>'


def graph_section(context: ReportContext) -> str:
    graph = build_graph([event for _, event in context.events], context.run.relations, context.entity_types)
    legend = "".join(
        f'<span class="legend-item"><span class="swatch {css}"></span>{escape(text)}</span>'
        for css, text in (
            ("node-PERSON", "person"),
            ("node-ORG", "organisation"),
            ("edge-affiliation", "affiliation"),
            ("edge-founder_of", "founder of"),
            ("edge-investor_in", "investor in"),
            ("edge-owns", "owns"),
            ("edge-event", "event (hover an edge for its kinds)"),
        )
    )
    return (
        '<section id="graph"><h2>Entity graph</h2>'
        f'<div class="legend">{legend}</div><div class="graph-frame">{render_svg(graph)}</div></section>'
    )


def entity_legend() -> str:
    items = "".join(f'<span class="ent ent-{label} legend-ent">{label}</span>' for label in ENTITY_LABELS)
    return (
        f'<div class="legend">{items}<span class="legend-item"><span class="evidence evidence-event">event evidence</span></span>'
        '<span class="legend-item"><span class="evidence evidence-relation">relation evidence</span></span>'
        '<span class="legend-item"><mark class="trigger">trigger</mark></span>'
        '<label class="toggle"><input type="checkbox" id="show-labels" checked> show entity labels</label></div>'
    )


def removed_html(document: Document) -> str:
    """The toggle that shows what cleaning took out: counts per rule, and optionally where in the text."""
    total = sum(document.removed.values())
    rows = [f'<tr><td>{escape(rule)}</td><td class="num">{count}</td></tr>' for rule, count in sorted(document.removed.items())]
    points = removal_points(document)
    table = data_table(["rule", "characters"], rows) if rows else '<p class="empty">No rule removed anything.</p>'
    toggle = (
        f'<label class="toggle"><input type="checkbox" class="cut-toggle"> mark the {len(points)} places in the text where raw characters were cut</label>'
        if points
        else ""
    )
    return f'<details class="removed"><summary>Cleaning removed {total} characters</summary>{table}{toggle}</details>'



def document_article(context: ReportContext, document: Document) -> str:
    spans, regions = context.markup[document.document_id]
    meta = [
        ("source", escape(document.source)),
        ("published", escape(document.published or "unknown")),
        ("languages", escape(", ".join(document.languages))),
        *([("author", escape(document.author))] if document.author else []),
        ("document id", f'<span class="mono">{escape(document.document_id)}</span>'),
        ("found", f"{len(document.mentions)} mentions of {len(document.entities)} entities, {len(document.events)} events, {len(document.relations)} relations"),
    ]
    chips = "".join(
        f'<span class="ent ent-{entity.type} chip" title="{escape(", ".join(entity.mentions))}">{escape(entity.name)}</span>'
        for entity in sorted(document.entities, key=lambda e: (e.type, e.name.casefold(), e.entity_id))
    )
    language = escape(document.languages[0]) if document.languages else "und"
    return (
        f'<article class="document" id="doc-{escape(document.document_id)}"><h3>{escape(document_name(document))}</h3>'
        f'{key_values(meta)}{removed_html(document)}<div class="chips">{chips}</div>'
        f'<div class="doc-text" lang="{language}">{text_html(document, spans, regions)}</div></article>'
    )


def documents_section(context: ReportContext) -> str:
    toc = "".join(
        f'<li><a href="#doc-{escape(d.document_id)}">{escape(document_name(d))}</a> '
        f'<span class="note">{escape(", ".join(d.languages))} · {len(d.mentions)} mentions · {len(d.events)} events</span></li>'
        for d in context.documents
    )
    articles = "".join(document_article(context, document) for document in context.documents)
    return (
        f'<section id="documents"><h2>Documents</h2><ol class="toc">{toc}</ol>'
        f'<div class="legend-bar">{entity_legend()}</div>{articles}</section>'
    )


def quarantine_section(context: ReportContext) -> str:
    records = sorted(context.run.quarantine, key=lambda q: (q.source, q.stage, q.reason, q.detail or ""))
    rows = [
        f"<tr><td>{escape(q.source)}</td><td>{escape(q.stage)}</td><td>{escape(q.reason)}</td>"
        f'<td>{escape(q.detail or "")}</td><td class="mono">{escape(q.document_id or "")}</td></tr>'
        for q in records
    ]
    body = data_table(["source", "stage", "reason", "detail", "document id"], rows) if rows else '<p class="empty">Nothing was quarantined.</p>'
    return f'<section id="quarantine"><h2>Quarantine</h2>{body}</section>'


def render_report(run: RunOutput) -> str:
    """The whole page as one string."""
    context = build_context(run)
    style, script = asset("report.css"), asset("report.js")
    policy = (
        f"default-src 'none'; style-src {csp_hash(style)}; script-src {csp_hash(script)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    sections = [summary_section(context)]
    if run.changes is not None:
        sections.append(changes_section(run.changes))
    sections += [
        events_section(context),
        timeline_section(context),
        careers_section(context),
        graph_section(context),
        documents_section(context),
        quarantine_section(context),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>newsx report · {escape(run.summary.source)}</title><style>{style}</style></head>"
        f"<body>{header_html(run.summary)}{nav_html(context)}<main>{''.join(sections)}</main>"
        f"<script>{script}</script></body></html>\n"
    )


def write_report(out_dir: Path) -> Path:
    """Write OUTDIR/report.html from the run's files (through a temporary name, like the run's own files)."""
    out = Path(out_dir)
    page = render_report(load_run(out))
    path = out / REPORT_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(path)
    return path
