"""The sentiment analyser interface and the process-wide default analyser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal, Protocol

from socialpulse.config import get_settings
from socialpulse.errors import AppError

Label = Literal["positive", "neutral", "negative"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Sentiment:
    """One text's sentiment.

    ``score`` lies in [-1, 1]: the probability of positive minus that of negative.
    """

    label: Label
    score: float


class Analyser(Protocol):
    """Scores texts; ``analyse`` returns one :class:`Sentiment` per text, in order."""

    name: str
    version: str

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]: ...


class SentimentModelError(AppError):
    """The configured sentiment model cannot be loaded or used."""

    status_code: ClassVar[int] = 500
    title: ClassVar[str] = "Sentiment Model Unavailable"


def parse_label(value: str) -> Label:
    """``value`` as a :data:`Label`; raises ``ValueError`` naming the accepted labels."""
    v = value.strip().lower()
    if v == "positive":
        return "positive"
    if v == "neutral":
        return "neutral"
    if v == "negative":
        return "negative"
    raise ValueError(f"unknown sentiment label {value!r}: expected one of {', '.join(LABELS)}")


def default_analyser() -> Analyser:
    """The analyser of this process: the transformer model at ``SOCIALPULSE_SENTIMENT_MODEL``
    when that is set, else the linear model shipped with the package. Loaded once."""
    return analyser_for(get_settings().sentiment_model)


@lru_cache(maxsize=4)
def analyser_for(model_path: Path | None) -> Analyser:
    """The transformer model at ``model_path``, or the shipped linear model when None; each
    loaded once per process."""
    if model_path is not None:
        from socialpulse.sentiment.transformer import TransformerAnalyser

        return TransformerAnalyser(model_path)
    from socialpulse.sentiment.linear import LinearAnalyser

    return LinearAnalyser.load()
