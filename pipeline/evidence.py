"""Evidence records: a span of the cleaned text, and where it stands in the raw page."""

from __future__ import annotations

from newsx.pipeline.offsets import span_to_raw
from newsx.schemas import Document, Evidence


def evidence_of(document: Document, start: int, end: int, language: str | None) -> Evidence:
    """Evidence for cleaned-text span [start, end), with its raw-text span through the offset map."""
    raw_start, raw_end = span_to_raw(document.offset_map, start, end)
    return Evidence(
        document_id=document.document_id,
        text=document.text[start:end],
        start=start,
        end=end,
        language=language,
        raw_start=raw_start,
        raw_end=raw_end,
    )
