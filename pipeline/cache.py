"""Stage cache: each stage's output for a document, kept under a key of everything it depends on.

A stage's key hashes the key of the stage before it (for clean: the raw document itself) with
the stage's fingerprint: its code and data files, the configuration, and the models and KB
version it reads. A change anywhere upstream therefore changes every key downstream, and a
re-run recomputes exactly the stages a change invalidates. Entries are content-addressed JSON
files written to a temporary name and renamed, so a crash never leaves a truncated entry.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from newsx.config import Settings
from newsx.schemas import Document, Provenance, RawDocument

PACKAGE = Path(__file__).resolve().parent.parent
# In processing order. The files are relative to the package; a stage's output depends on them.
STAGE_FILES: dict[str, tuple[str, ...]] = {
    "clean": (
        "pipeline/clean.py", "pipeline/spam.py", "pipeline/offsets.py", "pipeline/ingest.py",
        "pipeline/data/clean_rules.yaml", "pipeline/data/spam_bigrams.npz",
    ),
    "language": ("pipeline/language.py", "pipeline/chinese_script.py"),
    "segment": ("pipeline/segment.py",),
    "ner": ("pipeline/ner.py", "pipeline/roles.py", "pipeline/data/roles.yaml", "models/base.py", "models/gazetteer.py"),
    "link": ("pipeline/link.py", "pipeline/translit.py", "pipeline/data/translit.yaml", "models/knowledge_base.py"),
    "events": (
        "pipeline/events.py", "pipeline/relations.py", "pipeline/merge.py", "pipeline/evidence.py",
        "pipeline/money.py", "pipeline/timex.py", "pipeline/data/events.yaml", "pipeline/data/money.yaml",
        "pipeline/data/timex.yaml",
    ),
    "validate": ("pipeline/validate.py", "schemas/records.py"),
}
STAGES = tuple(STAGE_FILES)
# Stages that read the models (their fingerprints) or the knowledge base (its version).
MODEL_STAGES = frozenset({"ner"})
KB_STAGES = frozenset({"ner", "link", "events"})


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\x1f")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return _digest(path.read_bytes())


def code_fingerprints(stage: str) -> dict[str, str]:
    """Hash of each source and data file of the stage (editing any invalidates it), named so a change can be told."""
    return {f"file {name}": file_digest(PACKAGE / name) for name in STAGE_FILES[stage]}


def stage_fingerprints(settings: Settings, provenance: Provenance) -> dict[str, dict[str, str]]:
    """Per stage, the fingerprint of each thing it depends on (code, config, models, kb)."""
    common = {"config": settings.fingerprint(), "pipeline": f"{provenance.pipeline_version}/{provenance.schema_version}"}
    result = {}
    for stage in STAGES:
        parts = {**code_fingerprints(stage), **common}
        if stage in MODEL_STAGES:
            parts["models"] = _digest(orjson.dumps(provenance.models, option=orjson.OPT_SORT_KEYS))
        if stage in KB_STAGES:
            parts["kb"] = provenance.kb_version or ""
        result[stage] = parts
    return result


def stage_keys(raw: RawDocument, fingerprints: dict[str, dict[str, str]]) -> dict[str, str]:
    """The chained cache key of every stage's output for `raw`."""
    previous = _digest(orjson.dumps(raw.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))
    keys = {}
    for stage in STAGES:
        previous = keys[stage] = _digest(stage, previous, orjson.dumps(fingerprints[stage], option=orjson.OPT_SORT_KEYS))
    return keys


@dataclass(frozen=True)
class StageCache:
    """Cached Document JSON per (stage, key) under `folder`, plus the fingerprints of the last run."""

    folder: Path

    def _path(self, stage: str, key: str) -> Path:
        return self.folder / stage / key[:2] / f"{key}.json"

    def has(self, stage: str, key: str) -> bool:
        return self._path(stage, key).is_file()

    def get(self, stage: str, key: str) -> Document | None:
        """The cached output, or None when absent or unreadable (an unreadable entry is recomputed)."""
        try:
            return Document.model_validate_json(self._path(stage, key).read_bytes())
        except (OSError, ValueError):
            return None

    def put(self, stage: str, key: str, document: Document) -> None:
        _write_atomically(self._path(stage, key), document.model_dump_json().encode("utf-8"))  # pydantic's serializer: no dict between

    def last_fingerprints(self) -> dict[str, dict[str, str]]:
        """The stage fingerprints the last run recorded (empty before the first), to explain what changed."""
        try:
            return orjson.loads((self.folder / "fingerprints.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}

    def record_fingerprints(self, fingerprints: dict[str, dict[str, str]]) -> None:
        _write_atomically(self.folder / "fingerprints.json", orjson.dumps(fingerprints, option=orjson.OPT_SORT_KEYS))


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def first_missing(keys: dict[str, str], cache: StageCache) -> int:
    """Index of the first stage to compute: after the last stage whose output is cached."""
    for index in range(len(STAGES) - 1, -1, -1):
        if cache.has(STAGES[index], keys[STAGES[index]]):
            return index + 1
    return 0


DEPENDENCY_NAMES = {"config": "configuration", "models": "model fingerprints", "kb": "KB version", "pipeline": "pipeline version"}


def why_rerun(stage: str, current: dict[str, dict[str, str]], previous: dict[str, dict[str, str]]) -> str:
    """In words, why `stage` is recomputed for a document: its own dependencies first, then upstream."""
    before = previous.get(stage)
    if before is None:
        return "no earlier run recorded"
    changed = sorted(name for name, value in current[stage].items() if before.get(name) != value)
    files = [name.removeprefix("file ").replace("pipeline/data/", "data/") for name in changed if name.startswith("file ")]
    if files:
        return "code of " + " or ".join(files) + " changed"
    if changed:
        return " and ".join(DEPENDENCY_NAMES[name] for name in changed) + " changed"
    upstream = [s for s in STAGES[: STAGES.index(stage)] if previous.get(s) != current[s]]
    if upstream:
        return f"upstream stage {upstream[-1]} changed"
    return "new or changed documents"
