"""Identifiers of accounts and posts on the ten platforms: validation, normalisation and URLs.

Everything here is pure and offline. Input arrives as a handle (``@natgeo``), a platform id
(``UC…`` channel ids, ``did:plc:…``, numeric page and organization ids), a post id (video ids,
shortcodes, tweet ids, ``at://`` URIs, LinkedIn URNs) or a link, and leaves as one normal form:

* :class:`AccountIdent` / :class:`PostIdent` hold the normalised value, the platform's stable id
  when the input carried it, and the canonical URL.
* Anything that cannot be normalised raises :class:`InvalidIdentifier` (HTTP 422), whose message
  names the field, says what is wrong with the value and what form was expected.

Conventions that hold across platforms:

* Handles are lower-cased where the platform ignores case; ids (YouTube channel and video ids,
  shortcodes, DIDs, record keys) keep their case.
* When the input is an id only, the account's ``handle`` is that id and ``platform_id`` repeats it,
  so that every account has a handle to show and its URL can be rebuilt.
* LinkedIn handles are the vanity name of a company page (``microsoft``) or carry their page
  kind as a prefix (``school/stanford``, ``showcase/microsoft-azure``, ``in/jane-doe``).
* Short links (vm.tiktok.com, pin.it, fb.watch, lnkd.in, …) need a network round trip to resolve,
  so they are refused with a request to paste the full URL.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, TypeAlias
from urllib.parse import parse_qs, quote, unquote, urlsplit

from socialpulse.errors import Unprocessable
from socialpulse.models.enums import Platform

__all__ = [
    "EXPECTED_HANDLE",
    "EXPECTED_SOCIAL_ID",
    "AccountIdent",
    "InvalidIdentifier",
    "PostIdent",
    "account_url",
    "normalise_handle",
    "normalise_social_id",
    "parse_platform",
    "parse_post_url",
    "parse_profile_url",
    "post_url",
]


class InvalidIdentifier(Unprocessable):
    """An account or post identifier that cannot be understood (422, naming the field)."""

    def __init__(self, message: str, *, field: str, expected: str) -> None:
        super().__init__(message, field=field, expected=expected)
        self.field = field
        self.expected = expected


@dataclass(frozen=True)
class AccountIdent:
    platform: Platform
    handle: str
    platform_id: str | None
    url: str


@dataclass(frozen=True)
class PostIdent:
    platform: Platform
    social_id: str
    url: str | None
    author_handle: str | None


# ------------------------------------------------------------------------------ wording

P = Platform

_LABEL: Final[Mapping[Platform, str]] = MappingProxyType(
    {
        P.instagram: "Instagram",
        P.tiktok: "TikTok",
        P.youtube: "YouTube",
        P.x: "X",
        P.threads: "Threads",
        P.facebook: "Facebook",
        P.linkedin: "LinkedIn",
        P.pinterest: "Pinterest",
        P.reddit: "Reddit",
        P.bluesky: "Bluesky",
    }
)

_PROFILE_EXAMPLE: Final[Mapping[Platform, str]] = MappingProxyType(
    {
        P.instagram: "https://www.instagram.com/natgeo/",
        P.tiktok: "https://www.tiktok.com/@khaby.lame",
        P.youtube: "https://www.youtube.com/@mkbhd",
        P.x: "https://x.com/nasa",
        P.threads: "https://www.threads.com/@zuck",
        P.facebook: "https://www.facebook.com/nasa",
        P.linkedin: "https://www.linkedin.com/company/microsoft/",
        P.pinterest: "https://www.pinterest.com/pinterest/",
        P.reddit: "https://www.reddit.com/user/spez/",
        P.bluesky: "https://bsky.app/profile/bsky.app",
    }
)

_POST_EXAMPLE: Final[Mapping[Platform, str]] = MappingProxyType(
    {
        P.instagram: "https://www.instagram.com/p/C1a2B3c4D5e/",
        P.tiktok: "https://www.tiktok.com/@khaby.lame/video/7123456789012345678",
        P.youtube: "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        P.x: "https://x.com/nasa/status/1234567890123456789",
        P.threads: "https://www.threads.com/@zuck/post/C8abcDEFghi",
        P.facebook: "https://www.facebook.com/nasa/posts/1234567890123456",
        P.linkedin: "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/",
        P.pinterest: "https://www.pinterest.com/pin/123456789012345678/",
        P.reddit: "https://www.reddit.com/r/python/comments/1abcdef/",
        P.bluesky: "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
    }
)

_IG_FORM = "1–30 letters, digits, '.' or '_' (not starting or ending with '.', no '..')"

EXPECTED_HANDLE: Final[Mapping[Platform, str]] = MappingProxyType(
    {
        P.instagram: f"an Instagram username of {_IG_FORM}, or a profile URL such as "
        f"{_PROFILE_EXAMPLE[P.instagram]}",
        P.tiktok: "a TikTok username of 2–24 letters, digits, '_' or '.' (not ending with '.'), "
        f"or a profile URL such as {_PROFILE_EXAMPLE[P.tiktok]}",
        P.youtube: "a YouTube handle of 3–30 letters, digits, '_', '-' or '.', a channel id "
        "('UC' followed by 22 letters, digits, '_' or '-'), or a channel URL such as "
        f"{_PROFILE_EXAMPLE[P.youtube]}",
        P.x: f"an X username of 1–15 letters, digits or '_', or a profile URL such as {_PROFILE_EXAMPLE[P.x]}",
        P.threads: f"a Threads username of {_IG_FORM}, or a profile URL such as "
        f"{_PROFILE_EXAMPLE[P.threads]}",
        P.facebook: "a Facebook page username (letters, digits and '.'; new usernames have at least "
        "5 characters), a numeric page id, or a page URL such as "
        f"{_PROFILE_EXAMPLE[P.facebook]}",
        P.linkedin: "a LinkedIn company page vanity name (2–100 letters, digits and '-'), "
        "school/NAME, showcase/NAME or in/NAME (a personal vanity name of 3–100 letters, digits "
        "and '-'), a numeric organization id or urn:li:organization:N, or a URL such as "
        f"{_PROFILE_EXAMPLE[P.linkedin]}",
        P.pinterest: "a Pinterest username of 3–30 letters, digits or '_', or a profile URL such as "
        f"{_PROFILE_EXAMPLE[P.pinterest]}",
        P.reddit: "a Reddit username of 3–20 letters, digits, '_' or '-' (u/NAME works too), "
        f"or a profile URL such as {_PROFILE_EXAMPLE[P.reddit]}",
        P.bluesky: "a Bluesky handle (a domain name such as alice.bsky.social; a bare name becomes "
        "NAME.bsky.social), a DID (did:plc:… or did:web:…), or a profile URL such as "
        f"{_PROFILE_EXAMPLE[P.bluesky]}",
    }
)

EXPECTED_SOCIAL_ID: Final[Mapping[Platform, str]] = MappingProxyType(
    {
        P.instagram: "an Instagram post shortcode (letters, digits, '_' or '-') or a post URL such as "
        f"{_POST_EXAMPLE[P.instagram]}",
        P.tiktok: f"a TikTok video id (15–21 digits) or a video URL such as {_POST_EXAMPLE[P.tiktok]}",
        P.youtube: "a YouTube video id (11 letters, digits, '_' or '-') or a video URL such as "
        f"{_POST_EXAMPLE[P.youtube]}",
        P.x: f"an X post id (digits) or a post URL such as {_POST_EXAMPLE[P.x]}",
        P.threads: "a Threads post shortcode (letters, digits, '_' or '-') or a post URL such as "
        f"{_POST_EXAMPLE[P.threads]}",
        P.facebook: "a Facebook post id (digits, PAGEID_POSTID or pfbid…) or a post URL such as "
        f"{_POST_EXAMPLE[P.facebook]}",
        P.linkedin: "a LinkedIn post URN (urn:li:activity:N, urn:li:share:N or urn:li:ugcPost:N) "
        f"or a post URL such as {_POST_EXAMPLE[P.linkedin]}",
        P.pinterest: f"a Pinterest pin id (digits) or a pin URL such as {_POST_EXAMPLE[P.pinterest]}",
        P.reddit: "a Reddit post id (base 36, t3_ prefix optional) or a post URL such as "
        f"{_POST_EXAMPLE[P.reddit]}",
        P.bluesky: "a Bluesky post URI (at://<did or handle>/app.bsky.feed.post/<record key>) "
        f"or a post URL such as {_POST_EXAMPLE[P.bluesky]}",
    }
)

_ALL_LABELS = ", ".join(_LABEL[p] for p in list(Platform)[:-1]) + f" or {_LABEL[P.bluesky]}"


def _a(label: str) -> str:
    return f"an {label}" if label in ("Instagram", "X") else f"a {label}"


def _show(value: str) -> str:
    return repr(value if len(value) <= 120 else value[:117] + "...")


def _invalid(field: str, value: str, problem: str, expected: str) -> InvalidIdentifier:
    return InvalidIdentifier(
        f"{field} {_show(value)} {problem}; expected {expected}", field=field, expected=expected
    )


def _bad(field: str, raw: str, what: str, part: str, problem: str, expected: str) -> InvalidIdentifier:
    """``raw`` is not ``what`` because ``part`` of it (or all of it) has ``problem``."""
    subject = "it" if part == raw.strip() else _show(part)
    return _invalid(field, raw, f"is not {what}: {subject} {problem}", expected)


# ------------------------------------------------------------------------------ character rules

_DIGITS = frozenset(string.digits)
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


def _ascii(extra: str) -> Callable[[str], bool]:
    return (_ASCII_ALNUM | frozenset(extra)).__contains__


def _unicode(extra: str) -> Callable[[str], bool]:
    def allowed(ch: str) -> bool:
        return ch.isalnum() or ch in extra

    return allowed


_is_digit = _DIGITS.__contains__


def _shape(value: str, allowed: Callable[[str], bool], lo: int, hi: int) -> str | None:
    """What is wrong with ``value`` as a run of ``lo``–``hi`` allowed characters, if anything."""
    if not value:
        return "is empty"
    if any(ch.isspace() for ch in value):
        return "contains a space"
    bad = next((ch for ch in value if not allowed(ch)), None)
    if bad is not None:
        return f"contains {bad!r}, which is not allowed"
    n = len(value)
    if lo == hi and n != lo:
        return f"is {n} characters long instead of {lo}"
    if n < lo:
        return f"is too short ({n} characters; at least {lo})"
    if n > hi:
        return f"is too long ({n} characters; at most {hi})"
    return None


def _ig_name_problem(v: str) -> str | None:  # Instagram and Threads share their usernames
    problem = _shape(v, _ascii("._"), 1, 30)
    if problem:
        return problem
    if v.startswith(".") or v.endswith("."):
        return "starts or ends with '.'"
    if ".." in v:
        return "contains '..'"
    return None


def _tiktok_name_problem(v: str) -> str | None:
    return _shape(v, _ascii("._"), 2, 24) or ("ends with '.'" if v.endswith(".") else None)


def _x_name_problem(v: str) -> str | None:
    return _shape(v, _ascii("_"), 1, 15)


def _yt_handle_problem(v: str) -> str | None:
    # YouTube handles may use letters of many scripts, hence Unicode letters and digits.
    return _shape(v, _unicode("_-."), 3, 30)


def _pinterest_name_problem(v: str) -> str | None:
    return _shape(v, _ascii("_"), 3, 30)


def _reddit_name_problem(v: str) -> str | None:
    return _shape(v, _ascii("_-"), 3, 20)


def _fb_name_problem(v: str) -> str | None:
    # New usernames need 5+ characters; older ones such as "zuck" or "nasa" are shorter.
    return _shape(v, _ascii("."), 2, 50)


def _li_vanity_problem(v: str, lo: int) -> str | None:
    return _shape(v, _unicode("-"), lo, 100)


def _digits_problem(v: str, lo: int, hi: int) -> str | None:
    problem = _shape(v, _is_digit, lo, hi)
    if problem and "which is not allowed" in problem:
        return "is not made of digits only"
    return problem


_BAD_TLDS = frozenset({"alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion"})
_DOMAIN_CHARS = _ascii("-")


def _domain_problem(v: str, *, handle: bool) -> str | None:
    """Problems of ``v`` (lower case) as a domain name; ``handle`` adds atproto's handle rules."""
    if not v:
        return "is empty"
    if len(v) > 253:
        return f"is too long ({len(v)} characters; at most 253)"
    labels = v.split(".")
    if len(labels) < 2:
        return "is not a domain name (it has no '.')"
    for label in labels:
        if not label:
            return "has an empty part between dots"
        bad = next((ch for ch in label if not _DOMAIN_CHARS(ch)), None)
        if bad is not None:
            return f"contains {bad!r}, which is not allowed"
        if len(label) > 63:
            return "has a part longer than 63 characters"
        if label.startswith("-") or label.endswith("-"):
            return f"has a part starting or ending with '-' ({label!r})"
    if handle:
        if labels[-1][0].isdigit():
            return "ends in a top-level domain that starts with a digit"
        if labels[-1] in _BAD_TLDS:
            return f"ends in '.{labels[-1]}', which Bluesky does not allow"
    return None


_PLC_ID = re.compile(r"[a-z2-7]{24}")


def _did(value: str) -> tuple[str, str | None]:
    """(normal form, problem) of a DID; the method name is case-folded, a did:plc id is not."""
    parts = value.split(":", 2)
    if len(parts) < 3 or not parts[2]:
        return value, "is not a complete DID"
    method, ident = parts[1].lower(), parts[2]
    if method == "plc":
        norm = f"did:plc:{ident}"
        if not _PLC_ID.fullmatch(ident):
            return norm, "is not did:plc: followed by 24 characters from a–z and 2–7"
        return norm, None
    if method == "web":
        host = ident.lower()
        return f"did:web:{host}", _domain_problem(host, handle=False)
    return value, f"uses the DID method {method!r}; Bluesky accounts use did:plc or did:web"


def _bsky_actor(value: str, *, bare_ok: bool) -> tuple[str, str | None]:
    """(normal form, problem) of a Bluesky handle or DID."""
    if value.lower().startswith("did:"):
        return _did(value)
    low = value.lower()
    if bare_ok and low and "." not in low:
        low = f"{low}.bsky.social"
    return low, _domain_problem(low, handle=True)


_RKEY_CHARS = _ascii("._:~-")


def _rkey_problem(v: str) -> str | None:
    if v in (".", ".."):
        return "is not a record key"
    return _shape(v, _RKEY_CHARS, 1, 512)


_SHORTCODE_CHARS = _ascii("_-")


def _shortcode_problem(v: str) -> str | None:
    problem = _shape(v, _SHORTCODE_CHARS, 1, 64)
    if problem:
        return problem
    if len(v) >= 15 and all(map(_is_digit, v)):
        return "looks like a numeric media id; use the shortcode from the post's URL instead"
    return None


def _yt_video_problem(v: str) -> str | None:
    return _shape(v, _SHORTCODE_CHARS, 11, 11)


_YT_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")


def _yt_channel_problem(v: str) -> str | None:
    if _YT_CHANNEL_ID.fullmatch(v):
        return None
    if not v.startswith("UC"):
        return "does not start with 'UC'"
    return _shape(v, _SHORTCODE_CHARS, 24, 24) or "is not a channel id"


def _tweet_id_problem(v: str) -> str | None:
    return _digits_problem(v, 1, 20) or ("starts with 0" if v.startswith("0") else None)


def _tiktok_id_problem(v: str) -> str | None:
    return _digits_problem(v, 15, 21)


def _pin_id_problem(v: str) -> str | None:
    return _digits_problem(v, 1, 25)


_REDDIT_ID_CHARS = frozenset(string.ascii_lowercase + string.digits).__contains__


def _reddit_id_problem(v: str) -> str | None:
    return _shape(v, _REDDIT_ID_CHARS, 1, 13)


_FB_NUMERIC = re.compile(r"[0-9]{1,25}")
_FB_PAIR = re.compile(r"([0-9]{1,25})_([0-9]{1,25})")
_FB_PFBID = re.compile(r"pfbid0?[0-9A-Za-z]{10,200}")


def _fb_post_id_problem(v: str) -> str | None:
    if _FB_NUMERIC.fullmatch(v) or _FB_PAIR.fullmatch(v) or _FB_PFBID.fullmatch(v):
        return None
    if any(ch.isspace() for ch in v):
        return "contains a space"
    return "is neither digits, PAGEID_POSTID nor a pfbid… id"


_LI_POST_URN = re.compile(r"urn:li:(activity|share|ugcpost):([0-9]{1,25})", re.IGNORECASE)
_LI_URN_KIND = {"activity": "activity", "share": "share", "ugcpost": "ugcPost"}


def _li_post_urn(value: str) -> str | None:
    m = _LI_POST_URN.fullmatch(unquote(value))
    return f"urn:li:{_LI_URN_KIND[m.group(1).lower()]}:{m.group(2)}" if m else None


# ------------------------------------------------------------------------------ canonical URLs


def _q(value: str, safe: str = "") -> str:
    return quote(value, safe=safe)


def account_url(platform: Platform, handle: str, platform_id: str | None = None) -> str:
    """The canonical profile URL of an account, from its normalised handle (and id, if known)."""
    p = platform
    key = platform_id if platform_id and (not handle or handle == platform_id) else handle
    if p is P.instagram:
        return f"https://www.instagram.com/{_q(handle)}/"
    if p is P.tiktok:
        return f"https://www.tiktok.com/@{_q(handle)}"
    if p is P.youtube:
        if _YT_CHANNEL_ID.fullmatch(key):
            return f"https://www.youtube.com/channel/{key}"
        return f"https://www.youtube.com/@{_q(handle)}"
    if p is P.x:
        if platform_id and key == platform_id:
            return f"https://x.com/i/user/{_q(platform_id)}"
        return f"https://x.com/{_q(handle)}"
    if p is P.threads:
        return f"https://www.threads.com/@{_q(handle)}"
    if p is P.facebook:
        if _FB_NUMERIC.fullmatch(key):
            return f"https://www.facebook.com/profile.php?id={key}"
        return f"https://www.facebook.com/{_q(handle)}"
    if p is P.linkedin:
        kind, _, name = key.rpartition("/")
        return f"https://www.linkedin.com/{kind or 'company'}/{_q(name)}/"
    if p is P.pinterest:
        return f"https://www.pinterest.com/{_q(handle)}/"
    if p is P.reddit:
        return f"https://www.reddit.com/user/{_q(handle)}/"
    if p is P.bluesky:
        return f"https://bsky.app/profile/{_q(key, ':')}"
    raise ValueError(f"unknown platform {platform!r}")


def post_url(platform: Platform, social_id: str, author_handle: str | None = None) -> str | None:
    """The canonical URL of a post from its normalised id, or ``None`` when it cannot be built.

    TikTok needs the author for a working link; Facebook needs the author unless the id is of
    the ``PAGEID_POSTID`` form.
    """
    p, sid = platform, social_id
    if p is P.instagram:
        return f"https://www.instagram.com/p/{_q(sid)}/"
    if p is P.tiktok:
        return f"https://www.tiktok.com/@{_q(author_handle)}/video/{_q(sid)}" if author_handle else None
    if p is P.youtube:
        return f"https://www.youtube.com/watch?v={_q(sid)}"
    if p is P.x:
        return f"https://x.com/{_q(author_handle or 'i')}/status/{_q(sid)}"
    if p is P.threads:
        if author_handle:
            return f"https://www.threads.com/@{_q(author_handle)}/post/{_q(sid)}"
        return f"https://www.threads.com/t/{_q(sid)}"
    if p is P.facebook:
        pair = _FB_PAIR.fullmatch(sid)
        if pair:
            return f"https://www.facebook.com/{pair.group(1)}/posts/{pair.group(2)}"
        if author_handle:
            return f"https://www.facebook.com/{_q(author_handle)}/posts/{_q(sid)}"
        return None
    if p is P.linkedin:
        return f"https://www.linkedin.com/feed/update/{_q(sid, ':')}/"
    if p is P.pinterest:
        return f"https://www.pinterest.com/pin/{_q(sid)}/"
    if p is P.reddit:
        return f"https://www.reddit.com/comments/{_q(sid)}/"
    if p is P.bluesky:
        m = re.fullmatch(r"at://([^/]+)/app\.bsky\.feed\.post/([^/]+)", sid)
        return f"https://bsky.app/profile/{_q(m.group(1), ':')}/post/{_q(m.group(2), ':~')}" if m else None
    raise ValueError(f"unknown platform {platform!r}")


def _account(p: Platform, handle: str, platform_id: str | None = None) -> AccountIdent:
    return AccountIdent(p, handle, platform_id, account_url(p, handle, platform_id))


def _post(p: Platform, social_id: str, author: str | None = None, url: str | None = None) -> PostIdent:
    return PostIdent(p, social_id, url or post_url(p, social_id, author), author)


# ------------------------------------------------------------------------------ platform names

_ALIASES: Final[Mapping[str, Platform]] = MappingProxyType(
    {
        **{p.value: p for p in Platform},
        "ig": P.instagram,
        "insta": P.instagram,
        "tt": P.tiktok,
        "yt": P.youtube,
        "twitter": P.x,
        "xtwitter": P.x,
        "twitterx": P.x,
        "fb": P.facebook,
        "li": P.linkedin,
        "bsky": P.bluesky,
    }
)
_PLATFORM_NAMES = ", ".join(p.value for p in Platform)


def parse_platform(raw: str, *, field: str = "platform") -> Platform:
    """A platform from its name in any case, a common alias (twitter, yt, bsky…) or its domain."""
    if isinstance(raw, Platform):
        return raw
    text = raw.strip().lower() if isinstance(raw, str) else ""
    hit = _ALIASES.get(re.sub(r"[^a-z0-9]", "", text))
    if hit is None and text:
        detected = _detect(_strip_host(re.sub(r"^https?://", "", text).split("/", 1)[0]))
        hit = detected[0] if detected else None
    if hit is None:
        expected = f"one of {_PLATFORM_NAMES}"
        problem = "is empty" if not text else "is not a supported platform"
        raise _invalid(field, raw if isinstance(raw, str) else repr(raw), problem, expected)
    return hit


def _platform(value: Platform | str) -> Platform:
    return value if isinstance(value, Platform) else parse_platform(value)


# ------------------------------------------------------------------------------ handles


def _strip_at(s: str) -> str:
    return s[1:] if s.startswith("@") else s


def _named(p: Platform, what: str, problem_of: Callable[[str], str | None]) -> _HandleParser:
    def parse(s: str, field: str, raw: str) -> AccountIdent:
        name = _strip_at(s)
        low = name.lower()
        problem = problem_of(low)
        if problem:
            raise _bad(field, raw, what, name, problem, EXPECTED_HANDLE[p])
        return _account(p, low)

    return parse


_REDDIT_USER_PATH = re.compile(r"/?(?:u|user)/([^/]+)/?", re.IGNORECASE)
_REDDIT_SUB_PATH = re.compile(r"/?r/[^/]+/?", re.IGNORECASE)


def _reddit_handle(s: str, field: str, raw: str) -> AccountIdent:
    if _REDDIT_SUB_PATH.fullmatch(s):
        raise _invalid(field, raw, "is a subreddit, not a user", EXPECTED_HANDLE[P.reddit])
    m = _REDDIT_USER_PATH.fullmatch(s)
    name = m.group(1) if m else _strip_at(s)
    problem = _reddit_name_problem(name.lower())
    if problem:
        raise _bad(field, raw, "a valid Reddit username", name, problem, EXPECTED_HANDLE[P.reddit])
    return _account(P.reddit, name.lower())


_YT_PATH = re.compile(r"/?(channel|c|user)/([^/]+)/?", re.IGNORECASE)


def _yt_channel(value: str, field: str, raw: str) -> AccountIdent:
    problem = _yt_channel_problem(value)
    if problem:
        raise _bad(field, raw, "a valid YouTube channel id", value, problem, EXPECTED_HANDLE[P.youtube])
    return _account(P.youtube, value, value)


def _yt_named(value: str, field: str, raw: str) -> AccountIdent:
    low = value.lower()
    problem = _yt_handle_problem(low)
    if problem:
        raise _bad(field, raw, "a valid YouTube handle", value, problem, EXPECTED_HANDLE[P.youtube])
    return _account(P.youtube, low)


def _youtube_handle(s: str, field: str, raw: str) -> AccountIdent:
    if s.startswith("@"):
        return _yt_named(s[1:], field, raw)
    m = _YT_PATH.fullmatch(s)
    if m:
        if m.group(1).lower() == "channel":
            return _yt_channel(m.group(2), field, raw)
        return _yt_named(m.group(2), field, raw)
    if s.startswith("UC") and 20 <= len(s) <= 30 and all(map(_SHORTCODE_CHARS, s)):
        return _yt_channel(s, field, raw)  # meant as a channel id: say what is wrong with it
    return _yt_named(s, field, raw)


_FB_PROFILE_PHP = re.compile(r"/?profile\.php\?id=([0-9]+)", re.IGNORECASE)


def _facebook_handle(s: str, field: str, raw: str) -> AccountIdent:
    m = _FB_PROFILE_PHP.fullmatch(s)
    name = m.group(1) if m else _strip_at(s)
    if name and all(map(_is_digit, name)):
        problem = _digits_problem(name, 1, 25)
        if problem:
            raise _bad(field, raw, "a valid Facebook page id", name, problem, EXPECTED_HANDLE[P.facebook])
        return _account(P.facebook, name, name)
    low = name.lower()
    problem = _fb_name_problem(low)
    if problem:
        raise _bad(field, raw, "a valid Facebook username", name, problem, EXPECTED_HANDLE[P.facebook])
    return _account(P.facebook, low)


_LI_PATH = re.compile(r"/?(company|school|showcase|in)/([^/]+)/?", re.IGNORECASE)
_LI_ORG_URN = re.compile(r"urn:li:(?:organization|organizationbrand|company):([0-9]{1,20})", re.IGNORECASE)


def _linkedin_ident(kind: str, name: str) -> tuple[AccountIdent | None, str | None]:
    """(account, problem) for a page of ``kind`` (company, school, showcase, in) named ``name``."""
    if kind != "in" and name and all(map(_is_digit, name)):
        problem = _digits_problem(name, 1, 20)
        return (None, problem) if problem else (_account(P.linkedin, name, name), None)
    low = name.lower()
    problem = _li_vanity_problem(low, 3 if kind == "in" else 2)
    if problem:
        return None, problem
    return _account(P.linkedin, low if kind == "company" else f"{kind}/{low}"), None


def _linkedin_handle(s: str, field: str, raw: str) -> AccountIdent:
    m = _LI_ORG_URN.fullmatch(s)
    if m:
        return _account(P.linkedin, m.group(1), m.group(1))
    if s.lower().startswith("urn:"):
        raise _invalid(
            field, raw, "is not an organization URN (urn:li:organization:N)", EXPECTED_HANDLE[P.linkedin]
        )
    path = _LI_PATH.fullmatch(s)
    kind, name = (path.group(1).lower(), path.group(2)) if path else ("company", _strip_at(s))
    ident, problem = _linkedin_ident(kind, name)
    if ident is None:
        what = "a valid LinkedIn vanity name" if kind == "in" else f"a valid LinkedIn {kind} page name"
        raise _bad(field, raw, what, name, problem or "is not valid", EXPECTED_HANDLE[P.linkedin])
    return ident


def _bluesky_handle(s: str, field: str, raw: str) -> AccountIdent:
    value = _strip_at(s)
    actor, problem = _bsky_actor(value, bare_ok=True)
    if problem:
        what = "a valid Bluesky DID" if actor.startswith("did:") else "a valid Bluesky handle"
        raise _bad(field, raw, what, actor, problem, EXPECTED_HANDLE[P.bluesky])
    return _account(P.bluesky, actor, actor if actor.startswith("did:") else None)


_HandleParser: TypeAlias = Callable[[str, str, str], AccountIdent]

_HANDLE_PARSERS: Final[Mapping[Platform, _HandleParser]] = MappingProxyType(
    {
        P.instagram: _named(P.instagram, "a valid Instagram username", _ig_name_problem),
        P.tiktok: _named(P.tiktok, "a valid TikTok username", _tiktok_name_problem),
        P.youtube: _youtube_handle,
        P.x: _named(P.x, "a valid X username", _x_name_problem),
        P.threads: _named(P.threads, "a valid Threads username", _ig_name_problem),
        P.facebook: _facebook_handle,
        P.linkedin: _linkedin_handle,
        P.pinterest: _named(P.pinterest, "a valid Pinterest username", _pinterest_name_problem),
        P.reddit: _reddit_handle,
        P.bluesky: _bluesky_handle,
    }
)


def normalise_handle(platform: Platform | str, raw: str, *, field: str = "handle") -> AccountIdent:
    """An account from a handle (``@name``), a platform id, or a profile URL of ``platform``."""
    p = _platform(platform)
    s = raw.strip()
    if not s:
        raise _invalid(field, raw, "is empty", EXPECTED_HANDLE[p])
    if _looks_like_url(s) or (p is not P.bluesky and _detect(_strip_host(s)) is not None):
        found = _parse_link(s, field, "profile", p)  # a bare domain is a link, except as a Bluesky handle
        assert isinstance(found, AccountIdent)
        return found
    if any(ch.isspace() for ch in s):
        raise _invalid(field, raw, "contains a space", EXPECTED_HANDLE[p])
    return _HANDLE_PARSERS[p](s, field, raw)


# ------------------------------------------------------------------------------ post ids


def _post_id(
    p: Platform, what: str, problem_of: Callable[[str], str | None], normal: Callable[[str], str] = str
) -> _PostIdParser:
    def parse(s: str, field: str, raw: str) -> PostIdent:
        value = normal(s)
        problem = problem_of(value)
        if problem:
            raise _bad(field, raw, what, s, problem, EXPECTED_SOCIAL_ID[p])
        return _post(p, value)

    return parse


def _reddit_post_id(s: str, field: str, raw: str) -> PostIdent:
    prefix, sep, rest = s.partition("_")
    if sep and re.fullmatch(r"t[0-9]", prefix, re.IGNORECASE):
        if prefix.lower() != "t3":
            kind = "a comment" if prefix.lower() == "t1" else f"a {prefix.lower()}_ thing"
            raise _invalid(field, raw, f"is the id of {kind}, not of a post", EXPECTED_SOCIAL_ID[P.reddit])
        s = rest
    value = s.lower()  # base 36 ignores case; Reddit writes it in lower case
    problem = _reddit_id_problem(value)
    if problem:
        raise _bad(field, raw, "a valid Reddit post id", s, problem, EXPECTED_SOCIAL_ID[P.reddit])
    return _post(P.reddit, value)


def _facebook_post_id(s: str, field: str, raw: str) -> PostIdent:
    problem = _fb_post_id_problem(s)
    if problem:
        raise _bad(field, raw, "a valid Facebook post id", s, problem, EXPECTED_SOCIAL_ID[P.facebook])
    pair = _FB_PAIR.fullmatch(s)
    return _post(P.facebook, s, pair.group(1) if pair else None)  # PAGEID_POSTID names its page


def _linkedin_post_id(s: str, field: str, raw: str) -> PostIdent:
    urn = _li_post_urn(s)
    if urn is None:
        problem = (
            "is a number without its kind (activity, share or ugcPost)"
            if all(map(_is_digit, s))
            else "is not a post URN"
        )
        raise _invalid(field, raw, problem, EXPECTED_SOCIAL_ID[P.linkedin])
    return _post(P.linkedin, urn)


_AT_URI = re.compile(r"at://([^/]*)/([^/]*)/([^/]*)", re.IGNORECASE)


def _bluesky_post_id(s: str, field: str, raw: str) -> PostIdent:
    expected = EXPECTED_SOCIAL_ID[P.bluesky]
    m = _AT_URI.fullmatch(s)
    if not m:
        shape = "is not an at:// URI" if not s.lower().startswith("at://") else "is not a post URI"
        raise _invalid(field, raw, shape, expected)
    authority, collection, rkey = m.groups()
    actor, problem = _bsky_actor(authority, bare_ok=False)
    if problem:
        raise _bad(field, raw, "a valid Bluesky post URI", authority, problem, expected)
    if collection != "app.bsky.feed.post":
        raise _invalid(field, raw, f"points at a {collection!r} record, not a post", expected)
    rkey_problem = _rkey_problem(rkey)
    if rkey_problem:
        raise _bad(field, raw, "a valid Bluesky post URI", rkey, rkey_problem, expected)
    return _post(P.bluesky, f"at://{actor}/app.bsky.feed.post/{rkey}", actor)


_PostIdParser: TypeAlias = Callable[[str, str, str], PostIdent]

_POST_ID_PARSERS: Final[Mapping[Platform, _PostIdParser]] = MappingProxyType(
    {
        P.instagram: _post_id(P.instagram, "a valid Instagram shortcode", _shortcode_problem),
        P.tiktok: _post_id(P.tiktok, "a valid TikTok video id", _tiktok_id_problem),
        P.youtube: _post_id(P.youtube, "a valid YouTube video id", _yt_video_problem),
        P.x: _post_id(P.x, "a valid X post id", _tweet_id_problem),
        P.threads: _post_id(P.threads, "a valid Threads shortcode", _shortcode_problem),
        P.facebook: _facebook_post_id,
        P.linkedin: _linkedin_post_id,
        P.pinterest: _post_id(P.pinterest, "a valid Pinterest pin id", _pin_id_problem),
        P.reddit: _reddit_post_id,
        P.bluesky: _bluesky_post_id,
    }
)


def normalise_social_id(platform: Platform | str, raw: str, *, field: str = "social_id") -> PostIdent:
    """A post from its platform id (or a post URL of ``platform``), validated and normalised."""
    p = _platform(platform)
    s = raw.strip()
    if not s:
        raise _invalid(field, raw, "is empty", EXPECTED_SOCIAL_ID[p])
    if _looks_like_url(s):
        found = _parse_link(s, field, "post", p)
        assert isinstance(found, PostIdent)
        return found
    if any(ch.isspace() for ch in s):
        raise _invalid(field, raw, "contains a space", EXPECTED_SOCIAL_ID[p])
    return _POST_ID_PARSERS[p](s, field, raw)


# ------------------------------------------------------------------------------ links

_Want: TypeAlias = Literal["profile", "post"]

_HOSTS: Final[Mapping[str, tuple[Platform, bool]]] = MappingProxyType(
    {  # host (without www./m./…) -> (platform, is a short link that needs resolving)
        "instagram.com": (P.instagram, False),
        "instagr.am": (P.instagram, False),
        "tiktok.com": (P.tiktok, False),
        "vm.tiktok.com": (P.tiktok, True),
        "vt.tiktok.com": (P.tiktok, True),
        "youtube.com": (P.youtube, False),
        "youtu.be": (P.youtube, False),
        "youtube-nocookie.com": (P.youtube, False),
        "x.com": (P.x, False),
        "twitter.com": (P.x, False),
        "t.co": (P.x, True),
        "threads.net": (P.threads, False),
        "threads.com": (P.threads, False),
        "facebook.com": (P.facebook, False),
        "fb.com": (P.facebook, False),
        "fb.watch": (P.facebook, True),
        "fb.me": (P.facebook, True),
        "linkedin.com": (P.linkedin, False),
        "lnkd.in": (P.linkedin, True),
        "pin.it": (P.pinterest, True),
        "reddit.com": (P.reddit, False),
        "redd.it": (P.reddit, False),
        "bsky.app": (P.bluesky, False),
        "go.bsky.app": (P.bluesky, True),
    }
)
_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.", "mbasic.", "touch.")
_PINTEREST_HOST = re.compile(r"(?:[a-z]{2}\.)?pinterest\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})")
_LINKEDIN_HOST = re.compile(r"(?:[a-z]{2}\.)?linkedin\.com")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def _strip_host(host: str) -> str:
    host = host.lower().rstrip(".")
    stripped = True
    while stripped:
        stripped = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host, stripped = host[len(prefix) :], True
    return host


def _detect(host: str) -> tuple[Platform, bool] | None:
    hit = _HOSTS.get(host)
    if hit:
        return hit
    if _LINKEDIN_HOST.fullmatch(host):
        return P.linkedin, False
    if _PINTEREST_HOST.fullmatch(host):
        return P.pinterest, False
    for suffix, p in ((".facebook.com", P.facebook), (".reddit.com", P.reddit), (".youtube.com", P.youtube)):
        if host.endswith(suffix):
            return p, False
    return None


def _looks_like_url(s: str) -> bool:
    """True for http(s) URLs, and for scheme-less text that starts with a known host and a path."""
    m = _SCHEME.match(s)
    if m:
        return m.group(1).lower() in ("http", "https")
    if s.startswith("//"):
        return True
    head = re.match(r"([^/?#]*)[/?#]", s)
    return head is not None and _detect(_strip_host(head.group(1).split(":", 1)[0])) is not None


@dataclass(frozen=True)
class _Link:
    raw: str
    field: str
    expected: str
    host: str
    segs: tuple[str, ...]
    query: Mapping[str, str]

    def fail(self, problem: str) -> InvalidIdentifier:
        return _invalid(self.field, self.raw, problem, self.expected)

    def bad(self, noun: str, part: str, problem: str) -> InvalidIdentifier:
        return self.fail(f"holds the {noun} {_show(part)}, which {problem}")

    def seg(self, i: int) -> str:
        """Path segment ``i`` in lower case, or "" past the end."""
        return self.segs[i].lower() if i < len(self.segs) else ""


class _ShortLink:
    """A classifier's answer for a link that only the platform can resolve."""


_SHORT: Final = _ShortLink()
_Found: TypeAlias = "AccountIdent | PostIdent | _ShortLink | None"


def _expected_url(want: _Want, p: Platform | None) -> str:
    if p is None:
        example = _POST_EXAMPLE[P.youtube] if want == "post" else _PROFILE_EXAMPLE[P.instagram]
    else:
        example = (_POST_EXAMPLE if want == "post" else _PROFILE_EXAMPLE)[p]
    return f"a {want} URL such as {example}"


def _parse_link(raw: str, field: str, want: _Want, platform: Platform | None) -> AccountIdent | PostIdent:
    s = raw.strip()
    expected = _expected_url(want, platform)
    if not s:
        raise _invalid(field, raw, "is empty", expected)
    if any(ch.isspace() for ch in s):
        raise _invalid(field, raw, "contains a space", expected)
    m = _SCHEME.match(s)
    if m and m.group(1).lower() not in ("http", "https"):
        raise _invalid(field, raw, "is not an http(s) URL", expected)
    text = s if m else ("https:" + s if s.startswith("//") else "https://" + s)
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError:
        hostname = None
    if not hostname or "." not in hostname:
        raise _invalid(field, raw, "is not a URL", expected)
    host = _strip_host(hostname)
    detected = _detect(host)
    if detected is None:
        raise _invalid(field, raw, f"is not a link to a supported platform ({_ALL_LABELS})", expected)
    p, short = detected
    if platform is not None and p is not platform:
        raise _invalid(field, raw, f"is a link to {_LABEL[p]}, not {_LABEL[platform]}", expected)
    expected = _expected_url(want, p)
    link = _Link(
        raw=raw,
        field=field,
        expected=expected,
        host=host,
        segs=tuple(unquote(x) for x in parts.path.split("/") if x),
        query={k: v[0] for k, v in parse_qs(parts.query).items() if v},
    )
    found = _SHORT if short else _CLASSIFIERS[p](link)
    if isinstance(found, _ShortLink):
        raise link.fail(
            f"is {_a(_LABEL[p])} short link, which cannot be resolved offline; "
            "open it in a browser and paste the full URL"
        )
    if found is None:
        raise link.fail(f"is not {_a(_LABEL[p])} {want} URL")
    if want == "post" and isinstance(found, AccountIdent):
        raise link.fail("is a profile URL, not a post URL")
    if want == "profile" and isinstance(found, PostIdent):
        raise link.fail("is a post URL, not a profile URL")
    return found


def parse_profile_url(url: str, *, field: str = "url") -> AccountIdent:
    """An account from its profile URL on any of the ten platforms (detected from the host)."""
    found = _parse_link(url, field, "profile", None)
    assert isinstance(found, AccountIdent)
    return found


def parse_post_url(url: str, *, field: str = "url") -> PostIdent:
    """A post from its URL on any of the ten platforms (detected from the host)."""
    found = _parse_link(url, field, "post", None)
    assert isinstance(found, PostIdent)
    return found


def _link_name(link: _Link, noun: str, name: str, problem_of: Callable[[str], str | None]) -> str:
    low = name.lower()
    problem = problem_of(low)
    if problem:
        raise link.bad(noun, name, problem)
    return low


def _link_post(link: _Link, noun: str, value: str, problem_of: Callable[[str], str | None]) -> str:
    problem = problem_of(value)
    if problem:
        raise link.bad(noun, value, problem)
    return value


# Instagram ------------------------------------------------------------------------------

_IG_POST_KINDS = frozenset({"p", "reel", "reels", "tv"})
_IG_TABS = frozenset({"reels", "tagged", "saved", "guides", "feed", "channel", "followers", "following"})
_IG_RESERVED = frozenset(
    {
        *_IG_POST_KINDS,
        *("stories", "explore", "accounts", "direct", "about", "developer", "legal", "web", "api"),
        *("graphql", "challenge", "emails", "oauth", "privacy", "terms", "press", "directory"),
        *("session", "lite", "qr", "nametag", "ar", "s", "invites", "topics", "locations"),
        *("your_activity", "archive", "create", "static", "data", "download", "business"),
    }
)


def _ig_like_post(link: _Link, p: Platform, code: str, author: str | None) -> PostIdent:
    return _post(p, _link_post(link, f"{_LABEL[p]} shortcode", code, _shortcode_problem), author)


def _instagram_link(link: _Link) -> _Found:
    s = link.segs
    if not s:
        return None
    if link.seg(0) in _IG_POST_KINDS:
        if len(s) < 2 or link.seg(1) == "audio":
            return None
        return _ig_like_post(link, P.instagram, s[1], None)
    if len(s) >= 3 and link.seg(1) in _IG_POST_KINDS:
        author = _link_name(link, "Instagram username", s[0], _ig_name_problem)
        return _ig_like_post(link, P.instagram, s[2], author)
    if link.seg(0) == "_u" and len(s) >= 2:
        name, rest = s[1], s[2:]
    elif link.seg(0) in _IG_RESERVED:
        return None
    else:
        name, rest = s[0], s[1:]
    if rest and rest[0].lower() not in _IG_TABS:
        return None
    return _account(P.instagram, _link_name(link, "Instagram username", name, _ig_name_problem))


# Threads --------------------------------------------------------------------------------


def _threads_link(link: _Link) -> _Found:
    s = link.segs
    if not s:
        return None
    if s[0].startswith("@"):
        name = _link_name(link, "Threads username", s[0][1:], _ig_name_problem)
        if len(s) >= 3 and link.seg(1) == "post":
            return _ig_like_post(link, P.threads, s[2], name)
        if len(s) == 1 or link.seg(1) in ("replies", "reposts", "media"):
            return _account(P.threads, name)
        return None
    if link.seg(0) == "t" and len(s) >= 2:
        return _ig_like_post(link, P.threads, s[1], None)
    return None


# TikTok ---------------------------------------------------------------------------------


def _tiktok_post(link: _Link, video_id: str, author: str | None, *, photo: bool = False) -> PostIdent:
    vid = _link_post(link, "TikTok video id", video_id, _tiktok_id_problem)
    url = f"https://www.tiktok.com/@{author}/photo/{vid}" if photo and author else None
    return _post(P.tiktok, vid, author, url)


def _tiktok_link(link: _Link) -> _Found:
    s = link.segs
    if not s:
        return None
    if s[0].startswith("@"):
        name = s[0][1:]
        if len(s) >= 3 and link.seg(1) in ("video", "photo"):
            author = _link_name(link, "TikTok username", name, _tiktok_name_problem) if name else None
            return _tiktok_post(link, s[2], author, photo=link.seg(1) == "photo")
        if len(s) == 1 or (len(s) == 2 and link.seg(1) == "live"):
            return _account(P.tiktok, _link_name(link, "TikTok username", name, _tiktok_name_problem))
        return None
    head = link.seg(0)
    if head == "t":
        return _SHORT
    if head == "embed" and len(s) >= 2:
        return _tiktok_post(link, s[2] if link.seg(1) == "v2" and len(s) >= 3 else s[1], None)
    if head == "share" and link.seg(1) == "video" and len(s) >= 3:
        return _tiktok_post(link, s[2], None)
    if head == "v" and len(s) == 2:
        return _tiktok_post(link, s[1].removesuffix(".html"), None)
    return None


# YouTube --------------------------------------------------------------------------------

_YT_VIDEO_PATHS = frozenset({"shorts", "live", "embed", "v", "e"})
_YT_TABS = frozenset(
    {"featured", "videos", "shorts", "streams", "live", "playlists", "community", "posts", "about"}
    | {"podcasts", "releases", "courses", "store", "search", "channels"}
)
_YT_RESERVED = frozenset(
    {
        *_YT_VIDEO_PATHS,
        *("watch", "playlist", "results", "feed", "channel", "c", "user", "gaming", "premium"),
        *("account", "t", "about", "howyoutubeworks", "kids", "music", "redirect", "signin"),
        *("logout", "upload", "hashtag", "post", "source", "s", "attribution_link", "new"),
        *("supported_browsers", "trending", "subscriptions", "library", "history", "oembed"),
        *("api", "yts", "ads", "creators", "jobs", "index", "storefront", "movies", "sports"),
        *("learning", "podcasts", "paid_memberships", "reporthistory", "select", "clip"),
    }
)


def _yt_video(link: _Link, video_id: str) -> PostIdent:
    return _post(P.youtube, _link_post(link, "YouTube video id", video_id, _yt_video_problem))


def _youtube_link(link: _Link) -> _Found:
    s = link.segs
    if link.host == "youtu.be":
        return _yt_video(link, s[0]) if len(s) == 1 else None
    if not s:
        return None
    head = link.seg(0)
    if s[0].startswith("@"):
        return _account(P.youtube, _link_name(link, "YouTube handle", s[0][1:], _yt_handle_problem))
    if head == "channel" and len(s) >= 2:
        problem = _yt_channel_problem(s[1])
        if problem:
            raise link.bad("YouTube channel id", s[1], problem)
        return _account(P.youtube, s[1], s[1])
    if head in ("c", "user") and len(s) >= 2:
        return _account(P.youtube, _link_name(link, "YouTube channel name", s[1], _yt_handle_problem))
    if head == "watch":
        video_id = link.query.get("v")
        if video_id is None:
            raise link.fail("has no video id (its v= parameter is missing)")
        return _yt_video(link, video_id)
    if head in _YT_VIDEO_PATHS and len(s) >= 2:
        return _yt_video(link, s[1])
    if head in _YT_RESERVED:
        return None
    if len(s) == 1 or link.seg(1) in _YT_TABS:  # youtube.com/NAME, a legacy custom URL
        return _account(P.youtube, _link_name(link, "YouTube channel name", s[0], _yt_handle_problem))
    return None


# X --------------------------------------------------------------------------------------

_X_TABS = frozenset(
    {"with_replies", "media", "likes", "followers", "following", "verified_followers", "highlights"}
    | {"articles", "superfollows", "lists", "followers_you_follow", "creator-subscriptions"}
)
_X_RESERVED = frozenset(
    {
        *("home", "explore", "search", "i", "notifications", "messages", "settings", "compose"),
        *("intent", "share", "hashtag", "login", "logout", "signup", "tos", "privacy", "about"),
        *("jobs", "account", "download", "lists", "bookmarks", "communities", "topics"),
        *("premium", "help", "rules", "who_to_follow", "connect", "oauth", "signin", "jointerms"),
        *("personalization", "following", "followers", "verified-choose", "home.php", "sw.js"),
    }
)


def _x_post(link: _Link, post_id: str, author: str | None) -> PostIdent:
    return _post(P.x, _link_post(link, "X post id", post_id, _tweet_id_problem), author)


def _x_link(link: _Link) -> _Found:
    s = link.segs
    if not s:
        return None
    head = link.seg(0)
    if head == "i":
        if len(s) >= 3 and link.seg(1) == "user":
            uid = _link_post(link, "X user id", s[2], _tweet_id_problem)
            return _account(P.x, uid, uid)
        if len(s) >= 3 and link.seg(1) == "status":
            return _x_post(link, s[2], None)
        if len(s) >= 4 and link.seg(1) == "web" and link.seg(2) == "status":
            return _x_post(link, s[3], None)
        return None
    if head in _X_RESERVED:
        return None
    name = _link_name(link, "X username", s[0], _x_name_problem)
    if len(s) >= 3 and link.seg(1) in ("status", "statuses"):
        return _x_post(link, s[2], name)
    if len(s) == 1 or (len(s) == 2 and link.seg(1) in _X_TABS):
        return _account(P.x, name)
    return None


# Facebook -------------------------------------------------------------------------------

_FB_TABS = frozenset(
    {"about", "photos", "videos", "reels", "posts", "community", "mentions", "followers", "following"}
    | {"events", "reviews", "live_videos", "groups", "shop", "services", "jobs", "friends"}
    | {"about_profile_transparency", "photos_by", "videos_by", "map", "music", "sports", "likes"}
)
_FB_RESERVED = frozenset(
    {
        *("watch", "groups", "events", "marketplace", "gaming", "reel", "reels", "share", "sharer"),
        *("sharer.php", "story.php", "permalink.php", "photo.php", "photo", "photos", "video.php"),
        *("videos", "login", "login.php", "home.php", "help", "policies", "privacy", "settings"),
        *("notifications", "messages", "friends", "hashtag", "search", "stories", "business"),
        *("ads", "l.php", "dialog", "plugins", "fundraisers", "media", "bookmarks", "saved"),
        *("memories", "live", "news", "places", "tr", "legal", "terms", "about", "careers"),
        *("me", "home", "feed", "lite", "mobile", "latest", "checkpoint", "recover", "r.php"),
        *("campaign", "directory", "pages", "people", "profile.php", "pg", "p", "watch.php"),
        *("pfbid", "notes", "developers", "privacy_center", "gaming_video", "messenger"),
    }
)
_FB_SLUG_ID = re.compile(r".+-([0-9]{5,25})")


def _fb_owner(link: _Link, name: str) -> tuple[str, str | None]:
    """(handle, page id if the name is one) of the page named in a Facebook URL."""
    if _FB_NUMERIC.fullmatch(name):
        return name, name
    m = _FB_SLUG_ID.fullmatch(name)  # old page URLs: facebook.com/Page-Name-123456789
    if m:
        return m.group(1), m.group(1)
    return _link_name(link, "Facebook username", name, _fb_name_problem), None


def _fb_post(link: _Link, post_id: str | None, owner: str | None, url: str | None = None) -> PostIdent:
    """``owner`` is the page's handle or id; a numeric owner joins a numeric post id (Graph form)."""
    if post_id is None:
        raise link.fail("has no post id")
    pid = _link_post(link, "Facebook post id", post_id, _fb_post_id_problem)
    if owner and _FB_NUMERIC.fullmatch(owner) and _FB_NUMERIC.fullmatch(pid):
        pid = f"{owner}_{pid}"
    return _post(P.facebook, pid, owner, url)


def _fb_media(link: _Link, noun: str, media_id: str | None, url: Callable[[str], str]) -> PostIdent:
    if media_id is None:
        raise link.fail(f"has no {noun}")
    mid = _link_post(link, f"Facebook {noun}", media_id, _digits_problem_1_25)
    return _post(P.facebook, mid, None, url(mid))


def _digits_problem_1_25(v: str) -> str | None:
    return _digits_problem(v, 1, 25)


def _last_number(segs: tuple[str, ...]) -> str | None:
    return next((x for x in reversed(segs) if _FB_NUMERIC.fullmatch(x)), None)


def _facebook_link(link: _Link) -> _Found:
    s, q = link.segs, link.query
    if not s:
        return None
    head = link.seg(0)
    if head == "profile.php":
        uid = q.get("id")
        if uid is None:
            raise link.fail("has no page id (its id= parameter is missing)")
        uid = _link_post(link, "Facebook page id", uid, _digits_problem_1_25)
        return _account(P.facebook, uid, uid)
    if head in ("permalink.php", "story.php"):
        owner = q.get("id")
        if owner is not None and not _FB_NUMERIC.fullmatch(owner):
            raise link.bad("Facebook page id", owner, "is not made of digits only")
        return _fb_post(link, q.get("story_fbid"), owner)
    if head in ("watch", "video.php", "watch.php"):
        return _fb_media(link, "video id", q.get("v"), lambda v: f"https://www.facebook.com/watch/?v={v}")
    if head in ("reel", "reels") and len(s) >= 2:
        return _fb_media(link, "video id", s[1], lambda v: f"https://www.facebook.com/reel/{v}")
    if head in ("photo.php", "photo"):
        return _fb_media(
            link, "photo id", q.get("fbid"), lambda v: f"https://www.facebook.com/photo/?fbid={v}"
        )
    if head == "share":
        return _SHORT
    if head in ("pages", "people") and len(s) >= 3:
        pid = _last_number(s[2:])
        return _account(P.facebook, pid, pid) if pid else None
    if head == "p" and len(s) >= 2:  # facebook.com/p/Page-Name-100064…/
        m = _FB_SLUG_ID.fullmatch(s[1])
        return _account(P.facebook, m.group(1), m.group(1)) if m else None
    if head == "pg" and len(s) >= 2:
        handle, pid = _fb_owner(link, s[1])
        return _account(P.facebook, handle, pid)
    if head in _FB_RESERVED or head.endswith(".php"):
        return None
    handle, pid = _fb_owner(link, s[0])
    if len(s) >= 3 and link.seg(1) == "posts":
        return _fb_post(link, s[2], handle)
    if len(s) >= 3 and link.seg(1) in ("videos", "photos"):
        vid = _last_number(s[2:])
        if vid is None:
            return None
        kind = link.seg(1)
        return _post(P.facebook, vid, handle, f"https://www.facebook.com/{handle}/{kind}/{vid}")
    if len(s) == 1 or (len(s) == 2 and link.seg(1) in _FB_TABS):
        return _account(P.facebook, handle, pid)
    return None


# LinkedIn -------------------------------------------------------------------------------

_LI_SLUG_URN = re.compile(r"(?:^|[-_])(activity|ugcpost|share)-([0-9]{5,25})(?=-|$)", re.IGNORECASE)


def _li_post(link: _Link, value: str) -> PostIdent:
    urn = _li_post_urn(value)
    if urn is None:
        raise link.bad(
            "LinkedIn post URN", value, "is not urn:li:activity:N, urn:li:share:N or urn:li:ugcPost:N"
        )
    return _post(P.linkedin, urn)


def _linkedin_link(link: _Link) -> _Found:
    s = link.segs
    if not s:
        return None
    head = link.seg(0)
    if head in ("company", "school", "showcase", "in") and len(s) >= 2:
        ident, problem = _linkedin_ident(head, s[1])
        if ident is None:
            noun = "LinkedIn vanity name" if head == "in" else f"LinkedIn {head} page name"
            raise link.bad(noun, s[1], problem or "is not valid")
        return ident
    if head == "feed" and link.seg(1) == "update" and len(s) >= 3:
        return _li_post(link, s[2])
    if head == "embed" and link.seg(1) == "feed" and link.seg(2) == "update" and len(s) >= 4:
        return _li_post(link, s[3])
    if head == "posts" and len(s) >= 2:
        found = _LI_SLUG_URN.findall(s[1])
        if not found:
            raise link.fail("does not end in -activity-N-… (the post's id)")
        kind, number = found[-1]
        return _li_post(link, f"urn:li:{kind}:{number}")
    return None


# Pinterest ------------------------------------------------------------------------------

_PIN_RESERVED = frozenset(
    {
        *("pin", "search", "ideas", "today", "business", "settings", "login", "logout", "signup"),
        *("about", "explore", "categories", "topics", "videos", "shopping", "news_hub", "resource"),
        *("homefeed", "notifications", "messages", "secret", "board", "edit", "password", "oauth"),
        *("shop", "creators", "trends", "offsite", "discover", "following", "followers", "_"),
    }
)
_PIN_SLUG = re.compile(r"(?:.*--)?([^-]*)")


def _pinterest_link(link: _Link) -> _Found:
    s = link.segs
    if not s:
        return None
    head = link.seg(0)
    if head == "pin" and len(s) >= 2:
        m = _PIN_SLUG.fullmatch(s[1])  # newer pin URLs: /pin/some-title--123456789/
        pin_id = m.group(1) if m else s[1]
        return _post(P.pinterest, _link_post(link, "Pinterest pin id", pin_id, _pin_id_problem))
    if head in _PIN_RESERVED or head.startswith("_"):
        return None
    if len(s) == 1 or (len(s) == 2 and s[1].startswith("_")):  # /NAME/_created/, /NAME/_saved/
        return _account(P.pinterest, _link_name(link, "Pinterest username", s[0], _pinterest_name_problem))
    raise link.fail("is a board URL, not a profile or a pin")


# Reddit ---------------------------------------------------------------------------------

_REDDIT_TABS = frozenset(
    {"overview", "submitted", "comments", "posts", "saved", "upvoted", "downvoted", "hidden", "gilded"}
    | {"about"}
)


def _reddit_post(link: _Link, post_id: str, author: str | None = None) -> PostIdent:
    value = post_id.lower()
    if value.startswith("t3_"):
        value = value[3:]
    return _post(P.reddit, _link_post(link, "Reddit post id", value, _reddit_id_problem), author)


def _reddit_link(link: _Link) -> _Found:
    s = link.segs
    if link.host == "redd.it":
        return _reddit_post(link, s[0]) if len(s) == 1 else None
    if not s:
        return None
    head = link.seg(0)
    if head in ("r", "user", "u") and len(s) >= 4 and link.seg(2) == "s":
        return _SHORT
    if head == "r" and len(s) >= 2:
        if len(s) >= 4 and link.seg(2) == "comments":
            return _reddit_post(link, s[3])
        raise link.fail("is a subreddit URL, not a user or a post")
    if head in ("user", "u") and len(s) >= 2:
        name = _link_name(link, "Reddit username", s[1], _reddit_name_problem)
        if len(s) >= 4 and link.seg(2) == "comments":
            return _reddit_post(link, s[3], name)
        if len(s) == 2 or (len(s) == 3 and link.seg(2) in _REDDIT_TABS):
            return _account(P.reddit, name)
        return None
    if head in ("comments", "gallery") and len(s) >= 2:
        return _reddit_post(link, s[1])
    return None


# Bluesky --------------------------------------------------------------------------------


def _bluesky_link(link: _Link) -> _Found:
    s = link.segs
    if link.seg(0) != "profile" or len(s) < 2:
        return None
    actor, problem = _bsky_actor(s[1], bare_ok=False)
    if problem:
        noun = "Bluesky DID" if actor.startswith("did:") else "Bluesky handle"
        raise link.bad(noun, s[1], problem)
    if len(s) == 2 or (len(s) == 3 and link.seg(2) in ("followers", "follows", "known-followers")):
        return _account(P.bluesky, actor, actor if actor.startswith("did:") else None)
    if link.seg(2) == "post" and len(s) >= 4:
        rkey = _link_post(link, "Bluesky record key", s[3], _rkey_problem)
        return _post(P.bluesky, f"at://{actor}/app.bsky.feed.post/{rkey}", actor)
    return None


_CLASSIFIERS: Final[Mapping[Platform, Callable[[_Link], _Found]]] = MappingProxyType(
    {
        P.instagram: _instagram_link,
        P.tiktok: _tiktok_link,
        P.youtube: _youtube_link,
        P.x: _x_link,
        P.threads: _threads_link,
        P.facebook: _facebook_link,
        P.linkedin: _linkedin_link,
        P.pinterest: _pinterest_link,
        P.reddit: _reddit_link,
        P.bluesky: _bluesky_link,
    }
)
