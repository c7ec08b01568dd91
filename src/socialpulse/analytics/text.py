"""Text features of captions and biographies: hashtags, mentions, links, brand mentions,
sponsorship disclosures and public contact details.

Everything is Unicode-aware: text is NFC-normalised first; hashtags may be written in
any script (Arabic, Devanagari with its vowel signs, accented Latin…) and end where a
character that cannot be part of a word starts (punctuation, an emoji, a space).
Spans are found in this order, each masking its text from the next: emails, links,
mentions, hashtags, so ``https://site.com/#top`` yields no hashtag and ``bob@site.com``
no mention. Lists keep the first spelling of each item in order of appearance and drop
repeats that differ only in case.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# ---------------------------------------------------------------------------- tables

SPONSORED_HASHTAGS: frozenset[str] = frozenset(
    {
        # English
        "ad",
        "advert",
        "advertisement",
        "adv",
        "sponsored",
        "sponsoredpost",
        "sponsoredcontent",
        "partner",
        "paidpartner",
        "paidpartnership",
        # German
        "werbung",
        "anzeige",
        "bezahltepartnerschaft",
        # Spanish
        "publicidad",
        "publi",
        "patrocinado",
        # French
        "pub",
        "partenariat",
        "sponsorise",
        "collaborationcommerciale",
        # Portuguese
        "parceria",
        "publicidade",
        "parceriapaga",
        # Italian
        "pubblicita",
        "sponsorizzato",
    }
)
"""Hashtags that disclose a paid relationship, lower-cased and without accents
(``#Sponsorisé`` and ``#pubblicità`` match). ``#collab`` is not one: creators use it
for unpaid creator-to-creator collaborations."""

SPONSORED_PHRASES: tuple[str, ...] = (
    "paid partnership with",
    "paid partnership",
    "sponsored by",
    "bezahlte partnerschaft",
    "gesponsert von",
    "partenariat rémunéré",
    "sponsorisé par",
    "colaboración pagada",
    "patrocinado por",
    "parceria paga",
    "sponsorizzato da",
    "partnership retribuita",
)
"""Phrases that disclose a paid relationship (matched case-insensitively, whole words)."""

PLATFORM_FLAG = "platform:paid_partnership"
"""The signal recorded when the platform itself flags the post as a paid partnership."""

# Mention handle rules: (allowed characters, may contain dots, max length, needs a dot)
_MentionRule = tuple[str, bool, int, bool]
_MENTION_RULES: dict[str, _MentionRule] = {
    "instagram": ("A-Za-z0-9_.", True, 30, False),
    "threads": ("A-Za-z0-9_.", True, 30, False),
    "tiktok": ("A-Za-z0-9_.", True, 24, False),
    "x": ("A-Za-z0-9_", False, 15, False),
    "youtube": ("A-Za-z0-9_.\\-", True, 30, False),
    "bluesky": ("A-Za-z0-9.\\-", True, 253, True),
    "facebook": ("A-Za-z0-9_.", True, 50, False),
    "linkedin": ("A-Za-z0-9_.\\-", True, 100, False),
    "pinterest": ("A-Za-z0-9_", False, 30, False),
}
_DEFAULT_RULE: _MentionRule = ("A-Za-z0-9_.", True, 50, False)

# Scheme-less links must end in one of these top-level domains (common gTLDs, the
# ccTLDs of link shorteners and link-in-bio services, and widely used country codes).
_TLDS = (
    "com net org edu gov info biz io co me ly gl app dev ai tv gg fm to be ee in uk de fr es it pt br "
    "ca au nl ru jp cn eu ch at se no dk fi pl mx ar cl us xyz online site shop store link page bio "
    "blog news art club live life tech space ie nz za sg hk tr id ph my vn ng ke eg sa ae ma"
).split()
_TLD_ALT = "|".join(sorted(set(_TLDS), key=len, reverse=True))

_URL_STOP = "\\s<>\"'`{}|\\\\^\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
_TRAILING = ".,;:!?…'\"»«)]}>\u3001\u3002\uff0c\uff0e\uff01\uff1f"

_EMAIL = re.compile(
    r"(?<![\w.%+\-])([A-Za-z0-9._%+\-]+)"
    r"(?:@|\s*[\[(]\s*at\s*[\])]\s*)"
    r"((?:[^\W_](?:[\w\-]*[^\W_])?(?:\.|\s*[\[(]\s*dot\s*[\])]\s*))+[^\W\d_]{2,})(?![\w\-])",
    re.IGNORECASE,
)
_URL_SCHEME = re.compile(rf"(?<![\w@])(?:https?|ftp)://[^{_URL_STOP}]+", re.IGNORECASE)
_URL_WWW = re.compile(
    rf"(?<![\w@./\-])www\.[^\W_][\w\-]*(?:\.[\w\-]+)*\.[^\W\d_]{{2,}}(?:[:/?#][^{_URL_STOP}]*)?"
)
_URL_BARE = re.compile(
    rf"(?<![\w@./\-])(?:[^\W_](?:[\w\-]{{0,61}}[^\W_])?\.)+"
    rf"(?:{_TLD_ALT})(?![\w\-])"
    rf"(?::\d{{2,5}})?(?:[/?#][^{_URL_STOP}]*)?"
)
_LINKEDIN_MENTION = re.compile(r"@\[([^\]\n]{1,100})\]\((urn:li:[a-zA-Z]+:[^)\s]+)\)")
_REDDIT_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_\-]{3,20})(?![\w\-])")

_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d \t\u00a0().\-]{5,}\d(?!\w)")
_COUNT_WORDS = re.compile(
    r"\s*(?:k\b|m\b|%|followers|follower|fans|likes|views|subscribers|abonnés|abonnes|abonnenten|"
    r"seguidores|seguidoras|iscritti|متابع|फॉलोअर्स)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------- result


@dataclass(frozen=True)
class TextFeatures:
    """What a caption or biography says, as lists in order of appearance."""

    hashtags: tuple[str, ...] = ()
    """``#tag`` as written (first spelling of each, case-insensitive repeats dropped)."""
    mentions: tuple[str, ...] = ()
    """``@handle`` (``u/name`` on Reddit; ``@Display Name`` for LinkedIn's annotated mentions)."""
    brand_mentions: tuple[str, ...] = ()
    """Mentions of accounts other than the author."""
    links: tuple[str, ...] = ()
    """External links as written, with or without a scheme, trailing punctuation removed."""
    emails: tuple[str, ...] = ()
    """Email addresses (``name [at] site [dot] com`` is rewritten as ``name@site.com``)."""
    phones: tuple[str, ...] = ()
    """Phone numbers as written (international ``+…``/``00…`` or local, 9–15 digits)."""
    sponsored: bool = False
    """A paid relationship is disclosed: a sponsored hashtag or phrase, or the platform flag."""
    sponsored_signals: tuple[str, ...] = ()
    """What disclosed it: ``#ad``-style hashtags as written, phrases, :data:`PLATFORM_FLAG`."""


@dataclass(frozen=True)
class Counted:
    """An item and the number of texts it appears in."""

    item: str
    count: int


# ---------------------------------------------------------------------------- extraction


def extract(
    text: str | None,
    *,
    platform: str | None = None,
    author: str | None = None,
    paid_partnership: bool | None = None,
) -> TextFeatures:
    """All text features of a caption or a biography.

    ``platform`` selects the mention rules (see :func:`mentions`); ``author`` is the
    handle of the account that wrote the text, left out of ``brand_mentions``;
    ``paid_partnership`` is the platform's own flag where it reports one (Instagram's
    paid-partnership label, TikTok's branded-content toggle, YouTube's paid product
    placement): ``True`` makes the post sponsored whatever the caption says.
    """
    body = unicodedata.normalize("NFC", text or "")
    masked = body
    email_spans, emails_found = _emails(masked)
    masked = _mask(masked, email_spans)
    link_spans, links_found = _links(masked)
    masked = _mask(masked, link_spans)
    mention_spans, mentions_found = _mentions(masked, platform)
    masked = _mask(masked, mention_spans)
    tags = _hashtags(masked)
    phones_found = _phones(_mask(body, [*email_spans, *link_spans]))
    signals = _sponsored_signals(masked, tags, paid_partnership)
    brands = brand_mentions(mentions_found, author)
    return TextFeatures(
        hashtags=tags,
        mentions=mentions_found,
        brand_mentions=brands,
        links=links_found,
        emails=emails_found,
        phones=phones_found,
        sponsored=bool(signals),
        sponsored_signals=signals,
    )


def hashtags(text: str | None) -> tuple[str, ...]:
    """The hashtags of a text (see :func:`extract`)."""
    return extract(text).hashtags


def mentions(text: str | None, platform: str | None = None) -> tuple[str, ...]:
    """The mentions of a text under ``platform``'s handle rules.

    ``@name``: letters, digits and ``_`` everywhere; dots inside the handle on
    Instagram, Threads, TikTok, YouTube, Facebook, LinkedIn and by default (a trailing
    dot ends the sentence, not the handle); ``-`` on YouTube, LinkedIn and Bluesky.
    Bluesky handles are domain names (``@alice.bsky.social``) and need a dot. X allows
    15 characters, Instagram 30, TikTok 24. A handle longer than the platform allows is
    not a mention. Reddit mentions are ``u/name`` or ``/u/name``; LinkedIn's annotated
    ``@[Name](urn:li:…)`` gives ``@Name``.
    """
    return extract(text, platform=platform).mentions


def links(text: str | None) -> tuple[str, ...]:
    """The external links of a text (see :func:`extract`)."""
    return extract(text).links


def contact_details(biography: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(emails, phones)`` published in a biography."""
    features = extract(biography)
    return features.emails, features.phones


def is_sponsored(text: str | None, paid_partnership: bool | None = None) -> bool:
    """Whether a caption (or the platform flag) discloses a paid relationship."""
    return extract(text, paid_partnership=paid_partnership).sponsored


# ---------------------------------------------------------------------------- aggregation


def top_hashtags(items: Iterable[TextFeatures], n: int | None = 10) -> list[Counted]:
    """The most used hashtags over many texts: how many texts use each (lower-cased).

    Ties keep the order in which the hashtags first appear in ``items``.
    """
    return _top((f.hashtags for f in items), n)


def top_mentions(items: Iterable[TextFeatures], n: int | None = 10) -> list[Counted]:
    """The most mentioned accounts over many texts, counted like :func:`top_hashtags`."""
    return _top((f.mentions for f in items), n)


def top_brand_mentions(items: Iterable[TextFeatures], n: int | None = 10) -> list[Counted]:
    """The most mentioned accounts other than the author, counted like :func:`top_hashtags`."""
    return _top((f.brand_mentions for f in items), n)


def brand_mentions(mentions: Iterable[str], author: str | None) -> tuple[str, ...]:
    """The mentions that are not ``author`` (compared case-insensitively, without ``@``)."""
    own = _handle_key(author) if author else None
    return tuple(m for m in mentions if own is None or _handle_key(m) != own)


def _top(groups: Iterable[tuple[str, ...]], n: int | None) -> list[Counted]:
    counts: dict[str, int] = {}
    for group in groups:
        for key in dict.fromkeys(item.lower() for item in group):
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: first appearance breaks ties
    if n is not None:
        ranked = ranked[: max(n, 0)]
    return [Counted(item, count) for item, count in ranked]


# ---------------------------------------------------------------------------- internals

Span = tuple[int, int]


def _mask(text: str, spans: Iterable[Span]) -> str:
    """``text`` with the characters of ``spans`` (which may overlap) replaced by spaces."""
    parts: list[str] = []
    done = 0
    for start, end in sorted(spans):
        start = max(start, done)
        if end <= start:
            continue
        parts.append(text[done:start])
        parts.append(" " * (end - start))
        done = end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return tuple(seen.values())


def _emails(text: str) -> tuple[list[Span], tuple[str, ...]]:
    spans: list[Span] = []
    found: list[str] = []
    for match in _EMAIL.finditer(text):
        domain = re.sub(r"\s*[\[(]\s*dot\s*[\])]\s*", ".", match.group(2), flags=re.IGNORECASE)
        spans.append(match.span())
        found.append(f"{match.group(1)}@{domain}")
    return spans, _unique(found)


def _trim_url(url: str) -> str:
    # stop at the first emoji or invisible format character (ASCII has none of those)
    if not url.isascii():
        for i, ch in enumerate(url):
            if unicodedata.category(ch) in ("So", "Sk", "Cf", "Cs", "Co", "Cn"):
                url = url[:i]
                break
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _links(text: str) -> tuple[list[Span], tuple[str, ...]]:
    spans: list[Span] = []
    found: list[tuple[int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in spans)

    for pattern in (_URL_SCHEME, _URL_WWW, _URL_BARE):
        for match in pattern.finditer(text):
            url = _trim_url(match.group(0))
            start = match.start()
            end = start + len(url)
            if "." not in url or not free(start, end):
                continue
            if pattern is _URL_SCHEME and not re.search(r"://[^/]*[^\W_]", url):
                continue
            spans.append((start, end))
            found.append((start, url))
    found.sort()
    return spans, _unique(url for _, url in found)


@functools.cache
def _mention_pattern(platform: str) -> tuple[re.Pattern[str], _MentionRule]:
    rule = _MENTION_RULES.get(platform, _DEFAULT_RULE)
    pattern = re.compile(rf"(?<![\w@#$%&*+=./\-])[@\uff20]([{rule[0]}]+)")
    return pattern, rule


def _mentions(text: str, platform: str | None) -> tuple[list[Span], tuple[str, ...]]:
    spans: list[Span] = []
    found: list[tuple[int, str]] = []
    key = (platform or "").lower()
    if key == "linkedin":
        for match in _LINKEDIN_MENTION.finditer(text):
            spans.append(match.span())
            found.append((match.start(), "@" + match.group(1).strip()))
        text = _mask(text, spans)
    if key == "reddit":
        for match in _REDDIT_MENTION.finditer(text):
            spans.append(match.span())
            found.append((match.start(), "u/" + match.group(1)))
    else:
        pattern, (_, dots, max_len, needs_dot) = _mention_pattern(key)
        for match in pattern.finditer(text):
            handle = match.group(1)
            if dots:
                handle = handle.split("..")[0].rstrip(".")
            end = match.start(1) + len(handle)
            if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                continue  # a non-ASCII letter glued to the handle: not a handle
            if not handle or len(handle) > max_len or not any(c.isalnum() for c in handle):
                continue
            if needs_dot and ("." not in handle or handle.startswith(".")):
                continue
            spans.append((match.start(), end))
            found.append((match.start(), "@" + handle))
    found.sort()
    return spans, _unique(m for _, m in found)


def _handle_key(handle: str) -> str:
    text = handle.strip().lower()
    for prefix in ("@", "\uff20", "/u/", "u/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text


def _is_variation(ch: str) -> bool:
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _tag_char(ch: str) -> bool:
    if ch == "_" or ch.isalnum():
        return True
    if ch in "\u200c\u200d":  # ZWNJ / ZWJ inside Indic and Persian words
        return True
    return unicodedata.category(ch) in ("Mn", "Mc") and not _is_variation(ch)


def _hashtags(text: str) -> tuple[str, ...]:
    found: list[str] = []
    last_end = -1
    i = 0
    n = len(text)
    fullwidth = "\uff03" in text
    while i < n:
        i = _next_hash(text, i, fullwidth)
        if i < 0:
            break
        prev = text[i - 1] if i > 0 else ""
        glued = prev and (_tag_char(prev) or prev in "&/\\")
        if glued and i != last_end:
            i += 1
            continue
        j = i + 1
        if j >= n or not (text[j].isalnum() or text[j] == "_"):
            i += 1
            continue
        while j < n and _tag_char(text[j]):
            j += 1
        body = text[i + 1 : j]
        stripped = body.rstrip("\u200c\u200d")
        if any(unicodedata.category(c)[0] in "LM" for c in stripped):
            found.append("#" + stripped)
            last_end = i + 1 + len(stripped)
            if last_end < j:
                last_end = j
        i = j
    return _unique(found)


def _next_hash(text: str, start: int, fullwidth: bool) -> int:
    """Index of the next ``#`` or ``＃`` at or after ``start``; -1 when there is none."""
    ascii_at = text.find("#", start)
    if not fullwidth:
        return ascii_at
    wide_at = text.find("\uff03", start)
    if ascii_at < 0 or 0 <= wide_at < ascii_at:
        return wide_at
    return ascii_at


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose or strip
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    marks = {c for c in set(decomposed) if not c.isascii() and unicodedata.combining(c)}
    return decomposed.translate(dict.fromkeys(map(ord, marks))) if marks else decomposed


_PHRASES = [
    (phrase, _fold(phrase), re.compile(rf"(?<!\w){re.escape(_fold(phrase))}(?!\w)"))
    for phrase in sorted(SPONSORED_PHRASES, key=len, reverse=True)
]
# "not sponsored by", "nicht gesponsert von", "no patrocinado por"…: a denial is no disclosure
_NEGATION = re.compile(r"(?:\b(?:not|never|non|nicht|pas|nao|no|sin|senza)|n't)[\s-]*$")


def _sponsored_signals(masked: str, tags: tuple[str, ...], paid_partnership: bool | None) -> tuple[str, ...]:
    signals: list[str] = []
    if paid_partnership:
        signals.append(PLATFORM_FLAG)
    signals.extend(tag for tag in tags if _fold(tag[1:]) in SPONSORED_HASHTAGS)
    folded = _fold(masked)
    taken: list[tuple[int, int, str]] = []
    for phrase, folded_phrase, pattern in _PHRASES:  # longest first: "paid partnership with" first
        if folded_phrase not in folded:
            continue
        for hit in pattern.finditer(folded):
            start, end = hit.span()
            if any(start < e and end > s for s, e, _ in taken) or _NEGATION.search(folded, 0, start):
                continue
            taken.append((start, end, phrase))
    signals.extend(phrase for _, _, phrase in sorted(taken))
    return tuple(dict.fromkeys(signals))


def _phones(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _PHONE.finditer(text):
        raw = match.group(0).rstrip(" \t\u00a0.-/(")
        if raw.endswith(")") and raw.count("(") < raw.count(")"):
            raw = raw[:-1]
        end = match.start() + len(raw)
        if _looks_like_phone(raw) and not _COUNT_WORDS.match(text, end):
            found.append(raw.strip())
    return _unique(found)


_SEPARATOR = re.compile(r"[ \t\u00a0]?[\-.][ \t\u00a0]?|[ \t\u00a0]|\)[ \t\u00a0\-.]?|[ \t\u00a0]?\(")


def _looks_like_phone(raw: str) -> bool:
    international = raw.startswith(("+", "00"))
    groups = re.findall(r"\d+", raw)
    count = sum(len(g) for g in groups) - (2 if raw.startswith("00") else 0)
    if not (8 if international else 9) <= count <= 15:
        return False
    if raw.count("(") != raw.count(")") or raw.count("(") > 1:
        return False
    inner = re.split(r"\d+", raw.lstrip("+("))[1:-1]
    if not all(_SEPARATOR.fullmatch(sep) for sep in inner):
        return False
    # dates and year ranges: 2019-2024-2025, 12.05.2024
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False
    if not international and sorted(len(g) for g in groups) == [2, 2, 4]:
        return False
    # a count grouped in thousands with dots (1.234.567.890) is not a phone number
    return not (
        not international
        and len(groups) > 2
        and not raw.startswith(("(", "0"))
        and len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
        and set(inner) == {"."}
    )
