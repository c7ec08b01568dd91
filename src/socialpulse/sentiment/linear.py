"""The built-in analyser: multinomial logistic regression over hashed features.

Runs offline on numpy alone. The weights file ``model/linear.npz`` (written by
``scripts/train_sentiment.py``) holds only numbers: int8-quantised weights per hash
bucket and class with their scales, the intercepts, a language identifier over the same
hashed features, per-language logit offsets, and optionally a word-valence table keyed
by word hashes (see ``features.HashedLexicon``).

One model serves every language. Each feature counts twice: once in a space shared by
all languages and once in the namespace of the text's language as identified at run
time, so the model learns what is common (emoji, emoticons, loan words, shared stems)
and what is particular to each language. Languages flagged as having no copy of their
own (romanised Hindi, whose training labels are too noisy to learn from alone) use the
shared features only. Texts with nothing to read (empty, or only links and mentions)
are neutral with score 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from socialpulse.sentiment.base import LABELS, Label, Sentiment, SentimentModelError
from socialpulse.sentiment.features import (
    KIND_CUE,
    KIND_WORD,
    Hashed,
    HashedLexicon,
    buckets,
    hash_features,
    with_namespace,
)

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

FORMAT = 1
LANGUAGE_NAMESPACE = 100  # + language index: namespace of a language's own feature copies
CHUNK = 2048
LID_KINDS = (KIND_WORD, 3)  # the language identifier reads word unigrams and character trigrams


def default_weights_path() -> Path:
    return Path(str(resources.files("socialpulse.sentiment") / "model" / "linear.npz"))


def design(hashed: Hashed, bits: int, languages: npt.NDArray[np.int64] | None) -> tuple[I64, I64, F32]:
    """Rows, columns and values of the sparse design matrix with ``2**bits`` columns.

    With ``languages`` (one index per row), each feature is repeated in the namespace
    of its row's language; a row whose language is -1 keeps the shared features only.
    """
    rows, hashes, values = hashed.rows, hashed.hashes, hashed.values
    cols = buckets(hashes, bits)
    if languages is None:
        return rows, cols, values
    entry_lang = languages[rows]
    keep = entry_lang >= 0
    own = buckets(with_namespace(hashes[keep], LANGUAGE_NAMESPACE + entry_lang[keep]), bits)
    return (
        np.concatenate((rows, rows[keep])),
        np.concatenate((cols, own)),
        np.concatenate((values, values[keep])),
    )


def linear_scores(rows: I64, cols: I64, values: F32, weights: F32, n_rows: int) -> F32:
    """``X @ weights.T`` for the sparse X given by (rows, cols, values); ``weights`` has one
    contiguous row per class (gathering from it is faster than from columns)."""
    out = np.empty((n_rows, weights.shape[0]), dtype=np.float32)
    for k in range(weights.shape[0]):
        out[:, k] = np.bincount(rows, weights=weights[k][cols] * values, minlength=n_rows)
    return out


def _restore(q: npt.NDArray[np.int8], scale: F32) -> F32:
    """Stored (buckets x classes) int8 weights as float32, one contiguous row per class."""
    w: F32 = np.ascontiguousarray((q.astype(np.float32) * scale.astype(np.float32)).T)
    return w


def softmax(z: F32) -> F32:
    z = z - z.max(axis=1, keepdims=True)
    e: F32 = np.exp(z)
    p: F32 = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return p


def quantise(w: npt.NDArray[np.floating[Any]]) -> tuple[npt.NDArray[np.int8], F32]:
    """int8 weights and the per-column scale that restores them (w ≈ q * scale)."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def lid_design(hashed: Hashed, bits: int) -> tuple[I64, I64, F32]:
    """Rows, columns and values of the language identifier's design matrix."""
    keep = np.isin(hashed.kinds, LID_KINDS)
    return hashed.rows[keep], buckets(hashed.hashes[keep], bits), hashed.values[keep]


@dataclass
class LanguageIdentifier:
    """Softmax over languages from word unigrams and character trigrams, ``2**bits`` buckets."""

    bits: int
    weights: F32  # languages x buckets
    intercept: F32
    languages: tuple[str, ...]
    offsets: F32 | None = None  # per language: logit offsets added to the sentiment scores
    copies: npt.NDArray[np.bool_] | None = None  # per language: has its own feature copy

    def feature_languages(self, predicted: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The language whose feature copy each row gets (-1: shared features only)."""
        if self.copies is None:
            return predicted
        chosen: npt.NDArray[np.int64] = np.where(self.copies[predicted], predicted, -1)
        return chosen

    def predict(self, hashed: Hashed) -> npt.NDArray[np.int64]:
        rows, cols, values = lid_design(hashed, self.bits)
        z = linear_scores(rows, cols, values, self.weights, hashed.n_rows) + self.intercept
        best: npt.NDArray[np.int64] = z.argmax(axis=1).astype(np.int64)
        return best


class LinearAnalyser:
    """The default analyser; see the module docstring."""

    name = "linear"

    def __init__(
        self,
        *,
        bits: int,
        weights: F32,
        intercept: F32,
        language_id: LanguageIdentifier | None = None,
        lexicon: HashedLexicon | None = None,
        version: str = "unversioned",
    ) -> None:
        if weights.shape != (len(LABELS), 1 << bits):
            raise SentimentModelError(f"weights of shape {weights.shape} do not match {bits} hash bits")
        self.bits = bits
        self.weights = weights
        self.intercept = intercept
        self.language_id = language_id
        self.lexicon = lexicon
        self.version = version

    @classmethod
    def load(cls, path: Path | None = None) -> LinearAnalyser:
        path = path or default_weights_path()
        if not path.is_file():
            raise SentimentModelError(
                f"sentiment weights file {path} is missing; run scripts/train_sentiment.py to build it"
            )
        raw = path.read_bytes()
        with np.load(path, allow_pickle=False) as z:
            if int(z["format"]) != FORMAT:
                raise SentimentModelError(f"{path} has format {int(z['format'])}, expected {FORMAT}")
            classes = tuple(str(c) for c in z["classes"])
            if classes != LABELS:
                raise SentimentModelError(f"{path} has classes {classes}, expected {LABELS}")
            weights = _restore(z["weights"], z["scale"])
            language_id = None
            if "languages" in z.files:
                language_id = LanguageIdentifier(
                    bits=int(z["lid_bits"]),
                    weights=_restore(z["lid_weights"], z["lid_scale"]),
                    intercept=z["lid_intercept"].astype(np.float32),
                    languages=tuple(str(x) for x in z["languages"]),
                    offsets=(
                        z["language_offsets"].astype(np.float32) if "language_offsets" in z.files else None
                    ),
                    copies=z["language_copies"].astype(bool) if "language_copies" in z.files else None,
                )
            lexicon = None
            if "lexicon_hashes" in z.files:
                lexicon = HashedLexicon(
                    z["lexicon_hashes"].astype(np.uint64), z["lexicon_values"].astype(np.float32)
                )
            return cls(
                lexicon=lexicon,
                bits=int(z["bits"]),
                weights=weights,
                intercept=z["intercept"].astype(np.float32),
                language_id=language_id,
                version=f"{FORMAT}.{hashlib.sha256(raw).hexdigest()[:12]}",
            )

    def probabilities(self, texts: Sequence[str]) -> F32:
        """Class probabilities (columns in :data:`LABELS` order), one row per text."""
        parts = [self._probabilities(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
        if not parts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return np.concatenate(parts)

    def _probabilities(self, texts: Sequence[str]) -> F32:
        hashed = hash_features(texts, self.lexicon)
        lid = self.language_id
        languages = lid.predict(hashed) if lid is not None else None
        copies = lid.feature_languages(languages) if lid is not None and languages is not None else None
        rows, cols, values = design(hashed, self.bits, copies)
        z = linear_scores(rows, cols, values, self.weights, hashed.n_rows) + self.intercept
        if lid is not None and languages is not None and lid.offsets is not None:
            z += lid.offsets[languages]
        p = softmax(z)
        # nothing left to read (empty, blank, or only links and mentions): neutral
        has_tokens = np.bincount(hashed.rows[hashed.kinds != KIND_CUE], minlength=hashed.n_rows) > 0
        p[~has_tokens] = (0.0, 1.0, 0.0)
        return p

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        p = self.probabilities(texts)
        best = p.argmax(axis=1).tolist()
        score = np.clip(p[:, 2] - p[:, 0], -1.0, 1.0).tolist()
        labels: tuple[Label, ...] = LABELS
        return [Sentiment(labels[b], float(s)) for b, s in zip(best, score, strict=True)]
