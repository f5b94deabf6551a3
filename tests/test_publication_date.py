"""Publication dates read from the article's own words: datelines, and the year it counts back from."""

from __future__ import annotations

import pytest

from newsx.pipeline.ingest import dateline_date, present_year, publication_from_text


@pytest.mark.parametrize(
    "text, expected",
    [
        # a year named and a count of years back from the present: 2015 + 9
        ("2015年Altman和Schulman在伯克利聊了15分钟。近9年前,我在研究生毕业后加入OpenAI。", 2024),
        ("两人在2015年伯克利初见面。这是他加入OpenAI九年以来第一次休假。从2023年开始,Meta转向开源。", 2024),
        ("He joined the company in 2003, nine years ago, and never left.", 2012),
        ("至今已有12年。公司成立于2010年。", 2022),
        # the present is not before any year the article names
        ("2010年创立,5年前上市,2021年被收购。", 2026),
        # nothing to count from, or nothing counted
        ("近9年前,我在研究生毕业后加入OpenAI。", None),
        ("2015年Altman和Schulman在伯克利聊了15分钟。", None),
        # a year's digits are not a count (`2018年来`)
        ("他自2018年来加入OpenAI,2017年实习。", None),
        # nor are plans
        ("预计2030年实现盈利,3年前成立。", None),
    ],
)
def test_present_year(text, expected):
    assert present_year(text) == expected


def test_dateline_without_year_takes_the_year_counted_back_from():
    text = "智东西8月6日消息,刚刚,John Schulman宣布离职。\n这是自9年前共同创立OpenAI以来第一次可以放松。\n2015年两人在伯克利见面。"
    assert dateline_date(text) == "2024-08-06"


def test_dateline_without_year_or_count_takes_the_latest_year_named():
    assert dateline_date("外汇天眼app讯 : 12月4日,谷歌宣布。2015年8月重组,2019年以来增长。") == "2019-12-04"


def test_dateline_with_an_unanchored_count_has_no_year():
    assert dateline_date("智东西8月6日消息,他9年前加入。") is None


def test_no_dateline_gives_the_inferred_year_only():
    text = "一波未平,一波又起。两人在2015年伯克利初见面。这是他加入OpenAI九年以来第一次休假。"
    assert publication_from_text(text) == ("2024", "inferred")
    assert publication_from_text("没有任何日期的文章。") == (None, None)


def test_inferred_year_reaches_the_document(tmp_path):
    from newsx.pipeline.ingest import ingest

    (tmp_path / "a.txt").write_text("一波未平,一波又起。继去年11月Altman被解雇后,团队又变了。两人在2015年初见面。这是他加入OpenAI九年以来第一次休假。", "utf-8")
    (raw,) = list(ingest(str(tmp_path)))
    assert (raw.published, raw.published_from) == ("2024", "inferred")
