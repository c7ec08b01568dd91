"""Text normalisation and hashed features for the linear sentiment model.

Every text becomes a bag of hashed features in three blocks:

* ``words``: word unigrams (negated ones under their own namespace), word bigrams,
  emoji, emoticons and ``!``/``?`` runs;
* ``chars``: character n-grams (2 to 5) inside each word padded with a space on both
  sides, so they never cross a word boundary;
* ``cues``: counts of positive and negative cues from the small hand-written lexicon
  in :mod:`socialpulse.sentiment.lexicon`, a few style cues (elongation, question and
  exclamation marks, all-caps words), a constant (so a language's copy of it is that
  language's intercept), and, given a :class:`HashedLexicon` (word valences keyed by
  word hashes, shipped with the model), the sums of positive and negative valences.

Normalisation: ``\\uXXXX`` escapes and HTML entities decoded, URLs and @mentions removed,
NFKC folding (Arabic presentation forms, full-width letters), Arabic diacritics dropped,
skin-tone modifiers and joiners dropped, lower case, runs of three or more equal
characters cut to two ("soooo" -> "soo"). Negation words (eight languages) mark the
next words (up to four, or to the next punctuation) so that they get their own weights.

Hashing is a polynomial hash over code points modulo 2**64 followed by a murmur-style
finaliser, computed for a whole batch at once with numpy. It does not depend on the
process (unlike Python's salted ``hash()``), so training and scoring agree.

Each block is scaled to unit L2 norm per text (every occurrence weighs
``1/sqrt(number of features in the block)``), which keeps long and short texts on one
scale without storing document frequencies.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from socialpulse.sentiment.lexicon import NEGATIONS, POLARITY, canonical_emoticon

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

_MASK64 = (1 << 64) - 1
_P = 0x100000001B3  # FNV-1 64-bit prime: odd, so invertible modulo 2**64
_Q = pow(_P, -1, 1 << 64)
_GOLDEN = 0x9E3779B97F4A7C15

# namespaces, mixed into the hash so that equal strings of different kinds differ
NS_WORD = 1
NS_NEG_WORD = 2
NS_BIGRAM = 3
NS_CHAR = 10  # + n
NS_LEXICON = 20
NS_BIAS = 30

CHAR_NGRAMS = (2, 3, 4, 5)
MAX_NEGATION_SCOPE = 4

# token kinds
WORD = 0  # gets character n-grams
SYMBOL = 1  # emoji, emoticon, punctuation run, number: a whole token only

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"(?:https?(?::|/)\S*|\bhttps?\b|\bwww\.\S+|\b\S+\.(?:com|org|net|ly|co)/\S*)")
_MENTION = re.compile(r"(?<!\w)@\w+")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ELONGATION = re.compile(r"(\S)\1{2,}")
_SKIN_AND_JOINERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f\u200d\u20e3]")

_EMOTICON = (
    r"(?:(?<![\w])(?:"
    r"[<>]?[:;=xX][\-o\*']?[\)\]\(\[dDpP/\\\|\*3@]+"  # :) :-( ;P :/ xD 8) :'(
    r"|[\)\]\(\[dDpP/\\\|@]+[\-o\*']?[:;=8][<>]?"  # (: D: ):
    r"|</?3+"  # <3 </3
    r"|\^[_\-\.]?\^"  # ^^ ^_^
    r"|[-=o0][_\.][-=o0]"  # -_- o.O
    r")(?![\w]))"
)
_EMOJI = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff"
    "\u3030\u303d\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139]"
)
_TOKEN = re.compile(
    rf"(?P<emoticon>{_EMOTICON})"
    rf"|(?P<emoji>{_EMOJI})"
    r"|(?P<number>\d+(?:[.,:]\d+)*)"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<punct>[!?]+|[.,;:]+)"
)
_LETTER_RUN = re.compile(r"[^\W\d_]{3,}")
_SCOPE_END = frozenset(".,;:!?")
_NEGATED_SUFFIXES = ("n't", "n’t")
_NEGATED_PREFIXES = ("n'", "n’")


def normalise(text: str) -> str:
    """The text as the model sees it: escapes decoded, URLs and mentions removed,
    compatibility forms folded, lower-cased, elongations shortened to two letters."""
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if "&" in text:
        text = html.unescape(text)
    text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _ARABIC_MARKS.sub("", text)
        text = _SKIN_AND_JOINERS.sub("", text)
    return text


@dataclass
class Tokens:
    """One text's tokens and cues, before hashing."""

    tokens: list[str]
    kinds: list[int]
    negated: list[bool]
    cues: dict[str, float]


def _two_of(m: re.Match[str]) -> str:
    return m.group(1) * 2


def tokenise(text: str) -> Tokens:
    """Tokens of one (raw) text, with negation marks and lexicon/style cues."""
    text = normalise(text)
    caps = text != text.lower() and any(w.isupper() for w in _LETTER_RUN.findall(text))
    text, elongated = _ELONGATION.subn(_two_of, text)
    text = text.lower()
    tokens: list[str] = []
    kinds: list[int] = []
    negated: list[bool] = []
    pos = neg = 0.0
    scope = 0
    exclaim = question = 0
    for m in _TOKEN.finditer(text):
        group = m.lastgroup
        tok = m.group()
        if group == "word":
            kind = WORD
        elif group == "emoticon":
            tok = canonical_emoticon(tok)
            kind = SYMBOL
        elif group == "punct":
            if tok[0] in "!?":
                exclaim += tok.count("!")
                question += tok.count("?")
                tok = tok[:2]
            else:
                tok = tok[0]
            kind = SYMBOL
        else:
            kind = SYMBOL
        if kind == WORD and tok.startswith(_NEGATED_PREFIXES) and len(tok) > 2:
            scope = MAX_NEGATION_SCOPE + 1  # French "n'aime": the verb itself is negated
        in_scope = scope > 0 and kind == WORD
        polarity = POLARITY.get(tok)
        if polarity is not None:
            if in_scope:
                polarity = -0.5 * polarity
            if polarity > 0:
                pos += polarity
            else:
                neg -= polarity
        tokens.append(tok)
        kinds.append(kind)
        negated.append(in_scope)
        if tok in NEGATIONS or (kind == WORD and tok.endswith(_NEGATED_SUFFIXES)):
            scope = MAX_NEGATION_SCOPE
        elif group == "punct" and tok[0] in _SCOPE_END:
            scope = 0
        elif kind == WORD and scope > 0:
            scope -= 1
    cues: dict[str, float] = {"bias": 1.0}
    if pos:
        cues["pos"] = math.log1p(pos)
    if neg:
        cues["neg"] = math.log1p(neg)
    if pos and neg:
        cues["mixed"] = 1.0
    if elongated:
        cues["elongated"] = 1.0
    if exclaim:
        cues["exclaim"] = 1.0
    if question:
        cues["question"] = 1.0
    if caps:
        cues["caps"] = 1.0
    if not tokens:
        cues["empty"] = 1.0
    return Tokens(tokens, kinds, negated, cues)


def _fmix(h: U64) -> U64:
    """Murmur3's 64-bit finaliser (wrap-around arithmetic on uint64 arrays)."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _salted(h: U64, namespace: int) -> U64:
    return _fmix(h + np.uint64((namespace * _GOLDEN) & _MASK64))


_POWERS: list[tuple[U64, U64]] = []


def _powers(n: int) -> tuple[U64, U64]:
    """P**i and Q**i (Q = P**-1) modulo 2**64 for i < at least n (cached, grown by doubling)."""
    if _POWERS and len(_POWERS[0][0]) >= n:
        return _POWERS[0]
    size = 1 << max(14, (n - 1).bit_length())
    p = np.full(size, _P, dtype=np.uint64)
    p[0] = 1
    q = np.full(size, _Q, dtype=np.uint64)
    q[0] = 1
    cached = (np.cumprod(p, dtype=np.uint64), np.cumprod(q, dtype=np.uint64))
    _POWERS[:] = [cached]
    return cached


class _Prefix:
    """Prefix sums of ``codes[j] * Q**j`` for O(1) polynomial hashes of any substring."""

    def __init__(self, codes: U64) -> None:
        self.p, q = _powers(len(codes) + 1)
        self.g = np.zeros(len(codes) + 1, dtype=np.uint64)
        np.cumsum(codes * q[: len(codes)], dtype=np.uint64, out=self.g[1:])

    def hashes(self, a: I64, b: I64) -> U64:
        """Hashes of codes[a:b] for each pair: sum of codes[j] * P**(b-1-j), plus the length."""
        raw = (self.g[b] - self.g[a]) * self.p[np.maximum(b - 1, 0)]
        # mix in the length so that strings differing only by leading zeros differ
        return raw + (b - a).astype(np.uint64) * np.uint64(_GOLDEN)


def _codes(text: str) -> U64:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def string_hashes(strings: Sequence[str]) -> U64:
    """Stable 64-bit hashes of whole strings (used for cue names and in tests)."""
    if not strings:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    return _Prefix(_codes("\x00".join(strings))).hashes(starts, starts + lengths)


# feature kinds, per occurrence
KIND_WORD = 0
KIND_BIGRAM = 1
# 2..5: character n-grams of that size
KIND_CUE = 9


@dataclass
class Hashed:
    """A batch's features: row (text index), 64-bit hash, value and kind of each occurrence."""

    rows: I64
    hashes: U64
    values: F32
    kinds: npt.NDArray[np.int8]
    n_rows: int


@dataclass(frozen=True)
class HashedLexicon:
    """Word valences keyed by the words' hashes (:func:`string_hashes`), sorted: no text."""

    hashes: U64
    values: F32

    @classmethod
    def build(cls, valences: dict[str, float]) -> HashedLexicon:
        words = list(valences)
        h = string_hashes(words)
        order = np.argsort(h)
        return cls(h[order], np.asarray([valences[w] for w in words], dtype=np.float32)[order])

    def lookup(self, hashes: U64) -> F32:
        """Valence of each hash, 0 where absent."""
        if len(self.hashes) == 0:
            return np.zeros(len(hashes), dtype=np.float32)
        i = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found: F32 = np.where(self.hashes[i] == hashes, self.values[i], 0.0).astype(np.float32)
        return found


LEXICON_NEGATION = -0.74  # a negated word's valence is flipped and damped


def hash_features(texts: Sequence[str], lexicon: HashedLexicon | None = None) -> Hashed:
    """Hashed features of a batch of raw texts; with ``lexicon``, three more cues from the
    valences of the texts' tokens (sum of positive, of negative, and a squashed balance)."""
    return hash_tokens([tokenise(t) for t in texts], lexicon)


def hash_tokens(toks: Sequence[Tokens], lexicon: HashedLexicon | None = None) -> Hashed:
    n = len(toks)
    all_tokens: list[str] = []
    kinds_l: list[int] = []
    neg_l: list[bool] = []
    for t in toks:
        all_tokens += t.tokens
        kinds_l += t.kinds
        neg_l += t.negated
    counts = np.fromiter((len(t.tokens) for t in toks), dtype=np.int64, count=n)
    tok_row = np.repeat(np.arange(n, dtype=np.int64), counts)

    parts_rows: list[I64] = []
    parts_hash: list[U64] = []
    parts_kind: list[npt.NDArray[np.int8]] = []
    lexicon_values = np.zeros(0, dtype=np.float32)

    if all_tokens:
        kinds = np.asarray(kinds_l, dtype=np.int8)
        negated = np.asarray(neg_l, dtype=bool)
        prefix = _Prefix(_codes("\x00".join([f" {t} " for t in all_tokens])))
        lengths = np.fromiter((len(t) + 2 for t in all_tokens), dtype=np.int64, count=len(all_tokens))
        starts = np.zeros(len(all_tokens), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        ends = starts + lengths
        word_h = prefix.hashes(starts + 1, ends - 1)
        if lexicon is not None:
            parts = _lexicon_cues(lexicon.lookup(word_h), negated, tok_row, n)
            parts_rows.append(parts[0])
            parts_hash.append(parts[1])
            parts_kind.append(np.full(len(parts[0]), KIND_CUE, dtype=np.int8))
            lexicon_values = parts[2]

        # unigrams (negated ones in their own namespace)
        uni = np.where(negated, _salted(word_h, NS_NEG_WORD), _salted(word_h, NS_WORD))
        parts_rows.append(tok_row)
        parts_hash.append(uni)
        parts_kind.append(np.full(len(uni), KIND_WORD, dtype=np.int8))

        # bigrams of consecutive tokens within a text
        same = np.flatnonzero(tok_row[1:] == tok_row[:-1])
        if len(same):
            bi = _salted(_fmix(word_h[same]) * np.uint64(_P) + word_h[same + 1], NS_BIGRAM)
            parts_rows.append(tok_row[same + 1])
            parts_hash.append(bi)
            parts_kind.append(np.full(len(bi), KIND_BIGRAM, dtype=np.int8))

        # character n-grams inside words (padded by a space each side): a window of
        # `size` starting at position i of a word token fits when i + size <= its end
        is_word = kinds == WORD
        if is_word.any():
            span = lengths + 1  # each padded token and its separator
            room = np.repeat(np.where(is_word, ends, -1), span) - np.arange(int(span.sum()))
            char_row = np.repeat(tok_row, span)
            for size in CHAR_NGRAMS:
                a = np.flatnonzero(room >= size)
                if len(a) == 0:
                    continue
                parts_rows.append(char_row[a])
                parts_hash.append(_salted(prefix.hashes(a, a + size), NS_CHAR + size))
                parts_kind.append(np.full(len(a), size, dtype=np.int8))

    rows = np.concatenate(parts_rows) if parts_rows else np.zeros(0, dtype=np.int64)
    hashes = np.concatenate(parts_hash) if parts_hash else np.zeros(0, dtype=np.uint64)
    fkinds = np.concatenate(parts_kind) if parts_kind else np.zeros(0, dtype=np.int8)

    # unit norm per (row, block): each occurrence weighs 1/sqrt(count in its block), the
    # blocks being words (unigrams and bigrams) and character n-grams
    block = np.where(fkinds <= KIND_BIGRAM, 0, np.where(fkinds == KIND_CUE, 2, 1))
    key = rows * 3 + block
    per_block = np.bincount(key, minlength=3 * n)
    values = (1.0 / np.sqrt(per_block[key])).astype(np.float32)
    if len(lexicon_values):
        cue = fkinds == KIND_CUE
        values[cue] = lexicon_values

    # lexicon and style cues, plus a constant feature (a learnt bias)
    cue_rows: list[int] = []
    cue_names: list[str] = []
    cue_vals: list[float] = []
    for i, t in enumerate(toks):
        for name, value in t.cues.items():
            cue_rows.append(i)
            cue_names.append(name)
            cue_vals.append(value)
    if cue_rows:
        rows = np.concatenate((rows, np.asarray(cue_rows, dtype=np.int64)))
        hashes = np.concatenate((hashes, _salted(string_hashes(cue_names), NS_LEXICON)))
        values = np.concatenate((values, np.asarray(cue_vals, dtype=np.float32)))
        fkinds = np.concatenate((fkinds, np.full(len(cue_rows), KIND_CUE, dtype=np.int8)))
    return Hashed(rows, hashes, values, fkinds, n)


_LEXICON_CUES = ("lexicon_pos", "lexicon_neg", "lexicon_balance")


def _lexicon_cues(valence: F32, negated: npt.NDArray[np.bool_], tok_row: I64, n: int) -> tuple[I64, U64, F32]:
    """Rows, hashes and values of the lexicon cues of each text with a lexicon hit."""
    v = np.where(negated, valence * LEXICON_NEGATION, valence)
    pos = np.bincount(tok_row, weights=np.maximum(v, 0.0), minlength=n)
    neg = np.bincount(tok_row, weights=np.maximum(-v, 0.0), minlength=n)
    balance = pos - neg
    cue_values = np.stack((np.log1p(pos), np.log1p(neg), balance / np.sqrt(balance * balance + 15.0)), axis=1)
    row, which = np.nonzero(cue_values)
    names = _salted(string_hashes(list(_LEXICON_CUES)), NS_LEXICON)
    return row.astype(np.int64), names[which], cue_values[row, which].astype(np.float32)


def buckets(hashes: U64, bits: int) -> I64:
    """Bucket index in [0, 2**bits) of each 64-bit hash (its top bits)."""
    return (hashes >> np.uint64(64 - bits)).astype(np.int64)


def with_namespace(hashes: U64, namespace: int | I64) -> U64:
    """The hashes re-keyed into another namespace (e.g. a language's own copy); ``namespace``
    is one number or one per hash."""
    if isinstance(namespace, int):
        return _salted(hashes, namespace)
    return _fmix(hashes + namespace.astype(np.uint64) * np.uint64(_GOLDEN))
