"""CI's quality gate: `newsx eval` on the gold sets must not fall below the floors recorded in the repo.

Floors live in evaluation/floors/*.json; raise them when a change improves a figure.
"""

from __future__ import annotations

import pytest

from newsx.cli import main

from .conftest import REPO, SHARED

GOLD_SETS = {
    "dev": (SHARED / "gold" / "dev", SHARED / "corpus" / "dev"),
    "sample": (REPO / "sample" / "gold", REPO / "sample" / "corpus"),
    "heldout": (REPO / "tests" / "articles" / "gold", REPO / "tests" / "articles" / "corpus"),  # never tuned on
}


@pytest.mark.parametrize("name", sorted(GOLD_SETS))
def test_eval_figures_stay_above_their_floors(name, capsys):
    gold, corpus = GOLD_SETS[name]
    if not gold.is_dir():
        pytest.skip(f"{gold} is missing (../shared must sit beside the repo)")
    floors = REPO / "evaluation" / "floors" / f"{name}.json"
    code = main(["eval", "--gold", str(gold), "--source", str(corpus), "--floors", str(floors)])
    printed = capsys.readouterr()
    print(printed.out)
    assert code == 0, printed.err
