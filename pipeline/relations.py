"""Relations between entities, derived from events and from appositions.

affiliation: hires, appointments, leaves, foundings open it, departures and
dismissals close it, `OpenAI首席技术官米拉·穆拉蒂` states it; founder_of from
foundings and `联合创始人`; investor_in from funding; owns from completed
acquisitions. One relation per pair and type in a document: the latest role,
the earliest start, the latest end.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from newsx.pipeline import roles
from newsx.pipeline.merge import record_key, stable_id
from newsx.schemas import Document, Event, Evidence, Relation

RELATION_ADAPTER: TypeAdapter = TypeAdapter(Relation)
OPENS = ("personnel.hire", "personnel.appointment", "personnel.leave")
CLOSES = ("personnel.departure", "personnel.dismissal")


@dataclass(frozen=True)
class Apposition:
    """A person named with a title at an organisation, stating no event."""

    person: dict
    organization: dict
    role: str
    former: bool
    evidence: Evidence
    local: bool


@dataclass
class _Draft:
    type: str
    arguments: dict
    evidence: list[Evidence]
    start: str | None = None
    end: str | None = None
    ended: bool = False
    confidence: float = 0.6
    role_date: str = ""


def _earliest(a: str | None, b: str | None) -> str | None:
    return min((d for d in (a, b) if d), default=None)


def _latest(a: str | None, b: str | None) -> str | None:
    return max((d for d in (a, b) if d), default=None)


def _from_event(event: Event) -> list[_Draft]:
    args = event.arguments
    evidence = list(event.evidence)
    actual = event.modality == "actual"
    drafts: list[_Draft] = []
    if event.type in OPENS and event.modality in ("actual", "planned"):
        drafts.append(
            _Draft("affiliation", {"person": args.person, "organization": args.organization, "role": getattr(args, "role", None)},
                   evidence, start=event.date if event.type != "personnel.leave" else None, confidence=event.confidence,
                   role_date=event.date or "")
        )
    elif event.type in CLOSES and event.modality in ("actual", "planned"):
        drafts.append(
            _Draft("affiliation", {"person": args.person, "organization": args.organization, "role": getattr(args, "role", None)},
                   evidence, end=event.date, ended=actual, confidence=event.confidence, role_date="")
        )
    elif event.type == "org.founding" and event.modality == "actual":
        for founder in args.founders:
            drafts.append(_Draft("founder_of", {"person": founder, "organization": args.organization}, evidence, start=event.date, confidence=event.confidence))
            drafts.append(_Draft("affiliation", {"person": founder, "organization": args.organization, "role": None}, evidence, start=event.date, confidence=event.confidence))
    elif event.type == "org.funding" and event.modality != "negated":
        single = len(args.investors) == 1
        for investor in args.investors:
            amount = args.amount if single else None
            drafts.append(_Draft("investor_in", {"investor": investor, "organization": args.organization, "amount": amount}, evidence, confidence=event.confidence))
    elif event.type == "org.acquisition" and actual:
        drafts.append(_Draft("owns", {"parent": args.acquirer, "subsidiary": args.target}, evidence, start=event.date, confidence=event.confidence))
    return drafts


def _from_apposition(apposition: Apposition) -> list[_Draft]:
    args = {"person": apposition.person, "organization": apposition.organization, "role": apposition.role}
    confidence = 0.8 if apposition.local else 0.55
    drafts = [_Draft("affiliation", args, [apposition.evidence], ended=apposition.former, confidence=confidence, role_date="")]
    if roles.is_founder_role(apposition.role):
        drafts.append(_Draft("founder_of", {"person": apposition.person, "organization": apposition.organization}, [apposition.evidence], confidence=confidence))
    return drafts


def _combine(drafts: list[_Draft], document: Document) -> list[Relation]:
    by_key: dict[tuple, _Draft] = {}
    order: list[tuple] = []
    for draft in drafts:
        relation = _validate(draft, document, "rel_" + "0" * 24)
        if relation is None:
            continue
        key = record_key(relation)
        if key not in by_key:
            by_key[key] = draft
            order.append(key)
            continue
        kept = by_key[key]
        kept.start = _earliest(kept.start, draft.start)
        kept.end = _latest(kept.end, draft.end)
        kept.ended = kept.ended or draft.ended
        kept.confidence = max(kept.confidence, draft.confidence)
        role = draft.arguments.get("role")
        if role and (not kept.arguments.get("role") or draft.role_date >= kept.role_date):
            kept.arguments = {**kept.arguments, "role": role}
            kept.role_date = draft.role_date
        kept.evidence = kept.evidence + [e for e in draft.evidence if e not in kept.evidence]
    relations = []
    for key in order:
        relation = _validate(by_key[key], document, stable_id("rel", document.document_id, *key))
        if relation is not None:
            relations.append(relation)
    return relations


def _validate(draft: _Draft, document: Document, relation_id: str) -> Relation | None:
    arguments = {k: (v.model_dump() if hasattr(v, "model_dump") else v) for k, v in draft.arguments.items() if v is not None}
    try:
        return RELATION_ADAPTER.validate_python(
            {
                "relation_id": relation_id,
                "type": draft.type,
                "arguments": arguments,
                "start": draft.start,
                "end": draft.end,
                "ended": draft.ended,
                "confidence": round(draft.confidence, 2),
                "evidence": sorted(draft.evidence, key=lambda e: e.start),
                "sources": [document.document_id],
                "provenance": document.provenance,
            }
        )
    except ValueError:
        return None


def derive_relations(document: Document, events: list[Event], appositions: list[Apposition]) -> list[Relation]:
    """The document's relations, from its events and appositions."""
    drafts = [d for a in appositions for d in _from_apposition(a)]
    for event in sorted(events, key=lambda e: (e.date or "", e.evidence[0].start)):
        drafts.extend(_from_event(event))
    return _combine(drafts, document)
