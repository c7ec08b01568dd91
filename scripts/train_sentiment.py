"""Train the built-in sentiment model and write its weights into the package.

Reads every ``<language>_train.tsv`` (``label<TAB>text``) under the data folder and fits
one multinomial logistic regression (L-BFGS, L2) over the hashed features of
``socialpulse.sentiment.features`` for all languages together:

* a language identifier (softmax over word unigrams and character trigrams, languages
  weighted by the square root of their size) is trained first; every feature also gets
  a copy in the namespace of its text's language, except for ``--shared-only``
  languages (romanised Hindi by default: its labels are too noisy to learn alone);
* classes are balanced within each language, and English (45k texts) weighs
  ``--english-weight`` of its size against each of the small sets;
* word valences from VADER's lexicon (MIT licence, read from the ``vaderSentiment``
  package at training time) feed three cue features and are shipped as word hashes
  and numbers only (``--lexicon none`` to leave them out);
* per-class logit offsets are tuned for macro-averaged recall on a held-out tenth of
  the training data (shared offsets for the mean over languages, plus English's own),
  then the model is refitted on all of it.

It writes ``src/socialpulse/sentiment/model/linear.npz`` (about 2 MB: int8 weights
over 2**20 buckets, no text, no vocabulary) and prints per-language metrics on the
``<language>_val.tsv`` files.

Run from the repository root, with the ``train`` extra (scikit-learn, scipy,
vaderSentiment; none of them is needed at run time). A run takes 10 to 25 minutes on
two cores::

    pip install -e '.[train]'
    python scripts/train_sentiment.py                 # data in ../shared/data/sentiment
    python scripts/train_sentiment.py --data /path/to/tsvs --out /tmp/linear.npz

The split is seeded (``--seed``) and the solver is deterministic, so the same data and
options give the same weights. Then check with ``python bench/sentiment.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from socialpulse.sentiment import metrics
from socialpulse.sentiment.base import LABELS, parse_label
from socialpulse.sentiment.features import Hashed, HashedLexicon, hash_features
from socialpulse.sentiment.linear import (
    FORMAT,
    LanguageIdentifier,
    LinearAnalyser,
    design,
    lid_design,
    quantise,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
DEFAULT_OUT = ROOT / "src" / "socialpulse" / "sentiment" / "model" / "linear.npz"


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            label, sep, text = line.partition("\t")
            if not sep:
                raise SystemExit(f"{path}:{n}: expected label<TAB>text")
            labels.append(parse_label(label))
            texts.append(text)
    return texts, labels


def load_split(data: Path, split: str) -> dict[str, tuple[list[str], list[str]]]:
    files = sorted(data.glob(f"*_{split}.tsv"))
    if not files:
        raise SystemExit(f"no *_{split}.tsv files in {data}; pass --data")
    return {f.name.removesuffix(f"_{split}.tsv"): read_tsv(f) for f in files}


def load_lexicon(name: str) -> HashedLexicon | None:
    """Word valences for the lexicon cues; VADER's lexicon (MIT licence, by C. J. Hutto) is
    read from the vaderSentiment package at training time and shipped as hashes only."""
    if name == "none":
        return None
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise SystemExit("--lexicon vader needs vaderSentiment: pip install -e '.[train]'") from exc
    valences: dict[str, float] = SentimentIntensityAnalyzer().lexicon
    return HashedLexicon.build({w.lower(): float(v) for w, v in valences.items()})


def stack(parts: list[Hashed]) -> Hashed:
    offsets = np.cumsum([0] + [p.n_rows for p in parts])
    return Hashed(
        rows=np.concatenate([p.rows + o for p, o in zip(parts, offsets, strict=False)]),
        hashes=np.concatenate([p.hashes for p in parts]),
        values=np.concatenate([p.values for p in parts]),
        kinds=np.concatenate([p.kinds for p in parts]),
        n_rows=int(offsets[-1]),
    )


def subset(h: Hashed, keep: npt.NDArray[np.bool_]) -> Hashed:
    new_index = np.cumsum(keep) - 1
    mask = keep[h.rows]
    return Hashed(new_index[h.rows[mask]], h.hashes[mask], h.values[mask], h.kinds[mask], int(keep.sum()))


def matrix(h: Hashed, bits: int, languages: npt.NDArray[np.int64] | None) -> csr_matrix:
    rows, cols, values = design(h, bits, languages)
    return csr_matrix((values.astype(np.float64), (rows, cols)), shape=(h.n_rows, 1 << bits))


def sample_weights(
    y: npt.NDArray[np.int64], lang: npt.NDArray[np.int64], lang_weight: list[float]
) -> npt.NDArray[np.float64]:
    """Classes balanced within each language; each language's total scaled by its weight."""
    w = np.zeros(len(y))
    for li, lw in enumerate(lang_weight):
        in_lang = lang == li
        n = in_lang.sum()
        for c in range(len(LABELS)):
            m = in_lang & (y == c)
            if m.any():
                w[m] = lw * n / (len(LABELS) * m.sum())
    out: npt.NDArray[np.float64] = w * len(y) / w.sum()
    return out


def fit(
    X: csr_matrix,
    y: npt.NDArray[np.int64],
    w: npt.NDArray[np.float64],
    c: float,
    max_iter: int,
    start: LogisticRegression | None = None,
) -> LogisticRegression:
    """Multinomial logistic regression (L-BFGS); continues from ``start`` when given."""
    model = start or LogisticRegression(C=c, max_iter=max_iter, tol=1e-4, warm_start=True)
    model.fit(X, y, sample_weight=w)
    return model


def tune_offsets(
    z: npt.NDArray[np.float64], y: npt.NDArray[np.int64], lang: npt.NDArray[np.int64], n_lang: int
) -> npt.NDArray[np.float64]:
    """Logit offsets (neutral fixed at 0) maximising the mean over languages of macro recall."""
    grid = np.round(np.arange(-1.0, 1.0001, 0.1), 2)
    best, best_offsets = -1.0, np.zeros(3)
    for a in grid:
        for b in grid:
            offsets = np.array([a, 0.0, b])
            pred = (z + offsets).argmax(axis=1)
            score = float(np.mean([_macro_recall(y[lang == li], pred[lang == li]) for li in range(n_lang)]))
            # prefer smaller offsets among (near) ties
            score -= 1e-4 * float(np.abs(offsets).sum())
            if score > best:
                best, best_offsets = score, offsets
    return best_offsets


def _macro_recall(y: npt.NDArray[np.int64], pred: npt.NDArray[np.int64]) -> float:
    present = [c for c in range(len(LABELS)) if (y == c).any()]
    return float(np.mean([(pred[y == c] == c).mean() for c in present])) if present else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of *_train.tsv/*_val.tsv")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    ap.add_argument("--bits", type=int, default=20, help="hash buckets = 2**bits")
    ap.add_argument("--lid-bits", type=int, default=16, help="hash buckets of the language identifier")
    ap.add_argument("--c", type=float, default=3.0, help="inverse L2 regularisation strength")
    ap.add_argument(
        "--english-weight",
        type=float,
        default=0.3,
        help="total weight of English vs one other language, per example",
    )
    ap.add_argument("--max-iter", type=int, default=500)
    ap.add_argument(
        "--holdout", type=float, default=0.1, help="share of training data for offset tuning (0: none)"
    )
    ap.add_argument(
        "--no-language-features", action="store_true", help="one shared feature space, no language identifier"
    )
    ap.add_argument(
        "--min-language-holdout",
        type=int,
        default=1000,
        help="held-out texts a language needs to get offsets of its own",
    )
    ap.add_argument(
        "--lexicon",
        choices=["vader", "none"],
        default="vader",
        help="word valences for three cue features: VADER's lexicon (shipped as hashes only) or none",
    )
    ap.add_argument(
        "--shared-only",
        nargs="*",
        default=["hindi"],
        help="languages without a feature copy of their own (labels too noisy to learn from alone)",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    train = load_split(args.data, "train")
    val = load_split(args.data, "val") if any(args.data.glob("*_val.tsv")) else {}
    languages = sorted(train)
    print(f"languages: {', '.join(f'{lg} ({len(train[lg][0])})' for lg in languages)}", flush=True)
    label_index: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
    lexicon = load_lexicon(args.lexicon)
    hashed = stack([hash_features(train[lg][0], lexicon) for lg in languages])
    y = np.array([label_index[lb] for lg in languages for lb in train[lg][1]], dtype=np.int64)
    lang = np.repeat(np.arange(len(languages)), [len(train[lg][0]) for lg in languages]).astype(np.int64)
    lang_weight = [args.english_weight if lg == "english" else 1.0 for lg in languages]
    print(f"hashed {hashed.n_rows} texts in {time.perf_counter() - t0:.0f}s", flush=True)

    lid: LanguageIdentifier | None = None
    if not args.no_language_features:
        t = time.perf_counter()
        lid_rows, lid_cols, lid_values = lid_design(hashed, args.lid_bits)
        lid_x = csr_matrix(
            (lid_values.astype(np.float64), (lid_rows, lid_cols)), shape=(hashed.n_rows, 1 << args.lid_bits)
        )
        # languages weighted by the square root of their size: a short English text
        # should not be taken for one of the small sets
        lid_w = (1.0 / np.sqrt(np.bincount(lang)))[lang]
        lid_w *= len(lang) / lid_w.sum()
        lid_model = LogisticRegression(C=10.0, max_iter=300, tol=1e-4).fit(lid_x, lang, sample_weight=lid_w)
        lid = LanguageIdentifier(
            bits=args.lid_bits,
            weights=lid_model.coef_.astype(np.float32),
            intercept=lid_model.intercept_.astype(np.float32),
            languages=tuple(languages),
            copies=np.array([lg not in args.shared_only for lg in languages]),
        )
        acc = (lid.predict(hashed) == lang).mean()
        print(
            f"language identifier: training accuracy {acc:.3f} ({time.perf_counter() - t:.0f}s)", flush=True
        )
    feature_lang = lid.feature_languages(lang) if lid is not None else None

    offsets = np.zeros(3)
    language_offsets = np.zeros((len(languages), 3))
    part: LogisticRegression | None = None
    if args.holdout > 0:
        t = time.perf_counter()
        rng = np.random.default_rng(args.seed)
        hold = np.zeros(len(y), dtype=bool)
        for li in range(len(languages)):
            for c in range(len(LABELS)):
                idx = np.flatnonzero((lang == li) & (y == c))
                hold[rng.choice(idx, size=round(len(idx) * args.holdout), replace=False)] = True
        fit_h, hold_h = subset(hashed, ~hold), subset(hashed, hold)
        fit_lang = feature_lang[~hold] if feature_lang is not None else None
        hold_lang = lid.predict(hold_h) if lid is not None else None
        hold_copy = lid.feature_languages(hold_lang) if lid is not None and hold_lang is not None else None
        part = fit(
            matrix(fit_h, args.bits, fit_lang),
            y[~hold],
            sample_weights(y[~hold], lang[~hold], lang_weight),
            args.c,
            args.max_iter,
        )
        z = part.decision_function(matrix(hold_h, args.bits, hold_copy))
        before = np.mean(
            [
                _macro_recall(y[hold][lang[hold] == li], z.argmax(1)[lang[hold] == li])
                for li in range(len(languages))
            ]
        )
        offsets = tune_offsets(z, y[hold], lang[hold], len(languages))
        after = np.mean(
            [
                _macro_recall(y[hold][lang[hold] == li], (z + offsets).argmax(1)[lang[hold] == li])
                for li in range(len(languages))
            ]
        )
        print(
            f"held-out mean macro-recall {before:.4f} -> {after:.4f} with logit offsets {offsets.tolist()} "
            f"({time.perf_counter() - t:.0f}s)",
            flush=True,
        )
        if hold_lang is not None:
            # a language with enough held-out texts gets offsets of its own, on top of the
            # shared ones, keyed (as at run time) by the identified language
            for li, lg in enumerate(languages):
                m = (lang[hold] == li) & (hold_lang == li)
                if m.sum() < args.min_language_holdout:
                    continue
                zl, yl = z[m] + offsets, y[hold][m]
                own = tune_offsets(zl, yl, np.zeros(len(yl), dtype=np.int64), 1)
                language_offsets[li] = own
                print(
                    f"{lg}: held-out macro-recall {_macro_recall(yl, zl.argmax(1)):.4f} -> "
                    f"{_macro_recall(yl, (zl + own).argmax(1)):.4f} with its own offsets {own.tolist()}",
                    flush=True,
                )

    t = time.perf_counter()
    model = fit(
        matrix(hashed, args.bits, feature_lang),
        y,
        sample_weights(y, lang, lang_weight),
        args.c,
        args.max_iter,
        start=part,  # the held-out fit is a close start
    )
    print(
        f"fitted on all training data in {time.perf_counter() - t:.0f}s ({int(np.max(model.n_iter_))} iterations)",
        flush=True,
    )

    q, scale = quantise(model.coef_.T)
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "format": np.array(FORMAT),
        "bits": np.array(args.bits),
        "classes": np.array(LABELS),
        "weights": q,
        "scale": scale,
        "intercept": (model.intercept_ + offsets).astype(np.float32),
    }
    if lid is not None:
        lq, lscale = quantise(lid.weights.T)
        arrays.update(
            {
                "languages": np.array(lid.languages),
                "lid_bits": np.array(lid.bits),
                "lid_weights": lq,
                "lid_scale": lscale,
                "lid_intercept": lid.intercept,
                "language_offsets": language_offsets.astype(np.float32),
                "language_copies": np.asarray(lid.copies, dtype=np.int8),
            }
        )
    if lexicon is not None:
        arrays["lexicon_hashes"] = lexicon.hashes
        arrays["lexicon_values"] = lexicon.values.astype(np.float16)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)  # type: ignore[arg-type]
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)", flush=True)

    analyser = LinearAnalyser.load(args.out)
    print(f"\n{'language':<12} {'macro-recall':>12} {'macro-F1':>9} {'accuracy':>9}")
    others: list[float] = []
    for lg in sorted(val):
        texts, gold = val[lg]
        pred = [s.label for s in analyser.analyse(texts)]
        r = metrics.macro_recall(gold, pred)
        if lg != "english":
            others.append(r)
        print(
            f"{lg:<12} {r:>12.4f} {metrics.macro_f1(gold, pred):>9.4f} {metrics.accuracy(gold, pred):>9.4f}"
        )
    if others:
        print(f"{'others mean':<12} {np.mean(others):>12.4f}")
    print(f"total {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
