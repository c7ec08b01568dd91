"""Quality floor on the English development file (read from the shared data folder)."""

from __future__ import annotations

import pytest

from socialpulse.sentiment import metrics
from socialpulse.sentiment.base import parse_label
from socialpulse.sentiment.linear import LinearAnalyser

from .conftest import DATA


def test_english_macro_recall() -> None:
    path = DATA / "english_val.tsv"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared sentiment data is not next to this repository")
    gold: list[str] = []
    texts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            label, _, text = line.partition("\t")
            gold.append(parse_label(label))
            texts.append(text)
    pred = [s.label for s in LinearAnalyser.load().analyse(texts)]
    assert metrics.macro_recall(gold, pred) >= 0.69
