"""Named-entity recognition over the sentences of a batch of documents.

Sentences are grouped by language across the whole batch, so each model runs
once per batch (never per document or sentence). The knowledge-base
gazetteer runs beside the models; where spans overlap the longer one wins,
and at equal length the gazetteer (which knows the entity's type) wins.
"""

from __future__ import annotations

import re
from collections import defaultdict

from newsx.models.base import Analysis, NerBackend, Span
from newsx.pipeline import roles
from newsx.pipeline.chinese_script import model_text
from newsx.schemas import Document, Mention

STRIP = " \t\n,，.。、;；:：!！?？\"'“”‘’()（）[]【】《》<>"


def model_language(language: str) -> str:
    """The model slot a segment language uses: Traditional Chinese goes to the Chinese model."""
    return "zh" if language.startswith("zh") else language


_ARTICLE = re.compile(r"^(?:the|The)\s+")


def _trimmed(span: Span) -> Span | None:
    """The span without surrounding punctuation or a leading article (`the U.S.` -> `U.S.`)."""
    text = span.text
    article = _ARTICLE.match(text)
    if article and span.label in ("ORG", "GPE", "PRODUCT"):
        span = Span(span.start + article.end(), span.end, span.label, text[article.end() :])
        text = span.text
    left = len(text) - len(text.lstrip(STRIP))
    right = len(text.rstrip(STRIP))
    if right <= left:
        return None
    possessive = _POSSESSIVE.search(text[left:right])
    if possessive and span.label in ("ORG", "PERSON", "GPE"):  # `WM Motor’s rival`: the name, not the genitive
        right -= 2
    return Span(span.start + left, span.start + right, span.label, text[left:right])


def _relabelled(span: Span) -> Span:
    """A model's ORG or PERSON that is really a job title (`SVP of Research`, `首席技术官`) is a TITLE."""
    if span.label in ("ORG", "PERSON", "PRODUCT") and roles.is_title(span.text):
        return Span(span.start, span.end, "TITLE", span.text)
    return span


_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_POSSESSIVE = re.compile(r"['’]s$")


def _choose(spans: list[tuple[Span, int]]) -> list[Span]:
    """Non-overlapping spans: longest first, then by source priority (lower wins), then leftmost.

    A model span that mixes scripts around a KB name (`谷歌母公司alphabet`), or that holds two KB
    names (`Samsung of South Korea`), loses to the KB names: the model glued words onto names."""
    known = [span for span, priority in spans if priority == 0]

    def inside(span: Span) -> list[Span]:
        return [k for k in known if k.start >= span.start and k.end <= span.end and (k.start, k.end) != (span.start, span.end)]

    spans = [
        (span, priority)
        for span, priority in spans
        if priority == 0
        or not inside(span)
        or not (_HAN.search(span.text) and _LATIN.search(span.text)) and len(inside(span)) < 2  # `Samsung of South Korea`
    ]
    chosen: list[Span] = []
    for span, _priority in sorted(spans, key=lambda item: (-(item[0].end - item[0].start), item[1], item[0].start)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: (s.start, s.end))


# Product names the models rarely know: quoted names with Latin letters or digits (`“云驾Pilot”`,
# `「Aurora Lens」`) and model numbers (`Cirrus-2`, `Llama 3.1`, `GPT-4o`).
_QUOTED_PRODUCT = re.compile(r"[“「『\"]([^”」』\"\n]{0,12}[A-Za-z0-9][^”」』\"\n]{0,12})[”」』\"]")
_MODEL_NUMBER = re.compile(r"(?<![A-Za-z0-9_-])[A-Z][A-Za-z]{1,15}(?:-| )?\d{1,3}(?:\.\d+)?[a-z]?(?![A-Za-z0-9_-])")
_MONTHS = re.compile(r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Series|Q|Round|Phase|Level|Section|Article|No|COVID)", re.I)
# Only where the sentence talks about products: elsewhere a shape is too weak a clue.
_PRODUCT_CONTEXT = re.compile(r"发布|推出|上线|亮相|开源|发售|面世|模型|产品|机器人|芯片|眼镜|系统|launch|releas|unveil|rolled out|debut|ship|model|product|device|chip", re.I)


# Chinese company names by their legal or sector suffix (`北京岩衡智能科技有限公司`, `澄海创投`),
# which models trained on 1990s news rarely know: the suffix, and the name before it up to a
# function word, a punctuation mark or another company's suffix.
_COMPANY_SUFFIX = re.compile(r"(?:科技股份有限公司|科技有限公司|股份有限公司|有限责任公司|有限公司|科技|集团|资本|创投|基金|控股|银行)(?!(?:股份)?有限|公司)")
_NAME_STOP = set("的是在由和与及将向对从为他她其该这那家、，,。；;：:“”\"（()）《》 ")
MAX_COMPANY_PREFIX = 8


def company_spans(text: str) -> list[Span]:
    """ORG spans found by a Chinese company name's shape."""
    spans = []
    for match in _COMPANY_SUFFIX.finditer(text):
        start = match.start()
        while start > 0 and match.start() - start < MAX_COMPANY_PREFIX and _HAN.match(text[start - 1]) and text[start - 1] not in _NAME_STOP:
            if text[max(0, start - 2) : start] in ("公司", "集团"):
                break
            start -= 1
        if match.start() - start >= 2:
            spans.append(Span(start, match.end(), "ORG", text[start : match.end()]))
    return spans


def product_spans(text: str) -> list[Span]:
    """PRODUCT spans found by their shape, for names no model or KB knows yet."""
    if not _PRODUCT_CONTEXT.search(text):
        return []
    spans = [Span(m.start(1), m.end(1), "PRODUCT", m.group(1)) for m in _QUOTED_PRODUCT.finditer(text) if not roles.has_title(m.group(1))]
    spans += [Span(m.start(), m.end(), "PRODUCT", m.group()) for m in _MODEL_NUMBER.finditer(text) if not _MONTHS.match(m.group())]
    return spans


def recognise_batch(documents: list[Document], models: dict[str, NerBackend], gazetteer: NerBackend | None) -> list[Document]:
    """Every document of the batch with its mentions (offsets into its cleaned text)."""
    sentences: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # language -> (doc, offset, text)
    for index, document in enumerate(documents):
        simplified = model_text(document)  # Traditional segments converted, same offsets
        for segment in document.segments:
            language = model_language(segment.language)
            text = simplified[segment.start : segment.end]
            sentences[language].append((index, segment.start, text))
    candidates: list[list[tuple[Span, int]]] = [[] for _ in documents]

    def collect(items: list[tuple[int, int, str]], analyses: list[Analysis], priority: int) -> None:
        for (index, offset, _), analysis in zip(items, analyses, strict=True):
            for span in analysis.spans:
                trimmed = _trimmed(span) if priority else span  # KB names are exact as they stand
                if trimmed:
                    trimmed = _relabelled(trimmed)
                    candidates[index].append((Span(trimmed.start + offset, trimmed.end + offset, trimmed.label, trimmed.text), priority))

    used: dict[str, str] = {}
    for language, items in sorted(sentences.items()):
        model = models.get(language)
        if model is not None:
            collect(items, model.recognise([text for _, _, text in items]), priority=1)
            used[f"{language}.ner"] = model.fingerprint
        if gazetteer is not None:
            collect(items, gazetteer.recognise([text for _, _, text in items]), priority=0)
        collect(items, [Analysis(spans=product_spans(text) + company_spans(text)) for _, _, text in items], priority=2)
    if gazetteer is not None:
        used["gazetteer"] = gazetteer.fingerprint
    status = "; ".join(f"{slot}={fingerprint}" for slot, fingerprint in sorted(used.items())) or "no model for these languages"
    result = []
    for document, spans in zip(documents, candidates, strict=True):
        mentions = [
            Mention(text=document.text[s.start : s.end], start=s.start, end=s.end, label=s.label)
            for s in _choose(spans)
        ]
        result.append(document.model_copy(update={"mentions": mentions, "stages": {**document.stages, "ner": status}}))
    return result
