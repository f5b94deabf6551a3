"""Run configuration: embedded defaults, overridden by `newsx.toml` and then by flags."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, Field

from newsx import __version__
from newsx.schemas import SCHEMA_VERSION, Provenance

CONFIG_FILE = "newsx.toml"


class Settings(BaseModel):
    """Everything a run depends on besides its input and its models."""

    model_config = ConfigDict(extra="forbid")

    batch_size: int = Field(default=32, ge=1, le=10_000, description="documents per Prefect task run")
    max_document_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    database: str | None = Field(default=None, description="database URL; default sqlite:///OUT/newsx.sqlite")

    def fingerprint(self) -> str:
        """Hash of the settings that change records (not where they are written)."""
        relevant = self.model_dump(exclude={"database", "batch_size"})
        return hashlib.sha256(orjson.dumps(relevant, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def provenance(self) -> Provenance:
        return Provenance(
            pipeline_version=__version__,
            schema_version=SCHEMA_VERSION,
            models={},
            config_fingerprint=self.fingerprint(),
        )


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
    """Defaults, then the `[run]` table of newsx.toml (given, or in the working folder), then overrides."""
    values: dict[str, object] = {}
    file = Path(path) if path else Path(CONFIG_FILE)
    if path or file.exists():
        with file.open("rb") as handle:
            values.update(tomllib.load(handle).get("run", {}))
    values.update({key: value for key, value in overrides.items() if value is not None})
    return Settings(**values)
