"""Classification metrics for sentiment evaluation: pure functions over label sequences.

Macro averages are taken over the classes present in ``y_true`` (recall) or in either
sequence (F1), so that a class absent from a small sample does not count as a zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialpulse.sentiment.base import LABELS


def _check(y_true: Sequence[str], y_pred: Sequence[str]) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("no examples to score")


def confusion(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS
) -> list[list[int]]:
    """Counts ``m[i][j]`` of examples of class ``labels[i]`` predicted as ``labels[j]``."""
    _check(y_true, y_pred)
    index = {label: i for i, label in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred, strict=True):
        if t not in index or p not in index:
            raise ValueError(f"label outside {list(labels)}: {t if t not in index else p!r}")
        m[index[t]][index[p]] += 1
    return m


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Share of predictions equal to the true label."""
    _check(y_true, y_pred)
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def per_class_recall(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS
) -> dict[str, float | None]:
    """Recall of each class; ``None`` for a class with no true example."""
    m = confusion(y_true, y_pred, labels)
    out: dict[str, float | None] = {}
    for i, label in enumerate(labels):
        support = sum(m[i])
        out[label] = m[i][i] / support if support else None
    return out


def per_class_f1(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS
) -> dict[str, float | None]:
    """F1 of each class; ``None`` for a class that is neither true nor predicted anywhere."""
    m = confusion(y_true, y_pred, labels)
    out: dict[str, float | None] = {}
    for i, label in enumerate(labels):
        tp = m[i][i]
        support = sum(m[i])
        predicted = sum(row[i] for row in m)
        if support == 0 and predicted == 0:
            out[label] = None
        else:
            out[label] = 2 * tp / (support + predicted)
    return out


def _mean(values: dict[str, float | None]) -> float:
    present = [v for v in values.values() if v is not None]
    return sum(present) / len(present) if present else 0.0


def macro_recall(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    """Mean of the per-class recalls over the classes present in ``y_true``."""
    return _mean(per_class_recall(y_true, y_pred, labels))


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    """Mean of the per-class F1 scores over the classes true or predicted at least once."""
    return _mean(per_class_f1(y_true, y_pred, labels))
