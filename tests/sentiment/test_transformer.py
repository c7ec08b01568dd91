from __future__ import annotations

from pathlib import Path

import pytest

from socialpulse.sentiment.base import LABELS, SentimentModelError, default_analyser
from socialpulse.sentiment.transformer import TransformerAnalyser, map_labels


def test_label_names_map_to_ours() -> None:
    assert map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == {
        0: "negative",
        1: "neutral",
        2: "positive",
    }
    assert map_labels({0: "LABEL_0", 1: "LABEL_1"}) == {0: "negative", 1: "positive"}
    assert map_labels({0: "Positive", 1: "NEGATIVE", 2: "neutral"}) == {
        0: "positive",
        1: "negative",
        2: "neutral",
    }
    stars = map_labels({i: f"{i + 1} star{'s' if i else ''}" for i in range(5)})
    assert list(stars.values()) == ["negative", "negative", "neutral", "positive", "positive"]


@pytest.mark.parametrize("id2label", [{0: "joy", 1: "anger"}, {0: "neutral", 1: "positive"}])
def test_unmappable_labels_are_refused(id2label: dict[int, str]) -> None:
    with pytest.raises(SentimentModelError):
        map_labels(id2label)


def _tiny_model(path: Path) -> None:
    """A randomly initialised 2-layer BERT and a word-level tokenizer, saved to ``path``."""
    torch = pytest.importorskip("torch", reason="torch is not installed (extra 'transformers')")
    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    tokenizers = pytest.importorskip("tokenizers", reason="tokenizers is not installed")

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "bad", "day", "the", "is", "a"]
    tok = tokenizers.Tokenizer(
        tokenizers.models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]")
    )
    tok.normalizer = tokenizers.normalizers.Lowercase()
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tok.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
    )
    fast.save_pretrained(path)

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(words),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    transformers.BertForSequenceClassification(config).save_pretrained(path)


def test_loads_a_local_model_and_scores(tmp_path: Path) -> None:
    _tiny_model(tmp_path)
    analyser = TransformerAnalyser(tmp_path, batch_size=2)
    texts = ["good day", "bad day", "", "the day is a good day", "unknown words only"]
    out = analyser.analyse(texts)
    assert len(out) == len(texts)
    for s in out:
        assert s.label in LABELS
        assert -1.0 <= s.score <= 1.0
    # order kept and deterministic
    assert [analyser.analyse([t])[0].label for t in texts] == [s.label for s in out]
    assert analyser.name == "transformer"
    assert analyser.version.startswith(tmp_path.name)


def test_setting_selects_the_transformer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    _tiny_model(tmp_path)
    monkeypatch.setenv("SOCIALPULSE_SENTIMENT_MODEL", str(tmp_path))
    assert isinstance(default_analyser(), TransformerAnalyser)
