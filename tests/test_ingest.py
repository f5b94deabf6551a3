"""Ingest: encodings, formats, dates, and quarantine of bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsx.pipeline.ingest import (
    IngestLimits,
    InputError,
    dateline_date,
    decode,
    document_id,
    ingest,
    iter_paths,
    metadata_date,
)
from newsx.schemas import QuarantineRecord, RawDocument

ZH = "智东西8月6日消息，OpenAI联合创始人John Schulman宣布离职，将加入Anthropic。他于2024年做出这一决定。"
TRADITIONAL = "谷歌兩位聯合創始人宣布辭職，將控制權轉交給現任首席執行官。"


def _one(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("utf-8", ZH, "utf-8"),
        ("utf-8-sig", ZH, "utf-8-sig"),
        ("utf-16", ZH, "utf-16"),
        ("gb18030", ZH, "gb18030"),
        ("gbk", ZH, "gb18030"),
        ("big5", TRADITIONAL, "big5hkscs"),
    ],
)
def test_decode_detects_encoding(encoding, text, expected):
    decoded, found = decode(text.encode(encoding))
    assert decoded == text
    assert found == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (bytes(range(1, 32)) * 50, "binary"),
    ],
)
def test_decode_rejects_non_text(data, reason):
    with pytest.raises(InputError) as info:
        decode(data)
    assert info.value.reason == reason


def test_document_id_ignores_width_and_spacing():
    assert document_id("OpenAI  宣布\n离职") == document_id("ＯｐｅｎＡＩ 宣布 离职")
    assert document_id("OpenAI 宣布离职") != document_id("OpenAI 宣布加入")
    assert document_id("x").startswith("doc_")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("智东西8月6日消息,刚刚,OpenAI宣布……2024年是AI之年。", "2024-08-06"),
        ("雷递网 雷建平 9月26日\n小米宣布2023年营收……2024年将推出新车。", "2024-09-26"),
        ("ag网上下注,外汇天眼app讯 : 12月4日,谷歌两位联合创始人……2019年以来,谷歌面临危机。", "2019-12-04"),
        ("SAN FRANCISCO, May 7, 2025 -- Acme Corp sued Foo Inc.", "2025-05-07"),
        ("北京2024年3月5日电 某公司今日宣布……", "2024-03-05"),
        ("Tessellate CEO takes leave\nPublished: 2025-05-20\nThe chief executive...", "2025-05-20"),
        ("发布时间：2024年3月5日 10:00\n正文", "2024-03-05"),
        ("Halden AI hires DeepMind veteran\n\nBy Eleanor Price\n2 October 2025\n", "2025-10-02"),
        ("雷递网 雷建平 9月26日\n公司成立于2023年3月,预计2025年实现量产。", "2023-09-26"),
        ("智东西8月6日消息,……2015年两人初次见面。这是自9年前共同创立公司以来第一次休假。", "2024-08-06"),  # 2015 + 9 years
        ("智东西8月6日消息,刚刚,OpenAI宣布一位高管离职。", None),
        ("Motorola said today that its chief executive was stepping down.", None),
        ("8月32日消息,2024年……", None),
    ],
)
def test_dateline_date(text, expected):
    assert dateline_date(text) == expected


def test_metadata_date_forms():
    import datetime as dt

    assert metadata_date(dt.date(2024, 9, 29)) == "2024-09-29"
    assert metadata_date(dt.datetime(2024, 9, 29, 8, 0)) == "2024-09-29"
    assert metadata_date("2025-06-03T08:00:00+08:00") == "2025-06-03"
    assert metadata_date("2025-06") == "2025-06"
    assert metadata_date("yesterday") is None


def test_markdown_front_matter(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 'OpenAI连丢3高管'\ndate: 2024-09-29\nauthor: ByteAILab\n---\n\n# 标题\n\nCTO Mira官宣离职。\n", "utf-8")
    doc = _one(ingest(path))
    assert isinstance(doc, RawDocument)
    assert doc.title == "OpenAI连丢3高管"
    assert doc.author == "ByteAILab"
    assert doc.published == "2024-09-29" and doc.published_from == "metadata"
    assert "title:" not in doc.raw_text and "CTO Mira官宣离职" in doc.raw_text


def test_broken_front_matter_is_quarantined(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\ndate: : :\n---\n正文内容。\n", "utf-8")
    record = _one(ingest(path))
    assert isinstance(record, QuarantineRecord)
    assert record.reason == "bad-front-matter" and record.stage == "ingest"


def test_jsonl_lines_each_become_a_document_or_a_quarantine(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(
        b'{"id": "a", "title": "T", "text": "Motorola named Greg Brown as CEO.", "published": "2007-11-30"}\n'
        b"\n"
        b"{not json}\n"
        b'{"text": 42}\n'
        b'["a list"]\n'
        b'{"text": "\xe5\xb0\x8f\xe7\xb1\xb3\xe5\x8f\x91\xe5\xb8\x83\xe6\x96\xb0\xe6\x89\x8b\xe6\x9c\xba\xe3\x80\x82", "title": 7}\n'
        b'{"text": "Apple released a phone."}\n'
    )
    items = list(ingest(path))
    assert [type(item).__name__ for item in items] == [
        "RawDocument", "QuarantineRecord", "QuarantineRecord", "QuarantineRecord", "QuarantineRecord", "RawDocument",
    ]
    assert items[0].published == "2007-11-30" and items[0].source.endswith("feed.jsonl:1")
    assert items[1].source.endswith("feed.jsonl:3") and items[1].reason == "bad-jsonl-line"
    assert "'text' must be a string" in items[2].detail
    assert "title" in items[4].detail


def test_html_main_text_without_page_furniture(tmp_path):
    paragraphs = "".join(
        f"<p>Acme Corp said on Tuesday that its chief executive Jane Doe would step down after {n} years, "
        f"ending a long tenure at the company that she founded in Boston.</p>"
        for n in range(3, 9)
    )
    page = (
        "<html><head><title>Acme CEO steps down</title>"
        '<meta property="article:published_time" content="2025-06-03T08:00:00+08:00">'
        "<script>fetch('https://evil.example/track')</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/tech'>Tech</a></nav>"
        f"<article><h1>Acme CEO steps down</h1>{paragraphs}</article>"
        "<footer>Copyright 2025 Example Media. Share on Twitter</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, "utf-8")
    doc = _one(ingest(path))
    assert isinstance(doc, RawDocument), doc
    assert "Jane Doe would step down after 3 years" in doc.raw_text
    assert "fetch(" not in doc.raw_text and "Example Media" not in doc.raw_text
    assert doc.published == "2025-06-03"


def test_html_without_article_is_quarantined(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Home</nav></body></html>", "utf-8")
    record = _one(ingest(path))
    assert isinstance(record, QuarantineRecord) and record.reason == "no-main-text"


def test_too_large_and_unsupported_are_quarantined(tmp_path):
    (tmp_path / "big.txt").write_text("新闻" * 5000, "utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    items = list(ingest(tmp_path, IngestLimits(max_bytes=4096)))
    reasons = sorted(item.reason for item in items)
    assert reasons == ["too-large", "unsupported-format"]


def test_iter_paths_is_sorted_recursive_and_survives_symlink_loops(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x", "utf-8")
    (tmp_path / "1.txt").write_text("x", "utf-8")
    (tmp_path / ".hidden").write_text("x", "utf-8")
    os.symlink(tmp_path, tmp_path / "b" / "loop")
    paths = [p.relative_to(tmp_path).as_posix() for p in iter_paths(tmp_path)]
    assert paths == ["1.txt", "b/2.txt"]
    assert [Path(p).name for p in iter_paths(str(tmp_path / "*.txt"))] == ["1.txt"]
    with pytest.raises(FileNotFoundError):
        list(iter_paths(tmp_path / "nothing-*.txt"))


def test_hidden_files_and_folders_are_quarantined_not_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(ZH, "utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".draft.txt").write_text(ZH + "草稿", "utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "objects").mkdir()
    for name in ("HEAD", "config", "objects/ab"):
        (tmp_path / ".git" / name).write_text("x", "utf-8")
    items = list(ingest(tmp_path))
    reasons = {Path(item.source).relative_to(tmp_path).as_posix(): getattr(item, "reason", "read") for item in items}
    assert reasons == {".git": "hidden-folder", ".DS_Store": "hidden-file", "a.txt": "read", "sub/.draft.txt": "hidden-file"}
    git = next(item for item in items if item.source.endswith(".git"))
    assert git.stage == "ingest" and "3 files" in git.detail
    # every input is counted once: what iter_paths reads plus what is quarantined before reading
    assert [p.name for p in iter_paths(tmp_path)] == ["a.txt"]
    # named explicitly, a hidden file is read
    assert isinstance(_one(ingest(tmp_path / "sub" / ".draft.txt")), RawDocument)
