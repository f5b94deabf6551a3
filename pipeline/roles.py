"""Job titles: find them in text and normalise them to a role vocabulary.

The event and relation stages keep a role as written (`研究高级副总裁`,
`SVP of Research`); `normalise_role` says what it is (`svp`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml


@cache
def _lexicon() -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str], re.Pattern[str]]:
    data = yaml.safe_load(resources.files("newsx.pipeline").joinpath("data/roles.yaml").read_text("utf-8"))
    roles = [(role, re.compile("|".join(f"(?:{p})" for p in patterns), re.I)) for role, patterns in data["roles"].items()]
    core = re.compile("|".join(f"(?:{p})" for patterns in data["roles"].values() for p in patterns), re.I)
    former = re.compile("^(?:" + "|".join(data["former"]) + r")\s*", re.I)
    return roles, core, former


def has_title(text: str) -> bool:
    """Whether a phrase holds a job title word."""
    return bool(_lexicon()[1].search(text))


def is_title(text: str) -> bool:
    """Whether a whole phrase is a job title: a title word plus at most a few words of scope."""
    spans = title_spans(text)
    if not spans:
        return False
    before, after = text[: spans[0][0]], text[spans[-1][1] :]
    if re.search(r"[A-Za-z]", before) and not re.fullmatch(r"(?:(?:Senior|Executive|Global|Deputy|Acting|Interim|Former)\s+)*", before):
        return False
    if len(before) > 6 or re.search(r"\d", text):
        return False
    return not after.strip() or bool(re.match(r"\s+(?:of|for)\s", after)) and len(after.split()) <= 4


def title_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the core title words in a text."""
    return [m.span() for m in _lexicon()[1].finditer(text)]


def strip_former(role: str) -> str:
    """`前首席科学家` -> `首席科学家`: a former title is still the title the person held."""
    return _lexicon()[2].sub("", role).strip()


def is_former(role: str) -> bool:
    return bool(_lexicon()[2].match(role))


def normalise_role(role: str) -> str | None:
    """The role vocabulary entry of a title as written, or None when it holds no title."""
    return next((name for name, pattern in _lexicon()[0] if pattern.search(role)), None)


def is_founder_role(role: str | None) -> bool:
    return bool(role) and normalise_role(role) in ("cofounder", "founder")
