"""Named-entity recognition over the sentences of a document.

No recogniser is configured yet: the stage passes documents through and says
so, rather than inventing mentions.
"""

from __future__ import annotations

from newsx.schemas import Document

NOT_CONFIGURED = "not configured"


def recognise(document: Document) -> Document:
    """Mentions of the document's names (none until a backend is configured)."""
    return document.model_copy(update={"stages": {**document.stages, "ner": NOT_CONFIGURED}})
