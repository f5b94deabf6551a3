"""Entity linking: mentions to canonical entities.

Not built yet: the stage passes documents through and says so.
"""

from __future__ import annotations

from newsx.pipeline.ner import NOT_CONFIGURED
from newsx.schemas import Document


def link(document: Document) -> Document:
    """Entities of the document's mentions (none until linking is built)."""
    return document.model_copy(update={"stages": {**document.stages, "link": NOT_CONFIGURED}})
