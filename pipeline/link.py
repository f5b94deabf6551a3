"""Entity linking: every mention to one canonical entity, across languages and spellings.

Within a document, mentions are grouped (union-find) by: the knowledge base
(an alias names exactly one entity), explicit glosses (`萨姆·奥特曼(Sam
Altman)`), identical names, short forms of a full name introduced in the
document (`Altman`, `Mira`) when unambiguous, transliteration (`舒尔曼` ~
`Schulman`, by pinyin), and near-identical Latin spellings (`OpenAl`,
`penAI`). Each group becomes one entity: the KB's canonical name, else its
Latin-script full name, else its longest name; its type by vote.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from newsx.models.knowledge_base import KBEntity, KnowledgeBase, entity_id, name_key
from newsx.pipeline import roles
from newsx.pipeline.translit import MATCH_THRESHOLD, best_latin_match, transliteration_score
from newsx.schemas import Document, Entity, Mention

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "PRODUCT")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_NAME_PARTS = re.compile(r"[\s·•・]+")
_SHORT_NAME = re.compile(r"\s*[(（]\s*(?:简称|以下简称|下称|hereafter|\"?)\s*[:：]?\s*[“\"「]([^”\"」()（）]{2,12})[”\"」]\s*[)）]")
_GLOSS = re.compile(r"\s*[(（]\s*([^()（）]{1,60}?)\s*[)）]")
_CORPORATE_SUFFIX = re.compile(
    r"(?:[\s,]+(?:Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|PLC|plc|AG|SA|GmbH|Holdings?|Group)\.?)+$|(?:股份有限公司|有限责任公司|有限公司|公司|集团)$"
)
_ORG_WORD = re.compile(
    r"\b(?:Labs?|AI|Inc|Corp|Corporation|Ltd|LLC|Capital|Ventures|Partners|Technolog(?:y|ies)|Robotics|Systems|Semiconductor|"
    r"Motors?|Bank|Group|Holdings|Networks|Software|Studios|Media|Therapeutics|Biotech|Pharma|Automation|Dynamics|Research|Foundation)\b"
    r"|(?:公司|集团|科技|资本|银行|实验室|研究院|基金|创投)$"
)
SHORT_NAME_SOURCE = "short name"  # a mention the article declares as its short name (简称)
MAX_TYPO_DISTANCE = 1  # one edit: `OpenAl` for `OpenAI`, `penAI` for `OpenAI`
MIN_TYPO_LENGTH = 5  # shorter names differ by one letter too often (`Meta`/`Beta`)


def is_latin(name: str) -> bool:
    return bool(_LATIN.search(name)) and not _HAN.search(name)


def is_han(name: str) -> bool:
    return bool(_HAN.search(name)) and not _LATIN.search(name)


def core_name(name: str) -> str:
    """An organisation's name without its legal form: `Orbital Robotics Inc.` -> `Orbital Robotics`."""
    return _CORPORATE_SUFFIX.sub("", name.strip()) or name


def name_parts(name: str) -> list[str]:
    return [part for part in _NAME_PARTS.split(name.strip()) if part]


class _Groups:
    """Union-find over mention indices."""

    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)

    def members(self) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = {}
        for item in range(len(self.parent)):
            groups.setdefault(self.find(item), []).append(item)
        return groups


def _after_title(text: str, mention: Mention) -> bool:
    """Whether a job title stands right before the mention (`CTO Mira`, `首席技术官米拉`): a person."""
    window = text[max(0, mention.start - 16) : mention.start].rstrip()
    return any(end == len(window) for _, end in roles.title_spans(window))


_PRODUCT_NOUN_BEFORE = re.compile(
    r"\b(?:app|application|platform|chatbot|model|browser|game|smartphone|handset|operating system|service)\s+$"
    r"|(?:应用|平台|聊天机器人|大模型|模型|浏览器|游戏|手机|操作系统|产品)\s*$",
    re.I,
)
_PRODUCT_NOUN_AFTER = re.compile(r"\s*(?:平台|应用|系统|大模型|模型|芯片|浏览器|操作系统)")


def _product_cued(text: str, mention: Mention) -> bool:
    """A product noun right before (`application Duyao`, `应用X`) or, in Chinese, right after
    (`Nimbus Studio平台`) the name."""
    return bool(_PRODUCT_NOUN_BEFORE.search(text, max(0, mention.start - 16), mention.start) or _PRODUCT_NOUN_AFTER.match(text, mention.end))


_OF_AFTER_TITLE = re.compile(r"\s+(?:of|at)\s+$")


def _title_of(text: str, mention: Mention) -> bool:
    """Whether the mention is what a job title is held at (`former CEO of Shanda Literature`,
    `OpenAI首席技术官`): an organisation."""
    before = text[max(0, mention.start - 24) : mention.start]
    of = _OF_AFTER_TITLE.search(before)
    if of is not None:
        window = before[: of.start()]
        if any(end == len(window) for _, end in roles.title_spans(window)):
            return True
    after = text[mention.end : mention.end + 16]
    return bool(_HAN.match(after)) and any(start == 0 for start, _ in roles.title_spans(after))


@dataclass
class _Cluster:
    mentions: list[Mention]
    kb: KBEntity | None
    titled: int = 0  # mentions with a job title right before them
    title_holders: int = 0  # mentions a job title is held at
    product_cued: int = 0  # mentions a product noun stands right before (`application Duyao`)

    def names(self) -> list[str]:
        return list(dict.fromkeys(m.text for m in self.mentions))

    def label(self) -> str:
        if self.kb:
            return self.kb.type
        votes = Counter(m.label for m in self.mentions)
        if any(_ORG_WORD.search(name) for name in self.names()):
            votes["ORG"] += len(self.mentions) + 1  # `Halcyon Labs`, `Redwood Peak Ventures`: the name says what it is
        else:
            votes["PERSON"] += 2 * self.titled
            votes["ORG"] += 2 * self.title_holders
            votes["PRODUCT"] += 2 * self.product_cued
        return max(ENTITY_LABELS, key=lambda label: (votes[label], -ENTITY_LABELS.index(label)))

    def canonical(self) -> str:
        """The KB's name; else the Latin-script full name; else the short name the article declares
        for itself (`北京岩衡智能科技有限公司(简称:“岩衡智能”)`), else its longest name."""
        if self.kb:
            return self.kb.name
        names = list(dict.fromkeys(core_name(n) for n in self.names()))
        latin = [n for n in names if is_latin(n)]
        if latin:
            return max(latin, key=lambda n: (len(name_parts(n)), len(n), -names.index(n)))
        declared = [m.text for m in self.mentions if m.source == SHORT_NAME_SOURCE]
        if declared:
            return declared[0]
        return max(names, key=lambda n: (len(name_parts(n)), len(n), -names.index(n)))


_GENERIC = {"ai", "agi", "api", "ceo", "cto", "app", "it", "ip", "ar", "vr", "llm", "gpu", "cpu",
            "公司", "该公司", "本公司", "集团", "thecompany", "company"}


_BYLINE = re.compile(r"^\s*(?:(?:作者|编辑|责编|记者|撰文|文|图|摄影|By)\s*[|｜:：]?\s*(?:[\u4e00-\u9fff]{2,4}\s*)*)+$")


def _byline(text: str, mention: Mention) -> bool:
    """`作者香草`, `文|袁滢靓 常敏潇`, `By Eleanor Price`: who wrote the article, not whom it is about."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    return mention.label == "PERSON" and bool(_BYLINE.search(text[line_start : mention.start]))


def _given_name_link(mention: Mention, kb: KnowledgeBase, present: list[KBEntity]) -> KBEntity | None:
    """A lone Latin given name (`Mira`, `Sam`), whatever label the model gave it, names a person:
    the one KB person with it among those the document names (`Sam` beside `Altman`), else the one
    KB person with it at all. The mixed-script model often tags a bare given name ORG."""
    if mention.label not in ("PERSON", "ORG") or not is_latin(mention.text) or len(name_parts(mention.text)) != 1 or len(mention.text) < 3:
        return None
    if _ORG_WORD.search(mention.text):
        return None
    key = name_key(mention.text)
    owners = kb.people_by_given_name().get(key, [])
    here = [entity for entity in owners if any(entity is other for other in present)]
    for pool in (here, owners):
        if len(pool) == 1:
            return pool[0]
        if pool:
            return None  # several people here (or in the KB) have that given name
    return None


def _too_generic(name: str, kb: KnowledgeBase) -> bool:
    """`AI`, `API`, a lone letter, `公司`: words for things, not names, unless the KB knows them as one."""
    key = name_key(name)
    letters = sum(char.isalpha() for char in name)
    return (key in _GENERIC or (is_latin(name) and letters <= 1)) and not kb.lookup(name)


def _sounds_alike(a: str, b: str) -> bool:
    han, latin = (a, b) if is_han(a) else (b, a)
    return is_han(han) and is_latin(latin) and transliteration_score(han, latin) >= MATCH_THRESHOLD


def _gloss_mentions(text: str, mentions: list[Mention], kb: KnowledgeBase) -> tuple[list[Mention], list[tuple[int, int]]]:
    """Mentions plus the names glossed after them (`萨姆·奥特曼(Sam Altman)`, `Mira Murati (米拉·穆拉蒂)`),
    and the pairs (mention, gloss) that name one entity. A gloss the model missed becomes a mention."""
    mentions = list(mentions)
    by_span = {(m.start, m.end): i for i, m in enumerate(mentions)}
    pairs = []
    for i, mention in enumerate(list(mentions)):
        short = _SHORT_NAME.match(text, mention.end)
        if short and mention.label == "ORG":  # `北京岩衡智能科技有限公司(简称:“岩衡智能”)`
            start, end = short.span(1)
            j = by_span.get((start, end))
            if j is None and not any(m.start < end and start < m.end for m in mentions):
                j = len(mentions)
                mentions.append(Mention(text=short.group(1), start=start, end=end, label="ORG", source=SHORT_NAME_SOURCE))
                by_span[(start, end)] = j
            if j is not None:
                pairs.append((i, j))
            continue
        match = _GLOSS.match(text, mention.end)
        if not match or is_han(mention.text) == is_han(match.group(1)):
            continue
        start, end = match.span(1)
        j = by_span.get((start, end))
        outer, inner = kb.resolve(mention.text), kb.resolve(match.group(1))
        if outer is not None and inner is not None and outer is not inner:
            continue  # `OpenAI(美国)`: two things the KB knows apart
        if j is not None and mentions[j].label != mention.label:
            continue
        if j is None:
            if not _looks_like_name(match.group(1)) or any(m.start < end and start < m.end for m in mentions):
                continue
            if inner is not None and inner.type != mention.label:
                continue  # `Anthropic(美国)`: a place in brackets, not the company's other name
            if mention.label == "PERSON" and inner is None and not _sounds_alike(mention.text, match.group(1)):
                continue  # `Sam Altman(资料图)`: a caption, not a name
            j = len(mentions)
            mentions.append(Mention(text=match.group(1), start=start, end=end, label=mention.label, source="gloss"))
            by_span[(start, end)] = j
        pairs.append((i, j))
    return mentions, pairs


def _looks_like_name(text: str) -> bool:
    """A short run of capitalised Latin words, or of Han characters with optional `·`."""
    if is_latin(text):
        words = text.split()
        return 1 <= len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in words)
    return bool(re.fullmatch(r"[\u3400-\u9fff·•・]{2,12}", text))


def _link_same_names(mentions: list[Mention], groups: _Groups) -> None:
    first: dict[str, int] = {}
    for i, mention in enumerate(mentions):
        key = name_key(core_name(mention.text))
        if key in first:
            groups.union(first[key], i)
        else:
            first[key] = i


def _without_place(name: str, kb: KnowledgeBase) -> str:
    """A Latin organisation name without the place it opens with: `Beijing Jinying Technology` ->
    `Jinying Technology` (the KB knows `Beijing` as a place)."""
    parts = name_parts(name)
    if len(parts) > 1 and is_latin(name):
        place = kb.resolve(parts[0])
        if place is not None and place.type == "GPE":
            return " ".join(parts[1:])
    return name


def _link_short_forms(mentions: list[Mention], groups: _Groups, kb_links: list[KBEntity | None], kb: KnowledgeBase) -> None:
    """A one-word name joins the one full name in the document it shortens: a person's given name or
    surname (`Altman`, `Mira`), an organisation's first word (`Orbital` for `Orbital Robotics`).
    A name that opens with a place is compared without it (`Beijing Jinying` for `Jinying`).
    Whatever label the model gave the short form, the full name's group outvotes it."""
    people = {i: name_parts(m.text) for i, m in enumerate(mentions) if m.label == "PERSON" and len(name_parts(m.text)) > 1}
    orgs = {i: name_parts(core_name(m.text)) for i, m in enumerate(mentions) if m.label == "ORG" and len(name_parts(core_name(m.text))) > 1}
    for i, mention in enumerate(mentions):
        unplaced = _without_place(core_name(mention.text), kb)
        if unplaced != core_name(mention.text):
            owners = {groups.find(j) for j, m in enumerate(mentions) if j != i and name_key(core_name(m.text)) == name_key(unplaced)}
            if len(owners) == 1 and kb_links[i] is None:
                groups.union(owners.pop(), i)
                continue
        if len(name_parts(unplaced)) != 1:
            continue
        part = name_key(unplaced)
        owners = {groups.find(j) for j, parts in people.items() if part in (name_key(parts[0]), name_key(parts[-1]))}
        owners |= {groups.find(j) for j, parts in orgs.items() if part == name_key(parts[0]) and is_latin(mention.text)}
        owners.discard(groups.find(i))
        if len(owners) != 1:
            continue
        owner = owners.pop()
        owner_kb = next((kb_links[j] for j in range(len(mentions)) if groups.find(j) == owner and kb_links[j]), None)
        if kb_links[i] is not None and owner_kb is not kb_links[i]:
            continue  # `Google` after `Google Cloud`: the KB knows the short form as something else
        groups.union(owner, i)


def _digits(name: str) -> list[str]:
    """`Lyra 2` and `Lyra 3` differ by one letter but are two products: numbers must agree."""
    return re.findall(r"\d+", name)


def _link_typos(mentions: list[Mention], groups: _Groups, kb_links: list[KBEntity | None]) -> None:
    """Near-identical Latin names (one edit, same number of words) are one entity unless the KB says otherwise."""
    latin = [(i, m) for i, m in enumerate(mentions) if is_latin(m.text) and len(m.text) >= MIN_TYPO_LENGTH]
    for a in range(len(latin)):
        for b in range(a + 1, len(latin)):
            (i, left), (j, right) = latin[a], latin[b]
            if groups.find(i) == groups.find(j) or len(name_parts(left.text)) != len(name_parts(right.text)):
                continue
            if kb_links[i] and kb_links[j] and kb_links[i] is not kb_links[j]:
                continue
            if _digits(left.text) == _digits(right.text) and Levenshtein.distance(left.text, right.text) <= MAX_TYPO_DISTANCE:
                groups.union(i, j)


def _link_kb_typos(mentions: list[Mention], kb_links: list[KBEntity | None], kb: KnowledgeBase) -> None:
    """A Latin name one edit away from a KB name of the same word count names that entity."""
    for i, mention in enumerate(mentions):
        if kb_links[i] or not is_latin(mention.text) or len(mention.text) < MIN_TYPO_LENGTH:
            continue
        close = {
            id(entity): entity
            for entity in kb.entities.values()
            if abs(len(entity.name) - len(mention.text)) <= MAX_TYPO_DISTANCE
            and len(name_parts(entity.name)) == len(name_parts(mention.text))
            and _digits(entity.name) == _digits(mention.text)
            and Levenshtein.distance(entity.name, mention.text) <= MAX_TYPO_DISTANCE
        }
        if len(close) == 1:
            kb_links[i] = next(iter(close.values()))


_SURNAMES = set("张王李刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")


def _native_chinese(name: str) -> bool:
    """A two- or three-character name starting with a common Chinese surname, without `·`."""
    return 2 <= len(name) <= 3 and name[0] in _SURNAMES and "·" not in name


def _link_transliterations(clusters: list[_Cluster], kb: KnowledgeBase) -> list[_Cluster]:
    """A Chinese-only person cluster joins the Latin-named person its pinyin sounds like (document first, then KB)."""
    latin_people = {c.canonical(): c for c in clusters if c.label() == "PERSON" and is_latin(c.canonical())}
    merged: list[_Cluster] = []
    for cluster in clusters:
        if cluster.label() == "PERSON" and not cluster.kb and all(is_han(n) for n in cluster.names()):
            name = max(cluster.names(), key=len)
            match = best_latin_match(name, sorted(latin_people))
            if match:
                latin_people[match[0]].mentions.extend(cluster.mentions)
                continue
            if _native_chinese(name):
                merged.append(cluster)
                continue  # `张思远`: a Chinese name, not a transliteration of a Western one
            kb_people = sorted(e.name for e in kb.entities.values() if e.type == "PERSON" and is_latin(e.name))
            match = best_latin_match(name, kb_people)
            if match:
                cluster.kb = kb.get(match[0], "PERSON")
        merged.append(cluster)
    return merged


def link(document: Document, kb: KnowledgeBase) -> Document:
    """The document with every entity mention linked to a canonical entity."""
    others = [m for m in document.mentions if m.label not in ENTITY_LABELS]
    candidates = [
        m for m in document.mentions if m.label in ENTITY_LABELS and not _too_generic(m.text, kb) and not _byline(document.text, m)
    ]
    candidates = sorted(candidates + _coordinated(document.text, candidates + others), key=lambda m: (m.start, m.end))
    named, glosses = _gloss_mentions(document.text, candidates, kb)
    kb_links = [kb.resolve(m.text) or kb.resolve(core_name(m.text)) for m in named]  # the KB's type outvotes the model's
    _link_kb_typos(named, kb_links, kb)
    groups = _Groups(len(named))
    for i, j in glosses:
        groups.union(i, j)
    _link_same_names(named, groups)
    by_kb: dict[int, int] = {}
    for i, entity in enumerate(kb_links):
        if entity is not None:
            groups.union(by_kb.setdefault(id(entity), i), i)
    _link_short_forms(named, groups, kb_links, kb)
    _link_typos(named, groups, kb_links)
    full_first_names = {name_key(name_parts(m.text)[0]) for m in named if m.label == "PERSON" and len(name_parts(m.text)) > 1}
    present = list({id(entity): entity for entity in kb_links if entity is not None}.values())
    clusters = []
    for members in groups.members().values():
        kb_entity = next((kb_links[i] for i in members if kb_links[i] is not None), None)
        cluster_mentions = [named[i] for i in members]
        if kb_entity is None and all(len(name_parts(m.text)) == 1 for m in cluster_mentions):
            if not any(name_key(m.text) in full_first_names for m in cluster_mentions):  # `Greg` with `Greg Brown` here
                kb_entity = next((found for m in cluster_mentions if (found := _given_name_link(m, kb, present))), None)
        titled = sum(1 for m in cluster_mentions if _after_title(document.text, m))
        holders = sum(1 for m in cluster_mentions if _title_of(document.text, m))
        products = sum(1 for m in cluster_mentions if _product_cued(document.text, m))
        clusters.append(_Cluster(cluster_mentions, kb_entity, titled, holders, products))
    clusters = _link_transliterations(clusters, kb)
    entities, linked = [], []
    for cluster in clusters:
        family = _family(document.text, cluster, kb)
        if family:  # `Amodei兄妹`: each of them, the first holding the mentions
            for member in family:
                entities.append(Entity(entity_id=entity_id(member.name, member.type), name=member.name, type=member.type, mentions=cluster.names() if member is family[0] else []))
            linked.extend(m.model_copy(update={"entity_id": entities[-len(family)].entity_id, "label": "PERSON"}) for m in cluster.mentions)
            continue
        name, label = cluster.canonical(), cluster.label()
        ident = entity_id(name, label)
        entities.append(Entity(entity_id=ident, name=name, type=label, mentions=cluster.names()))
        linked.extend(m.model_copy(update={"entity_id": ident}) for m in cluster.mentions)
    entities = _merge_same_ids(entities)
    propagated = _propagated(document.text, linked + others, entities, kb)
    linked += propagated
    entities = _merge_same_ids(_with_surfaces(entities, propagated) + _credited(document.credits, kb))
    mentions = sorted(linked + others, key=lambda m: (m.start, m.end))
    first_seen = {m.entity_id: m.start for m in reversed(mentions) if m.entity_id}
    entities.sort(key=lambda e: first_seen.get(e.entity_id, 0))
    stages = {**document.stages, "link": f"kb {kb.version} + glosses, short forms, transliteration, typos"}
    return document.model_copy(update={"mentions": mentions, "entities": entities, "stages": stages})


_FAMILY = re.compile(r"\s*(?:兄妹|兄弟|姐妹|姐弟|夫妇|夫妻|一家|家族)|\s+(?:brothers|sisters|siblings|couple|family)\b")


def _family(text: str, cluster: _Cluster, kb: KnowledgeBase) -> list[KBEntity]:
    """The KB people a family name stands for when the text names them together (`Amodei兄妹`,
    `the Amodei siblings`): every KB person it may name, when it names more than one."""
    if cluster.kb is not None:
        return []
    for mention in cluster.mentions:
        if _FAMILY.match(text, mention.end):
            people = [entity for entity in kb.lookup(mention.text) if entity.type == "PERSON"]
            if len(people) > 1:
                return people
    return []


_CAPITALISED = r"[A-Z][\w&'’-]*(?:[ \t]+[A-Z][\w&'’-]*){0,3}"  # on one line, no sentence end inside
_COORDINATED_BEFORE = re.compile(rf"(?<![\w&'’-])({_CAPITALISED})[ \t]+(?:and|&)[ \t]+$")
_COORDINATED_AFTER = re.compile(rf"[ \t]+(?:and|&)[ \t]+({_CAPITALISED})")
_NOT_A_NAME_START = re.compile(r"^(?:The|A|An|In|On|At|But|And|Its|Their|His|Her|Both|Chairman|Chief|President|CEO|CFO|CTO|COO)\b\s*")


def _coordinated(text: str, mentions: list[Mention]) -> list[Mention]:
    """An English capitalised name the model missed beside one it found, joined by `and`: `SIG Asia
    and Fosun International` -> SIG Asia, with its neighbour's label."""
    taken = [(m.start, m.end) for m in mentions]
    found = []
    for mention in mentions:
        if mention.label not in ("ORG", "PERSON") or not is_latin(mention.text):
            continue
        spans = []
        before = _COORDINATED_BEFORE.search(text, max(0, mention.start - 60), mention.start)
        if before:
            spans.append(before.span(1))
        after = _COORDINATED_AFTER.match(text, mention.end)
        if after:
            spans.append(after.span(1))
        for start, end in spans:
            lead = _NOT_A_NAME_START.match(text, start, end)
            start = lead.end() if lead else start
            while end > start and text[end - 1] in ".,'’":
                end -= 1
            if end - start < 2 or any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.append(Mention(text=text[start:end], start=start, end=end, label=mention.label, source="coordination"))
    return found


def _credited(credits: list[str], kb: KnowledgeBase) -> list[Entity]:
    """The people the byline credits are people the page names, though not in its text: entities
    without a mention, so no event takes its writer for its subject."""
    entities = []
    for credit in credits:
        known = kb.resolve(credit)
        name = known.name if known is not None and known.type == "PERSON" else credit
        entities.append(Entity(entity_id=entity_id(name, "PERSON"), name=name, type="PERSON", mentions=[credit]))
    return entities


def _propagated(text: str, mentions: list[Mention], entities: list[Entity], kb: KnowledgeBase) -> list[Mention]:
    """Every other place a linked name stands in the document, untagged: the model found `Kestrel`
    in one sentence and missed it in the next, but it is the same name."""
    taken = sorted((m.start, m.end) for m in mentions)
    names: dict[str, tuple[str, str]] = {}
    for entity in entities:
        for surface in entity.mentions:
            if (is_latin(surface) and len(surface) >= 3 and surface[0].isupper()) or (is_han(surface) and len(surface) >= 2):
                names.setdefault(surface, (entity.entity_id, entity.type))
    for word, entity in _short_forms(entities, kb).items():
        names.setdefault(word, (entity.entity_id, entity.type))
    if not names:
        return []
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n))))
    found = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if is_latin(match.group()) and (start and text[start - 1].isalnum() and text[start - 1].isascii() or end < len(text) and text[end].isascii() and text[end].isalnum()):
            continue
        index = bisect.bisect_left(taken, (start, end))
        neighbours = taken[max(0, index - 1) : index + 1]
        if any(s < end and start < e for s, e in neighbours):
            continue
        entity_id_, label = names[match.group()]
        found.append(Mention(text=match.group(), start=start, end=end, label=label, entity_id=entity_id_, source="propagated"))
    return found


def _short_forms(entities: list[Entity], kb: KnowledgeBase) -> dict[str, Entity]:
    """One word that stands for a Latin-script name: a person's surname (`Brown` after `Greg
    Brown`), an organisation's first word after any place (`Jinying` after `Beijing Jinying
    Technology`); only when no other entity's name holds that word."""
    owners: dict[str, set[str]] = {}
    for entity in entities:
        for surface in entity.mentions:
            for part in name_parts(surface):
                owners.setdefault(part, set()).add(entity.entity_id)
    found = {}
    for entity in entities:
        if not is_latin(entity.name):
            continue
        if entity.type == "PERSON":
            parts = name_parts(entity.name)
            words = [parts[-1]] if len(parts) > 1 else []
        elif entity.type == "ORG":
            words = [parts[0] for surface in entity.mentions if len(parts := name_parts(_without_place(core_name(surface), kb))) > 1]
        else:
            words = []
        for word in words:
            if len(word) >= 3 and word[0].isupper() and not word.isupper() and owners.get(word, {entity.entity_id}) == {entity.entity_id}:
                found.setdefault(word, entity)
    return found


def _with_surfaces(entities: list[Entity], mentions: list[Mention]) -> list[Entity]:
    """Entities with the surface forms the mentions add to them."""
    added: dict[str, list[str]] = {}
    for mention in mentions:
        added.setdefault(mention.entity_id or "", []).append(mention.text)
    return [
        entity.model_copy(update={"mentions": list(dict.fromkeys(entity.mentions + added[entity.entity_id]))}) if entity.entity_id in added else entity
        for entity in entities
    ]


def _merge_same_ids(entities: list[Entity]) -> list[Entity]:
    by_id: dict[str, Entity] = {}
    for entity in entities:
        if entity.entity_id in by_id:
            kept = by_id[entity.entity_id]
            kept.mentions = list(dict.fromkeys(kept.mentions + entity.mentions))
        else:
            by_id[entity.entity_id] = entity
    return list(by_id.values())
