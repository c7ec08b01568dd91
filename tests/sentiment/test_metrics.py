from __future__ import annotations

import pytest

from socialpulse.sentiment import metrics

# true:      neg neg neg pos pos neu neu neu neu pos
# predicted: neg pos neu pos pos neu neg neu neu neu
TRUE = ["negative"] * 3 + ["positive"] * 2 + ["neutral"] * 4 + ["positive"]
PRED = [
    "negative",
    "positive",
    "neutral",
    "positive",
    "positive",
    "neutral",
    "negative",
    "neutral",
    "neutral",
    "neutral",
]


def test_confusion_rows_are_true_columns_predicted() -> None:
    assert metrics.confusion(TRUE, PRED) == [
        [1, 1, 1],  # negative: 1 right, 1 as neutral, 1 as positive
        [1, 3, 0],  # neutral
        [0, 1, 2],  # positive
    ]


def test_accuracy() -> None:
    assert metrics.accuracy(TRUE, PRED) == pytest.approx(6 / 10)


def test_recall_per_class_and_macro() -> None:
    recall = metrics.per_class_recall(TRUE, PRED)
    assert recall == pytest.approx({"negative": 1 / 3, "neutral": 3 / 4, "positive": 2 / 3})
    assert metrics.macro_recall(TRUE, PRED) == pytest.approx((1 / 3 + 3 / 4 + 2 / 3) / 3)


def test_f1_per_class_and_macro() -> None:
    # negative: tp 1, support 3, predicted 2 -> 2/5; neutral: tp 3, support 4, predicted 5 -> 6/9;
    # positive: tp 2, support 3, predicted 3 -> 4/6
    f1 = metrics.per_class_f1(TRUE, PRED)
    assert f1 == pytest.approx({"negative": 2 / 5, "neutral": 6 / 9, "positive": 4 / 6})
    assert metrics.macro_f1(TRUE, PRED) == pytest.approx((2 / 5 + 6 / 9 + 4 / 6) / 3)


def test_perfect_and_constant_predictions() -> None:
    assert metrics.macro_recall(TRUE, TRUE) == 1.0
    assert metrics.macro_f1(TRUE, TRUE) == 1.0
    always_neutral = ["neutral"] * len(TRUE)
    assert metrics.macro_recall(TRUE, always_neutral) == pytest.approx(1 / 3)
    assert metrics.macro_f1(TRUE, always_neutral) == pytest.approx((2 * 4 / (4 + 10)) / 3)


def test_absent_class_is_left_out_of_macro_recall() -> None:
    true = ["positive", "positive", "negative"]
    pred = ["positive", "neutral", "negative"]
    assert metrics.per_class_recall(true, pred)["neutral"] is None
    assert metrics.macro_recall(true, pred) == pytest.approx((1 / 2 + 1) / 2)
    # neutral was predicted once (wrongly): its F1 is 0 and counts
    assert metrics.macro_f1(true, pred) == pytest.approx((2 / 3 + 0 + 1) / 3)


@pytest.mark.parametrize(
    ("true", "pred"),
    [([], []), (["positive"], []), (["positive"], ["happy"])],
)
def test_bad_input_is_refused(true: list[str], pred: list[str]) -> None:
    with pytest.raises(ValueError, match=r"examples|predictions|label"):
        metrics.confusion(true, pred)
