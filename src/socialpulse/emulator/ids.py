"""Deterministic hashing, keyed permutations and the id alphabets platforms use.

Everything in the emulator's world is derived from the seed through :func:`digest`, so the
same seed gives the same world on every machine and every run (Python's own ``hash`` is
salted per process and is never used). Ids that must be looked up without an index (video
ids, comment ids) are a keyed permutation of the numbers they stand for, so decoding one is
O(1) and a made-up id almost never decodes to something that exists.
"""

from __future__ import annotations

import hashlib
import random

B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
B64_INDEX = {c: i for i, c in enumerate(B64URL)}
# RFC 4648 base32, lower case: the alphabet of did:plc identifiers and of CIDs
B32 = "abcdefghijklmnopqrstuvwxyz234567"
# the sortable base32 alphabet of atproto record keys (TIDs)
B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
B32_SORTABLE_INDEX = {c: i for i, c in enumerate(B32_SORTABLE)}
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def digest(*parts: object, size: int = 16) -> bytes:
    """A stable digest of ``parts`` (their ``repr``s joined), ``size`` bytes long."""
    return hashlib.blake2b("\x1f".join(map(repr, parts)).encode(), digest_size=size).digest()


def h64(*parts: object) -> int:
    """A stable 64-bit integer derived from ``parts``."""
    return int.from_bytes(digest(*parts, size=8), "big")


def unit(*parts: object) -> float:
    """A stable float in [0, 1) derived from ``parts``."""
    return (h64(*parts) >> 11) / float(1 << 53)


def rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from ``parts``: draw from it in a fixed order."""
    return random.Random(h64(*parts))


def chars(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def hashed_chars(alphabet: str, n: int, *parts: object) -> str:
    """``n`` characters of ``alphabet`` chosen by a digest of ``parts`` (no RNG state)."""
    data = hashlib.shake_256("\x1f".join(map(repr, parts)).encode()).digest(n)
    base = len(alphabet)
    return "".join(alphabet[b % base] for b in data)


class Permutation:
    """A keyed bijection of ``[0, 2**bits)`` (a small Feistel network; ``bits`` is even)."""

    def __init__(self, key: object, bits: int, rounds: int = 4) -> None:
        if bits % 2:
            raise ValueError("bits must be even")
        self.half = bits // 2
        self.mask = (1 << self.half) - 1
        self.keys = [digest(key, "round", i, size=16) for i in range(rounds)]

    def _f(self, i: int, value: int) -> int:
        d = hashlib.blake2b(value.to_bytes(16, "big"), digest_size=16, key=self.keys[i]).digest()
        return int.from_bytes(d, "big") & self.mask

    def forward(self, x: int) -> int:
        left, right = x >> self.half, x & self.mask
        for i in range(len(self.keys)):
            left, right = right, left ^ self._f(i, right)
        return (left << self.half) | right

    def inverse(self, y: int) -> int:
        left, right = y >> self.half, y & self.mask
        for i in reversed(range(len(self.keys))):
            left, right = right ^ self._f(i, left), left
        return (left << self.half) | right


def b64_encode(n: int, length: int) -> str:
    out = []
    for _ in range(length):
        n, rem = divmod(n, 64)
        out.append(B64URL[rem])
    if n:
        raise ValueError("value too large for the length")
    return "".join(reversed(out))


def b64_decode(s: str) -> int | None:
    n = 0
    for c in s:
        v = B64_INDEX.get(c)
        if v is None:
            return None
        n = n * 64 + v
    return n


def tid_encode(n: int) -> str:
    """An atproto TID: 13 characters of sortable base32 holding a 63-bit integer."""
    out = []
    for _ in range(13):
        n, rem = divmod(n, 32)
        out.append(B32_SORTABLE[rem])
    return "".join(reversed(out))


def tid_decode(s: str) -> int | None:
    if len(s) != 13:
        return None
    n = 0
    for c in s:
        v = B32_SORTABLE_INDEX.get(c)
        if v is None:
            return None
        n = n * 32 + v
    return n if n < (1 << 63) else None


def base36(n: int) -> str:
    if n == 0:
        return "0"
    out = []
    while n:
        n, rem = divmod(n, 36)
        out.append(BASE36[rem])
    return "".join(reversed(out))


def cid(*parts: object) -> str:
    """A CIDv1 (dag-cbor, sha-256) in base32, as atproto records carry: ``bafyrei`` + 52 chars."""
    return "bafyrei" + hashed_chars(B32, 52, "cid", *parts)


def blob_cid(*parts: object) -> str:
    """A CIDv1 (raw, sha-256) in base32, as atproto blobs carry: ``bafkrei`` + 52 chars."""
    return "bafkrei" + hashed_chars(B32, 52, "blob", *parts)


def etag(*parts: object) -> str:
    """An opaque 27-character entity tag like Google's."""
    return hashed_chars(B64URL, 27, "etag", *parts)
