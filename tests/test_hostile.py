"""Hostile and broken input: through ingest, through the cleaning/segmentation/timex/money regexes,
and through one real `extract_corpus` run over a folder holding every hostile file at once.

Nothing is lost (every file ends processed, quarantined with a reason, or a counted duplicate),
nothing hidden survives into records (U+202E), nothing injected reaches SQL, no password leaks.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tracemalloc
from pathlib import Path

import orjson
import pytest

from newsx.flows import extract_corpus
from newsx.pipeline import language, segment
from newsx.pipeline.clean import clean
from newsx.pipeline.ingest import IngestLimits, dateline_date, document_id, ingest, iter_paths, metadata_date, read_path
from newsx.pipeline.money import find_money
from newsx.pipeline.sink import redact
from newsx.pipeline.timex import find_times
from newsx.schemas import Provenance, QuarantineRecord, RawDocument

HOSTILE_NAME = "Robert'); DROP TABLE events;--"
MB = 1024 * 1024
HUGE = 50 * MB
TABLES = (
    "runs", "documents", "entities", "entity_aliases", "document_entities", "events", "event_arguments",
    "relations", "relation_arguments", "evidence", "quarantine", "schema_version",
)
HIDDEN = ("\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\x1b")
SCRIPT_MARK = "PWNED"


def article(n: int) -> str:
    """A distinct small article (distinct texts, so no accidental duplicates)."""
    return f"智东西8月{n % 28 + 1}日消息，OpenAI联合创始人John Schulman宣布离职，将跳槽至Anthropic。这是第{n}篇报道。2024年是多事之秋。\n"


def write_huge_line(path: Path, prefix: bytes, suffix: bytes, size: int = HUGE) -> None:
    """A single line of `size` bytes, written in chunks (never whole in memory)."""
    chunk = ("新闻" * 8192).encode("utf-8")  # 48 KiB
    with path.open("wb") as handle:
        handle.write(prefix)
        written = len(prefix)
        while written < size:
            handle.write(chunk)
            written += len(chunk)
        handle.write(suffix)


NESTED_HTML = (
    "<html><head><title>Deep</title></head><body>"
    + "<div>" * 10_000
    + "<p>" + "小米集团今日宣布成立新的汽车子公司，雷军出任董事长。公司计划于2025年量产。" * 3 + "</p>"
    + "</div>" * 10_000
    + "</body></html>"
)
SCRIPT_HTML = (
    "<html><head><title>Funding news</title><script>var PWNED_HEAD = 1;</script>"
    "<style>.x { content: 'PWNED_STYLE' }</style></head><body><article>"
    "<script>document.write('PWNED_BODY')</script>"
    "<p>OpenAI宣布完成新一轮融资，由微软领投，金额为10亿美元。公司表示将继续扩大研发团队规模。</p>"
    "<script type=\"text/javascript\">/*<![CDATA[*/ alert('PWNED_CDATA') /*]]>*/</script>"
    "<p onclick=\"PWNED_ATTR()\">OpenAI首席执行官萨姆·奥特曼表示，这笔资金将用于算力建设。</p>"
    "<noscript>Enable JavaScript to comment.</noscript><iframe src=\"javascript:PWNED_IFRAME\"></iframe>"
    "<img src=x onerror=\"PWNED_IMG\"><svg><script>PWNED_SVG</script></svg>"
    "</article></body></html>"
)
BIDI_TEXT = (
    "Apple\u202e hired Jane\u200b Doe\u2066 as chief\x07 financial officer.\u202d She joins\ufeff from\x1b[31m Google.\n"
    "苹果公司\u202e今日宣布\u200d任命\u00ad新的首席财务官。\n"
)


def jsonl_lines() -> list[bytes]:
    """Duplicate ids, duplicate texts, wrong types, broken JSON, and the SQL-injection name."""
    return [
        orjson.dumps({"id": "dup", "text": article(101)}),
        orjson.dumps({"id": "dup", "text": article(102)}),  # the same id, another text: both are articles
        orjson.dumps({"id": "other", "text": article(101)}),  # the same text: a duplicate
        orjson.dumps({"id": 7, "text": 12345}),
        orjson.dumps({"text": ["a", "list"]}),
        orjson.dumps({"text": article(103), "title": 5}),
        orjson.dumps({"text": article(104), "author": {"name": "x"}}),
        orjson.dumps({"text": article(105), "date": 20240101, "published": ["2024"]}),
        orjson.dumps({"text": article(106), "date": "0000"}),
        orjson.dumps({"id": {"nested": True}, "text": article(107)}),
        orjson.dumps([1, 2, 3]),
        orjson.dumps("just a string"),
        orjson.dumps(None),
        b'{"text": "unterminated',
        b"\xff\xfe not json at all \x80",
        "{\"text\": \"GBK 编码的行\"}".encode("gbk"),
        b"",
        b"   ",
        orjson.dumps({"text": "   \n\t  "}),
        orjson.dumps({
            "id": HOSTILE_NAME, "title": HOSTILE_NAME, "author": HOSTILE_NAME,
            "text": f"{HOSTILE_NAME} left OpenAI to join Anthropic, the company said on Monday. Robert Smith declined to comment.",
        }),
        orjson.dumps({"text": "Title\u202e with bidi", "title": "Evil\u202eTitle\u200b", "author": "A\u2066B\x07C"})[:-1] + b"}",
    ]


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    # encodings
    (folder / "mixed_encodings.txt").write_bytes(
        "第一段：OpenAI宣布John Schulman离职。\n".encode() + "第二段：小米集团今日宣布成立新的汽车子公司。\n".encode("gbk")
        + b"\xff\xfe\xfd broken \xc3\x28 \xe2\x82\n" + "Big5 段落：臺灣積體電路製造公司宣布擴產。\n".encode("big5")
    )
    (folder / "mixed_utf16.txt").write_bytes(article(1).encode() + "third part".encode("utf-16-le"))
    (folder / "invalid_utf8.txt").write_bytes(b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xf8\xa1\xa1\xa1\xa1" * 64)
    (folder / "truncated_utf8.txt").write_bytes(article(2).encode()[:-2])
    (folder / "bom_lies.txt").write_bytes(b"\xff\xfe" + article(3).encode("utf-8"))  # a UTF-16 BOM over UTF-8 bytes
    # size
    write_huge_line(folder / "huge.txt", b"", b"\n")
    write_huge_line(folder / "huge.jsonl", b'{"text": "', b'"}\n' + orjson.dumps({"text": article(4)}) + b"\n")
    # HTML
    (folder / "nested.html").write_text(NESTED_HTML, "utf-8")
    (folder / "scripts.html").write_text(SCRIPT_HTML, "utf-8")
    (folder / "only_script.html").write_text("<html><body><script>" + "PWNED();" * 1000 + "</script></body></html>", "utf-8")
    # hidden characters
    (folder / "bidi.txt").write_text(BIDI_TEXT, "utf-8")
    (folder / "bidi.md").write_text(
        "---\ntitle: \"Evil\u202eTitle\u200b\"\nauthor: \"A\u2066B\"\n---\nOpenAI\u202e宣布\u200b离职\u2069消息，第五篇。\n", "utf-8"
    )
    (folder / "control_front_matter.md").write_text("---\ntitle: \"bell\x07\"\n---\n" + article(5), "utf-8")
    # file names
    for n, name in enumerate(["a..b.txt", "with space .txt", "new\nline.txt", "新闻 ünïcödé.txt", f"{HOSTILE_NAME}.txt", "-rf.txt"], 10):
        (folder / name).write_text(article(n), "utf-8")
    (folder / "no_extension").write_text(article(20), "utf-8")
    (folder / "sub dir").mkdir()
    (folder / "sub dir" / "x..nested..txt").write_text(article(21), "utf-8")
    # links
    os.symlink(".", folder / "loop")
    os.symlink("..", folder / "sub dir" / "up")
    os.symlink("self.txt", folder / "self.txt")
    os.symlink("missing.txt", folder / "dangling.txt")
    # JSON Lines
    (folder / "records.jsonl").write_bytes(b"\n".join(jsonl_lines()) + b"\n")
    (folder / "sql.txt").write_text(f"{HOSTILE_NAME} left OpenAI, the company said.\nSELECT * FROM documents; -- 第六篇\n", "utf-8")
    return folder


@pytest.fixture(scope="module")
def ingested(hostile_folder) -> list[RawDocument | QuarantineRecord]:
    return list(ingest(hostile_folder))


@pytest.fixture(scope="module")
def hostile_run(hostile_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile_out")
    summary = extract_corpus(source=str(hostile_folder), out_dir=str(out))
    return out, summary


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def by_source(items) -> dict[str, RawDocument | QuarantineRecord]:
    return {item.source: item for item in items}


# --- ingest, file by file ---


def test_every_file_yields_something_and_only_known_reasons(hostile_folder, ingested):
    files = {str(path) for path in iter_paths(hostile_folder)}
    seen = {item.source.rsplit(":", 1)[0] if ".jsonl:" in item.source else item.source for item in ingested}
    assert files == seen
    assert not any(str(path).endswith(("loop", "up")) for path in iter_paths(hostile_folder)), "a folder link was followed"
    for item in ingested:
        if isinstance(item, QuarantineRecord):
            assert item.stage == "ingest" and item.reason and item.detail


def test_encodings(hostile_folder, ingested):
    items = by_source(ingested)
    reason = {Path(source).name: getattr(item, "reason", "ok") for source, item in items.items()}
    # UTF-8, GBK, junk and Big5 in one file: no single encoding reads it, so the file is quarantined
    assert reason["mixed_encodings.txt"] in {"undecodable", "ok"}
    assert reason["mixed_utf16.txt"] == "binary"  # NUL bytes without a byte-order mark
    assert reason["bom_lies.txt"] == "undecodable"
    # invalid UTF-8 may still fit a legacy code page (charset-normalizer picks cp1251): text either way
    assert reason["invalid_utf8.txt"] in {"undecodable", "binary", "ok"}
    # UTF-8 cut inside its last character (a truncated download) is the article less that character
    truncated = items[str(hostile_folder / "truncated_utf8.txt")]
    assert isinstance(truncated, RawDocument) and truncated.encoding == "utf-8"
    assert truncated.raw_text == article(2)[:-2]


@pytest.mark.parametrize("name", ["huge.txt", "huge.jsonl"])
def test_a_50mb_single_line_is_too_large_without_being_read_whole(hostile_folder, name):
    path = hostile_folder / name
    assert path.stat().st_size > HUGE
    tracemalloc.start()
    try:
        items = list(read_path(path, IngestLimits()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert items[0].reason == "too-large"
    line_size = len(path.read_bytes().split(b"\n", 1)[0]) + 1 if name == "huge.jsonl" else path.stat().st_size
    assert f"{line_size} bytes" in items[0].detail
    # Never the whole line in memory (iterating the file used to hold it twice: ~2 x 50 MB).
    assert peak < IngestLimits().max_bytes * 3, f"peak {peak / MB:.0f} MB"
    if name == "huge.jsonl":  # the next line is read normally
        assert [type(item).__name__ for item in items] == ["QuarantineRecord", "RawDocument"]
        assert items[1].source == f"{path}:2"


def test_bounded_jsonl_lines_at_the_limit(tmp_path):
    """A line of exactly the limit is read, one byte more is too large, and the next line keeps its number."""
    limit = 1024
    exact = orjson.dumps({"text": "x" * (limit - 12)}) + b"\n"
    assert len(exact) == limit
    over = orjson.dumps({"text": "y" * (limit - 11)}) + b"\n"
    path = tmp_path / "edge.jsonl"
    path.write_bytes(exact + over + orjson.dumps({"text": "after"}) + b"\n")
    items = list(read_path(path, IngestLimits(max_bytes=limit)))
    assert [(type(i).__name__, i.source.rsplit(":", 1)[1]) for i in items] == [
        ("RawDocument", "1"), ("QuarantineRecord", "2"), ("RawDocument", "3"),
    ]
    assert items[1].reason == "too-large" and f"{limit + 1} bytes" in items[1].detail
    assert items[2].raw_text == "after"


def test_html(hostile_folder, ingested):
    items = by_source(ingested)
    nested = items[str(hostile_folder / "nested.html")]
    # lxml gives up far above 10,000 levels of nesting; the page is quarantined, never a crash
    assert isinstance(nested, RawDocument) or nested.reason == "no-main-text"
    scripts = items[str(hostile_folder / "scripts.html")]
    assert isinstance(scripts, RawDocument)
    assert "10亿美元" in scripts.raw_text and SCRIPT_MARK not in scripts.raw_text
    assert items[str(hostile_folder / "only_script.html")].reason == "no-main-text"


def test_hidden_characters_in_metadata_are_dropped(hostile_folder, ingested):
    items = by_source(ingested)
    md = items[str(hostile_folder / "bidi.md")]
    assert (md.title, md.author) == ("EvilTitle", "AB")
    line = next(i for i in ingested if isinstance(i, RawDocument) and i.raw_text == "Title\u202e with bidi")
    assert (line.title, line.author) == ("EvilTitle", "ABC")
    assert items[str(hostile_folder / "control_front_matter.md")].reason == "bad-front-matter"


def test_links_and_names(hostile_folder, ingested):
    items = by_source(ingested)
    assert items[str(hostile_folder / "self.txt")].reason == "unreadable"
    assert items[str(hostile_folder / "dangling.txt")].reason == "unreadable"
    assert items[str(hostile_folder / "no_extension")].reason == "unsupported-format"
    for name in ["a..b.txt", "with space .txt", "new\nline.txt", "新闻 ünïcödé.txt", f"{HOSTILE_NAME}.txt", "-rf.txt"]:
        assert isinstance(items[str(hostile_folder / name)], RawDocument), name
    assert isinstance(items[str(hostile_folder / "sub dir" / "x..nested..txt")], RawDocument)


def test_jsonl_duplicates_and_wrong_types(hostile_folder, ingested):
    path = hostile_folder / "records.jsonl"
    lines = {int(i.source.rsplit(":", 1)[1]): i for i in ingested if i.source.startswith(f"{path}:")}
    kinds = {n: (i.reason if isinstance(i, QuarantineRecord) else "ok") for n, i in sorted(lines.items())}
    assert kinds == {
        1: "ok", 2: "ok", 3: "ok", 4: "bad-jsonl-line", 5: "bad-jsonl-line", 6: "bad-jsonl-line", 7: "bad-jsonl-line",
        8: "ok", 9: "ok", 10: "ok", 11: "bad-jsonl-line", 12: "bad-jsonl-line", 13: "bad-jsonl-line",
        14: "bad-jsonl-line", 15: "bad-jsonl-line", 16: "bad-jsonl-line", 19: "empty", 20: "ok", 21: "ok",
    }  # 17 and 18 are blank separator lines
    assert lines[1].external_id == lines[2].external_id == "dup" and lines[1].document_id != lines[2].document_id
    assert lines[3].document_id == lines[1].document_id  # counted as a duplicate by the run
    # a number or a list as the date, or the year 0000, is no metadata date: the dateline dates them
    assert lines[8].published_from == lines[9].published_from == "dateline"
    assert lines[10].external_id is None


# --- pathological input for every regular expression ---

PATHOLOGICAL = {
    "digits": "1" * 50_000,
    "digits and spaces": "1 " * 25_000,
    "years": "2024年" * 10_000,
    "年月日": "年月日" * 10_000,
    "dates": "2024年5月3日" * 5_000,
    "spaces": " " * 50_000 + "x",
    "ideographic spaces": "\u3000" * 50_000 + "x",
    "punctuation": ".,;:!?。，、；！？…" * 4_000,
    "dots": "." * 50_000 + " A",
    "bangs": "!" * 50_000 + "a",
    "question marks": "?" * 50_000,
    "parens": "(" * 50_000,
    "nested parens": "(((x)))" * 7_000,
    "brackets": "[a](" * 10_000,
    "images": "![" * 20_000,
    "entities": "&#" + "1" * 50_000,
    "amp": "&" * 50_000,
    "commas in numbers": "1," * 25_000,
    "decimal": "1." * 25_000,
    "dollars": "$1" * 25_000,
    "money words": "10亿美元" * 5_000,
    "ranges": "1-2-3-4-5-6-" * 5_000 + "亿元",
    "chinese numerals": "一" * 50_000 + "亿美元",
    "months": "May " * 12_500,
    "ago": "9年前" * 10_000,
    "weeks": "上周三" * 10_000,
    "quotes": '"' * 50_000,
    "curly quotes": "“" * 25_000 + "”" * 25_000,
    "hashes": "#" * 50_000,
    "stars": "*" * 50_000,
    "dashes": "-" * 50_000 + "\n---",
    "link": " https://" + "a" * 50_000,
    "line breaks": "\r\n" * 25_000,
    "tabs": "\t" * 50_000,
}
# Cleaning runs on a prefix: these are quadratic in clean.py/spam.py (not fixed here; see the report):
# 年月日 in spam._first_line, [a]( and ![ in clean._MARKDOWN_INLINE, runs of spaces or tabs in
# clean._TRAILING_LINK. At these sizes they finish in about a second.
CLEAN_SIZE = {"年月日": 3_000, "brackets": 3_000, "images": 3_000, "spaces": 5_000, "tabs": 5_000, "digits and spaces": 5_000}
CLEAN_DEFAULT = 20_000
PROVENANCE = Provenance(pipeline_version="test")


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_completes_in_every_regex(name):
    text = PATHOLOGICAL[name]
    dateline_date(text)
    metadata_date(text)
    raw_text = text[: CLEAN_SIZE.get(name, CLEAN_DEFAULT)]
    for fmt in ("txt", "md"):
        raw = RawDocument(document_id=document_id(raw_text), source=name, format=fmt, encoding="utf-8", raw_text=raw_text, title=raw_text[:200])
        document = clean(raw, PROVENANCE)
        if document.text:
            segment.segment(language.identify(document))
    spans = segment.sentence_spans(text.replace("\n", " ").replace("\r", " "), 0, len(text))
    assert all(0 <= a <= b <= len(text) for a, b in spans)
    for time in find_times(text, "2024-08-06"):
        assert text[time.start : time.end] == time.text
    for money in find_money(text):
        assert text[money.start : money.end] == money.text


def test_a_run_of_stops_is_one_boundary():
    """segment._BOUNDARY tried `[.!?]+` from every character of a run: 50,000 dots took minutes."""
    text = "Hello" + "." * 100_000 + " World" + "!" * 100_000 + " Next"
    spans = segment.sentence_spans(text, 0, len(text))
    assert [text[a:b][:6] for a, b in spans] == ["Hello.", "World!", "Next"]


# --- one real run over all of it ---


def test_the_run_accounts_for_every_input(hostile_run, ingested):
    out, summary = hostile_run
    assert summary.read == len(ingested)
    assert summary.read == summary.processed + summary.quarantined + summary.duplicates
    documents = read_jsonl(out / "documents.jsonl")
    quarantine = read_jsonl(out / "quarantine.jsonl")
    assert len(documents) == summary.processed and len(quarantine) == summary.quarantined
    assert all(q["reason"] and q["stage"] for q in quarantine)
    seen: set[str] = set()
    expected_duplicates = 0
    expected_sources = set()
    for item in ingested:
        if isinstance(item, RawDocument) and item.document_id in seen:
            expected_duplicates += 1
            continue
        if isinstance(item, RawDocument):
            seen.add(item.document_id)
        expected_sources.add(item.source)
    assert summary.duplicates == expected_duplicates >= 1
    assert {d["source"] for d in documents} | {q["source"] for q in quarantine} == expected_sources
    assert not {d["source"] for d in documents} & {q["source"] for q in quarantine}
    assert sum(summary.quarantine_reasons.values()) == summary.quarantined
    summary_file = orjson.loads((out / "summary.json").read_bytes())
    assert (summary_file["read"], summary_file["processed"]) == (summary.read, summary.processed)
    reasons = {(Path(q["source"].rsplit(":", 1)[0] if ".jsonl:" in q["source"] else q["source"]).name, q["reason"]) for q in quarantine}
    assert {("huge.txt", "too-large"), ("huge.jsonl", "too-large"), ("self.txt", "unreadable")} <= reasons


def test_no_hidden_character_or_script_reaches_a_record(hostile_run, hostile_folder):
    out, _ = hostile_run
    documents = read_jsonl(out / "documents.jsonl")
    by_name = {Path(d["source"]).name: d for d in documents}
    assert "Apple hired Jane Doe as chief financial officer." in by_name["bidi.txt"]["text"]
    for name in ("documents.jsonl", "events.jsonl", "relations.jsonl"):
        data = (out / name).read_text("utf-8")
        assert SCRIPT_MARK not in data, name
        for char in HIDDEN:
            assert char not in data, (name, hex(ord(char)))  # JSON would escape controls: \u0000
        assert "\\u0000" not in data and "\\u0007" not in data and "\\u001b" not in data
    assert "OpenAI宣布新一轮融资" in by_name["scripts.html"]["text"] or "OpenAI宣布完成新一轮融资" in by_name["scripts.html"]["text"]
    with sqlite3.connect(out / "newsx.sqlite") as connection:
        for (title, author, text) in connection.execute("SELECT title, author, text FROM documents"):
            for value in (title, author, text):
                assert value is None or not any(char in value for char in HIDDEN), value


def test_sql_injection_names_round_trip_and_the_tables_survive(hostile_run, hostile_folder):
    out, summary = hostile_run
    with sqlite3.connect(out / "newsx.sqlite") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(TABLES) <= tables
        for table in TABLES:
            connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        rows = connection.execute("SELECT source, title, author, text, record FROM documents").fetchall()
        assert len(rows) == summary.processed
        injected = [row for row in rows if row[1] == HOSTILE_NAME]
        assert len(injected) == 1
        source, title, author, text, record = injected[0]
        assert author == HOSTILE_NAME and text.startswith(HOSTILE_NAME)
        assert orjson.loads(record)["external_id"] == HOSTILE_NAME
        assert any(row[0] == str(hostile_folder / f"{HOSTILE_NAME}.txt") for row in rows)
        assert any(row[3].startswith(HOSTILE_NAME) and row[0] == str(hostile_folder / "sql.txt") for row in rows)
        quarantined = connection.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
        assert quarantined == summary.quarantined
        assert connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


# --- secrets ---


def test_redact_hides_passwords_in_every_form():
    for url, secret in [
        ("postgresql://newsx:s3cret@db.example.org:5432/news", "s3cret"),
        ("postgres://newsx:p%40ss@db/news?sslmode=require", "p%40ss"),
        ("postgresql://newsx:p@ss:word@db/news", "p@ss:word"),
        ("postgresql://db/news?user=newsx&password=hunter2&sslmode=require", "hunter2"),
        ("postgresql://db/news?PASSWORD='quoted secret'", "quoted secret"),
    ]:
        redacted = redact(url)
        assert secret not in redacted and "***" in redacted, redacted


POSTGRES = "127.0.0.1:5432/test"


def test_database_password_is_redacted_in_summary_and_summary_json(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(f"postgresql://postgres@{POSTGRES}", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {str(error).strip()}")
    schema = f"newsx_hostile_{secrets.token_hex(6)}"
    password = "pw-" + secrets.token_hex(8)
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        source = tmp_path / "in"
        source.mkdir()
        (source / "a.txt").write_text(article(200), "utf-8")
        out = tmp_path / "out"
        url = f"postgresql://postgres:{password}@{POSTGRES}?options=-csearch_path%3D{schema}"
        summary = extract_corpus(source=str(source), out_dir=str(out), database=url)
        assert summary.processed == 1
        assert password not in summary.database and "***" in summary.database
        assert password not in summary.model_dump_json()
        for path in out.rglob("*"):
            if path.is_file():
                assert password.encode() not in path.read_bytes(), path.name
        assert orjson.loads((out / "summary.json").read_bytes())["database"] == summary.database
        stored = admin.execute(f"SELECT summary FROM {schema}.runs").fetchone()[0]
        assert password not in stored
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()
