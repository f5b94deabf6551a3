"""A recogniser that finds the knowledge base's names in text.

Statistical models miss names they never saw (`OpenAI` in a Chinese
sentence, `Anthropic`); the KB knows them. This backend marks every
unambiguous alias, as a whole word in Latin script and as a substring in
Chinese, with the KB entity's type. It implements the NerBackend interface.
"""

from __future__ import annotations

import re

from newsx.models.base import Analysis, Span
from newsx.models.knowledge_base import KnowledgeBase, name_key

_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u3400-\u9fff]")
MIN_ALIAS_LENGTH = 2


_MIDDLE_DOTS = "·・•‧"  # `DALL·E`, `DALL・E`, `萨姆•奥特曼`: pages write the name separator all these ways


def _char_pattern(char: str) -> str:
    return f"[{_MIDDLE_DOTS}]" if char in _MIDDLE_DOTS else re.escape(char)


def trie_pattern(words: list[str]) -> str:
    """One regex matching any of `words`, longest first, built as a trie so matching stays linear."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def render(node: dict) -> str:
        ending = "" in node
        branches = [_char_pattern(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ending else "(?:" + "|".join(branches) + ")"
        return body + ("?" if ending else "")

    return render(trie)


class GazetteerBackend:
    """Exact alias matches from the knowledge base."""

    name = "kb-gazetteer"

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._types: dict[str, str] = {}
        for key, entities in kb.alias_index().items():
            if len(entities) == 1:
                self._types[key] = entities[0].type
        aliases = sorted(
            {alias for entity in kb.entities.values() for alias in entity.all_aliases() if len(alias) >= MIN_ALIAS_LENGTH and name_key(alias) in self._types},
            key=lambda a: (-len(a), a),
        )
        # Case-sensitive in English (`Meta` the company, not `meta` the word); in Chinese text, where
        # crawled pages often lower-case Latin names (`google`, `larry page`), case is no evidence.
        # The case-blind pattern is built from case-folded aliases: a trie of `EU` and `Eureka Labs`
        # would otherwise try the `EU` branch first and stop at `Eu`.
        self._regex = re.compile(trie_pattern(aliases)) if aliases else None
        folded = sorted({alias.lower() for alias in aliases}, key=lambda a: (-len(a), a))
        self._regex_nocase = re.compile(trie_pattern(folded), re.IGNORECASE) if aliases else None

    @property
    def fingerprint(self) -> str:
        return f"{self.name}@{self.kb.version}"

    def recognise(self, sentences: list[str]) -> list[Analysis]:
        return [Analysis(spans=self._spans(sentence)) for sentence in sentences]

    def _spans(self, sentence: str) -> list[Span]:
        if self._regex is None:
            return []
        han = len(_HAN.findall(sentence))
        regex = self._regex_nocase if han > len(_LATIN.findall(sentence)) else self._regex
        spans = []
        for match in regex.finditer(sentence):
            text = match.group()
            # Latin aliases must stand as whole words; Chinese ones have no word boundaries to respect.
            if _LATIN.search(text) and not _whole_word(sentence, match.start(), match.end()):
                continue
            label = self._types.get(name_key(text))
            if label:
                spans.append(Span(match.start(), match.end(), label, text))
        return spans


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
