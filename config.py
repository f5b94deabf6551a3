"""Run configuration: embedded defaults, overridden by `newsx.toml` and then by flags."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from newsx import __version__
from newsx.schemas import SCHEMA_VERSION, Provenance

CONFIG_FILE = "newsx.toml"


class Settings(BaseModel):
    """Everything a run depends on besides its input and its models."""

    model_config = ConfigDict(extra="forbid")

    batch_size: int = Field(default=32, ge=1, le=10_000, description="documents per Prefect task run")
    max_document_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    database: SecretStr | None = Field(
        default=None, description="database URL; default sqlite:///OUT/newsx.sqlite (secret: it may hold a password)"
    )
    models: dict[str, str] = Field(
        default_factory=dict, description="language -> model spec '<backend>:<identifier or path>', over the defaults"
    )
    kb_file: str | None = Field(
        default=None, description="a user KB file to read and grow; default: read only the seed, propose to OUT/kb.learned.yaml"
    )

    def fingerprint(self) -> str:
        """Hash of the settings that change records (not where they are written)."""
        relevant = self.model_dump(exclude={"database", "batch_size", "models", "kb_file"})  # models and KB have their own fingerprints
        return hashlib.sha256(orjson.dumps(relevant, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def provenance(self, models: dict[str, str], kb_version: str | None) -> Provenance:
        return Provenance(
            pipeline_version=__version__,
            schema_version=SCHEMA_VERSION,
            models=dict(sorted(models.items())),
            kb_version=kb_version,
            config_fingerprint=self.fingerprint(),
        )


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
    """Defaults, then newsx.toml (given, or in the working folder: its `[run]` and `[models]` tables), then overrides."""
    values: dict[str, object] = {}
    file = Path(path) if path else Path(CONFIG_FILE)
    if path or file.exists():
        with file.open("rb") as handle:
            data = tomllib.load(handle)
        values.update(data.get("run", {}))
        values["models"] = dict(data.get("models", {}))
    model_flags = overrides.pop("models", None) or {}
    values.update({key: value for key, value in overrides.items() if value is not None})
    values["models"] = {**values.get("models", {}), **model_flags}
    return Settings(**values)
