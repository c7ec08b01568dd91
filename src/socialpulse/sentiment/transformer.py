"""Optional backend: a local Hugging Face sequence-classification model.

Enabled by ``SOCIALPULSE_SENTIMENT_MODEL=/path/to/model`` (a directory saved with
``save_pretrained``: config, weights and tokenizer files). Nothing is downloaded. Needs
the ``transformers`` extra: ``pip install 'socialpulse[transformers]'``.

The model's ``id2label`` is mapped onto our three labels: names containing ``neg``,
``neu`` or ``pos`` (any case), star ratings (``1 star`` … ``5 stars``: 1–2 negative,
3 neutral, 4–5 positive), or the generic ``LABEL_0``/``LABEL_1``/``LABEL_2`` read as
negative/neutral/positive (``LABEL_0``/``LABEL_1`` as negative/positive for two classes).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialpulse.sentiment.base import LABELS, Label, Sentiment, SentimentModelError

_STARS = re.compile(r"^\s*([1-5])\s*stars?\s*$")
_GENERIC = re.compile(r"^label_(\d+)$")


def map_labels(id2label: Mapping[int, str]) -> dict[int, Label]:
    """Our label for each of the model's class indices; raises ``SentimentModelError``
    when a class cannot be mapped or when no class is negative or positive."""
    names = {int(i): str(n).strip().lower() for i, n in id2label.items()}
    out: dict[int, Label] = {}
    generic = all(_GENERIC.match(n) for n in names.values())
    for i, name in names.items():
        stars = _STARS.match(name)
        if generic:
            if len(names) == 3:
                out[i] = LABELS[int(_GENERIC.match(name).group(1))]  # type: ignore[union-attr]
            elif len(names) == 2:
                out[i] = "negative" if i == 0 else "positive"
        elif "neg" in name:
            out[i] = "negative"
        elif "neu" in name:
            out[i] = "neutral"
        elif "pos" in name:
            out[i] = "positive"
        elif stars:
            n = int(stars.group(1))
            out[i] = "negative" if n <= 2 else "neutral" if n == 3 else "positive"
        if i not in out:
            raise SentimentModelError(
                f"cannot map the model's class {i} ({id2label[i]!r}) to negative/neutral/positive; "
                "name the classes in the model's config.json id2label"
            )
    if "negative" not in out.values() or "positive" not in out.values():
        raise SentimentModelError(
            f"the model's classes {sorted(names.values())} have no negative or no positive class"
        )
    return out


class TransformerAnalyser:
    """Scores texts with a local sequence-classification model (CPU or the default device)."""

    name = "transformer"

    def __init__(self, path: Path | str, *, batch_size: int = 32, max_length: int = 128) -> None:
        path = Path(path)
        if not (path / "config.json").is_file():
            raise SentimentModelError(
                f"SOCIALPULSE_SENTIMENT_MODEL={path} is not a model directory (no config.json); "
                "point it at a folder saved with save_pretrained"
            )
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise SentimentModelError(
                "SOCIALPULSE_SENTIMENT_MODEL is set but transformers/torch are not installed: "
                "pip install 'socialpulse[transformers]', or unset it to use the built-in model"
            ) from exc
        try:
            self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            self._model: Any = AutoModelForSequenceClassification.from_pretrained(
                str(path), local_files_only=True
            )
        except (OSError, ValueError) as exc:
            raise SentimentModelError(f"cannot load the sentiment model at {path}: {exc}") from exc
        self._model.eval()
        self._torch: Any = torch
        self._labels = map_labels(self._model.config.id2label)
        self._batch_size = batch_size
        self._max_length = max_length
        digest = hashlib.sha256((path / "config.json").read_bytes()).hexdigest()[:12]
        self.version = f"{path.name}@{digest}"

    def analyse(self, texts: Sequence[str]) -> list[Sentiment]:
        torch = self._torch
        out: list[Sentiment] = []
        for start in range(0, len(texts), self._batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self._batch_size]]
            enc = self._tokenizer(
                batch, padding=True, truncation=True, max_length=self._max_length, return_tensors="pt"
            )
            with torch.inference_mode():
                probs = torch.softmax(self._model(**enc).logits.float(), dim=-1).tolist()
            for row in probs:
                p = dict.fromkeys(LABELS, 0.0)
                for i, value in enumerate(row):
                    p[self._labels[i]] += value
                label = max(LABELS, key=lambda k: p[k])
                score = max(-1.0, min(1.0, p["positive"] - p["negative"]))
                out.append(Sentiment(label, score))
        return out
