"""Validate: re-check a finished document against the full schema before it is written."""

from __future__ import annotations

from newsx.schemas import Document


def validate(document: Document) -> Document:
    """The document re-validated from its JSON form, so no unchecked value reaches a sink.

    Raises pydantic.ValidationError naming the field at fault.
    """
    return Document.model_validate_json(document.model_dump_json())
