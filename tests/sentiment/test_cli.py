from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialpulse.sentiment.base import LABELS
from socialpulse.sentiment.cli import app

runner = CliRunner()
LINES = ["I love it!", "", "terrible, just terrible 😡", "the train leaves at noon", "😍😍"]


@pytest.fixture(autouse=True)
def _builtin_model(fresh_default: None) -> None:
    """Score with the shipped model whatever the environment says."""


def test_score_file_prints_one_label_per_line(tmp_path: Path) -> None:
    f = tmp_path / "texts.txt"
    f.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(f)])
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert len(out) == len(LINES)
    assert all(label in LABELS for label in out)
    assert out[0] == "positive"
    assert out[2] == "negative"
    assert out[4] == "positive"


def test_score_stdin(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", "-"], input="so happy for you\nawful news\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["positive", "negative"]


def test_eval_prints_metrics_and_confusion(tmp_path: Path) -> None:
    f = tmp_path / "gold.tsv"
    f.write_text(
        "positive\tI love it!\nnegative\tterrible, just terrible\nneutral\tthe train leaves at noon\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", "--eval", str(f)])
    assert result.exit_code == 0, result.output
    for word in ("macro-recall", "macro-F1", "accuracy", "recall negative", "confusion"):
        assert word in result.stdout


def test_eval_refuses_unknown_labels(tmp_path: Path) -> None:
    f = tmp_path / "gold.tsv"
    f.write_text("happy\tI love it!\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "--eval", str(f)])
    assert result.exit_code == 2
    assert "line 1" in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
