"""The knowledge base behind entity linking: canonical entities and their aliases.

Two layers: the seed shipped in models/kb/seed.yaml (written by the project)
and a user file that a run grows with the aliases and entities it learns
(with the documents they came from) and that people review and edit with
`newsx kb`. Its version (a hash of both layers) goes into every record.
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import orjson
import yaml

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "PRODUCT")
# A learned alias keeps this many of the documents it was learned from, the smallest ids (the same
# whatever order the documents come in): enough to review it, and a long run's KB stays small.
MAX_LEARNED_SOURCES = 10
_SEPARATORS = str.maketrans("", "", "·•・‧.．-‐")


def name_key(name: str) -> str:
    """A name as compared: width, case, spaces, dots, hyphens and `·` ignored."""
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_SEPARATORS)
    return "".join(folded.split())


def entity_id(name: str, entity_type: str) -> str:
    """Stable id of a canonical entity: the same name and type give the same id everywhere."""
    return "ent_" + hashlib.sha256(f"{entity_type}\x1f{name_key(name)}".encode()).hexdigest()[:24]


def add_sources(sources: list[str], documents: Iterable[str]) -> list[str]:
    """Add document ids to a learned alias's sorted sources, keeping the MAX_LEARNED_SOURCES smallest."""
    for document_id in documents:
        at = bisect_left(sources, document_id)
        if at < MAX_LEARNED_SOURCES and (at == len(sources) or sources[at] != document_id):
            sources.insert(at, document_id)
            del sources[MAX_LEARNED_SOURCES:]
    return sources


@dataclass
class KBEntity:
    name: str
    type: str
    wikidata: str | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)
    ambiguous_aliases: list[str] = field(default_factory=list)
    learned: dict[str, list[str]] = field(default_factory=dict)  # alias -> documents it was learned from (some)
    origin: str = "seed"  # seed | user | learned

    @property
    def entity_id(self) -> str:
        return entity_id(self.name, self.type)

    def all_aliases(self) -> list[str]:
        names = [self.name, *(a for values in self.aliases.values() for a in values), *self.learned]
        return list(dict.fromkeys(names))

    def to_dict(self) -> dict:
        data = {"name": self.name, "type": self.type, "wikidata": self.wikidata, "origin": self.origin}
        data["aliases"] = {lang: sorted(set(values)) for lang, values in sorted(self.aliases.items()) if values}
        if self.ambiguous_aliases:
            data["ambiguous_aliases"] = sorted(set(self.ambiguous_aliases))
        if self.learned:
            data["learned"] = {alias: sorted(set(docs)) for alias, docs in sorted(self.learned.items())}
        return data


def _entity_from(data: dict, origin: str) -> KBEntity:
    if data.get("type") not in ENTITY_TYPES:
        raise ValueError(f"KB entity {data.get('name')!r}: type must be one of {ENTITY_TYPES}")
    aliases = data.get("aliases") or {}
    return KBEntity(
        name=str(data["name"]),
        type=data["type"],
        wikidata=data.get("wikidata"),
        aliases={lang: [str(a) for a in values or []] for lang, values in aliases.items()},
        ambiguous_aliases=[str(a) for a in data.get("ambiguous_aliases") or []],
        learned={str(alias): add_sources([], docs) for alias, docs in (data.get("learned") or {}).items()},
        origin=data.get("origin", origin),
    )


class KnowledgeBase:
    """Entities by canonical name, and an index from every alias to its entities."""

    def __init__(self, entities: list[KBEntity], user_path: Path | None = None):
        self.entities: dict[str, KBEntity] = {}
        self.removed: set[str] = set()  # seed entities the user merged away
        self.seed_keys: set[str] = set()
        self._seed_names: dict[str, str] = {}
        self.user_path = user_path
        for entity in entities:
            self.add(entity)

    @classmethod
    def seed_path(cls) -> Path:
        return Path(str(resources.files("newsx.models").joinpath("kb/seed.yaml")))

    @classmethod
    def load(cls, user_path: str | Path | None = None, seed: str | Path | None = None) -> KnowledgeBase:
        """The seed, overlaid by the user file (its entries win on the same canonical name)."""
        seed_file = Path(seed) if seed else cls.seed_path()
        entities = [_entity_from(e, "seed") for e in (yaml.safe_load(seed_file.read_text("utf-8")) or {}).get("entities", [])]
        kb = cls(entities, Path(user_path) if user_path else None)
        kb.seed_keys = set(kb.entities)
        kb._seed_names = {key: entity.name for key, entity in kb.entities.items()}
        if kb.user_path and kb.user_path.exists():
            for data in (yaml.safe_load(kb.user_path.read_text("utf-8")) or {}).get("entities", []):
                if data.get("removed"):
                    kb.removed.add(kb.key(data["name"], data["type"]))
                    kb.entities.pop(kb.key(data["name"], data["type"]), None)
                else:
                    kb.add(_entity_from(data, "user"), replace=True)
        return kb

    def key(self, name: str, entity_type: str) -> str:
        return f"{entity_type}:{name_key(name)}"

    def add(self, entity: KBEntity, replace: bool = False) -> KBEntity:
        key = self.key(entity.name, entity.type)
        self.removed.discard(key)
        if key in self.entities and not replace:
            existing = self.entities[key]
            for lang, values in entity.aliases.items():
                existing.aliases.setdefault(lang, []).extend(v for v in values if v not in existing.aliases.get(lang, []))
            self._index = None
            return existing
        self.entities[key] = entity
        self._index = None
        self._given = None
        return entity

    def get(self, name: str, entity_type: str | None = None) -> KBEntity | None:
        types = [entity_type] if entity_type else list(ENTITY_TYPES)
        return next((self.entities[k] for t in types if (k := self.key(name, t)) in self.entities), None)

    _index: dict[str, list[KBEntity]] | None = None

    def alias_index(self) -> dict[str, list[KBEntity]]:
        """alias key -> entities it may name (more than one means ambiguous)."""
        if self._index is None:
            index: dict[str, list[KBEntity]] = {}
            for entity in sorted(self.entities.values(), key=lambda e: (e.type, e.name)):
                for alias in entity.all_aliases():
                    bucket = index.setdefault(name_key(alias), [])
                    if entity not in bucket:
                        bucket.append(entity)
                for alias in entity.ambiguous_aliases:
                    index.setdefault(name_key(alias), []).append(entity)
                    index[name_key(alias)].append(entity)  # listed twice: never resolves alone
            self._index = index
        return self._index

    def people_by_given_name(self) -> dict[str, list[KBEntity]]:
        """Given name key -> the KB people with that given name (first word of a Latin name)."""
        if self._given is None:
            given: dict[str, list[KBEntity]] = {}
            for entity in self.entities.values():
                parts = entity.name.split()
                if entity.type == "PERSON" and len(parts) > 1 and parts[0].isascii():
                    given.setdefault(name_key(parts[0]), []).append(entity)
            self._given = given
        return self._given

    _given: dict[str, list[KBEntity]] | None = None

    def lookup(self, surface: str) -> list[KBEntity]:
        """Entities a surface form may name (distinct, stable order)."""
        distinct: list[KBEntity] = []
        for entity in self.alias_index().get(name_key(surface), []):
            if all(entity is not seen for seen in distinct):
                distinct.append(entity)
        return distinct

    def resolve(self, surface: str) -> KBEntity | None:
        """The one entity a surface form names, or None when unknown or ambiguous."""
        found = self.alias_index().get(name_key(surface), [])
        return found[0] if len(found) == 1 else None

    @property
    def version(self) -> str:
        """Hash of the whole KB content: records say which KB produced them."""
        data = [e.to_dict() for e in sorted(self.entities.values(), key=lambda e: (e.type, e.name))]
        return "kb-" + hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def user_entities(self) -> list[KBEntity]:
        return sorted((e for e in self.entities.values() if e.origin != "seed" or e.learned), key=lambda e: (e.type, e.name))

    def save(self, path: str | Path | None = None) -> Path:
        """Write the user layer (learned and edited entities) as YAML people can edit."""
        target = Path(path or self.user_path or "kb.yaml")
        target.parent.mkdir(parents=True, exist_ok=True)
        removed = [{"name": self._seed_names[key], "type": key.split(":", 1)[0], "removed": True} for key in sorted(self.removed)]
        document = {"version": 1, "entities": [e.to_dict() for e in self.user_entities()] + removed}
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
        tmp.replace(target)
        return target

    def merge(self, keep: KBEntity, other: KBEntity) -> KBEntity:
        """`other` is the same thing as `keep`: its names become aliases of `keep` and it goes away."""
        if keep is other:
            raise ValueError(f"{keep.name!r} and {other.name!r} are already the same entity")
        for lang, values in other.aliases.items():
            keep.aliases.setdefault(lang, []).extend(v for v in values if v not in keep.aliases.get(lang, []))
        keep.aliases.setdefault("other", []).append(other.name)
        for alias, documents in other.learned.items():
            add_sources(keep.learned.setdefault(alias, []), documents)
        keep.origin = "user"
        key = self.key(other.name, other.type)
        self.entities.pop(key, None)
        if key in self.seed_keys:
            self.removed.add(key)
        self._index = None
        return keep

    def split(self, entity: KBEntity, alias: str, new_name: str | None = None) -> KBEntity:
        """`alias` names something else: move it off `entity` onto a new entity (named `new_name` or the alias)."""
        if name_key(alias) == name_key(entity.name):
            raise ValueError(f"{alias!r} is {entity.name!r}'s own name: split another alias, or rename the entity")
        found = False
        for values in entity.aliases.values():
            if alias in values:
                values.remove(alias)
                found = True
        if entity.learned.pop(alias, None) is not None:
            found = True
        if not found:
            raise KeyError(f"{alias} is not an alias of {entity.name}")
        entity.origin = "user"
        created = self.add(KBEntity(name=new_name or alias, type=entity.type, aliases={"other": [alias]} if new_name else {}, origin="user"))
        self._index = None
        return created

    def learn(self, document_id: str, entities: list) -> None:
        """Record what a document taught: new aliases of known entities, and new entities, with their source."""
        for found in entities:
            known = self.get(found.name, found.type)
            if known is None:
                known = self.add(KBEntity(name=found.name, type=found.type, origin="learned"))
            aliases = {name_key(alias) for alias in known.all_aliases() if alias not in known.learned}
            for mention in found.mentions:
                if name_key(mention) not in aliases or mention in known.learned:
                    add_sources(known.learned.setdefault(mention, []), [document_id])
        self._index = None
