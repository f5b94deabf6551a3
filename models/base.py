"""The one small interface every NLP model backend implements.

A backend takes a batch of sentences and returns, per sentence, labelled
spans with character offsets into that sentence, plus tokens and dependency
arcs where the model has them. Labels are already mapped to ours.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

# Our label set: entity types of EVENTS.md plus the spans events need.
LABELS = ("PERSON", "ORG", "GPE", "PRODUCT", "TITLE", "MONEY", "DATE")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    pos: str | None = None
    head: int | None = None  # index of the head token in the sentence; None for the root or no parse
    dep: str | None = None


@dataclass
class Analysis:
    """What a backend found in one sentence. Tokens only where the backend was asked for them
    (SpacyBackend(parse=True)) or its model gives them anyway (HanLP multi-task models): the NER
    stage uses the spans alone."""

    spans: list[Span] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)


@runtime_checkable
class NerBackend(Protocol):
    """A named-entity recogniser for one language."""

    name: str

    @property
    def fingerprint(self) -> str:
        """'name@version#hash-of-weights': changes whenever the model's output could."""
        ...

    def recognise(self, sentences: list[str]) -> list[Analysis]:
        """One Analysis per sentence, in order."""
        ...


class ModelNotFoundError(LookupError):
    """A configured model that cannot be found or loaded; the message says how to get it."""


def hash_directory(path: Path, length: int = 16) -> str:
    """Hash of every file under `path` (names and bytes), in a stable order."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:length]
