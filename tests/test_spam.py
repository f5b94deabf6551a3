"""Injected SEO spam: a seeded test set of pages with spam spliced into clean sentences.

Clean sentences come from the sample gold (`must_keep`) and from
tests/data/clean_sentences_zh.txt. They are shuffled into pages; half of them
get spam spliced in at random points (the headline's characters chopped into
2-4 character chunks, two or three per sentence in headline order, and one SEO keyword phrase
two or three times), half stay untouched as a control. The cleaner must
remove the spliced characters (precision and recall of removed characters)
and leave every control sentence whole. Run with `-s` to see the figures.
Real articles and pages of real news sentences must lose nothing, and long
pathological pages must take linear time.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsx.pipeline.clean import clean
from newsx.pipeline.spam import find_spam, title_key
from newsx.schemas import Document, Provenance, RawDocument

PROVENANCE = Provenance(pipeline_version="test")
REPO = Path(__file__).resolve().parent.parent
SEED = 20240806
SENTENCES_PER_PAGE = 10
# SEO keyword phrases of the kinds injectors use (betting sites, local services).
KEYWORDS = (
    "澳门新葡京娱乐场",
    "真人百家乐官网",
    "北京某某搬家公司",
    "重庆时时彩开奖结果",
    "皇冠体育投注网址",
    "昆明市某某开锁服务部",
    "威尼斯人娱乐平台",
    "ag真人视讯平台",
    "哈尔滨某某管道疏通",
    "太阳城线上娱乐",
    "广州市某某空调维修站",
    "幸运飞艇计划网",
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_END = "，,。、；;：:！!？?"


def clean_sentences() -> tuple[list[str], list[str]]:
    """(Chinese, English) clean sentences: sample gold must_keep plus the written Chinese ones."""
    chinese, english = [], []
    for path in sorted((REPO / "sample" / "gold").glob("*.json")):
        for sentence in json.loads(path.read_text("utf-8"))["clean"]["must_keep"]:
            (chinese if _HAN.search(sentence) else english).append(sentence)
    written = (REPO / "tests" / "data" / "clean_sentences_zh.txt").read_text("utf-8").splitlines()
    chinese += [line.strip() for line in written if line.strip() and not line.startswith("#")]
    return chinese, english


@dataclass
class Page:
    """A page under construction: its text, the spam intervals in it, and the control sentences' intervals."""

    text: str = ""
    spam: list[tuple[int, int]] = field(default_factory=list)
    control: list[tuple[int, int]] = field(default_factory=list)
    body_start: int = 0

    def add(self, piece: str, kind: str | None = None) -> None:
        if kind == "spam":
            self.spam.append((len(self.text), len(self.text) + len(piece)))
        elif kind == "control":
            self.control.append((len(self.text), len(self.text) + len(piece)))
        self.text += piece


def splice_points(sentence: str, rng: random.Random, count: int, latin: bool) -> list[int]:
    """Where to splice: after a clause mark half the time, else anywhere not inside a Latin word or number."""
    if latin:
        inside = [i for i, char in enumerate(sentence) if char == " "]
    else:
        inside = [
            i
            for i in range(1, len(sentence))
            if not (sentence[i - 1].isascii() and sentence[i - 1].isalnum() and sentence[i].isascii() and sentence[i].isalnum())
        ]
    clause = [i + 1 for i, char in enumerate(sentence[:-1]) if char in _CLAUSE_END]
    points = [rng.choice(clause) if clause and rng.random() < 0.5 else rng.choice(inside) for _ in range(count)]
    return sorted(set(points))


def chop(key: str, rng: random.Random) -> list[str]:
    """The title key cut into consecutive chunks of 2 to 4 characters."""
    chunks, at = [], 0
    while at < len(key):
        size = min(rng.randint(2, 4), len(key) - at)
        if len(key) - at - size == 1:
            size += 1
        chunks.append(key[at : at + size])
        at += size
    return chunks


def headline(sentence: str) -> str:
    """A headline from a page's first sentence: its opening clauses, 14 to 30 characters."""
    title = ""
    for clause in re.split(r"(?<=[，,。；;])", sentence.rstrip("。.")):
        if len(title) >= 14:
            break
        title += clause
    return title.rstrip("，,；;")[:30]


def build_page(spiked: list[str], control: list[str], rng: random.Random, latin: bool) -> tuple[Page, str]:
    """A page: headline, then the sentences in paragraphs; spiked sentences carry spam."""
    page = Page()
    title = headline(control[0]) if not latin else " ".join(control[0].split()[:8])
    page.add(title + "\n\n")
    page.body_start = len(page.text)
    chunks = [] if latin else chop(title_key(title), rng)
    keyword = rng.choice(KEYWORDS)
    keyword_sentences = set(rng.sample(range(len(spiked)), k=min(len(spiked), rng.choice((2, 3)))))
    chunk_at = 0
    order = [(sentence, "control") for sentence in control[1:]] + [(sentence, "spiked") for sentence in spiked]
    rng.shuffle(order)
    order.insert(0, (control[0], "control"))
    spiked_seen = 0
    for number, (sentence, kind) in enumerate(order):
        if kind == "control":
            page.add(sentence, "control")
        else:
            insertions: list[str] = [chunks[(chunk_at + k) % len(chunks)] for k in range(rng.choice((2, 3)))] if chunks else []
            chunk_at += len(insertions)
            if spiked_seen in keyword_sentences:
                insertions.insert(rng.randrange(len(insertions) + 1), keyword)
            spiked_seen += 1
            points = splice_points(sentence, rng, len(insertions), latin)
            at = 0
            for point, spam in zip(points, insertions, strict=False):
                page.add(sentence[at:point])
                page.add(spam, "spam")
                at = point
            page.add(sentence[at:])
        page.add(("\n\n" if rng.random() < 0.5 else "\n") if number % 2 else (" " if latin else ""))
    return page, title


def build_test_set() -> list[tuple[Page, str]]:
    """Seeded pages: every clean sentence used once, half of them spiked."""
    rng = random.Random(SEED)
    chinese, english = clean_sentences()
    pages = []
    for sentences, latin in ((chinese, False), (english, True)):
        sentences = sentences[:]
        rng.shuffle(sentences)
        for start in range(0, len(sentences) - SENTENCES_PER_PAGE + 1, SENTENCES_PER_PAGE):
            group = sentences[start : start + SENTENCES_PER_PAGE]
            half = len(group) // 2
            pages.append(build_page(group[half:], group[:half], rng, latin))
    return pages


def kept_positions(document: Document) -> set[int]:
    """Raw offsets of the characters the cleaned text kept, read off the offset map."""
    kept: set[int] = set()
    runs = document.offset_map
    for number, (clean_start, raw_start) in enumerate(runs):
        clean_end = runs[number + 1][0] if number + 1 < len(runs) else len(document.text)
        if document.text[clean_start:clean_end] == "\n":
            continue
        kept.update(range(raw_start, raw_start + clean_end - clean_start))
    return kept


def cleaned(page: Page, title: str | None) -> Document:
    raw = RawDocument(
        document_id="doc_" + "0" * 24, source="spam.txt", format="txt", encoding="utf-8", raw_text=page.text, title=title
    )
    return clean(raw, PROVENANCE)


@pytest.fixture(scope="module")
def test_set() -> list[tuple[Page, str]]:
    return build_test_set()


def test_the_test_set_is_big_enough(test_set):
    chinese, english = clean_sentences()
    used = sum(len(page.control) for page, _ in test_set) * 2
    assert len(chinese) >= 150 and len(chinese) + len(english) >= 200
    assert used >= 200, used
    assert sum(len(page.spam) for page, _ in test_set) >= 150


@dataclass
class Figures:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    controls: int = 0
    broken_controls: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positive / (self.true_positive + self.false_positive)

    @property
    def recall(self) -> float:
        return self.true_positive / (self.true_positive + self.false_negative)


@pytest.fixture(scope="module")
def figures(test_set) -> Figures:
    """Removed characters against spliced ones over the whole test set, and the control sentences' fate."""
    result = Figures()
    for number, (page, title) in enumerate(test_set):
        document = cleaned(page, title if number % 2 else None)  # every other page: the headline from the first line
        kept = kept_positions(document)
        spam = {i for start, end in page.spam for i in range(start, end)}
        removed = {i for i in range(page.body_start, len(page.text)) if i not in kept and not page.text[i].isspace()}
        result.true_positive += len(removed & spam)
        result.false_positive += len(removed - spam)
        result.false_negative += len(spam - removed)
        for start, end in page.control:
            result.controls += 1
            if any(i not in kept for i in range(start, end) if not page.text[i].isspace()):
                result.broken_controls.append(page.text[start:end])
    print(
        f"\nspam: precision {result.precision:.4f}  recall {result.recall:.4f}"
        f"  over {result.true_positive + result.false_negative} spliced characters;"
        f" {result.controls - len(result.broken_controls)}/{result.controls} control sentences intact"
    )
    return result


def test_removed_characters_are_spam_and_controls_stay_whole(figures):
    assert figures.precision >= 0.95
    assert not figures.broken_controls, figures.broken_controls


def test_spliced_characters_are_removed(figures):
    assert figures.recall >= 0.95


def test_clean_pages_are_left_alone(test_set):
    """The same sentences without any spam: the detector finds nothing."""
    for page, title in test_set:
        text = "".join(char for i, char in enumerate(page.text) if not any(s <= i < e for s, e in page.spam))
        assert find_spam(text, title) == [], (title, [text[s.start : s.end] for s in find_spam(text, title)])


def test_a_keyword_prefix_of_the_headline_goes_with_its_separator():
    text = "澳门娱乐网址 - 谷歌两位联合创始人宣布辞职\n澳门娱乐网址,本报讯 谷歌两位联合创始人今天宣布辞职。"
    spans = find_spam(text)
    assert [text[s.start : s.end] for s in spans] == ["澳门娱乐网址 - ", "澳门娱乐网址,"]
    assert {s.rule for s in spans} == {"spam_keyword"}


def test_chopped_title_is_found_only_when_it_spells_the_headline():
    title = "星辰动力高管大换血首席执行官突然离职"
    spliced = (
        "星辰动力周三宣布,星辰动力高管层调整。公司首席执行官林嘉树离职。\n"
        "据悉,星辰动力新一轮融资已经完成,大换血高管团队稳定,首席执行官一职由董事长代任。\n"
        "公司表示,突然离职业务照常,执行官人选仍在物色。"
    )
    assert find_spam(spliced, title) == []  # title words in natural places: not an attack


def _pages_of(sentences: list[str], size: int = 12) -> list[tuple[str, str]]:
    """Pages of consecutive sentences, each under a headline made from its first sentence (as the test set's)."""
    pages = []
    for start in range(0, len(sentences) - size + 1, size):
        group = sentences[start : start + size]
        title = headline(group[0])
        pages.append((title + "\n\n" + "".join(s + ("\n" if k % 2 else "") for k, s in enumerate(group)), title))
    return pages


def test_real_articles_have_no_spam(repo):
    """Written articles (held-out and sample, the spam sample aside) and, when ../shared is there, pages of
    real news sentences (MSRA test split, never used to tune the detector): nothing is spam. Their
    headlines' words come back in the lead (`镜湖智能今日宣布完成5亿元B轮融资`) and throughout."""
    from newsx.pipeline.ingest import ingest

    found = {}
    for corpus in (repo / "tests" / "articles" / "corpus", repo / "sample" / "corpus"):
        for raw in ingest(corpus):
            if isinstance(raw, RawDocument) and "spam" not in raw.source:
                for title in (raw.title, None):
                    if spans := find_spam(raw.raw_text, title):
                        found[raw.source] = [raw.raw_text[s.start : s.end] for s in spans]
    msra = repo.parent / "shared" / "data" / "ner" / "zh" / "msra" / "test.jsonl"
    pages = _pages_of([json.loads(line)["text"] for line in msra.read_text("utf-8").splitlines()]) if msra.exists() else []
    for text, title in pages:
        for known in (title, None):
            if spans := find_spam(text, known):
                found[title] = [text[s.start : s.end] for s in spans]
    print(f"\nno spam found in the written articles and {len(pages)} pages of MSRA news sentences: {not found}")
    assert not found, found


PATHOLOGICAL = 200_000
TIME_LIMIT = 10.0  # CPU seconds: only a guard against quadratic blow-up (these take one or two)


@pytest.mark.parametrize(
    ("name", "text", "title"),
    [
        ("words and blanks, one line", "公司 宣布 " * (PATHOLOGICAL // 6), None),
        ("one phrase over and over", "公司宣布离职" * (PATHOLOGICAL // 6), None),
        ("title chunks over and over", "大震荡总裁停工两高管跑路\n" + "大震荡总,裁停" * (PATHOLOGICAL // 7), None),
        ("title chunks line after line", "大震荡总,裁停\n" * (PATHOLOGICAL // 8), "大震荡总裁停工两高管跑路"),
        ("a keyword in every sentence", "新闻标题在这里发布\n" + "正文某市某某维修站内容。" * (PATHOLOGICAL // 12), None),
        ("the headline over and over", "谷歌裁员消息\n" + "谷歌裁员消息谷歌" * (PATHOLOGICAL // 8), None),
        ("no line break at all", "标题" + "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(PATHOLOGICAL)), None),
        ("one character, the headline too", "一" * PATHOLOGICAL + "亿美元", "一" * 200),
    ],
)
def test_pathological_pages_take_linear_time(name, text, title):
    import time

    find_spam("热身", None)  # the bigram table loads once per process: not part of the figure
    started = time.process_time()
    find_spam(text, title)
    seconds = time.process_time() - started
    assert seconds < TIME_LIMIT, f"{name}: {seconds:.1f} s on {len(text):,} characters"
