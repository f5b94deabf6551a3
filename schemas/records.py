"""The record contract of ../shared/EVENTS.md as strict pydantic v2 models.

Everything newsx writes (JSON Lines, SQL rows) is one of these models dumped
to JSON, so a record that validates here is a record downstream can trust.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    model_validator,
)

SCHEMA_VERSION = "1"

EntityType = Literal["PERSON", "ORG", "GPE", "PRODUCT"]
SpanLabel = Literal["PERSON", "ORG", "GPE", "PRODUCT", "TITLE", "MONEY", "DATE"]
Modality = Literal["actual", "planned", "negated", "rumored"]

_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_iso_date(value: str) -> str:
    """Accept ISO 8601 at year, month or day precision, and only real dates."""
    match = _ISO_PARTIAL.match(value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO 8601 date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date: {exc}") from None
    return value


IsoDate = Annotated[str, AfterValidator(_check_iso_date)]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z]+_[0-9a-f]{8,64}$")]


class Strict(BaseModel):
    """Base of every record: unknown fields are errors, not silently kept."""

    model_config = ConfigDict(extra="forbid")


class Provenance(Strict):
    """What produced a record, so a reprocess can tell what changed."""

    pipeline_version: str
    schema_version: str = SCHEMA_VERSION
    models: dict[str, str] = Field(
        default_factory=dict, description="model slot (e.g. 'zh.ner') -> fingerprint 'name@version#hash'"
    )
    kb_version: str | None = None
    config_fingerprint: str | None = None


class Money(Strict):
    value: Annotated[float, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class EntityRef(Strict):
    """An entity-valued argument: the canonical name plus how it was written."""

    name: Annotated[str, Field(min_length=1)]
    entity_id: Identifier | None = None
    mentions: list[str] = Field(default_factory=list)


class Evidence(Strict):
    """A sentence of the cleaned text that states an event or relation."""

    document_id: Identifier
    text: Annotated[str, Field(min_length=1)]
    start: NonNegativeInt
    end: NonNegativeInt
    language: str | None = None
    raw_start: NonNegativeInt | None = None
    raw_end: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        if self.end - self.start != len(self.text):
            raise ValueError(f"text has {len(self.text)} characters but start..end spans {self.end - self.start}")
        if (self.raw_start is None) != (self.raw_end is None):
            raise ValueError("raw_start and raw_end come together")
        return self


# --- events: one model per type, with exactly the argument roles of EVENTS.md ---


class DepartureArgs(Strict):
    person: EntityRef
    organization: EntityRef
    role: ShortText | None = None
    destination: EntityRef | None = None


class HireArgs(Strict):
    person: EntityRef
    organization: EntityRef
    role: ShortText | None = None
    origin: EntityRef | None = None


class AppointmentArgs(Strict):
    person: EntityRef
    organization: EntityRef
    role: ShortText
    predecessor: EntityRef | None = None


class LeaveArgs(Strict):
    person: EntityRef
    organization: EntityRef
    until: IsoDate | None = None


class DismissalArgs(Strict):
    person: EntityRef
    organization: EntityRef
    reason: ShortText | None = None


class FoundingArgs(Strict):
    organization: EntityRef
    founders: list[EntityRef] = Field(default_factory=list)


class FundingArgs(Strict):
    organization: EntityRef
    amount: Money | None = None
    investors: list[EntityRef] = Field(default_factory=list)
    valuation: Money | None = None
    round: ShortText | None = None


class AcquisitionArgs(Strict):
    acquirer: EntityRef
    target: EntityRef
    amount: Money | None = None


class RestructuringArgs(Strict):
    organization: EntityRef
    change: ShortText | None = None


class LawsuitArgs(Strict):
    plaintiff: EntityRef
    defendants: Annotated[list[EntityRef], Field(min_length=1)]
    claim: ShortText | None = None


class ReleaseArgs(Strict):
    organization: EntityRef
    product: EntityRef


class EventBase(Strict):
    """Fields every event has; `sources` lists the documents that report it."""

    event_id: Identifier
    date: IsoDate | None = None
    modality: Modality = "actual"
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    evidence: Annotated[list[Evidence], Field(min_length=1)]
    sources: list[Identifier] = Field(default_factory=list)
    num_sources: NonNegativeInt = 0
    num_articles: NonNegativeInt = 0
    provenance: Provenance


class DepartureEvent(EventBase):
    type: Literal["personnel.departure"]
    arguments: DepartureArgs


class HireEvent(EventBase):
    type: Literal["personnel.hire"]
    arguments: HireArgs


class AppointmentEvent(EventBase):
    type: Literal["personnel.appointment"]
    arguments: AppointmentArgs


class LeaveEvent(EventBase):
    type: Literal["personnel.leave"]
    arguments: LeaveArgs


class DismissalEvent(EventBase):
    type: Literal["personnel.dismissal"]
    arguments: DismissalArgs


class FoundingEvent(EventBase):
    type: Literal["org.founding"]
    arguments: FoundingArgs


class FundingEvent(EventBase):
    type: Literal["org.funding"]
    arguments: FundingArgs


class AcquisitionEvent(EventBase):
    type: Literal["org.acquisition"]
    arguments: AcquisitionArgs


class RestructuringEvent(EventBase):
    type: Literal["org.restructuring"]
    arguments: RestructuringArgs


class LawsuitEvent(EventBase):
    type: Literal["legal.lawsuit"]
    arguments: LawsuitArgs


class ReleaseEvent(EventBase):
    type: Literal["product.release"]
    arguments: ReleaseArgs


Event = Annotated[
    Union[
        DepartureEvent,
        HireEvent,
        AppointmentEvent,
        LeaveEvent,
        DismissalEvent,
        FoundingEvent,
        FundingEvent,
        AcquisitionEvent,
        RestructuringEvent,
        LawsuitEvent,
        ReleaseEvent,
    ],
    Field(discriminator="type"),
]

EVENT_MODELS: dict[str, type[EventBase]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in EventBase.__subclasses__()
}

# The identifying arguments (`*` in EVENTS.md): the key of an event.
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "personnel.departure": ("person", "organization"),
    "personnel.hire": ("person", "organization"),
    "personnel.appointment": ("person", "organization", "role"),
    "personnel.leave": ("person", "organization"),
    "personnel.dismissal": ("person", "organization"),
    "org.founding": ("organization",),
    "org.funding": ("organization",),
    "org.acquisition": ("acquirer", "target"),
    "org.restructuring": ("organization",),
    "legal.lawsuit": ("plaintiff", "defendants"),
    "product.release": ("organization", "product"),
}


# --- relations ---


class AffiliationArgs(Strict):
    person: EntityRef
    organization: EntityRef
    role: ShortText | None = None


class FounderArgs(Strict):
    person: EntityRef
    organization: EntityRef


class InvestorArgs(Strict):
    investor: EntityRef
    organization: EntityRef
    amount: Money | None = None


class OwnsArgs(Strict):
    parent: EntityRef
    subsidiary: EntityRef


class RelationBase(Strict):
    relation_id: Identifier
    start: IsoDate | None = None
    end: IsoDate | None = None
    ended: bool = False
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    evidence: Annotated[list[Evidence], Field(min_length=1)]
    sources: list[Identifier] = Field(default_factory=list)
    provenance: Provenance


class AffiliationRelation(RelationBase):
    type: Literal["affiliation"]
    arguments: AffiliationArgs


class FounderRelation(RelationBase):
    type: Literal["founder_of"]
    arguments: FounderArgs


class InvestorRelation(RelationBase):
    type: Literal["investor_in"]
    arguments: InvestorArgs


class OwnsRelation(RelationBase):
    type: Literal["owns"]
    arguments: OwnsArgs


Relation = Annotated[
    Union[AffiliationRelation, FounderRelation, InvestorRelation, OwnsRelation],
    Field(discriminator="type"),
]

RELATION_KEYS: dict[str, tuple[str, ...]] = {
    "affiliation": ("person", "organization"),
    "founder_of": ("person", "organization"),
    "investor_in": ("investor", "organization"),
    "owns": ("parent", "subsidiary"),
}


# --- documents ---


class Mention(Strict):
    """One occurrence of a name in the cleaned text."""

    text: Annotated[str, Field(min_length=1)]
    start: NonNegativeInt
    end: NonNegativeInt
    label: SpanLabel
    entity_id: Identifier | None = None
    source: str | None = Field(default=None, description="the model or rule that found it")

    @model_validator(mode="after")
    def _ordered(self) -> Mention:
        if self.end - self.start != len(self.text) or self.end <= self.start:
            raise ValueError(f"start..end ({self.start}..{self.end}) does not span text {self.text!r}")
        return self


class Entity(Strict):
    """A canonical entity as one document sees it."""

    entity_id: Identifier
    name: Annotated[str, Field(min_length=1)]
    type: EntityType
    mentions: list[str] = Field(default_factory=list, description="every surface form in the document")


class Segment(Strict):
    """A sentence (or run of text) of the cleaned text with its language."""

    start: NonNegativeInt
    end: NonNegativeInt
    language: str

    @model_validator(mode="after")
    def _ordered(self) -> Segment:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


class RawDocument(Strict):
    """An article as read from its source, before any cleaning."""

    document_id: Identifier
    source: str
    external_id: str | None = Field(default=None, description="the input's own id (JSON Lines `id`), if it has one")
    format: Literal["txt", "md", "html", "jsonl"]
    encoding: str
    raw_text: str
    title: str | None = None
    author: str | None = None
    published: IsoDate | None = None
    published_from: Literal["metadata", "dateline", "inferred"] | None = None


class Document(Strict):
    """One article after the pipeline: its cleaned text and all that was found in it."""

    document_id: Identifier
    source: str = Field(description="where it was read: a path, with ':line' for JSON Lines input")
    external_id: str | None = Field(default=None, description="the input's own id (JSON Lines `id`), if it has one")
    title: str | None = None
    author: str | None = None
    credits: list[str] = Field(
        default_factory=list, description="people the page's byline lines credit (作者, 编辑, By …); the lines themselves are cleaned away"
    )
    published: IsoDate | None = None
    languages: list[str] = Field(default_factory=list)
    text: str
    segments: list[Segment] = Field(default_factory=list)
    offset_map: list[tuple[NonNegativeInt, NonNegativeInt]] = Field(
        default_factory=list,
        description="runs (cleaned_start, raw_start): from cleaned_start on, cleaned offsets map to raw ones by the same shift",
    )
    removed: dict[str, NonNegativeInt] = Field(
        default_factory=dict, description="characters removed by cleaning, per rule"
    )
    mentions: list[Mention] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    stages: dict[str, str] = Field(default_factory=dict, description="stage -> what it did to this document")
    provenance: Provenance

    @model_validator(mode="after")
    def _offsets_inside_text(self) -> Document:
        size = len(self.text)
        for i, segment in enumerate(self.segments):
            if segment.end > size:
                raise ValueError(f"segments[{i}].end ({segment.end}) is outside the text ({size} characters)")
        for i, mention in enumerate(self.mentions):
            if mention.end > size or self.text[mention.start : mention.end] != mention.text:
                raise ValueError(f"mentions[{i}] ({mention.start}..{mention.end}) does not match the text")
        for kind, records in (("events", self.events), ("relations", self.relations)):
            for i, record in enumerate(records):
                for j, evidence in enumerate(record.evidence):
                    if evidence.document_id != self.document_id:
                        continue
                    where = f"{kind}[{i}].evidence[{j}]"
                    if evidence.end > size:
                        raise ValueError(f"{where}.end ({evidence.end}) is outside the text ({size} characters)")
                    if self.text[evidence.start : evidence.end] != evidence.text:
                        raise ValueError(f"{where}.text does not match the text at {evidence.start}..{evidence.end}")
        return self


class QuarantineRecord(Strict):
    """An input that could not be processed, and why."""

    source: str
    stage: str
    reason: str
    detail: str | None = None
    document_id: Identifier | None = None


class RunSummary(Strict):
    """What a run did. Invariant: read == processed + quarantined + duplicates."""

    run_id: Identifier
    source: str
    out_dir: str | None = None
    database: str | None = Field(default=None, description="the database URL, password redacted")
    started: dt.datetime
    finished: dt.datetime
    read: NonNegativeInt
    processed: NonNegativeInt
    quarantined: NonNegativeInt
    duplicates: NonNegativeInt
    quarantine_reasons: dict[str, NonNegativeInt] = Field(default_factory=dict)
    entities: NonNegativeInt = 0
    events: NonNegativeInt = 0
    relations: NonNegativeInt = 0
    stages: dict[str, str] = Field(default_factory=dict, description="stage -> configured backend or 'not configured'")
    stage_seconds: dict[str, float] = Field(default_factory=dict)
    provenance: Provenance

    @model_validator(mode="after")
    def _counts_add_up(self) -> RunSummary:
        if self.read != self.processed + self.quarantined + self.duplicates:
            raise ValueError(
                f"read ({self.read}) != processed ({self.processed}) + quarantined ({self.quarantined})"
                f" + duplicates ({self.duplicates})"
            )
        return self


# What `newsx schema` exports: one JSON Schema file per record kind.
EXPORTED: dict[str, object] = {
    "document": Document,
    "event": Event,
    "relation": Relation,
    "entity": Entity,
    "evidence": Evidence,
    "provenance": Provenance,
    "quarantine": QuarantineRecord,
    "run_summary": RunSummary,
}
