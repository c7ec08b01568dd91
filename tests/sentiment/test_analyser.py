from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from socialpulse.sentiment.base import LABELS, Sentiment, SentimentModelError, default_analyser
from socialpulse.sentiment.linear import LinearAnalyser, default_weights_path

TEXTS = [
    "I love this so much, best day ever!",
    "This is the worst service, I hate it.",
    "The meeting is at 3pm on Tuesday.",
    "",
    "😍😍",
    "😡",
    "Je déteste cette mise à jour, c'est nul",
    "Das ist wirklich großartig, danke!",
]


@pytest.fixture(scope="module")
def analyser() -> LinearAnalyser:
    return LinearAnalyser.load()


def test_labels_scores_and_order(analyser: LinearAnalyser) -> None:
    out = analyser.analyse(TEXTS)
    assert len(out) == len(TEXTS)
    for s in out:
        assert s.label in LABELS
        assert -1.0 <= s.score <= 1.0
    # order kept: each text scored alone gives the same answer
    for text, s in zip(TEXTS, out, strict=True):
        (alone,) = analyser.analyse([text])
        assert alone.label == s.label
        assert alone.score == pytest.approx(s.score, abs=1e-5)
    assert analyser.analyse([]) == []


def test_obvious_cases(analyser: LinearAnalyser) -> None:
    labels = [s.label for s in analyser.analyse(TEXTS)]
    assert labels[0] == "positive"
    assert labels[1] == "negative"
    assert labels[4] == "positive"  # 😍😍
    assert labels[5] == "negative"  # 😡
    scores = [s.score for s in analyser.analyse(TEXTS)]
    assert scores[0] > 0 > scores[1]


def test_texts_with_nothing_to_read_are_neutral(analyser: LinearAnalyser) -> None:
    out = analyser.analyse(["", "   ", "\n", "@someone https://example.com/x", "#"])
    assert out == [Sentiment("neutral", 0.0)] * 5


def test_urls_and_mentions_are_ignored(analyser: LinearAnalyser) -> None:
    plain = analyser.analyse(["what a great game tonight"])
    decorated = analyser.analyse(
        [
            "@coach what a great game https://example.com/match?id=1 tonight @fans",
            "what a great game www.example.org/x tonight",
        ]
    )
    for s in decorated:
        assert s == plain[0]


def test_large_batches_match_small_ones(analyser: LinearAnalyser) -> None:
    texts = [f"{t} {i}" for i in range(1500) for t in TEXTS[:3]]
    big = analyser.probabilities(texts)
    small = np.concatenate([analyser.probabilities(texts[i : i + 7]) for i in range(0, len(texts), 7)])
    assert np.allclose(big, small, atol=1e-5)


def test_weights_file_is_present_small_and_numeric() -> None:
    path = default_weights_path()
    assert path.is_file()
    assert path.stat().st_size < 5_000_000
    with np.load(path, allow_pickle=False) as z:
        for name in z.files:
            arr = z[name]
            if arr.dtype.kind == "U":  # only metadata: class and language names
                assert name in {"classes", "languages"}
                assert arr.size <= 16
            else:
                assert arr.dtype.kind in "iuf"


def test_default_analyser_is_the_linear_model_and_cached(fresh_default: None) -> None:
    a = default_analyser()
    assert isinstance(a, LinearAnalyser)
    assert a.name == "linear"
    assert a.version
    assert default_analyser() is a


def test_configured_model_that_is_not_a_model_is_refused(
    fresh_default: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALPULSE_SENTIMENT_MODEL", str(tmp_path))
    with pytest.raises(SentimentModelError, match=r"config\.json"):
        default_analyser()


def test_missing_weights_file_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(SentimentModelError, match="train_sentiment"):
        LinearAnalyser.load(tmp_path / "absent.npz")
