"""The versioned record schema and its exported JSON Schema."""

from __future__ import annotations

from pathlib import Path

import orjson
from pydantic import TypeAdapter

from .records import *  # noqa: F401,F403 - the schema is this package's API
from .records import EXPORTED, SCHEMA_VERSION

JSON_SCHEMA_DIR = Path(__file__).parent / "json"


def json_schemas() -> dict[str, bytes]:
    """File name -> JSON Schema text of each exported record kind."""
    files = {}
    for name, model in EXPORTED.items():
        schema = TypeAdapter(model).json_schema()
        schema["$id"] = f"https://newsx.invalid/schema/{SCHEMA_VERSION}/{name}.json"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        files[f"{name}.schema.json"] = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return files


def write_json_schemas(directory: Path = JSON_SCHEMA_DIR) -> list[Path]:
    """Write the JSON Schema files; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in json_schemas().items():
        path = directory / file_name
        path.write_bytes(text)
        written.append(path)
    return written
