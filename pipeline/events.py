"""Event and relation extraction over linked entities.

Not built yet: the stage passes documents through and says so.
"""

from __future__ import annotations

from newsx.pipeline.ner import NOT_CONFIGURED
from newsx.schemas import Document


def extract(document: Document) -> Document:
    """Events and relations stated in the document (none until extraction is built)."""
    return document.model_copy(update={"stages": {**document.stages, "events": NOT_CONFIGURED}})
