from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialpulse.config import get_settings
from socialpulse.sentiment.base import analyser_for

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sentiment"


@pytest.fixture
def fresh_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings and the default analyser re-read from the environment, before and after."""
    monkeypatch.delenv("SOCIALPULSE_SENTIMENT_MODEL", raising=False)
    get_settings.cache_clear()
    analyser_for.cache_clear()
    yield
    get_settings.cache_clear()
    analyser_for.cache_clear()
