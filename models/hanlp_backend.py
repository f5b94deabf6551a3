"""HanLP as an NER backend: a pretrained HanLP model already on disk, or a local model directory.

Nothing is downloaded during a run (README: nothing beyond the package
registry). A pretrained model must already be in HANLP_HOME; otherwise, and
when loading it would fetch a further resource, ModelNotFoundError says how
to get it. Identifiers may be a catalogue key (`MSRA_NER_ELECTRA_SMALL_ZH`), an
attribute path (`ner.MSRA_NER_ELECTRA_SMALL_ZH`,
`hanlp.pretrained.ner.MSRA_NER_ELECTRA_SMALL_ZH`), a URL, a directory, or
`newsx/<name>` for a model shipped in models/data/<name> (`newsx/ner_zh_hanlp`,
the BiLSTM comparison model of models/data/ner_zh/MODEL_CARD.md).

Plain NER models take pre-tokenised input; they get the sentence's
non-space characters (MSRA models are character level) and their token
offsets are mapped back to character offsets. Multi-task models tokenise
themselves and also give part-of-speech tags and a dependency parse.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsx.models.base import Analysis, ModelNotFoundError, Span, Token, hash_directory
from newsx.models.spacy_backend import map_label as map_ontonotes_label

log = logging.getLogger(__name__)

# MSRA (NR/NS/NT, or spelt out as in HanLP's pretrained MSRA models) and PKU
# (nr/ns/nt) types. MSRA has one place type, so its places map to GPE, unlike
# OntoNotes LOC which is dropped (see spacy_backend). Anything else falls
# through to the OntoNotes mapping.
MSRA_TO_OURS = {
    "NR": "PERSON",
    "PERSON": "PERSON",
    "NS": "GPE",
    "LOCATION": "GPE",
    "NT": "ORG",
    "ORGANIZATION": "ORG",
    "DATE": "DATE",
    "MONEY": "MONEY",
}

# Task preference for multi-task models: fine tokens, CTB tags, MSRA entities.
TOKEN_TASKS = ("tok/fine", "tok/coarse", "tok")
POS_TASKS = ("pos/ctb", "pos/pku", "pos/863", "pos")
NER_TASKS = ("ner/msra", "ner/ontonotes", "ner/pku", "ner")
DEP_TASKS = ("dep",)

DEFAULT_BATCH_SIZE = 32
SHIPPED_PREFIX = "newsx/"
SHIPPED_DIR = Path(__file__).resolve().parent / "data"

# (character offsets of the tokens, their texts) for one sentence
CharTokens = tuple[list[int], list[str]]


def map_label(label: str) -> str | None:
    """Our label for a HanLP MSRA, PKU or OntoNotes label; None to drop the span."""
    upper = label.upper()
    return MSRA_TO_OURS.get(upper) or map_ontonotes_label(upper)


def how_to_get(url: str) -> str:
    """The instructions every missing-model message ends with."""
    return (
        "newsx downloads nothing during a run. On a connected machine run "
        f"`HANLP_HOME=/some/dir python -c \"import hanlp; hanlp.load({url!r})\"`, copy /some/dir to this machine and set "
        "HANLP_HOME to it; or pass a local model directory: --model zh=hanlp:/path/to/model"
    )


def _catalogue() -> dict[str, str]:
    import hanlp.pretrained

    return hanlp.pretrained.ALL


def _looks_like_path(identifier: str) -> bool:
    return "/" in identifier or "\\" in identifier or identifier.startswith((".", "~"))


def resolve_identifier(identifier: str) -> str:
    """A local path or the URL of a pretrained model; raises for names HanLP does not know."""
    if identifier.startswith(SHIPPED_PREFIX):
        shipped = SHIPPED_DIR / identifier.removeprefix(SHIPPED_PREFIX)
        if not (shipped / "config.json").is_file():
            raise ModelNotFoundError(
                f"HanLP model {identifier!r} is not at {shipped}: train one with "
                "`newsx train ner-zh --backend hanlp --out DIR` and pass --model zh=hanlp:DIR/model"
            )
        return str(shipped)
    if identifier.startswith(("http://", "https://")) or Path(identifier).expanduser().exists():
        return identifier
    if _looks_like_path(identifier):
        raise ModelNotFoundError(
            f"HanLP model directory {identifier!r} does not exist ({Path(identifier).expanduser().resolve()}); "
            "pass a directory saved by a HanLP component (with config.json), or a pretrained identifier"
        )
    catalogue = _catalogue()
    module, _, key = identifier.removeprefix("hanlp.").removeprefix("pretrained.").rpartition(".")
    url = catalogue.get(key)
    if url is not None and (not module or _in_module(module, key)):
        return url
    nearest = difflib.get_close_matches(key, sorted(catalogue), n=5, cutoff=0.4)
    raise ModelNotFoundError(
        f"HanLP has no pretrained model {identifier!r}" + (f"; did you mean one of {nearest}?" if nearest else "")
        + " Pass a key of hanlp.pretrained (e.g. ner.MSRA_NER_ELECTRA_SMALL_ZH), a URL or a local model directory"
    )


def _in_module(module: str, key: str) -> bool:
    """Whether hanlp.pretrained.<module> defines <key> (so `ner.X` is not satisfied by a `tok.X`)."""
    import hanlp.pretrained

    return hasattr(getattr(hanlp.pretrained, module, None), key)


def local_directory(location: str) -> Path:
    """Where a URL's model lives under HANLP_HOME (as hanlp lays it out), or the local path itself."""
    if not location.startswith(("http://", "https://")):
        return Path(location).expanduser()
    from hanlp.utils.io_util import hanlp_home, path_from_url, split_if_compressed

    url, _, anchor = location.partition("#")
    root, _ = split_if_compressed(path_from_url(url, hanlp_home()))
    return Path(root, anchor.lstrip("/")) if anchor else Path(root)


@contextmanager
def refusing_downloads(identifier: str) -> Iterator[list[str]]:
    """Makes hanlp raise instead of downloading; yields the URLs it wanted."""
    import hanlp.utils.io_util as io_util

    wanted: list[str] = []
    original = io_util.download

    def refuse(url: str, *args: Any, **kwargs: Any) -> str:
        wanted.append(url)
        raise ModelNotFoundError(f"HanLP model {identifier!r} needs {url}, which is not in HANLP_HOME ({io_util.hanlp_home()})")

    io_util.download = refuse
    try:
        yield wanted
    finally:
        io_util.download = original


def load_component(identifier: str) -> tuple[Any, Path]:
    """hanlp.load of the model an identifier names, from disk only; returns it and its directory."""
    import hanlp

    location = resolve_identifier(identifier)
    directory = local_directory(location)
    if not directory.exists():
        raise ModelNotFoundError(f"HanLP model {identifier!r} is not downloaded (looked in {directory}). " + how_to_get(location))
    with refusing_downloads(identifier) as wanted:
        try:
            component = hanlp.load(str(directory), verbose=False)
        except Exception as error:
            if wanted:
                raise ModelNotFoundError(
                    f"HanLP model {identifier!r} needs {wanted[0]}, which is not in HANLP_HOME. " + how_to_get(location)
                ) from error
            raise
    return component, directory


def char_tokens(sentence: str) -> CharTokens:
    """The non-space characters of a sentence and their offsets: the input of a character-level model."""
    offsets = [index for index, char in enumerate(sentence) if not char.isspace()]
    return offsets, [sentence[index] for index in offsets]


def spans_from_token_entities(sentence: str, entities: Sequence[Sequence[Any]], starts: list[int], ends: list[int]) -> list[Span]:
    """Our spans, in text order, from HanLP's (text, label, first token, end token) entities and token offsets.

    HanLP collects BIO spans through a set, so its order changes from process to process.
    """
    spans = []
    for _text, label, first, end in entities:
        ours = map_label(label)
        if ours is not None and 0 <= first < end <= len(starts):
            start, stop = starts[first], ends[end - 1]
            spans.append(Span(start=start, end=stop, label=ours, text=sentence[start:stop]))
    return sorted(spans, key=lambda span: (span.start, span.end, span.label))


def align_tokens(sentence: str, tokens: Sequence[Any]) -> list[tuple[int, int, str]]:
    """(start, end, text) per token: HanLP's [text, start, end] where its tokeniser gives spans, else found in order.

    A regex tokeniser ignores `output_spans`; its tokens are substrings of the sentence.
    """
    aligned, cursor = [], 0
    for token in tokens:
        if isinstance(token, (list, tuple)):
            text, start, end = token
        else:
            text, start = token, sentence.find(token, cursor)
            if start < 0:
                raise ValueError(f"token {text!r} is not in the sentence after offset {cursor}")
            end = start + len(text)
        aligned.append((start, end, text))
        cursor = end
    return aligned


def analysis_from_mtl(sentence: str, result: dict[str, Any]) -> Analysis:
    """An Analysis of one sentence from a multi-task model's per-sentence outputs (keys: tok, pos, ner, dep)."""
    aligned = align_tokens(sentence, result["tok"])
    tags = result.get("pos") or [None] * len(aligned)
    arcs = result.get("dep") or [(None, None)] * len(aligned)
    tokens = [
        Token(start=start, end=end, text=text, pos=tag, head=head - 1 if head else None, dep=relation)
        for (start, end, text), tag, (head, relation) in zip(aligned, tags, arcs, strict=True)
    ]
    starts, ends = [token.start for token in tokens], [token.end for token in tokens]
    return Analysis(spans=spans_from_token_entities(sentence, result.get("ner") or [], starts, ends), tokens=tokens)


def pick_task(available: Sequence[str], preferred: Sequence[str]) -> str | None:
    """The first preferred task the model has, else any task of that family."""
    for name in preferred:
        if name in available:
            return name
    family = preferred[-1]
    return next((name for name in available if name.split("/")[0] == family), None)


class HanlpBackend:
    """A HanLP model (plain NER or multi-task) recognising entities sentence by sentence."""

    def __init__(self, identifier: str, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.identifier = identifier
        self.batch_size = batch_size
        self._component, directory = load_component(identifier)
        self.name = directory.name
        saved_by = self._saved_by(directory)
        self._fingerprint = f"{self.name}@{saved_by}#{hash_directory(directory)}"
        self._tasks = self._multi_task_plan()
        log.info("HanLP model %s loaded (%s)", identifier, self._fingerprint)

    @staticmethod
    def _saved_by(directory: Path) -> str:
        """The HanLP version that saved the model (its config.json), the closest thing to a model version."""
        config = directory / "config.json"
        if not config.is_file():
            return "unknown"
        return str(json.loads(config.read_text(encoding="utf-8")).get("hanlp_version", "unknown"))

    def _multi_task_plan(self) -> dict[str, str] | None:
        """Which task gives tok, pos, ner and dep for a multi-task model; None for a plain NER model."""
        tasks = getattr(self._component, "tasks", None)
        if not isinstance(tasks, dict):
            return None
        names = list(tasks)
        plan = {
            role: task
            for role, preferred in (("tok", TOKEN_TASKS), ("pos", POS_TASKS), ("ner", NER_TASKS), ("dep", DEP_TASKS))
            if (task := pick_task(names, preferred)) is not None
        }
        if "tok" not in plan or "ner" not in plan:
            raise ModelNotFoundError(f"HanLP model {self.identifier!r} has no tokeniser or no NER task (it has {names})")
        tasks[plan["tok"]].config.output_spans = True  # tokens as [text, start, end]
        return plan

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def recognise(self, sentences: list[str]) -> list[Analysis]:
        if self._tasks is None:
            return self._recognise_characters(sentences)
        return self._recognise_multi_task(sentences)

    def _recognise_characters(self, sentences: list[str]) -> list[Analysis]:
        """A plain NER model over each sentence's characters; sentences without any get an empty Analysis."""
        inputs = [char_tokens(sentence) for sentence in sentences]
        nonempty = [index for index, (offsets, _) in enumerate(inputs) if offsets]
        analyses = [Analysis() for _ in sentences]
        if not nonempty:
            return analyses
        predictions = self._component([inputs[index][1] for index in nonempty], batch_size=self.batch_size)
        for index, entities in zip(nonempty, predictions, strict=True):
            offsets = inputs[index][0]
            analyses[index] = Analysis(
                spans=spans_from_token_entities(sentences[index], entities, offsets, [offset + 1 for offset in offsets])
            )
        return analyses

    def _recognise_multi_task(self, sentences: list[str]) -> list[Analysis]:
        """A multi-task model over whole sentences; blank ones get an empty Analysis."""
        assert self._tasks is not None
        nonempty = [index for index, sentence in enumerate(sentences) if sentence.strip()]
        analyses = [Analysis() for _ in sentences]
        if not nonempty:
            return analyses
        document = self._component([sentences[index] for index in nonempty], tasks=list(self._tasks.values()))
        for position, index in enumerate(nonempty):
            result = {role: document[task][position] for role, task in self._tasks.items() if task in document}
            analyses[index] = analysis_from_mtl(sentences[index], result)
        return analyses
