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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.sentiment import metrics
from socialpulse.sentiment.base import LABELS, Analyser, analyser_for, default_analyser, parse_label

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


@app.command()
def backfill(
    since: str | None = typer.Option(
        None, help="Only comments posted (or first seen) from this moment on: an ISO date or date-time."
    ),
    all_: bool = typer.Option(
        False, "--all", help="Score every comment again, also those the current analyser labelled."
    ),
    batch_size: int = typer.Option(
        2000, "--batch-size", min=1, max=100_000, help="Comments per transaction."
    ),
) -> None:
    """Score stored comments again with the current analyser: those labelled by another analyser
    or version, and those stored without a label. Safe to interrupt and run again."""
    from rich.progress import Progress

    from socialpulse.cli.commands import with_sessions
    from socialpulse.cli.main import fail, load_settings, run
    from socialpulse.errors import AppError
    from socialpulse.sentiment.backfill import backfill as run_backfill
    from socialpulse.sentiment.backfill import count_stale
    from socialpulse.stats.schemas import parse_moment

    settings = load_settings()
    try:
        moment = parse_moment(since, "--since") if since else None
    except AppError as exc:
        raise fail(exc.detail) from None
    try:
        analyser = analyser_for(settings.sentiment_model)
    except AppError as exc:
        raise fail(exc.detail) from None
    err = Console(stderr=True)

    async def go(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with sessions() as session:
            total = await count_stale(session, analyser, since=moment, everything=all_)
        if total == 0:
            return f"nothing to do: every comment is labelled by {analyser.name} {analyser.version}"
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("scoring comments", total=total)
            result = await run_backfill(
                sessions,
                analyser,
                since=moment,
                everything=all_,
                chunk=batch_size,
                progress=lambda n: bar.advance(task, n),
            )
        return (
            f"scored {result.rescored} comment(s) with {result.analyser} {result.version}; "
            f"{result.changed} changed label"
        )

    Console().print(run(lambda: with_sessions(settings, go)))
