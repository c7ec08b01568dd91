from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(seq: Sequence[T] | Iterable[T], n: int) -> Iterator[list[T]]:
    """Split ``seq`` into lists of at most ``n`` items (3.11 has no ``itertools.batched``)."""
    if n < 1:
        raise ValueError("chunk size must be at least 1")
    batch: list[T] = []
    for item in seq:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch
