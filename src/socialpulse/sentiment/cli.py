"""``socialpulse sentiment ...``: score texts from a file or stdin, or evaluate on labelled data."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer
from rich.console import Console
from rich.table import Table

from socialpulse.sentiment import metrics
from socialpulse.sentiment.base import LABELS, Analyser, default_analyser, parse_label

app = typer.Typer(help="Sentiment of comments.", no_args_is_help=True)

BATCH = 4096


@app.callback()
def _sentiment() -> None:
    """Sentiment of comments: the built-in model, or the one at SOCIALPULSE_SENTIMENT_MODEL."""


@contextmanager
def _open(file: str) -> Iterator[IO[str]]:
    if file == "-":
        yield sys.stdin
        return
    path = Path(file)
    if not path.is_file():
        raise typer.BadParameter(f"{file} is not a readable file", param_hint="FILE")
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        yield f


def _batches(lines: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@app.command()
def score(
    file: str = typer.Argument(
        ...,
        metavar="FILE",
        help="Texts, one per line (label<TAB>text with --eval); '-' reads standard input.",
    ),
    eval_: bool = typer.Option(
        False,
        "--eval",
        help="FILE holds label<TAB>text lines: print macro-recall, macro-F1, accuracy, "
        "per-class recall and the confusion matrix instead of labels.",
    ),
) -> None:
    """Print one label (positive, neutral or negative) per input line, in order."""
    analyser = default_analyser()
    with _open(file) as f:
        if eval_:
            _evaluate(analyser, f, file)
            return
        out = sys.stdout
        for batch in _batches(f):
            out.write("".join(f"{s.label}\n" for s in analyser.analyse(batch)))
        out.flush()


def _evaluate(analyser: Analyser, f: IO[str], name: str) -> None:
    gold: list[str] = []
    texts: list[str] = []
    for n, line in enumerate(f, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        label, sep, text = line.partition("\t")
        try:
            if not sep:
                raise ValueError("expected label<TAB>text")
            gold.append(parse_label(label))
        except ValueError as exc:
            raise typer.BadParameter(f"line {n}: {exc}", param_hint="FILE") from exc
        texts.append(text)
    if not gold:
        raise typer.BadParameter("no labelled lines", param_hint="FILE")
    pred: list[str] = []
    for start in range(0, len(texts), BATCH):
        pred.extend(s.label for s in analyser.analyse(texts[start : start + BATCH]))

    console = Console()
    summary = Table(title=f"{name}: {len(gold)} texts, analyser {analyser.name} {analyser.version}")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_row("macro-recall", f"{metrics.macro_recall(gold, pred):.4f}")
    summary.add_row("macro-F1", f"{metrics.macro_f1(gold, pred):.4f}")
    summary.add_row("accuracy", f"{metrics.accuracy(gold, pred):.4f}")
    for label, recall in metrics.per_class_recall(gold, pred).items():
        summary.add_row(f"recall {label}", "n/a" if recall is None else f"{recall:.4f}")
    console.print(summary)

    matrix = Table(title="confusion (rows: true, columns: predicted)")
    matrix.add_column("true \\ predicted")
    for label in LABELS:
        matrix.add_column(label, justify="right")
    for label, row in zip(LABELS, metrics.confusion(gold, pred), strict=True):
        matrix.add_row(label, *(str(v) for v in row))
    console.print(matrix)
