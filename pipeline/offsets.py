"""Build a text from pieces of another while remembering where each piece came from.

Cleaning deletes and rewrites; evidence must still point into the raw page.
An offset map is a list of runs (cleaned_start, raw_start): inside a run,
cleaned offsets map to raw ones by a constant shift.
"""

from __future__ import annotations

import bisect


class MappedText:
    """Accumulates output text with the raw offsets each character came from."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.runs: list[tuple[int, int]] = []
        self._run_end_raw = -1  # raw offset that would continue the current run

    def append(self, text: str, raw_start: int, raw_end: int | None = None) -> None:
        """Append `text`, taken from raw[raw_start:raw_end] (default: same length, copied)."""
        if not text:
            return
        raw_end = raw_start + len(text) if raw_end is None else raw_end
        if raw_end - raw_start == len(text):
            if raw_start != self._run_end_raw:
                self.runs.append((self._length, raw_start))
            self._run_end_raw = raw_end
        else:  # a rewrite (an entity, a folded space): its own run, pinned at the raw start
            self.runs.append((self._length, raw_start))
            self._run_end_raw = -1
        self._parts.append(text)
        self._length += len(text)

    def __len__(self) -> int:
        return self._length

    @property
    def text(self) -> str:
        return "".join(self._parts)


def to_raw(runs: list[tuple[int, int]], offset: int) -> int:
    """Raw offset of a cleaned offset under an offset map."""
    if not runs:
        return offset
    index = bisect.bisect_right(runs, (offset, float("inf"))) - 1
    clean_start, raw_start = runs[max(index, 0)]
    return raw_start + (offset - clean_start)


def span_to_raw(runs: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Raw span of a cleaned span [start, end)."""
    return to_raw(runs, start), to_raw(runs, end - 1) + 1
