"""A document's cleaned text as HTML: entity mentions highlighted by type, evidence marked, cuts flagged.

Markup must nest, so the pieces are made to: mentions never overlap (NER resolves
overlaps), a trigger is kept only where it touches no mention, and an evidence
region is widened to swallow any mention or trigger that crosses its edge and
merged with the regions it then overlaps. Removal points that fall inside a
mention move to its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from newsx.pipeline.events import lexicon
from newsx.schemas import Document
from newsx.schemas.records import Evidence

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "PRODUCT", "TITLE", "MONEY", "DATE")

# At one offset, closing tags come before removal marks, which come before opening tags.
_CLOSE_INLINE, _CLOSE_REGION, _CUT, _OPEN_REGION, _OPEN_INLINE = range(5)


@dataclass(frozen=True)
class Inline:
    """A highlighted run inside the text: a mention (`label` = its type) or an event trigger (`label` = None)."""

    start: int
    end: int
    label: str | None
    title: str


@dataclass
class Region:
    """Marked evidence: one or more evidence spans merged, with the events they state."""

    start: int
    end: int
    states_event: bool
    event_links: dict[str, str] = field(default_factory=dict)  # event label -> event id


@dataclass(frozen=True)
class EvidenceUse:
    """One evidence span of one event or relation in this document."""

    evidence: Evidence
    record_type: str
    event_label: str | None  # None for a relation
    event_id: str | None


def evidence_anchor(document_id: str, start: int, end: int) -> str:
    """The id of a marked region; links use the region that contains their evidence (see region_anchors)."""
    return f"ev-{document_id}-{start}-{end}"


def find_trigger(use: EvidenceUse) -> tuple[int, int] | None:
    """Where the event's trigger word stands in its evidence, by the pipeline's own lexicon; None if not found."""
    if use.event_label is None:
        return None
    patterns = lexicon()["triggers"].get(use.record_type, {})
    languages = [use.evidence.language] if use.evidence.language in patterns else sorted(patterns)
    for language in languages:
        match = patterns[language].search(use.evidence.text)
        if match and match.end() > match.start():
            return use.evidence.start + match.start(), use.evidence.start + match.end()
    return None


def _overlaps(start: int, end: int, spans: list[Inline]) -> bool:
    return any(span.start < end and start < span.end for span in spans)


def inline_spans(document: Document, entity_names: dict[str, str], uses: list[EvidenceUse]) -> list[Inline]:
    """Mentions (all of them) and the triggers that touch no mention, sorted by offset."""
    spans = [
        Inline(
            mention.start,
            mention.end,
            mention.label,
            f"{entity_names.get(mention.entity_id or '', mention.text)} · {mention.label}",
        )
        for mention in document.mentions
    ]
    for use in uses:
        trigger = find_trigger(use)
        if trigger and not _overlaps(*trigger, spans):
            spans.append(Inline(trigger[0], trigger[1], None, f"trigger of {use.record_type}"))
    return sorted(spans, key=lambda span: (span.start, span.end))


def evidence_regions(uses: list[EvidenceUse], spans: list[Inline]) -> list[Region]:
    """Evidence spans widened over crossing highlights and merged where they overlap, in text order."""
    widened = []
    for use in uses:
        start, end = use.evidence.start, use.evidence.end
        for span in spans:
            if span.start < start < span.end:
                start = span.start
            if span.start < end < span.end:
                end = span.end
        widened.append((start, end, use))
    regions: list[Region] = []
    for start, end, use in sorted(widened, key=lambda item: (item[0], item[1])):
        if regions and start < regions[-1].end:
            region = regions[-1]
            region.end = max(region.end, end)
        else:
            region = Region(start, end, states_event=False)
            regions.append(region)
        if use.event_label is not None and use.event_id is not None:
            region.states_event = True
            region.event_links[use.event_label] = use.event_id
    return regions


def region_anchors(document_id: str, uses: list[EvidenceUse], regions: list[Region]) -> dict[tuple[int, int], str]:
    """(evidence start, end) -> anchor id of the region that contains it, for links from tables."""
    anchors = {}
    for use in uses:
        key = (use.evidence.start, use.evidence.end)
        region = next(r for r in regions if r.start <= key[0] and key[1] <= r.end)
        anchors[key] = evidence_anchor(document_id, region.start, region.end)
    return anchors


def removal_points(document: Document) -> list[tuple[int, int]]:
    """(cleaned offset, raw characters skipped there) from the offset map: where cleaning took text out.

    Text removed after the last kept character leaves no trace in the map, so the
    per-rule counts in `removed` can be larger than these points add up to.
    """
    points = []
    previous_shift = 0
    for cleaned, raw in document.offset_map:
        shift = raw - cleaned
        if shift > previous_shift:
            points.append((cleaned, shift - previous_shift))
        previous_shift = shift
    return points


def _inline_open(span: Inline) -> str:
    if span.label is None:
        return f'<mark class="trigger" title="{escape(span.title)}">'
    return f'<mark class="ent ent-{span.label}" data-span="{span.start}-{span.end}" title="{escape(span.title)}">'


def _inline_close(span: Inline) -> str:
    if span.label is None:
        return "</mark>"
    return f'<span class="ent-label">{span.label}</span></mark>'


def _region_open(document_id: str, region: Region) -> str:
    kind = "evidence-event" if region.states_event else "evidence-relation"
    return f'<span class="evidence {kind}" id="{evidence_anchor(document_id, region.start, region.end)}">'


def _region_close(region: Region) -> str:
    links = "".join(f'<a class="event-ref" href="#evt-{escape(event_id)}">{label}</a>' for label, event_id in region.event_links.items())
    return "</span>" + (f'<sup class="event-refs">{links}</sup>' if links else "")


def _cut(size: int) -> str:
    return f'<span class="cut" data-removed="{size}" title="{size} raw characters removed here"></span>'


def text_html(document: Document, spans: list[Inline], regions: list[Region]) -> str:
    """The cleaned text with all markup inserted; every character of the text is escaped."""
    tags: list[tuple[int, int, int, str]] = []
    for order, span in enumerate(spans):
        tags.append((span.start, _OPEN_INLINE, order, _inline_open(span)))
        tags.append((span.end, _CLOSE_INLINE, order, _inline_close(span)))
    for order, region in enumerate(regions):
        tags.append((region.start, _OPEN_REGION, order, _region_open(document.document_id, region)))
        tags.append((region.end, _CLOSE_REGION, order, _region_close(region)))
    for order, (position, size) in enumerate(removal_points(document)):
        inside = next((span for span in spans if span.start < position < span.end), None)
        tags.append((inside.end if inside else position, _CUT, order, _cut(size)))
    parts, cursor = [], 0
    for position, _, _, tag in sorted(tags):
        parts.append(escape(document.text[cursor:position]))
        parts.append(tag)
        cursor = position
    parts.append(escape(document.text[cursor:]))
    return "".join(parts)
