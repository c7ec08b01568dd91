"""Sentiment of comments: positive, neutral or negative, with a score in [-1, 1].

``default_analyser()`` gives the process's analyser: the built-in multilingual linear
model (numpy only, weights shipped in ``model/``), or a local transformer model when
``SOCIALPULSE_SENTIMENT_MODEL`` points at one.
"""

from socialpulse.sentiment.base import LABELS, Analyser, Label, Sentiment, default_analyser

__all__ = ["LABELS", "Analyser", "Label", "Sentiment", "default_analyser"]
