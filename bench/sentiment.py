"""Sentiment benchmark: quality and speed of VADER and of the default analyser.

For every ``<language>_val.tsv`` (``label<TAB>text``) in the data folder it reports
macro-averaged recall (the official metric), macro-F1 and accuracy of VADER (compound
>= 0.05 positive, <= -0.05 negative, else neutral) and of the default analyser, and
how many comments per second each scores on one core (single process, one thread:
the whole file scored as one batch, best of ``--repeat`` timed runs).

    python bench/sentiment.py [--data ../shared/data/sentiment] [--repeat 3]

The last line printed is one JSON object:
``{"runs": [...], "targets": {...}, "met": true|false}``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from socialpulse.sentiment import metrics  # noqa: E402
from socialpulse.sentiment.base import default_analyser, parse_label  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
TARGETS = {
    "english_macro_recall_min": 0.69,
    "others_mean_macro_recall_min": 0.55,
    "others_each_macro_recall_min": 0.45,
}

Scorer = Callable[[Sequence[str]], list[str]]


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        label, _, text = line.partition("\t")
        labels.append(parse_label(label))
        texts.append(text)
    return texts, labels


def vader_scorer() -> Scorer | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    vader = SentimentIntensityAnalyzer()

    def score(texts: Sequence[str]) -> list[str]:
        out = []
        for t in texts:
            c = vader.polarity_scores(t)["compound"]
            out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
        return out

    return score


def timed(scorer: Scorer, texts: Sequence[str], repeat: int) -> tuple[list[str], float]:
    """Labels and comments per second (best of ``repeat`` runs over the whole batch)."""
    labels = scorer(texts)  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        scorer(texts)
        best = min(best, time.perf_counter() - t)
    return labels, len(texts) / best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    files = sorted(args.data.glob("*_val.tsv"), key=lambda p: (p.name != "english_val.tsv", p.name))
    if not files:
        print(f"no *_val.tsv files in {args.data}; pass --data", file=sys.stderr)
        return 2

    analyser = default_analyser()
    scorers: dict[str, Scorer] = {}
    vader = vader_scorer()
    if vader is not None:
        scorers["vader"] = vader
    scorers[analyser.name] = lambda texts: [s.label for s in analyser.analyse(texts)]

    runs: list[dict[str, Any]] = []
    for path in files:
        language = path.name.removesuffix("_val.tsv")
        texts, gold = read_tsv(path)
        for name, scorer in scorers.items():
            pred, speed = timed(scorer, texts, args.repeat)
            runs.append(
                {
                    "language": language,
                    "analyser": name,
                    "macro_recall": round(metrics.macro_recall(gold, pred), 4),
                    "macro_f1": round(metrics.macro_f1(gold, pred), 4),
                    "accuracy": round(metrics.accuracy(gold, pred), 4),
                    "comments_per_s": round(speed, 1),
                }
            )

    ours = {r["language"]: r for r in runs if r["analyser"] == analyser.name}
    english = ours.get("english", {}).get("macro_recall")
    others = [r["macro_recall"] for lang, r in ours.items() if lang != "english"]
    others_mean = sum(others) / len(others) if others else None
    met = (
        english is not None
        and english >= TARGETS["english_macro_recall_min"]
        and others_mean is not None
        and others_mean >= TARGETS["others_mean_macro_recall_min"]
        and min(others) >= TARGETS["others_each_macro_recall_min"]
    )

    console = Console()
    table = Table(title=f"Sentiment on the validation files (analyser {analyser.name} {analyser.version})")
    for col in ("language", "analyser", "macro-recall", "macro-F1", "accuracy", "comments/s/core"):
        table.add_column(col, justify="left" if col in ("language", "analyser") else "right")
    for r in runs:
        table.add_row(
            r["language"],
            r["analyser"],
            f"{r['macro_recall']:.4f}",
            f"{r['macro_f1']:.4f}",
            f"{r['accuracy']:.4f}",
            f"{r['comments_per_s']:,.0f}",
        )
    console.print(table)
    if others_mean is not None:
        console.print(
            f"{analyser.name}: english macro-recall {english}, others mean {others_mean:.4f}, "
            f"others min {min(others):.4f}; targets {TARGETS}; met: {met}"
        )
    print(
        json.dumps(
            {
                "runs": runs,
                "targets": {
                    **TARGETS,
                    "english_macro_recall": english,
                    "others_mean_macro_recall": None if others_mean is None else round(others_mean, 4),
                    "others_min_macro_recall": min(others) if others else None,
                },
                "met": met,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
