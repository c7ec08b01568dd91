from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from socialpulse.sentiment.features import buckets, hash_features, normalise, string_hashes, tokenise
from socialpulse.sentiment.lexicon import canonical_emoticon

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Soooo happy today 😍 :-)", "je n'aime pas ça", "", "@bob http://x.co/y nicht gut!!"]


def _digest(texts: list[str]) -> list[int]:
    h = hash_features(texts)
    return [int(x) for x in np.sort(buckets(h.hashes, 24))]


def test_hashes_are_fixed_numbers() -> None:
    # pinned: a change here changes every feature, and the shipped weights must be retrained
    assert string_hashes(["love", "😍"]).tolist() == [2438552860368742438, 11400714819323327010]
    assert sorted(buckets(hash_features(["good"]).hashes, 20).tolist()) == [
        174020, 194749, 210278, 301919, 312124, 316093, 322762, 341376, 385196,
        430677, 503069, 642501, 719348, 757709, 870191, 949546, 950337,
    ]  # fmt: skip
    assert string_hashes(["love"])[0] == string_hashes(["x", "love"])[1]
    assert string_hashes(["love"])[0] != string_hashes(["evol"])[0]


def test_features_are_the_same_in_another_process() -> None:
    here = _digest(TEXTS)
    code = (
        "import json, sys; from tests.sentiment.test_features import _digest, TEXTS; "
        "print(json.dumps(_digest(TEXTS)))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        assert json.loads(out.stdout) == here


def test_features_do_not_depend_on_the_batch() -> None:
    alone = [hash_features([t]) for t in TEXTS]
    together = hash_features(TEXTS)
    for i, h in enumerate(alone):
        mask = together.rows == i
        assert sorted(together.hashes[mask].tolist()) == sorted(h.hashes.tolist())
        assert np.allclose(np.sort(together.values[mask]), np.sort(h.values))


def test_normalisation() -> None:
    assert normalise("see https://t.co/abc and @someone now").split() == ["see", "and", "now"]
    assert normalise("it\\u2019s") == "it’s"
    assert normalise("&lt;3") == "<3"
    # Arabic presentation forms fold to the base letters, diacritics go
    assert normalise("ﻃﻔﻼً") == "طفلا"


def test_tokens_elongation_negation_emoticons() -> None:
    t = tokenise("Soooo GOOD!!!! I do not like it :-))")
    assert t.tokens[:2] == ["soo", "good"]
    assert t.tokens[2] == "!!"
    assert t.negated[t.tokens.index("like")]
    assert not t.negated[t.tokens.index("good")]
    assert t.tokens[-1] == ":)"
    assert {"elongated", "exclaim", "caps", "pos"} <= t.cues.keys()


def test_canonical_emoticons() -> None:
    for e in (":)", ":-)", "=)", ":))", "(:"):
        assert canonical_emoticon(e) == ":)"
    for e in (":(", ":-(", "):"):
        assert canonical_emoticon(e) == ":("
    assert canonical_emoticon("<3") == "<3"
    assert canonical_emoticon(":'(") == ":'("
