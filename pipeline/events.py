"""Event extraction: typed events with arguments, date, modality and evidence.

Per sentence, triggers from data/events.yaml mark candidate events; each type
has a small argument rule over the sentence's linked entity mentions (who
stands before the trigger, who after, which cue word introduces whom), with
the document's last-mentioned person and organisation standing in for
pronouns and omitted subjects. Dates come from time expressions
(pipeline.timex), amounts from pipeline.money, modality from cue words.
Within a document, mentions of one happening merge into one event.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from pydantic import TypeAdapter

from newsx.pipeline import money, roles, timex
from newsx.pipeline.merge import merge_events, record_key, stable_id
from newsx.pipeline.evidence import evidence_of
from newsx.pipeline.relations import Apposition, derive_relations
from newsx.schemas import Document, Entity, Event, Mention, Provenance

EVENT_ADAPTER: TypeAdapter = TypeAdapter(Event)
_CLAUSE_ZH = re.compile(r"[，,；;：:]")
_CLAUSE_EN = re.compile(r";|,\s+(?:but|while|and|who|which)\b")
_PRONOUN = re.compile(r"他|她|其|\b(?:he|she|his|her)\b", re.I)
# Where a title phrase before a name can begin: after punctuation, a function word, or a determiner.
_ROLE_START = re.compile(
    r"[，,。；;：:“”\"()（）]|的(?=[^的]*$)|只剩下|剩下|包括|另一位|一位|两位|位|并将|将|是|为|曾|由|如|即|兼任|\b(?:its|the|his|her|their|company's|a|an|as|by|with|and)\b"
)
_COORD_GAP = re.compile(r"^[\s、,，和与及以及兼and&]*$")


@cache
def lexicon() -> dict:
    """The event lexicon with every pattern list compiled to one regex per language."""
    data = yaml.safe_load(resources.files("newsx.pipeline").joinpath("data/events.yaml").read_text("utf-8"))

    def compile_map(mapping: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
        return {lang: re.compile("|".join(f"(?:{p})" for p in patterns), 0 if lang == "zh" else re.I) for lang, patterns in mapping.items()}

    compiled = {key: compile_map(value) for key, value in data.items() if isinstance(value, dict) and key not in ("triggers", "modality")}
    compiled["triggers"] = {kind: compile_map(by_lang) for kind, by_lang in data["triggers"].items()}
    compiled["modality"] = {kind: compile_map(by_lang) for kind, by_lang in data["modality"].items()}
    compiled["round"] = re.compile(data["round_pattern"], re.I)
    return compiled


_QUALIFIER = re.compile(r"\s*(?:的)?\s*(?:竞争对手|对手|旗下|子公司|母公司|投资的|孵化的|旗下的)\s*")


@dataclass
class Sentence:
    """A sentence with its entity mentions, offsets relative to the sentence."""

    start: int
    text: str
    language: str
    mentions: list[Mention]
    names: dict[str, Entity]
    published: str | None = None

    @functools.cached_property
    def triggers(self) -> list[Trigger]:
        return find_triggers(self)

    @functools.cached_property
    def trigger_spans(self) -> list[tuple[int, int]]:
        """Where the sentence's event triggers stand: a time by one of them is not another's."""
        return [(trigger.start, trigger.end) for trigger in self.triggers]

    def of(self, label: str | tuple[str, ...], lo: int = 0, hi: int | None = None) -> list[Mention]:
        """Mentions with the label(s) inside lo..hi, but not a name that only qualifies the next one
        (`OpenAI竞争对手Anthropic`, `谷歌旗下的DeepMind`: Anthropic and DeepMind are meant)."""
        labels = (label,) if isinstance(label, str) else label
        hi = len(self.text) if hi is None else hi
        found = [m for m in self.mentions if m.label in labels and m.start >= lo and m.end <= hi]
        return [m for m, after in zip(found, found[1:] + [None]) if after is None or not _QUALIFIER.fullmatch(self.text[m.end : after.start])]

    def clause(self, position: int) -> tuple[int, int]:
        """Bounds of the clause around a position (Chinese commas; English semicolons)."""
        splitter = _CLAUSE_ZH if self.language == "zh" else _CLAUSE_EN
        start, end = 0, len(self.text)
        for match in splitter.finditer(self.text):
            if match.end() <= position:
                start = match.end()
            elif match.start() >= position:
                end = match.start()
                break
        return start, end

    def cue_after(self, cue: str, lo: int, hi: int) -> int | None:
        match = lexicon()[cue].get(self.language, re.compile("(?!)")).search(self.text, lo, hi)
        return match.end() if match else None

    def cue_before(self, cue: str, lo: int, hi: int) -> re.Match[str] | None:
        matches = list(lexicon()[cue].get(self.language, re.compile("(?!)")).finditer(self.text, lo, hi))
        return matches[-1] if matches else None


@dataclass
class Context:
    """What the document said before this sentence: who `he` and `the company` are."""

    person: Mention | None = None
    org: Mention | None = None
    funding_org: Mention | None = None
    subject_org: Mention | None = None  # the organisation a recent sentence opened with: who `It` is

    def pronoun_org(self) -> Mention | None:
        return self.subject_org or self.org or self.top_org
    top_org: Mention | None = None


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、)]\s|#)|[^。！？!?.…”\"」』)）]$")
MAX_HEADING_LENGTH = 60


def is_heading(text: str) -> bool:
    """A headline or section title: it summarises events the body states, so extracting from it
    would only duplicate or guess (`三、高管接连离职创业`)."""
    return len(text) <= MAX_HEADING_LENGTH and bool(_HEADING.search(text.strip()))


def _ref(sentence: Sentence, mention: Mention | None) -> dict | None:
    if mention is None or mention.entity_id is None:
        return None
    entity = sentence.names.get(mention.entity_id)
    if entity is None:
        return None
    return {"name": entity.name, "entity_id": entity.entity_id, "mentions": entity.mentions}


def _nearest_before(mentions: list[Mention], position: int) -> Mention | None:
    before = [m for m in mentions if m.end <= position]
    return before[-1] if before else None


def _first_after(mentions: list[Mention], position: int, exclude: set[str] = frozenset()) -> Mention | None:
    return next((m for m in mentions if m.start >= position and m.entity_id not in exclude), None)


_PERSONAL = re.compile(r"^[A-Z][a-z]+(?:[- ][A-Z][a-z]+){1,2}$")


def _person_shaped(sentence: Sentence, mention: Mention) -> bool:
    """Two or three capitalised words and nothing that makes it an organisation's name."""
    entity = sentence.names.get(mention.entity_id)
    known_org = entity is not None and entity.type == "ORG" and entity.name != mention.text
    return bool(_PERSONAL.match(mention.text)) and not _ORG_WORDS.search(mention.text) and not known_org


_ORG_WORDS = re.compile(r"\b(?:Labs?|AI|Capital|Ventures|Partners|Group|Holdings|Technolog(?:y|ies)|Robotics|Systems|Motors?|Bank|Media|Research|Foundation|Automation|Semiconductor|Networks|Software)\b")


def _coordinated(sentence: Sentence, mentions: list[Mention], anchor: Mention) -> list[Mention]:
    """The anchor plus the mentions joined to it by `、`/`和`/`and` with only titles between."""
    group = [anchor]
    ordered = sorted(mentions, key=lambda m: m.start)
    index = ordered.index(anchor)
    for other in reversed(ordered[:index]):
        gap = sentence.text[other.end : group[0].start]
        if _COORD_GAP.match(_strip_titles(gap)):
            group.insert(0, other)
        else:
            break
    return group


def _strip_titles(text: str) -> str:
    spans = roles.title_spans(text)
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return re.sub(r"[\u4e00-\u9fffA-Za-z]{0,8}$", "", text) if spans else text


def title_before(sentence: Sentence, person: Mention) -> tuple[str, bool] | None:
    """A title written right before a name (`OpenAI联合创始人John Schulman`, `its chief executive Ed Zander`),
    and whether it is a former one (`前首席科学家`)."""
    lo = max(0, person.start - 40)
    blockers = [m.end for m in sentence.mentions if m.end <= person.start and m.label != "TITLE"]
    lo = max([lo, *blockers])
    window = sentence.text[lo : person.start]
    window = _ROLE_START.split(window)[-1].strip(" 、")
    if not window or not roles.has_title(window) or len(window) > 30:
        return None
    return roles.strip_former(window), roles.is_former(window)


def role_before(sentence: Sentence, person: Mention) -> str | None:
    found = title_before(sentence, person)
    return found[0] if found else None


def role_after(sentence: Sentence, position: int, hi: int | None = None) -> str | None:
    """A title introduced after a position (`担任首席信息安全官`, `as chief research officer`, `为CTO`)."""
    hi = len(sentence.text) if hi is None else hi
    match = re.compile(r"(?:担任|出任|任|为|成为新的|成为|升任|晋升为|\bas\b|\bto\b|\bnew\b)\s*").search(sentence.text, position, hi)
    start = match.end() if match else position
    tail = sentence.text[start:hi]
    tail = re.split(r"[，,。；;！!？?]|\s(?:and|but|in|at|on|from|after|since|replacing|succeeding)\s|一职|职位|职务|一起|，", tail)[0]
    spans = roles.title_spans(tail)
    if not spans or spans[0][0] > 12:
        return None
    text = tail[: spans[-1][1]].strip(" 的")
    if sentence.language != "zh":
        text = re.sub(r"^(?:the|its|a|an|our)\s+", "", text, flags=re.I)
        text = re.sub(r"\s+of\s*$", "", text)
        of = re.match(rf"{re.escape(text)}(\s+of\s+[A-Z][\w&]*(?:\s+[A-Z][\w&]*)*)", tail)
        if of:
            text += of.group(1)
    return text.strip() or None


@dataclass
class Trigger:
    type: str
    start: int
    end: int


def find_triggers(sentence: Sentence) -> list[Trigger]:
    found = []
    for kind, by_lang in lexicon()["triggers"].items():
        pattern = by_lang.get(sentence.language)
        if pattern is None:
            continue
        for match in pattern.finditer(sentence.text):
            found.append(Trigger(kind, match.start(), match.end()))
    return found


# --- argument rules: each returns a list of argument dicts (one per event) ---

Rule = Callable[[Sentence, Trigger, Context], list[dict]]


def _subjects(sentence: Sentence, trigger: Trigger, context: Context) -> tuple[list[Mention], bool]:
    """People the trigger is about, and whether they were found in the sentence (not by context)."""
    lo, _ = sentence.clause(trigger.start)
    people = sentence.of("PERSON", lo, trigger.start)
    if people:
        return _coordinated(sentence, people, people[-1]), True
    people = sentence.of("PERSON", 0, trigger.start)
    if people:
        return [people[-1]], True
    shaped = [m for m in sentence.of(("ORG", "GPE"), lo, trigger.start) if _person_shaped(sentence, m)]
    if shaped:  # `Amara Osei joined…` tagged as an ORG by the model: the name's shape and the verb say person
        return [shaped[-1]], True
    if _PRONOUN.search(sentence.text[lo : trigger.start]):  # `他于2月离职`: who `he` is, the document said before
        return ([context.person] if context.person else []), False
    after = sentence.of("PERSON", trigger.end, sentence.clause(trigger.end)[1])
    return ([after[0]] if after else []), True


_FORMER = re.compile(r"(?:前|原|\bformer\s+|\bex-)\s*$", re.I)


def _organisation(
    sentence: Sentence, person: Mention | None, trigger: Trigger, context: Context, exclude: set[str] = frozenset(), former: bool = True
) -> tuple[Mention | None, bool]:
    """The organisation a personnel trigger is about; without `former`, not one the text marks as
    the person's former employer (`前谷歌产品总监冯丽莎…担任首席产品官`)."""
    orgs = [m for m in sentence.of("ORG") if m.entity_id not in exclude and (former or not _FORMER.search(sentence.text, 0, m.start))]
    lo, _ = sentence.clause(trigger.start)
    cued = [m for m in orgs if lo <= m.start and m.end <= trigger.start and re.search(r"(?:从|自|\bfrom\b|\bat\b)\s*$", sentence.text[:m.start])]
    if cued:
        return cued[-1], True  # `2022年底从小米离职`, `left her job at Acme`
    if person is not None:
        apposed = [m for m in orgs if m.end <= person.start and person.start - m.end <= 30 and not re.search(r"[，,。；;]", sentence.text[m.end : person.start])]
        if apposed:
            return apposed[-1], True
    right_after = [m for m in orgs if m.start >= trigger.end and m.start - trigger.end <= 6]
    if right_after:
        return right_after[0], True
    before = [m for m in orgs if m.end <= trigger.start]
    if before:
        return before[-1], True
    fallback = context.top_org or context.org  # `公司`, an omitted object: the company the article is about
    if fallback is not None and fallback.entity_id not in exclude:
        return fallback, False
    return None, False


def _personnel(sentence: Sentence, trigger: Trigger, context: Context, with_role: bool = True) -> list[dict]:
    people, local = _subjects(sentence, trigger, context)
    results = []
    for person in people:
        org, org_local = _organisation(sentence, person if local else None, trigger, context)
        args = {"person": _ref(sentence, person), "organization": _ref(sentence, org)}
        if with_role and local:
            args["role"] = role_before(sentence, person)
        args["_local"] = local and org_local
        results.append(args)
    return results


def rule_departure(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    results = _personnel(sentence, trigger, context)
    if re.match(r"去向|跳槽至|跳槽到", sentence.text[trigger.start : trigger.end + 1]):
        # `去向正是Anthropic`, `跳槽至Anthropic`: the name after the trigger is where they went, not what they left
        after = [m for m in sentence.of("ORG", trigger.end) if m.start - trigger.end <= 4]
        for args in results:
            if after and (args.get("organization") or {}).get("entity_id") == after[0].entity_id:
                org = context.top_org if context.top_org is not None and context.top_org.entity_id != after[0].entity_id else None
                args["organization"] = _ref(sentence, org)
    _, clause_end = sentence.clause(trigger.end)
    for args in results:
        org_id = (args.get("organization") or {}).get("entity_id")
        cue = sentence.cue_after("destination_cues", trigger.start, len(sentence.text))
        if cue is not None:
            destination = _first_after(sentence.of("ORG"), cue, exclude={org_id})
            args["destination"] = _ref(sentence, destination)
    return results


def rule_hire(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    people, local = _subjects(sentence, trigger, context)
    if not people:
        return []
    _, clause_end = sentence.clause(trigger.end)
    org = _first_after(sentence.of("ORG"), trigger.end)
    org_local = org is not None and org.start <= clause_end
    if not org_local:
        org = context.org or context.top_org
    results = []
    for person in people:
        args = {"person": _ref(sentence, person), "organization": _ref(sentence, org), "_local": local and org_local}
        args["role"] = role_after(sentence, (org.end if org_local else trigger.end))
        origin = _origin(sentence, person, trigger, exclude={org.entity_id} if org else set())
        args["origin"] = _ref(sentence, origin)
        results.append(args)
    return results


def _origin(sentence: Sentence, person: Mention, trigger: Trigger, exclude: set[str]) -> Mention | None:
    """Where a hired person came from: `from X`/`从X`, or `X原/前 + title` right before the name."""
    orgs = [m for m in sentence.of("ORG") if m.entity_id not in exclude]
    cue = sentence.cue_before("origin_cues", 0, len(sentence.text))
    if cue is not None:
        candidate = _first_after(orgs, cue.end())
        if candidate is not None and candidate.start - cue.end() <= 4:
            return candidate
    for org in orgs:
        if org.end <= person.start and re.match(r"(?:原|前|\s*former\b)", sentence.text[org.end : person.start]):
            return org
    return None


def rule_appointment(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    text = sentence.text
    active = re.match(r"任命|\bnam(?:e|es|ed|ing)\b|\bappoint(?:s|ed)?\b|\bpromot(?:e|es|ed)\b", text[trigger.start : trigger.end], re.I)
    passive = re.search(r"(?:was|were|been|is|被)\s*$", text[: trigger.start])
    if active and not passive:
        person = _first_after(sentence.of("PERSON"), trigger.end)
        people, local = ([person], True) if person else _subjects(sentence, trigger, context)
        role_from = people[0].end if people and local and people[0].start >= trigger.end else trigger.end
    else:
        people, local = _subjects(sentence, trigger, context)
        role_from = trigger.end
    results = []
    for person in people:
        role = role_after(sentence, role_from)
        if role is None and re.search(r"\btop position\b", text[trigger.start : trigger.end]):
            role = "top position"
        if role is None:
            continue
        org, org_local = _organisation(sentence, person if local else None, trigger, context, former=False)
        args = {"person": _ref(sentence, person), "organization": _ref(sentence, org), "role": role, "_local": local and org_local}
        cue = sentence.cue_after("predecessor_cues", 0, len(text))
        if cue is not None:
            predecessor = _first_after(sentence.of("PERSON"), cue, exclude={person.entity_id})
            if predecessor is not None and predecessor.start - cue <= 6:
                args["predecessor"] = _ref(sentence, predecessor)
        results.append(args)
    return results


def rule_leave(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    results = _personnel(sentence, trigger, context, with_role=False)
    prefer = "future" if lexicon()["modality"]["planned"][sentence.language].search(sentence.text[: trigger.start]) else "past"
    until = next((t for t in timex.find_times(sentence.text, sentence.published, prefer) if t.kind == "until" and t.value), None)
    for args in results:
        args["until"] = until.value if until else None
    return results


def rule_dismissal(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    results = _personnel(sentence, trigger, context, with_role=False)
    reason = None
    if sentence.language == "zh":
        match = re.search(r"因(?:为)?([^，,。；;被]{2,40}?)(?:而)?(?:被|遭)", sentence.text[: trigger.start])
        reason = match.group(1) if match else None
    else:
        match = re.search(r"\b(?:for|over|after)\s+([^,.;]{3,80})", sentence.text[trigger.end :])
        reason = match.group(1).strip() if match else None
    for args in results:
        args["reason"] = reason
    return results


def rule_founding(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    lo, hi = sentence.clause(trigger.start)
    text = sentence.text
    by = re.search(r"\bby\b|由", text[trigger.start : hi] if sentence.language != "zh" else text[lo : trigger.start])
    org = _first_after(sentence.of("ORG"), trigger.end, exclude=set())
    if org is not None and org.start > hi:
        org = None
    passive_en = sentence.language != "zh" and re.search(r"\b(?:was|were|been)\s*$|,\s*$", text[: trigger.start])
    passive_zh = sentence.language == "zh" and (text[trigger.end : trigger.end + 1] == "于" or re.search(r"由[^，,。]{1,40}$", text[lo : trigger.start]))
    if org is None or passive_en or passive_zh:
        org = _nearest_before([m for m in sentence.of("ORG") if not re.search(r"由\s*$", text[: m.start])], trigger.start) or org
    if org is None and re.match(r"\s*(?:The company|The startup|The firm|It|该公司|公司)\b", text):
        org = context.pronoun_org()
    if org is None:
        return []
    founders = sentence.of("PERSON", lo, trigger.start)
    if sentence.language != "zh" and by:
        founders = sentence.of("PERSON", trigger.start + by.end())
    elif sentence.language == "zh" and by:
        founders = sentence.of("PERSON", lo + by.end(), trigger.start)
    if founders:
        founders = _coordinated(sentence, founders, founders[-1]) if founders[-1].end <= trigger.start else founders
    return [{"organization": _ref(sentence, org), "founders": [f for m in founders if (f := _ref(sentence, m))], "_local": True}]


def rule_funding(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    text = sentence.text
    orgs = sentence.of("ORG")
    investors: list[Mention] = []
    org = None
    in_match = re.search(r"\b(?:round|funding|investment|stake|invest(?:s|ed)?)\b[^.;]{0,40}?\bin\b", text, re.I)
    if in_match:
        org = next((m for m in orgs if m.start >= in_match.end() and not re.match(r"['’]s\b", text[m.end : m.end + 2])), None)
        investors = [m for m in orgs if m.end <= trigger.start or m.end <= in_match.start()]
        investors = [m for m in investors if m is not org]
    if org is None and context.funding_org is not None and re.search(r"\bparticipat|参投|跟投|also (?:joined|invested)", text):
        org = context.funding_org  # `B and C also participated in the round`: the round the document just named
        investors = [m for m in orgs if m.end <= trigger.start and m.entity_id != org.entity_id]
    if org is None:
        subject_pronoun = re.match(r"\s*(?:It|The company|The startup|The firm|该公司|公司|其)\b", text) or re.match(r"\s*(?:该公司|公司|其)", text)
        if subject_pronoun and context.pronoun_org():
            org = context.pronoun_org()
        else:
            org = _nearest_before(orgs, trigger.start) or _first_after(orgs, trigger.end)
    if org is None:
        return []
    cue = sentence.cue_after("investor_cues", 0, len(text))
    if cue is not None and not investors:
        if sentence.language == "zh":
            by = text.rfind("由", 0, cue)
            lo = by if by >= 0 else 0
            investors = [m for m in orgs if lo <= m.start and m.end <= cue]
            if org in investors:  # `X完成由Y领投的融资`: the one raising is the subject, not the leader
                org = next((m for m in orgs if m.end <= lo and m not in investors), None) or context.top_org or context.org
                if org is None:
                    return []
            investors = [m for m in investors if m.entity_id != org.entity_id]
        else:
            investors = [m for m in orgs if m.start >= cue and m is not org]
    amounts = money.find_money(text)
    valuation_at = sentence.cue_after("valuation_cues", 0, len(text))
    valuation = next((a for a in amounts if valuation_at is not None and a.start >= valuation_at and a.start - valuation_at <= 8), None)
    amount = next((a for a in amounts if a is not valuation), None)
    round_match = lexicon()["round"].search(text)
    return [
        {
            "organization": _ref(sentence, org),
            "amount": {"value": amount.value, "currency": amount.currency} if amount else None,
            "valuation": {"value": valuation.value, "currency": valuation.currency} if valuation else None,
            "investors": [r for m in investors if (r := _ref(sentence, m)) and r["entity_id"] != org.entity_id],
            "round": round_match.group(0) if round_match else None,
            "_local": True,
        }
    ]


def rule_acquisition(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    text = sentence.text
    orgs = sentence.of(("ORG", "PRODUCT"))
    word = text[trigger.start : trigger.end]
    before, after = _nearest_before(orgs, trigger.start), _first_after(orgs, trigger.end)
    passive = re.search(r"(?:被|\bwas\b|\bwere\b|\bbeen\b)[^，,。]{0,20}$", text[: trigger.start]) and not re.match(r"被合并", word)
    if word in ("卖身", "投奔") or passive:
        if passive and sentence.language == "zh":
            between = re.search(r"被", text[: trigger.start])
            acquirer = _first_after(orgs, between.end()) if between else after
            target = _nearest_before(orgs, between.start()) if between else before
        elif passive:
            acquirer, target = (_first_after(orgs, trigger.end), before)
        else:
            acquirer, target = after, before
    else:
        acquirer, target = before, after
        _, hi = sentence.clause(trigger.end)
        later = [m for m in orgs if after is not None and m.start > after.end and m.end <= hi]
        if later and not re.search(r"[，,、和与及]|\band\b", text[after.end : later[0].start]):
            target = later[0]  # `收购了Serverless Postgres初创公司Neon`: a descriptor, then the name
    if acquirer is None and re.match(r"\s*(?:The company|The group|It|该公司|公司|其)\b", text):
        acquirer = context.pronoun_org()  # `The company completed its acquisition of X`
    if target is None and re.search(r"\bacquisition of\b", text):
        target = _first_after(orgs, text.find("acquisition of"))
    if acquirer is None or target is None or acquirer.entity_id == target.entity_id:
        return []
    amounts = money.find_money(text)
    amount = amounts[0] if amounts else None
    return [
        {
            "acquirer": _ref(sentence, acquirer),
            "target": _ref(sentence, target),
            "amount": {"value": amount.value, "currency": amount.currency} if amount else None,
            "_local": True,
        }
    ]


def rule_restructuring(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    lo, hi = sentence.clause(trigger.start)
    org = _nearest_before(sentence.of("ORG"), trigger.start)
    local = org is not None
    org = org or context.org or context.top_org
    if org is None:
        return []
    start = max(lo, org.end if local and org.end <= trigger.start else lo)
    change = sentence.text[start:hi].strip(" ,，的")[:120]
    return [{"organization": _ref(sentence, org), "change": change or None, "_local": local}]


def rule_lawsuit(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    text = sentence.text
    parties = sentence.of(("ORG", "PERSON"))
    plaintiff = _nearest_before([m for m in parties if not re.search(r"将\s*$", text[: m.start])], trigger.start)
    jiang = re.search(r"将", text[: trigger.start])
    claim_at = sentence.cue_after("claim_cues", trigger.end, len(text))
    if jiang and plaintiff is not None and plaintiff.end <= jiang.start():
        defendants = [m for m in parties if jiang.end() <= m.start and m.end <= trigger.start]
    else:
        _, hi = sentence.clause(trigger.end)
        hi = min(hi, claim_at) if claim_at is not None else hi
        defendants = [m for m in parties if trigger.end <= m.start and m.end <= hi]
    if plaintiff is None:
        plaintiff = context.person or context.org
        if plaintiff is None:
            return []
    defendants = [m for m in defendants if m.entity_id != plaintiff.entity_id]
    if not defendants:
        return []
    cue = sentence.cue_after("claim_cues", trigger.start, len(text))
    claim = text[cue:].strip(" ,，:：。.")[:200] if cue is not None else None
    unique = list({m.entity_id: m for m in defendants}.values())
    return [
        {
            "plaintiff": _ref(sentence, plaintiff),
            "defendants": [r for m in unique if (r := _ref(sentence, m))],
            "claim": claim or None,
            "_local": True,
        }
    ]


def rule_release(sentence: Sentence, trigger: Trigger, context: Context) -> list[dict]:
    lo, hi = sentence.clause(trigger.start)
    products = sentence.of("PRODUCT", trigger.end, hi) or [p for p in sentence.of("PRODUCT", lo, trigger.start)[-1:]]
    if not products:
        return []
    org = _nearest_before(sentence.of("ORG"), trigger.start) or _first_after(sentence.of("ORG"), trigger.end)
    local = org is not None
    org = org or context.org or context.top_org
    if org is None:
        return []
    return [{"organization": _ref(sentence, org), "product": _ref(sentence, p), "_local": local} for p in products]


RULES: dict[str, Rule] = {
    "personnel.departure": rule_departure,
    "personnel.hire": rule_hire,
    "personnel.appointment": rule_appointment,
    "personnel.leave": rule_leave,
    "personnel.dismissal": rule_dismissal,
    "org.founding": rule_founding,
    "org.funding": rule_funding,
    "org.acquisition": rule_acquisition,
    "org.restructuring": rule_restructuring,
    "legal.lawsuit": rule_lawsuit,
    "product.release": rule_release,
}


# --- modality, date, confidence ---


def modality(sentence: Sentence, trigger: Trigger, date: str | None, published: str | None) -> str:
    """actual, planned, negated or rumored, from cue words around the trigger."""
    cues = lexicon()["modality"]
    lo, _ = sentence.clause(trigger.start)
    window = sentence.text[max(lo, trigger.start - (6 if sentence.language == "zh" else 30)) : trigger.start]
    if cues["negated"][sentence.language].search(window):
        return "negated"
    clause_lo, clause_hi = sentence.clause(trigger.start)
    if cues["rumored"][sentence.language].search(sentence.text) or cues["possible"][sentence.language].search(sentence.text, clause_lo, clause_hi):
        return "rumored"
    if cues["planned"][sentence.language].search(sentence.text[lo : trigger.start]) and date and published and date[: len(published)] > published[: len(date)]:
        return "planned"
    return "actual"


def confidence(args: dict, modality_: str) -> float:
    score = 0.55 + (0.3 if args.get("_local") else 0.0)
    filled = sum(1 for key, value in args.items() if not key.startswith("_") and value)
    score += min(0.1, 0.03 * filled)
    if modality_ in ("rumored", "negated"):
        score -= 0.15
    return round(max(0.05, min(0.99, score)), 2)


# --- the stage ---


def _sentences(document: Document) -> list[Sentence]:
    names = {e.entity_id: e for e in document.entities}
    linked = sorted((m for m in document.mentions if m.entity_id in names), key=lambda m: (m.start, m.end))
    starts = [m.start for m in linked]
    result = []
    for segment in document.segments:
        first, last = bisect.bisect_left(starts, segment.start), bisect.bisect_left(starts, segment.end)
        inside = [  # each mention with its entity's voted type, not the model's guess for this one
            m.model_copy(update={"start": m.start - segment.start, "end": m.end - segment.start, "label": names[m.entity_id].type})
            for m in linked[first:last]
            if m.end <= segment.end
        ]
        language = "zh" if segment.language.startswith("zh") else "en"
        result.append(Sentence(segment.start, document.text[segment.start : segment.end], language, inside, names, document.published))
    return result


_ALONG_WITH = re.compile(r"\s*(?:伴随着|伴随|随着)")  # `随着X的离开,团队在5月解散`: X happened when the main clause did
_UNDER_WAY = re.compile(r"正在\S{0,4}$")  # `正在延长休假`: it is happening as the article is written


def _event_date(sentence: Sentence, trigger: Trigger, published: str | None, prefer: str) -> str | None:
    """The time of the trigger's own clause or of one before it (`2015年8月,谷歌宣布重组`); a time in
    a later clause belongs to something else (`…的告别表示感谢,并回忆了两人在2015年初见面时`),
    except the main clause after a `随着X` phrase. Without one, an event the text says is under way
    (`正在休假`) is dated by the publication."""
    others = sentence.trigger_spans
    date = timex.event_date(sentence.text, published, (trigger.start, trigger.end), prefer, others)
    lo, clause_end = sentence.clause(trigger.start)
    if _ALONG_WITH.match(sentence.text, lo):
        _, clause_end = sentence.clause(clause_end + 1)  # the main clause's time is the phrase's
    if date is None:
        under_way = not timex.find_times(sentence.text[lo : trigger.start], published) and _UNDER_WAY.search(sentence.text[lo : trigger.start])
        return published if under_way else None
    sources = [t for t in timex.find_times(sentence.text, published, prefer) if t.value == date]
    return date if any(t.start < clause_end for t in sources) else None


def _build(kind: str, args: dict, sentence: Sentence, document: Document, trigger: Trigger, provenance: Provenance) -> Event | None:
    published = document.published
    future = "future" if lexicon()["modality"]["planned"][sentence.language].search(sentence.text[: trigger.start]) else "past"
    date = _event_date(sentence, trigger, published, future)
    mood = modality(sentence, trigger, date, published)
    arguments = {key: value for key, value in args.items() if not key.startswith("_") and value not in (None, [], "")}
    evidence = evidence_of(document, sentence.start, sentence.start + len(sentence.text), sentence.language)
    try:
        event = EVENT_ADAPTER.validate_python(
            {
                "event_id": "evt_" + "0" * 24,
                "type": kind,
                "arguments": arguments,
                "date": date,
                "modality": mood,
                "confidence": confidence(args, mood),
                "evidence": [evidence],
                "sources": [document.document_id],
                "num_sources": 1,
                "num_articles": 1,
                "provenance": provenance,
            }
        )
    except ValueError:
        return None  # an identifying argument is missing: not an event we can state
    return event.model_copy(update={"event_id": stable_id("evt", document.document_id, *record_key(event))})


def _update_context(context: Context, sentence: Sentence) -> None:
    opening = [m for m in sentence.mentions if m.label == "ORG" and m.start <= SUBJECT_WINDOW]
    if opening:
        context.subject_org = opening[0]
    for mention in sentence.mentions:
        if mention.label == "PERSON":
            context.person = mention
        elif mention.label == "ORG" and not _reporting(sentence, mention):
            context.org = mention


SUBJECT_WINDOW = 12  # characters: a name this close to the start of a sentence is usually its subject


def extract_events(document: Document, sentences: list[Sentence] | None = None) -> list[Event]:
    """Every event the document states, one per happening (mentions merged)."""
    sentences = _sentences(document) if sentences is None else sentences
    context = Context(top_org=_top_org(sentences))
    events: list[Event] = []
    for sentence in sentences:
        if is_heading(sentence.text):
            _update_context(context, sentence)
            continue
        for trigger in sentence.triggers:
            for args in RULES[trigger.type](sentence, trigger, context):
                event = _build(trigger.type, args, sentence, document, trigger, document.provenance)
                if event is not None:
                    events.append(event)
                    if event.type == "org.funding":
                        named = event.arguments.organization.entity_id
                        context.funding_org = next((m for m in sentence.mentions if m.entity_id == named), context.funding_org)
                    events.extend(_implied(event, sentence, document, trigger))
        _update_context(context, sentence)
    merged = merge_events(events)
    return [e.model_copy(update={"event_id": stable_id("evt", document.document_id, *record_key(e))}) for e in merged]


def _implied(event: Event, sentence: Sentence, document: Document, trigger: Trigger) -> list[Event]:
    """A departure to a destination is also a hire there; a hire from an origin is also a departure."""
    args = event.arguments
    founding_after = lexicon()["triggers"]["org.founding"][sentence.language].search(sentence.text, trigger.end)
    if event.type == "personnel.departure" and getattr(args, "destination", None) and not founding_after:
        data = {"person": args.person.model_dump(), "organization": args.destination.model_dump(), "origin": args.organization.model_dump(), "_local": True}
        hire = _build("personnel.hire", data, sentence, document, trigger, document.provenance)
        return [hire] if hire else []
    if event.type == "personnel.hire" and getattr(args, "origin", None):
        data = {"person": args.person.model_dump(), "organization": args.origin.model_dump(), "destination": args.organization.model_dump(), "_local": True}
        departure = _build("personnel.departure", data, sentence, document, trigger, document.provenance)
        return [departure] if departure else []
    return []


def find_appositions(document: Document, sentences: list[Sentence] | None = None) -> list[Apposition]:
    """Every `ORG + title + PERSON` (or `title + PERSON` in a document about one organisation)."""
    sentences = _sentences(document) if sentences is None else sentences
    top_org = _top_org(sentences)
    found = []
    for sentence in sentences:
        for person in sentence.of("PERSON"):
            title = title_before(sentence, person)
            if title is None:
                continue
            role, former = title
            orgs = [
                m for m in sentence.of("ORG")
                if m.end <= person.start and person.start - m.end <= 30 and not re.search(r"[，,。；;]", sentence.text[m.end : person.start])
            ]
            org = orgs[-1] if orgs else top_org
            person_ref, org_ref = _ref(sentence, person), _ref(sentence, org)
            if person_ref is None or org_ref is None:
                continue
            evidence = evidence_of(document, sentence.start, sentence.start + len(sentence.text), sentence.language)
            found.append(Apposition(person_ref, org_ref, role, former, evidence, local=bool(orgs)))
    return found


_DATELINE_AFTER = re.compile(r"^[^，,。]{0,10}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:消息|电|讯|$|\s)")
_REPORTER = re.compile(r"^\s*(?:报道|统计|消息|讯|获悉|了解到|援引|reported|said in a report)")


def _reporting(sentence: Sentence, mention: Mention) -> bool:
    """`据雷递网不完全统计`, `据The Information报道`: the outlet telling the news, not a party to it."""
    before = sentence.text[max(0, mention.start - 3) : mention.start]
    dateline = bool(_DATELINE_AFTER.match(sentence.text[mention.end : mention.end + 20]))  # `雷递网 雷建平 9月26日`
    return "据" in before or bool(_REPORTER.match(sentence.text[mention.end : mention.end + 8])) or dateline


def _top_org(sentences: list[Sentence]) -> Mention | None:
    """The organisation the document talks about most (first mentioned on a tie), outlets aside."""
    org_mentions = [m for s in sentences for m in s.mentions if m.label == "ORG" and not _reporting(s, m)]
    if not org_mentions:
        return None
    counts: dict[str, int] = {}
    for mention in org_mentions:
        counts[mention.entity_id] = counts.get(mention.entity_id, 0) + 1
    order = list(dict.fromkeys(m.entity_id for m in org_mentions))
    best = max(order, key=lambda key: (counts[key], -order.index(key)))
    return next(m for m in org_mentions if m.entity_id == best)


def extract(document: Document) -> Document:
    """The document with its events and the relations they and its appositions imply."""
    sentences = _sentences(document)
    events = extract_events(document, sentences)
    relations = derive_relations(document, events, find_appositions(document, sentences))
    stages = {**document.stages, "events": "lexicon triggers + argument rules (data/events.yaml)"}
    return document.model_copy(update={"events": events, "relations": relations, "stages": stages})
