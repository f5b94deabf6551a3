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


# --- Latin-script names inside Chinese sentences ------------------------------------------------
#
# `John Schulman于社交媒体X宣布离职`, `研究副总裁Barret Zoph`: the Chinese model finds most of these runs
# but often with the wrong type (a 2-word person name as ORG, `Lucid Motors` as PERSON) or cut short
# at accented letters. Each maximal Latin run of a Chinese sentence is split at titles written in it
# (`Corvana Systems CEO Miriam Jablonski`, glued `CFOWendy Yilmaz`) and typed from its own shape (legal
# and sector suffixes, inner capitals, acronyms, pinyin names), the Chinese words around it (a title
# before it: a person; a title, 公司 or 旗下 after it: an organisation; 毕业于, 表示, 兄弟 after it: a
# person), optionally with the English model's vote on the bare run. Where the evidence decides, its
# span replaces the Chinese model's Latin-only PERSON/ORG spans there; elsewhere the model's stand.

# The pipeline runs the recogniser with the English model's vote (tests/test_mixed_script_ner.py prints
# the figures with and without it).
LATIN_RUNS = True
_LATIN_LETTERS = "A-Za-z\u00c0-\u024f"
_LATIN_TOKEN = rf"[{_LATIN_LETTERS}0-9][{_LATIN_LETTERS}0-9'’&.\-]*"
# Words joined by single spaces; a number after a space ends the run (`Altman 7%`, `Llama 3.1`).
LATIN_RUN = re.compile(rf"(?<![{_LATIN_LETTERS}0-9'’&.\-]){_LATIN_TOKEN}(?: [{_LATIN_LETTERS}][{_LATIN_LETTERS}0-9'’&.\-]*)*")
_TITLE_ABBREVIATION = r"C[A-Z]O|S?VP|EVP"
_LATIN_TITLE = re.compile(rf"(?:(?<![A-Za-z])(?:{_TITLE_ABBREVIATION})|(?:C[A-Z]O))(?=$|[^A-Za-z]|[A-Z][a-z])")
# Abbreviations and words that stand alone in Chinese tech news and name no one.
NOT_NAMES = frozenset(
    "AI AGI API APP App GPU CPU TPU NPU IPO SUV LLM AR VR XR MR PC IT HR PR ESG EV OS UI UX SDK IoT SaaS PaaS "
    "AIGC ChatBot Robotaxi Pro Max Plus Ultra Mini Lite Beta Alpha Demo Web Wi-Fi USB OK CEO CTO CFO COO CPO "
    "CMO CIO CSO VP SVP EVP AM PM GDP CPI PPI B2B B2C KOL DAU MAU ARR GMV PE VC LP GP".split()
)
ORG_SUFFIXES = frozenset(
    "AI Labs Lab Systems Robotics Capital Ventures Partners Motors Group Inc Inc. Corp Corp. Co. Ltd Ltd. LLC "
    "Technologies Technology Holdings Media Bio Networks Research Cloud Compute Health Energy Security Software "
    "Analytics Therapeutics Pharma Foundation Institute Fund Bank Studios Games Aerospace Dynamics Semiconductor "
    "Intelligence Data Financial Logistics Services Solutions University College Microsystems Electronics "
    "Instruments Industries Airlines Automotive Mobility Bank Insurance Investments Management Markets Silicon "
    "Vision Devices Microelectronics Chips Photonics Biotech Biosciences Medical Therapeutics Fintech Payments".split()
)
# Chinese words around a run that say what it is.
_PERSON_BEFORE = re.compile(r"(?:任命|前员工|员工|研究员|记者|分析师|网友|教授|学者|投资人|创始人|发言人|负责人|接替|由前)$")
_ORG_BEFORE = re.compile(
    r"(?:公司|企业|初创公司|创企|初创企业|独角兽|厂商|开发商|制造商|供应商|运营商|交易所|平台|搜索引擎|母公司|子公司|竞争对手|对手|投资方包括|基金|机构|实验室|银行|加入|加盟|"
    r"跳槽至|跳槽到|收购|投资|入股|重返|离开|起诉|状告|供职于|就职于|合作伙伴|媒体|报道称?|来自|被|据|创办了|创立了|成立了|创办的|创立的)$"
)
_ORG_AFTER = re.compile(
    r"^(?:公司|集团|旗下|母公司|成立于|换帅|股价|市值|估值|董事会|团队|的核心团队|总部|官方|官网|发言人|内部|股东|员工|"
    r"宣布收购|收购|完成|获得|签署|推出|发布了?|上线|开源|裁员|上市|融资|起诉|报道|的市值|的股价|的新模型|"
    r"的竞争对手|的合作|的企业|的业务|计划在|正在与|正在洽谈|正在评估|与中国|的两位创始人|的收入|年化收入|"
    r"的年化收入|的首席|的联合创始人|的创始人|的CEO|的高管|本轮|周[一二三四五六日]|今日|今天|日前|近日)"
)
_PERSON_AFTER = re.compile(
    r"^(?:表示|称|说|认为|指出|强调|坦言|透露|告诉|写道|发文|在声明|在个人|在致|在接受|在社交|在X上|在采访|在离职|"
    r"毕业于|曾在|曾是|曾任|曾参与|此前在|此前是|此前担任|此前曾|出任|担任|辞去|宣布离职|宣布辞职|离职|辞职|"
    r"加入了|加盟|跳槽|兄弟|夫妇|本人|先生|女士|博士|教授|休假|的带领|多次|牵头|创办|创立|共同创立|共同创办|"
    r"与其|在休假|的新公司|的离职|的回归|回归|在播客|在会上|在演讲|在内部信|在博客|在推特|被|已辞去|已于|已加盟|已离开|离开|重返|回到|将接替|接替|一同|随之|继续担任)"
)
# `X的CEO`, `X首席执行官Y`: a title after a run makes it the organisation (and the name after the title a person).
_TITLE_AFTER_RUN = re.compile(r"^(?:的|前)?(?:首席|联合创始人|创始人|董事长|总裁|副总裁|总经理|CEO|CTO|CFO|COO|研究|工程|产品|高管|科学家)")
_SURNAMES = frozenset(
    "Li Wang Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo Liang Song Zheng Xie Han "
    "Tang Feng Yu Dong Xiao Cheng Cao Yuan Deng Fu Shen Zeng Peng Lu Su Jiang Cai Jia Ding Wei Xue Ye Yan Pan Du "
    "Dai Xia Zhong Tian Ren Jiang Fan Fang Shi Yao Tan Liao Zou Xiong Jin Qiu Qin Gu Hou Shao Meng Long Wan Duan "
    "Lei Qian Tang Yin Chang Wen Lau Lee Chan Cheung Leung Wong Ng Ho Tsang Chow Kwok Yip Lam Chiu Tse Teo Tay Koh "
    "Ong Goh Lim Tan".split()
)
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
_PERSON_PREFIX = re.compile(r"^(?:Mc|Mac|Le|La|De|Di|Da|Du|Van|Von|O['’])[A-Z]")
_NAME_WORD = re.compile(rf"[A-Z\u00c0-\u00de][{_LATIN_LETTERS}'’]*(?:-[{_LATIN_LETTERS}][{_LATIN_LETTERS}'’]*)?")
_PARTICLES = frozenset({"von", "van", "der", "de", "da", "del", "di", "bin", "al", "le", "la", "du", "dos", "y"})
_NOT_NAME_BEFORE = re.compile(r"(?:名为|代号为?|称为|叫做|型号|大会|发布会|活动|功能|产品)$")
_PRODUCT_AFTER = re.compile(r"^[ ]?(?:模型|芯片|机器人|手机|系统|论文|架构|版本|新版本|眼镜|头显|车型|平台|框架|助手|应用|App|系列|智能体|服务器|显卡|处理器|操作系统)")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")


def _latin_pieces(text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """A run cut at the titles written in it: (start, end, "TITLE" or None for a name candidate)."""
    run = text[start:end]
    pieces, cursor = [], 0
    for match in _LATIN_TITLE.finditer(run):
        if match.start() > cursor:
            pieces.append((start + cursor, start + match.start(), None))
        pieces.append((start + match.start(), start + match.end(), "TITLE"))
        cursor = match.end()
    if cursor < len(run):
        pieces.append((start + cursor, end, None))
    trimmed = []
    for a, b, label in pieces:
        piece = text[a:b]
        left = len(piece) - len(piece.lstrip(" -'’&."))
        right = len(piece.rstrip(" -'’&"))
        # A final full stop belongs to `Inc.`, `Corp.` or an initial, not to a plain word.
        if piece[:right].endswith(".") and not re.search(r"(?:\b[A-Z]|Inc|Corp|Co|Ltd|Jr|Sr|St)\.$", piece[:right]):
            right -= 1
        if right > left:
            trimmed.append((a + left, a + right, label))
    return trimmed


def _latin_vote(text: str, start: int, end: int, neighbours: dict[tuple[int, int], str]) -> dict[str, float]:
    """Evidence for PERSON and ORG of one name candidate in a Chinese sentence."""
    name = text[start:end]
    tokens = name.split()
    before, after = text[max(0, start - 8) : start].rstrip(), text[end : end + 10].lstrip()
    votes = {"PERSON": 0.0, "ORG": 0.0}
    if tokens[-1] in ORG_SUFFIXES or (len(tokens) > 1 and tokens[-1].rstrip(".") in ORG_SUFFIXES):
        votes["ORG"] += 3
    if any(_INNER_CAPITAL.search(token) and not _PERSON_PREFIX.match(token) for token in tokens):
        votes["ORG"] += 2
    if any("." in token.rstrip(".") or "&" in token for token in tokens):  # `Character.AI`, `AT&T`
        votes["ORG"] += 2
    if any(token.isupper() and len(token) >= 2 for token in tokens):  # `NEA`, `SK Hynix`; weak alone (`IOI`, `NDA`)
        votes["ORG"] += 1
    words = [token for token in tokens if token.lower() not in _PARTICLES]
    person_shaped = 2 <= len(tokens) <= 4 and all(_NAME_WORD.fullmatch(token) and not token.isupper() for token in words)
    if person_shaped:  # alone not enough: `Axion Silicon`, `Aleph Alpha` are shaped alike
        votes["PERSON"] += 1
        if {words[0], words[-1]} & _SURNAMES:
            votes["PERSON"] += 2
    if any(token.lower() in _PARTICLES for token in tokens[1:-1]) and person_shaped:
        votes["PERSON"] += 1
    title_before = roles.title_spans(before)
    if title_before and title_before[-1][1] == len(before) or _PERSON_BEFORE.search(before):
        votes["PERSON"] += 2
    if _ORG_BEFORE.search(before):
        votes["ORG"] += 1.5
    if _TITLE_AFTER_RUN.match(after):
        votes["ORG"] += 2.5
    if _ORG_AFTER.match(after):
        votes["ORG"] += 1.5
    if _PERSON_AFTER.match(after):
        votes["PERSON"] += 1.5
    # `X与Y`, `X和Y`: coordinated names share a type when the other one's is known.
    for (a, b), label in neighbours.items():  # neighbours: the names already decided on evidence
        if label in votes and (text[b:start].strip() in ("与", "和", "、", "及") or text[end:a].strip() in ("与", "和", "、", "及")):
            votes[label] += 1
    return votes


# A decision needs this much evidence from the name's shape and the words around it; below it the
# Chinese model's own spans on the run stand (`Mira、Bob和Barret`: no evidence either way).
MIN_LATIN_EVIDENCE = 1.5
_NUMBER_TOKEN = re.compile(r"^[0-9][0-9.,%]*$")
_MODEL_NUMBER_TOKEN = re.compile(r"(?:^|\s)[A-Za-z]{1,4}-?\d+[a-z]?$")  # `Lingge H1`, `R1`, `H100`, `GPT-4o`: products


def _rejected(text: str, start: int, end: int) -> bool:
    """A Latin candidate that names no person or organisation: an abbreviation (`AI`, `IPO`), a product
    (`Atlas` after 名为, `Transformer论文`, `Llama 3.1`)."""
    name = text[start:end]
    return (
        name in NOT_NAMES
        or any(_NUMBER_TOKEN.match(token) for token in name.split())
        or (bool(_MODEL_NUMBER_TOKEN.search(name)) and name.split()[-1] not in ORG_SUFFIXES)
        or bool(_PRODUCT_AFTER.match(text[end : end + 6]))
        or bool(_NOT_NAME_BEFORE.search(text[max(0, start - 4) : start]))
    )


def latin_name_spans(text: str, english: dict[tuple[int, int], str]) -> tuple[list[Span], list[tuple[int, int]]]:
    """Spans of Latin-script names and titles in a Chinese sentence, and the stretches it decided.

    `english` is the English model's label
    for each bare name candidate (start, end) it labelled (a vote for names of two words or more:
    a lone word out of context it mostly calls a person). Candidates without enough evidence, or
    not capitalised (`penAI`, crawled `alphabet`), are left to the Chinese model."""
    spans: list[Span] = []
    decided: list[tuple[int, int]] = []
    candidates = []
    for run in LATIN_RUN.finditer(text):
        if not re.search(f"[{_LATIN_LETTERS}]", run.group()):
            continue
        for start, end, label in _latin_pieces(text, run.start(), run.end()):
            if label == "TITLE":
                spans.append(Span(start, end, "TITLE", text[start:end]))
            elif _rejected(text, start, end):
                decided.append((start, end))
            elif end - start >= 2 and text[start].isupper():
                candidates.append((start, end))
    neighbours: dict[tuple[int, int], str] = {}
    for _round in range(2):  # the second round sees the types of coordinated names
        found = {}
        for start, end in candidates:
            votes = _latin_vote(text, start, end, {k: v for k, v in neighbours.items() if k != (start, end)})
            if len(text[start:end].split()) > 1 and english.get((start, end)) in votes:
                votes[english[(start, end)]] += 1
            if max(votes.values()) >= MIN_LATIN_EVIDENCE and votes["PERSON"] != votes["ORG"]:
                found[(start, end)] = max(votes, key=votes.__getitem__)
        neighbours = found
    spans += [Span(start, end, label, text[start:end]) for (start, end), label in neighbours.items()]
    decided += list(neighbours)
    return sorted(spans, key=lambda span: span.start), decided


def latin_candidates(texts: list[str], chinese: list[Analysis], english_model: NerBackend | None) -> list[list[Span]]:
    """Per Chinese sentence, the Latin-run recogniser's spans; the Chinese model's Latin-only spans on those runs are dropped."""
    pieces: list[tuple[int, int, int]] = []  # sentence, start, end of each name candidate
    for index, text in enumerate(texts):
        if not _HAN_CHAR.search(text):
            continue
        for run in LATIN_RUN.finditer(text):
            # Only names of two words or more get the English vote (see latin_name_spans).
            pieces += [
                (index, a, b) for a, b, label in _latin_pieces(text, run.start(), run.end()) if label is None and " " in text[a:b]
            ]
    english: list[dict[tuple[int, int], str]] = [{} for _ in texts]
    if english_model is not None and pieces:
        analyses = english_model.recognise([texts[index][a:b] for index, a, b in pieces])
        for (index, a, b), analysis in zip(pieces, analyses, strict=True):
            labels = {span.label for span in analysis.spans if span.label in ("PERSON", "ORG") and span.end - span.start >= (b - a) // 2}
            if len(labels) == 1:
                english[index][(a, b)] = labels.pop()
    result = []
    for index, text in enumerate(texts):
        if not _HAN_CHAR.search(text):
            result.append(None)
            continue
        spans, decided = latin_name_spans(text, english[index])
        # The model's names over a decided run go, also those that glued Chinese words onto it (`Sea旗下电商平台`).
        kept = [
            span for span in chinese[index].spans
            if span.label not in ("PERSON", "ORG") or not any(span.start < b and a < span.end for a, b in decided)
        ]
        result.append(kept + spans)
    return result


def sentence_candidates(
    texts: list[str], model: NerBackend | None, gazetteer: NerBackend | None, latin_model: NerBackend | None = None,
    latin_runs: bool = False,
) -> list[list[tuple[Span, int]]]:
    """Per sentence, every candidate span (offsets into the sentence) with its source priority:
    0 the KB gazetteer, 1 the language's model (in Chinese sentences with `latin_runs`, the Latin-run
    recogniser's spans in place of the model's on those runs, typed with `latin_model`'s help),
    2 shapes (products, Chinese company names)."""
    candidates: list[list[tuple[Span, int]]] = [[] for _ in texts]

    def collect(analyses: list[Analysis], priority: int) -> None:
        for found, analysis in zip(candidates, analyses, strict=True):
            for span in analysis.spans:
                trimmed = _trimmed(span) if priority else span  # KB names are exact as they stand
                if trimmed:
                    found.append((_relabelled(trimmed), priority))

    if model is not None or latin_runs:
        analyses = model.recognise(texts) if model is not None else [Analysis() for _ in texts]
        if latin_runs:
            latin = latin_candidates(texts, analyses, latin_model)
            analyses = [analysis if spans is None else Analysis(spans=spans) for analysis, spans in zip(analyses, latin, strict=True)]
        collect(analyses, priority=1)
    if gazetteer is not None:
        collect(gazetteer.recognise(texts), priority=0)
    collect([Analysis(spans=product_spans(text) + company_spans(text)) for text in texts], priority=2)
    return candidates


def recognise_sentences(
    texts: list[str], model: NerBackend | None, gazetteer: NerBackend | None, latin_model: NerBackend | None = None,
    latin_runs: bool = False,
) -> list[list[Span]]:
    """The mentions the NER stage finds in sentences of one language (offsets into each sentence)."""
    return [_choose(spans) for spans in sentence_candidates(texts, model, gazetteer, latin_model, latin_runs)]


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
    used: dict[str, str] = {}
    for language, items in sorted(sentences.items()):
        model = models.get(language)
        if model is not None:
            used[f"{language}.ner"] = model.fingerprint
        found = sentence_candidates(
            [text for _, _, text in items], model, gazetteer, latin_model=models.get("en"), latin_runs=LATIN_RUNS and language == "zh"
        )
        for (index, offset, _), spans in zip(items, found, strict=True):
            candidates[index].extend(
                (Span(span.start + offset, span.end + offset, span.label, span.text), priority) for span, priority in spans
            )
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
