"""Identifier validation, normalisation and URL parsing for the ten platforms (pure, no database)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from socialpulse.errors import Unprocessable
from socialpulse.models.enums import Platform
from socialpulse.platforms.ids import (
    EXPECTED_HANDLE,
    EXPECTED_SOCIAL_ID,
    AccountIdent,
    InvalidIdentifier,
    PostIdent,
    account_url,
    normalise_handle,
    normalise_social_id,
    parse_platform,
    parse_post_url,
    parse_profile_url,
    post_url,
)

P = Platform
FIELD = "items[3].value"  # a distinctive field name, to see it carried into every error

CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
TIKTOK_ID = "7123456789012345678"
TWEET_ID = "1234567890123456789"
LI_ID = "7123456789012345678"
PIN_ID = "123456789012345678"
RKEY = "3l6oveex3ii2l"


def assert_invalid(
    fn: Callable[..., Any], *args: Any, fragment: str, field: str = FIELD
) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        fn(*args, field=field)
    err = info.value
    message = str(err)
    assert err.field == field
    assert message.startswith(f"{field} "), message
    assert fragment in message, message
    assert f"; expected {err.expected}" in message
    problem = err.problem()
    assert problem["status"] == 422
    assert problem["errors"] == [{"field": field, "message": message, "expected": err.expected}]
    return err


# ------------------------------------------------------------------------------ tables

# (platform, raw, handle, platform_id, url)
VALID_HANDLES: list[tuple[Platform, str, str, str | None, str]] = [
    # Instagram
    (P.instagram, "natgeo", "natgeo", None, "https://www.instagram.com/natgeo/"),
    (P.instagram, "@NatGeo", "natgeo", None, "https://www.instagram.com/natgeo/"),
    (P.instagram, "  nat.geo_1 \n", "nat.geo_1", None, "https://www.instagram.com/nat.geo_1/"),
    (P.instagram, "a", "a", None, "https://www.instagram.com/a/"),
    (P.instagram, "_under_", "_under_", None, "https://www.instagram.com/_under_/"),
    (P.instagram, "a" * 30, "a" * 30, None, f"https://www.instagram.com/{'a' * 30}/"),
    (P.instagram, "instagram.com/NatGeo", "natgeo", None, "https://www.instagram.com/natgeo/"),
    (
        P.instagram,
        "https://www.instagram.com/natgeo/?hl=en",
        "natgeo",
        None,
        "https://www.instagram.com/natgeo/",
    ),
    # TikTok
    (P.tiktok, "@khaby.lame", "khaby.lame", None, "https://www.tiktok.com/@khaby.lame"),
    (P.tiktok, "Khaby_Lame", "khaby_lame", None, "https://www.tiktok.com/@khaby_lame"),
    (P.tiktok, "ab", "ab", None, "https://www.tiktok.com/@ab"),
    (P.tiktok, "a" * 24, "a" * 24, None, f"https://www.tiktok.com/@{'a' * 24}"),
    (P.tiktok, ".dot.first", ".dot.first", None, "https://www.tiktok.com/@.dot.first"),
    (P.tiktok, "tiktok.com/@Khaby.Lame", "khaby.lame", None, "https://www.tiktok.com/@khaby.lame"),
    # YouTube
    (P.youtube, "@MKBHD", "mkbhd", None, "https://www.youtube.com/@mkbhd"),
    (P.youtube, "mkbhd", "mkbhd", None, "https://www.youtube.com/@mkbhd"),
    (
        P.youtube,
        "@my.channel-name_1",
        "my.channel-name_1",
        None,
        "https://www.youtube.com/@my.channel-name_1",
    ),
    (P.youtube, "@Café.Tech", "café.tech", None, "https://www.youtube.com/@caf%C3%A9.tech"),
    (P.youtube, CHANNEL_ID, CHANNEL_ID, CHANNEL_ID, f"https://www.youtube.com/channel/{CHANNEL_ID}"),
    (
        P.youtube,
        f"channel/{CHANNEL_ID}",
        CHANNEL_ID,
        CHANNEL_ID,
        f"https://www.youtube.com/channel/{CHANNEL_ID}",
    ),
    (
        P.youtube,
        f"/channel/{CHANNEL_ID}/",
        CHANNEL_ID,
        CHANNEL_ID,
        f"https://www.youtube.com/channel/{CHANNEL_ID}",
    ),
    (
        P.youtube,
        "/user/GoogleDevelopers",
        "googledevelopers",
        None,
        "https://www.youtube.com/@googledevelopers",
    ),
    (P.youtube, "c/Vsauce", "vsauce", None, "https://www.youtube.com/@vsauce"),
    (
        P.youtube,
        "@uc_x5xg1ov2p6uzz5fsm9ttw",
        "uc_x5xg1ov2p6uzz5fsm9ttw",
        None,
        "https://www.youtube.com/@uc_x5xg1ov2p6uzz5fsm9ttw",
    ),
    (
        P.youtube,
        f"https://www.youtube.com/channel/{CHANNEL_ID}",
        CHANNEL_ID,
        CHANNEL_ID,
        f"https://www.youtube.com/channel/{CHANNEL_ID}",
    ),
    # X
    (P.x, "@NASA", "nasa", None, "https://x.com/nasa"),
    (P.x, "elonmusk", "elonmusk", None, "https://x.com/elonmusk"),
    (P.x, "a", "a", None, "https://x.com/a"),
    (P.x, "a_b_c", "a_b_c", None, "https://x.com/a_b_c"),
    (P.x, "x" * 15, "x" * 15, None, f"https://x.com/{'x' * 15}"),
    (P.x, "12345", "12345", None, "https://x.com/12345"),
    (P.x, "twitter.com/NASA", "nasa", None, "https://x.com/nasa"),
    (P.x, "https://mobile.twitter.com/nasa", "nasa", None, "https://x.com/nasa"),
    # Threads
    (P.threads, "@zuck", "zuck", None, "https://www.threads.com/@zuck"),
    (P.threads, "Zuck", "zuck", None, "https://www.threads.com/@zuck"),
    (P.threads, "mark.zuck_", "mark.zuck_", None, "https://www.threads.com/@mark.zuck_"),
    (P.threads, "threads.net/@zuck", "zuck", None, "https://www.threads.com/@zuck"),
    # Facebook
    (P.facebook, "nasa", "nasa", None, "https://www.facebook.com/nasa"),
    (P.facebook, "@NASA", "nasa", None, "https://www.facebook.com/nasa"),
    (P.facebook, "Coca.Cola", "coca.cola", None, "https://www.facebook.com/coca.cola"),
    (P.facebook, "zuck", "zuck", None, "https://www.facebook.com/zuck"),
    (
        P.facebook,
        "100064123456789",
        "100064123456789",
        "100064123456789",
        "https://www.facebook.com/profile.php?id=100064123456789",
    ),
    (P.facebook, "4", "4", "4", "https://www.facebook.com/profile.php?id=4"),
    (P.facebook, "profile.php?id=1000", "1000", "1000", "https://www.facebook.com/profile.php?id=1000"),
    (P.facebook, "facebook.com/NASA", "nasa", None, "https://www.facebook.com/nasa"),
    # LinkedIn
    (P.linkedin, "microsoft", "microsoft", None, "https://www.linkedin.com/company/microsoft/"),
    (P.linkedin, "company/Microsoft", "microsoft", None, "https://www.linkedin.com/company/microsoft/"),
    (P.linkedin, "/company/microsoft/", "microsoft", None, "https://www.linkedin.com/company/microsoft/"),
    (P.linkedin, "3m", "3m", None, "https://www.linkedin.com/company/3m/"),
    (
        P.linkedin,
        "school/Stanford-University",
        "school/stanford-university",
        None,
        "https://www.linkedin.com/school/stanford-university/",
    ),
    (
        P.linkedin,
        "showcase/microsoft-azure",
        "showcase/microsoft-azure",
        None,
        "https://www.linkedin.com/showcase/microsoft-azure/",
    ),
    (P.linkedin, "in/Jane-Doe-123", "in/jane-doe-123", None, "https://www.linkedin.com/in/jane-doe-123/"),
    (
        P.linkedin,
        "in/josé-garcía",
        "in/josé-garcía",
        None,
        "https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/",
    ),
    (P.linkedin, "1035", "1035", "1035", "https://www.linkedin.com/company/1035/"),
    (P.linkedin, "urn:li:organization:1035", "1035", "1035", "https://www.linkedin.com/company/1035/"),
    (P.linkedin, "URN:LI:Organization:1035", "1035", "1035", "https://www.linkedin.com/company/1035/"),
    (P.linkedin, "company/1035", "1035", "1035", "https://www.linkedin.com/company/1035/"),
    (P.linkedin, "linkedin.com/in/jane-doe", "in/jane-doe", None, "https://www.linkedin.com/in/jane-doe/"),
    # Pinterest
    (P.pinterest, "pinterest", "pinterest", None, "https://www.pinterest.com/pinterest/"),
    (P.pinterest, "@Pinterest", "pinterest", None, "https://www.pinterest.com/pinterest/"),
    (P.pinterest, "abc", "abc", None, "https://www.pinterest.com/abc/"),
    (P.pinterest, "a_b", "a_b", None, "https://www.pinterest.com/a_b/"),
    (P.pinterest, "a" * 30, "a" * 30, None, f"https://www.pinterest.com/{'a' * 30}/"),
    (P.pinterest, "pinterest.co.uk/Pinterest", "pinterest", None, "https://www.pinterest.com/pinterest/"),
    # Reddit
    (P.reddit, "spez", "spez", None, "https://www.reddit.com/user/spez/"),
    (P.reddit, "u/spez", "spez", None, "https://www.reddit.com/user/spez/"),
    (P.reddit, "/u/Spez", "spez", None, "https://www.reddit.com/user/spez/"),
    (P.reddit, "user/spez", "spez", None, "https://www.reddit.com/user/spez/"),
    (P.reddit, "/user/spez/", "spez", None, "https://www.reddit.com/user/spez/"),
    (P.reddit, "@spez", "spez", None, "https://www.reddit.com/user/spez/"),
    (P.reddit, "a-b_c", "a-b_c", None, "https://www.reddit.com/user/a-b_c/"),
    (P.reddit, "a" * 20, "a" * 20, None, f"https://www.reddit.com/user/{'a' * 20}/"),
    (P.reddit, "old.reddit.com/u/spez", "spez", None, "https://www.reddit.com/user/spez/"),
    # Bluesky
    (P.bluesky, "alice", "alice.bsky.social", None, "https://bsky.app/profile/alice.bsky.social"),
    (
        P.bluesky,
        "@Alice.bsky.social",
        "alice.bsky.social",
        None,
        "https://bsky.app/profile/alice.bsky.social",
    ),
    (P.bluesky, "bsky.app", "bsky.app", None, "https://bsky.app/profile/bsky.app"),
    (P.bluesky, "jay.bsky.team", "jay.bsky.team", None, "https://bsky.app/profile/jay.bsky.team"),
    (
        P.bluesky,
        "news.example.co.uk",
        "news.example.co.uk",
        None,
        "https://bsky.app/profile/news.example.co.uk",
    ),
    (P.bluesky, "xn--caf-dma.com", "xn--caf-dma.com", None, "https://bsky.app/profile/xn--caf-dma.com"),
    (P.bluesky, DID, DID, DID, f"https://bsky.app/profile/{DID}"),
    (P.bluesky, f"@{DID}", DID, DID, f"https://bsky.app/profile/{DID}"),
    (P.bluesky, DID.replace("did:plc:", "DID:PLC:"), DID, DID, f"https://bsky.app/profile/{DID}"),
    (
        P.bluesky,
        "did:web:Example.com",
        "did:web:example.com",
        "did:web:example.com",
        "https://bsky.app/profile/did:web:example.com",
    ),
    (
        P.bluesky,
        "bsky.app/profile/Alice.bsky.social",
        "alice.bsky.social",
        None,
        "https://bsky.app/profile/alice.bsky.social",
    ),
]

# (platform, raw, fragment of the message)
INVALID_HANDLES: list[tuple[Platform, str, str]] = [
    (P.instagram, "", "is empty"),
    (P.instagram, "   ", "is empty"),
    (P.instagram, "@", "is empty"),
    (P.instagram, "nat geo", "contains a space"),
    (P.instagram, ".natgeo", "starts or ends with '.'"),
    (P.instagram, "natgeo.", "starts or ends with '.'"),
    (P.instagram, "nat..geo", "contains '..'"),
    (P.instagram, "a" * 31, "too long (31 characters; at most 30)"),
    (P.instagram, "nat-geo", "contains '-', which is not allowed"),
    (P.instagram, "natgeo!", "contains '!'"),
    (P.instagram, "@@natgeo", "contains '@'"),
    (P.instagram, "instagram.com", "is not an Instagram profile URL"),
    (P.x, "twitter.com", "is not an X profile URL"),
    (P.instagram, "https://x.com/nasa", "is a link to X, not Instagram"),
    (P.instagram, "https://www.instagram.com/p/C1a2B3c4D5e/", "is a post URL, not a profile URL"),
    (P.tiktok, "a", "too short (1 characters; at least 2)"),
    (P.tiktok, "a" * 25, "too long"),
    (P.tiktok, "khaby.", "ends with '.'"),
    (P.tiktok, "khaby-lame", "contains '-'"),
    (P.tiktok, "khaby lame", "contains a space"),
    (P.tiktok, "vm.tiktok.com/ZMabc/", "paste the full URL"),
    (P.youtube, "ab", "too short"),
    (P.youtube, "a" * 31, "too long"),
    (P.youtube, "my channel", "contains a space"),
    (P.youtube, "@bad!name", "contains '!'"),
    (P.youtube, CHANNEL_ID[:-1], "is 23 characters long instead of 24"),
    (P.youtube, "channel/UCshort", "not a valid YouTube channel id"),
    (P.youtube, "channel/abc", "does not start with 'UC'"),
    (P.youtube, "https://youtu.be/dQw4w9WgXcQ", "is a post URL"),
    (P.x, "a" * 16, "too long (16 characters; at most 15)"),
    (P.x, "na-sa", "contains '-'"),
    (P.x, "na.sa", "contains '.'"),
    (P.x, "@", "is empty"),
    (P.x, "https://x.com/home", "is not an X profile URL"),
    (P.threads, ".zuck", "starts or ends with '.'"),
    (P.threads, "zu..ck", "contains '..'"),
    (P.threads, "a" * 31, "too long"),
    (P.facebook, "a", "too short"),
    (P.facebook, "coca-cola", "contains '-'"),
    (P.facebook, "nasa page", "contains a space"),
    (P.facebook, "a" * 51, "too long"),
    (P.facebook, "1" * 26, "too long"),
    (P.linkedin, "in/ab", "too short (2 characters; at least 3)"),
    (P.linkedin, "m", "too short (1 characters; at least 2)"),
    (P.linkedin, "micro_soft", "contains '_'"),
    (P.linkedin, "a" * 101, "too long"),
    (P.linkedin, "urn:li:person:abc123", "is not an organization URN"),
    (P.linkedin, "micro soft", "contains a space"),
    (P.pinterest, "ab", "too short"),
    (P.pinterest, "a" * 31, "too long"),
    (P.pinterest, "pin.terest", "contains '.'"),
    (P.pinterest, "pin-terest", "contains '-'"),
    (P.reddit, "ab", "too short"),
    (P.reddit, "a" * 21, "too long"),
    (P.reddit, "r/python", "is a subreddit, not a user"),
    (P.reddit, "sp.ez", "contains '.'"),
    (P.reddit, "u/", "contains '/'"),
    (P.bluesky, "foo.local", "ends in '.local'"),
    (P.bluesky, "foo.onion", "ends in '.onion'"),
    (P.bluesky, "foo.123", "top-level domain that starts with a digit"),
    (P.bluesky, "-foo.com", "starting or ending with '-'"),
    (P.bluesky, "foo..com", "empty part between dots"),
    (P.bluesky, "a_b.com", "contains '_'"),
    (P.bluesky, "café.com", "contains 'é'"),
    (P.bluesky, "a" * 64 + ".com", "longer than 63 characters"),
    (P.bluesky, "did:plc:short", "24 characters"),
    (P.bluesky, DID.upper().replace("DID:PLC:", "did:plc:"), "24 characters from a–z and 2–7"),
    (P.bluesky, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "DID method 'key'"),
    (P.bluesky, "did:plc:", "not a complete DID"),
]

# (url, platform, handle, platform_id)
VALID_PROFILE_URLS: list[tuple[str, Platform, str, str | None]] = [
    ("https://www.instagram.com/natgeo/", P.instagram, "natgeo", None),
    ("instagram.com/NatGeo", P.instagram, "natgeo", None),
    ("http://instagram.com/natgeo?hl=en#top", P.instagram, "natgeo", None),
    ("https://www.instagram.com/natgeo/reels/", P.instagram, "natgeo", None),
    ("https://www.instagram.com/_u/natgeo", P.instagram, "natgeo", None),
    ("  www.instagram.com/nat.geo_1/  ", P.instagram, "nat.geo_1", None),
    ("https://m.instagram.com/natgeo", P.instagram, "natgeo", None),
    ("https://www.tiktok.com/@khaby.lame", P.tiktok, "khaby.lame", None),
    ("tiktok.com/@Khaby.Lame?lang=en", P.tiktok, "khaby.lame", None),
    ("https://m.tiktok.com/@khaby.lame/", P.tiktok, "khaby.lame", None),
    ("https://www.tiktok.com/@khaby.lame/live", P.tiktok, "khaby.lame", None),
    ("https://www.youtube.com/@MKBHD", P.youtube, "mkbhd", None),
    ("youtube.com/@mkbhd/videos", P.youtube, "mkbhd", None),
    ("https://m.youtube.com/@mkbhd/shorts", P.youtube, "mkbhd", None),
    (f"https://www.youtube.com/channel/{CHANNEL_ID}", P.youtube, CHANNEL_ID, CHANNEL_ID),
    (f"https://www.youtube.com/channel/{CHANNEL_ID}/videos?view=0", P.youtube, CHANNEL_ID, CHANNEL_ID),
    ("https://www.youtube.com/c/Vsauce", P.youtube, "vsauce", None),
    ("https://www.youtube.com/user/GoogleDevelopers/", P.youtube, "googledevelopers", None),
    ("https://www.youtube.com/pewdiepie", P.youtube, "pewdiepie", None),
    ("https://www.youtube.com/@caf%C3%A9.tech", P.youtube, "café.tech", None),
    ("https://x.com/NASA", P.x, "nasa", None),
    ("twitter.com/nasa", P.x, "nasa", None),
    ("https://mobile.twitter.com/nasa/", P.x, "nasa", None),
    ("https://x.com/nasa/with_replies", P.x, "nasa", None),
    ("https://x.com/nasa?lang=en", P.x, "nasa", None),
    ("https://x.com/i/user/11348282", P.x, "11348282", "11348282"),
    ("https://www.threads.net/@zuck", P.threads, "zuck", None),
    ("threads.com/@Zuck/replies", P.threads, "zuck", None),
    ("https://threads.net/@zuck?xmt=abc", P.threads, "zuck", None),
    ("https://www.facebook.com/NASA", P.facebook, "nasa", None),
    ("fb.com/nasa", P.facebook, "nasa", None),
    ("https://m.facebook.com/nasa/about", P.facebook, "nasa", None),
    (
        "https://www.facebook.com/profile.php?id=100064123456789",
        P.facebook,
        "100064123456789",
        "100064123456789",
    ),
    ("https://web.facebook.com/profile.php?id=1000&sk=about", P.facebook, "1000", "1000"),
    ("https://www.facebook.com/pages/NASA/123456789", P.facebook, "123456789", "123456789"),
    (
        "https://www.facebook.com/people/Jane-Doe/100012345678901/",
        P.facebook,
        "100012345678901",
        "100012345678901",
    ),
    (
        "https://www.facebook.com/p/Some-Page-100064123456789/",
        P.facebook,
        "100064123456789",
        "100064123456789",
    ),
    ("https://www.facebook.com/Some-Page-123456789", P.facebook, "123456789", "123456789"),
    ("https://www.facebook.com/123456789", P.facebook, "123456789", "123456789"),
    ("https://www.facebook.com/pg/nasa/posts/", P.facebook, "nasa", None),
    ("https://www.linkedin.com/company/microsoft/", P.linkedin, "microsoft", None),
    ("linkedin.com/company/Microsoft/about/", P.linkedin, "microsoft", None),
    ("https://www.linkedin.com/company/1035/", P.linkedin, "1035", "1035"),
    ("https://www.linkedin.com/school/stanford-university/", P.linkedin, "school/stanford-university", None),
    ("https://www.linkedin.com/showcase/microsoft-azure/", P.linkedin, "showcase/microsoft-azure", None),
    ("https://www.linkedin.com/in/Jane-Doe-123/", P.linkedin, "in/jane-doe-123", None),
    ("https://uk.linkedin.com/in/jane-doe", P.linkedin, "in/jane-doe", None),
    ("https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/", P.linkedin, "in/josé-garcía", None),
    ("https://www.pinterest.com/pinterest/", P.pinterest, "pinterest", None),
    ("pinterest.co.uk/Pinterest", P.pinterest, "pinterest", None),
    ("https://uk.pinterest.com/pinterest/_created/", P.pinterest, "pinterest", None),
    ("https://www.pinterest.com.au/pinterest/", P.pinterest, "pinterest", None),
    ("https://www.pinterest.de/pinterest", P.pinterest, "pinterest", None),
    ("https://www.reddit.com/user/spez/", P.reddit, "spez", None),
    ("https://old.reddit.com/u/Spez", P.reddit, "spez", None),
    ("reddit.com/user/spez/submitted/", P.reddit, "spez", None),
    ("https://new.reddit.com/user/spez", P.reddit, "spez", None),
    ("https://bsky.app/profile/bsky.app", P.bluesky, "bsky.app", None),
    ("bsky.app/profile/Alice.bsky.social", P.bluesky, "alice.bsky.social", None),
    (f"https://bsky.app/profile/{DID}", P.bluesky, DID, DID),
    ("https://bsky.app/profile/alice.bsky.social/followers", P.bluesky, "alice.bsky.social", None),
]

# (url, fragment)
INVALID_PROFILE_URLS: list[tuple[str, str]] = [
    ("", "is empty"),
    ("   ", "is empty"),
    ("natgeo", "is not a URL"),
    ("https://example.com/natgeo", "is not a link to a supported platform"),
    ("ftp://instagram.com/natgeo", "is not an http(s) URL"),
    ("https://www.instagram.com/p/C1a2B3c4D5e/", "is a post URL, not a profile URL"),
    ("https://www.instagram.com/explore/tags/cats/", "is not an Instagram profile URL"),
    ("https://www.instagram.com/", "is not an Instagram profile URL"),
    ("https://www.instagram.com/a..b/", "holds the Instagram username 'a..b', which contains '..'"),
    ("https://www.tiktok.com/khaby.lame", "is not a TikTok profile URL"),
    ("https://x.com/home", "is not an X profile URL"),
    ("https://x.com/search?q=nasa", "is not an X profile URL"),
    ("https://x.com/i/lists/123", "is not an X profile URL"),
    ("https://twitter.com/explore", "is not an X profile URL"),
    ("https://x.com/this_name_is_too_long", "too long"),
    ("https://x.com/nasa/status/1234567890123456789", "is a post URL"),
    ("https://www.youtube.com/playlist?list=PL123", "is not a YouTube profile URL"),
    ("https://www.youtube.com/channel/UCshort", "holds the YouTube channel id 'UCshort'"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "is a post URL, not a profile URL"),
    ("https://www.facebook.com/groups/somegroup", "is not a Facebook profile URL"),
    ("https://www.facebook.com/profile.php", "its id= parameter is missing"),
    ("https://www.linkedin.com/feed/", "is not a LinkedIn profile URL"),
    ("https://www.linkedin.com/in/ab/", "too short"),
    ("https://lnkd.in/abc123", "short link"),
    ("https://www.pinterest.com/pinterest/my-board/", "is a board URL"),
    ("https://www.pinterest.com/pin/123/", "is a post URL"),
    ("https://www.reddit.com/r/python/", "is a subreddit URL"),
    ("https://bsky.app/search?q=x", "is not a Bluesky profile URL"),
    ("https://bsky.app/profile/alice", "holds the Bluesky handle 'alice', which is not a domain name"),
    ("https://www.threads.net/zuck", "is not a Threads profile URL"),
]

# (url, platform, social_id, author_handle, canonical url)
VALID_POST_URLS: list[tuple[str, Platform, str, str | None, str | None]] = [
    # YouTube
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://youtu.be/dQw4w9WgXcQ?si=abc",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/shorts/aB-_cD3eF4g",
        P.youtube,
        "aB-_cD3eF4g",
        None,
        "https://www.youtube.com/watch?v=aB-_cD3eF4g",
    ),
    (
        "https://www.youtube.com/live/dQw4w9WgXcQ?feature=share",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RD",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ",
        P.youtube,
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    # Instagram
    (
        "https://www.instagram.com/p/C1a2B3c4D5e/",
        P.instagram,
        "C1a2B3c4D5e",
        None,
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (
        "instagram.com/reel/C1a2B3c4D5e/?igsh=abc",
        P.instagram,
        "C1a2B3c4D5e",
        None,
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (
        "https://www.instagram.com/reels/C1a2B3c4D5e/",
        P.instagram,
        "C1a2B3c4D5e",
        None,
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (
        "https://www.instagram.com/tv/C1a2B3c4D5e",
        P.instagram,
        "C1a2B3c4D5e",
        None,
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (
        "https://www.instagram.com/NatGeo/p/C1a2B3c4D5e/",
        P.instagram,
        "C1a2B3c4D5e",
        "natgeo",
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (
        "https://www.instagram.com/natgeo/reel/C1a2B3c4D5e/",
        P.instagram,
        "C1a2B3c4D5e",
        "natgeo",
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (
        "https://instagr.am/p/C1a2B3c4D5e/",
        P.instagram,
        "C1a2B3c4D5e",
        None,
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    ("https://www.instagram.com/p/C/", P.instagram, "C", None, "https://www.instagram.com/p/C/"),
    # TikTok
    (
        f"https://www.tiktok.com/@khaby.lame/video/{TIKTOK_ID}?is_from_webapp=1",
        P.tiktok,
        TIKTOK_ID,
        "khaby.lame",
        f"https://www.tiktok.com/@khaby.lame/video/{TIKTOK_ID}",
    ),
    (
        f"https://m.tiktok.com/@Khaby.Lame/video/{TIKTOK_ID}",
        P.tiktok,
        TIKTOK_ID,
        "khaby.lame",
        f"https://www.tiktok.com/@khaby.lame/video/{TIKTOK_ID}",
    ),
    (
        f"https://www.tiktok.com/@khaby.lame/photo/{TIKTOK_ID}",
        P.tiktok,
        TIKTOK_ID,
        "khaby.lame",
        f"https://www.tiktok.com/@khaby.lame/photo/{TIKTOK_ID}",
    ),
    (f"https://www.tiktok.com/embed/v2/{TIKTOK_ID}", P.tiktok, TIKTOK_ID, None, None),
    (f"https://www.tiktok.com/@/video/{TIKTOK_ID}", P.tiktok, TIKTOK_ID, None, None),
    (
        "https://www.tiktok.com/@ab/video/123456789012345",
        P.tiktok,
        "123456789012345",
        "ab",
        "https://www.tiktok.com/@ab/video/123456789012345",
    ),
    # X
    (f"https://x.com/NASA/status/{TWEET_ID}", P.x, TWEET_ID, "nasa", f"https://x.com/nasa/status/{TWEET_ID}"),
    (
        f"https://twitter.com/nasa/status/{TWEET_ID}?s=20",
        P.x,
        TWEET_ID,
        "nasa",
        f"https://x.com/nasa/status/{TWEET_ID}",
    ),
    (
        f"https://mobile.twitter.com/nasa/status/{TWEET_ID}/photo/1",
        P.x,
        TWEET_ID,
        "nasa",
        f"https://x.com/nasa/status/{TWEET_ID}",
    ),
    (f"https://x.com/i/web/status/{TWEET_ID}", P.x, TWEET_ID, None, f"https://x.com/i/status/{TWEET_ID}"),
    ("https://x.com/i/status/20", P.x, "20", None, "https://x.com/i/status/20"),
    ("twitter.com/jack/statuses/20", P.x, "20", "jack", "https://x.com/jack/status/20"),
    # Threads
    (
        "https://www.threads.net/@zuck/post/C8abcDEFghi",
        P.threads,
        "C8abcDEFghi",
        "zuck",
        "https://www.threads.com/@zuck/post/C8abcDEFghi",
    ),
    (
        "https://www.threads.com/@Zuck/post/C8abcDEFghi/media",
        P.threads,
        "C8abcDEFghi",
        "zuck",
        "https://www.threads.com/@zuck/post/C8abcDEFghi",
    ),
    (
        "https://www.threads.net/t/CuXFPIeLLod",
        P.threads,
        "CuXFPIeLLod",
        None,
        "https://www.threads.com/t/CuXFPIeLLod",
    ),
    # Facebook
    (
        "https://www.facebook.com/nasa/posts/1234567890123456",
        P.facebook,
        "1234567890123456",
        "nasa",
        "https://www.facebook.com/nasa/posts/1234567890123456",
    ),
    (
        "https://m.facebook.com/NASA/posts/pfbid02abcDEF123456789",
        P.facebook,
        "pfbid02abcDEF123456789",
        "nasa",
        "https://www.facebook.com/nasa/posts/pfbid02abcDEF123456789",
    ),
    (
        "https://www.facebook.com/permalink.php?story_fbid=456&id=123",
        P.facebook,
        "123_456",
        "123",
        "https://www.facebook.com/123/posts/456",
    ),
    (
        "https://www.facebook.com/story.php?story_fbid=456&id=123&mibextid=x",
        P.facebook,
        "123_456",
        "123",
        "https://www.facebook.com/123/posts/456",
    ),
    (
        "https://www.facebook.com/123/posts/456",
        P.facebook,
        "123_456",
        "123",
        "https://www.facebook.com/123/posts/456",
    ),
    (
        "https://www.facebook.com/watch/?v=987654321",
        P.facebook,
        "987654321",
        None,
        "https://www.facebook.com/watch/?v=987654321",
    ),
    (
        "https://www.facebook.com/watch?v=987654321",
        P.facebook,
        "987654321",
        None,
        "https://www.facebook.com/watch/?v=987654321",
    ),
    (
        "https://web.facebook.com/video.php?v=987654321",
        P.facebook,
        "987654321",
        None,
        "https://www.facebook.com/watch/?v=987654321",
    ),
    (
        "https://fb.com/reel/987654321",
        P.facebook,
        "987654321",
        None,
        "https://www.facebook.com/reel/987654321",
    ),
    (
        "https://www.facebook.com/nasa/videos/987654321/",
        P.facebook,
        "987654321",
        "nasa",
        "https://www.facebook.com/nasa/videos/987654321",
    ),
    (
        "https://www.facebook.com/nasa/videos/launch-day/987654321/",
        P.facebook,
        "987654321",
        "nasa",
        "https://www.facebook.com/nasa/videos/987654321",
    ),
    (
        "https://www.facebook.com/photo/?fbid=555&set=a.1",
        P.facebook,
        "555",
        None,
        "https://www.facebook.com/photo/?fbid=555",
    ),
    # LinkedIn
    (
        f"https://www.linkedin.com/feed/update/urn:li:activity:{LI_ID}/",
        P.linkedin,
        f"urn:li:activity:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:activity:{LI_ID}/",
    ),
    (
        f"https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A{LI_ID}",
        P.linkedin,
        f"urn:li:share:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:share:{LI_ID}/",
    ),
    (
        f"linkedin.com/feed/update/urn:li:ugcPost:{LI_ID}?utm_source=share",
        P.linkedin,
        f"urn:li:ugcPost:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:ugcPost:{LI_ID}/",
    ),
    (
        f"https://www.linkedin.com/posts/satyanadella_ai-is-here-activity-{LI_ID}-AbCd?utm_source=share",
        P.linkedin,
        f"urn:li:activity:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:activity:{LI_ID}/",
    ),
    (
        f"https://www.linkedin.com/posts/microsoft_news-ugcPost-{LI_ID}-xyZ1",
        P.linkedin,
        f"urn:li:ugcPost:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:ugcPost:{LI_ID}/",
    ),
    (
        f"https://www.linkedin.com/embed/feed/update/urn:li:share:{LI_ID}",
        P.linkedin,
        f"urn:li:share:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:share:{LI_ID}/",
    ),
    # Pinterest
    (
        f"https://www.pinterest.com/pin/{PIN_ID}/",
        P.pinterest,
        PIN_ID,
        None,
        f"https://www.pinterest.com/pin/{PIN_ID}/",
    ),
    (
        f"https://pinterest.co.uk/pin/{PIN_ID}",
        P.pinterest,
        PIN_ID,
        None,
        f"https://www.pinterest.com/pin/{PIN_ID}/",
    ),
    (
        f"https://uk.pinterest.com/pin/diy-home-decor--{PIN_ID}/",
        P.pinterest,
        PIN_ID,
        None,
        f"https://www.pinterest.com/pin/{PIN_ID}/",
    ),
    ("https://www.pinterest.de/pin/99/", P.pinterest, "99", None, "https://www.pinterest.com/pin/99/"),
    # Reddit
    (
        "https://www.reddit.com/r/Python/comments/1abcdef/some_title/",
        P.reddit,
        "1abcdef",
        None,
        "https://www.reddit.com/comments/1abcdef/",
    ),
    (
        "https://old.reddit.com/r/python/comments/1abcdef/",
        P.reddit,
        "1abcdef",
        None,
        "https://www.reddit.com/comments/1abcdef/",
    ),
    (
        "https://www.reddit.com/r/python/comments/1abcdef/title/kxyz123/",
        P.reddit,
        "1abcdef",
        None,
        "https://www.reddit.com/comments/1abcdef/",
    ),
    ("https://redd.it/1abcdef", P.reddit, "1abcdef", None, "https://www.reddit.com/comments/1abcdef/"),
    (
        "https://www.reddit.com/comments/1abcdef",
        P.reddit,
        "1abcdef",
        None,
        "https://www.reddit.com/comments/1abcdef/",
    ),
    (
        "https://www.reddit.com/user/Spez/comments/1abcdef/hello/",
        P.reddit,
        "1abcdef",
        "spez",
        "https://www.reddit.com/comments/1abcdef/",
    ),
    (
        "https://www.reddit.com/gallery/1abcdef",
        P.reddit,
        "1abcdef",
        None,
        "https://www.reddit.com/comments/1abcdef/",
    ),
    (
        "https://np.reddit.com/r/python/comments/1ABCDEF/",
        P.reddit,
        "1abcdef",
        None,
        "https://www.reddit.com/comments/1abcdef/",
    ),
    # Bluesky
    (
        f"https://bsky.app/profile/Alice.bsky.social/post/{RKEY}",
        P.bluesky,
        f"at://alice.bsky.social/app.bsky.feed.post/{RKEY}",
        "alice.bsky.social",
        f"https://bsky.app/profile/alice.bsky.social/post/{RKEY}",
    ),
    (
        f"https://bsky.app/profile/{DID}/post/{RKEY}",
        P.bluesky,
        f"at://{DID}/app.bsky.feed.post/{RKEY}",
        DID,
        f"https://bsky.app/profile/{DID}/post/{RKEY}",
    ),
    (
        f"bsky.app/profile/did%3Aplc%3Az72i7hdynmk6r22z27h6tvur/post/{RKEY}",
        P.bluesky,
        f"at://{DID}/app.bsky.feed.post/{RKEY}",
        DID,
        f"https://bsky.app/profile/{DID}/post/{RKEY}",
    ),
]

# (url, fragment)
INVALID_POST_URLS: list[tuple[str, str]] = [
    ("", "is empty"),
    ("not a url", "contains a space"),
    ("natgeo", "is not a URL"),
    ("https://example.com/p/abc", "is not a link to a supported platform"),
    ("https://example.com/p/abc", "expected a post URL such as https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("ftp://youtube.com/watch?v=dQw4w9WgXcQ", "is not an http(s) URL"),
    ("https://www.youtube.com/@mkbhd", "is a profile URL, not a post URL"),
    (
        "https://www.youtube.com/@mkbhd",
        "expected a post URL such as https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    ("https://www.youtube.com/watch?list=PL123", "its v= parameter is missing"),
    ("https://youtu.be/short", "is 5 characters long instead of 11"),
    ("https://www.youtube.com/watch?v=dQw4w9WgX!Q", "contains '!'"),
    ("https://www.youtube.com/playlist?list=PL1", "is not a YouTube post URL"),
    ("https://vm.tiktok.com/ZMabcdef/", "TikTok short link, which cannot be resolved offline"),
    ("https://vm.tiktok.com/ZMabcdef/", "paste the full URL"),
    ("https://vt.tiktok.com/ZSabc/", "paste the full URL"),
    ("https://www.tiktok.com/t/ZTabc/", "paste the full URL"),
    ("https://www.tiktok.com/@khaby.lame/video/123", "too short"),
    ("https://www.tiktok.com/@khaby.lame", "is a profile URL"),
    ("https://pin.it/abc123", "Pinterest short link"),
    ("https://fb.watch/abc/", "Facebook short link"),
    ("https://www.facebook.com/share/p/abc/", "Facebook short link"),
    ("https://lnkd.in/abc", "LinkedIn short link"),
    ("https://www.reddit.com/r/python/s/abc123", "Reddit short link"),
    ("https://t.co/abc", "X short link"),
    ("https://go.bsky.app/abc", "Bluesky short link"),
    ("https://www.reddit.com/r/python/", "is a subreddit URL"),
    ("https://www.reddit.com/r/python/comments/ABC!/", "contains '!'"),
    ("https://x.com/home", "is not an X post URL"),
    ("https://x.com/nasa/status/abc", "is not made of digits only"),
    ("https://x.com/nasa", "is a profile URL"),
    ("https://www.linkedin.com/feed/update/urn:li:comment:123/", "is not urn:li:activity:N"),
    ("https://www.linkedin.com/posts/some-slug-without-id", "does not end in -activity-N"),
    ("https://www.linkedin.com/pulse/some-article", "is not a LinkedIn post URL"),
    ("https://bsky.app/profile/alice.bsky.social/feed/whats-hot", "is not a Bluesky post URL"),
    ("https://bsky.app/profile/alice/post/3k", "is not a domain name"),
    ("https://bsky.app/profile/alice.bsky.social/post/..", "is not a record key"),
    ("https://www.instagram.com/stories/natgeo/123/", "is not an Instagram post URL"),
    ("https://www.instagram.com/p/C1a2!B3/", "contains '!'"),
    ("https://www.instagram.com/reels/audio/123/", "is not an Instagram post URL"),
    ("https://www.pinterest.com/pinterest/", "is a profile URL"),
    ("https://www.pinterest.com/pin/abc/", "is not made of digits only"),
    ("https://www.facebook.com/groups/123/posts/456", "is not a Facebook post URL"),
    ("https://www.facebook.com/watch/", "has no video id"),
    ("https://www.facebook.com/permalink.php?id=123", "has no post id"),
    ("https://www.facebook.com/nasa/posts/not-an-id", "is neither digits, PAGEID_POSTID nor a pfbid"),
    ("https://www.threads.net/@zuck", "is a profile URL"),
]

# (platform, raw, social_id, author_handle, url)
VALID_SOCIAL_IDS: list[tuple[Platform, str, str, str | None, str | None]] = [
    (P.youtube, "dQw4w9WgXcQ", "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    (P.youtube, "  _-AbCdEf123  ", "_-AbCdEf123", None, "https://www.youtube.com/watch?v=_-AbCdEf123"),
    (
        P.youtube,
        "https://youtu.be/dQw4w9WgXcQ",
        "dQw4w9WgXcQ",
        None,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (P.instagram, "C1a2B3c4D5e", "C1a2B3c4D5e", None, "https://www.instagram.com/p/C1a2B3c4D5e/"),
    (P.instagram, "C", "C", None, "https://www.instagram.com/p/C/"),
    (
        P.instagram,
        "instagram.com/reel/C1a2B3c4D5e",
        "C1a2B3c4D5e",
        None,
        "https://www.instagram.com/p/C1a2B3c4D5e/",
    ),
    (P.tiktok, TIKTOK_ID, TIKTOK_ID, None, None),
    (P.tiktok, "123456789012345", "123456789012345", None, None),
    (
        P.tiktok,
        f"tiktok.com/@khaby.lame/video/{TIKTOK_ID}",
        TIKTOK_ID,
        "khaby.lame",
        f"https://www.tiktok.com/@khaby.lame/video/{TIKTOK_ID}",
    ),
    (P.x, "20", "20", None, "https://x.com/i/status/20"),
    (P.x, TWEET_ID, TWEET_ID, None, f"https://x.com/i/status/{TWEET_ID}"),
    (P.x, f"x.com/nasa/status/{TWEET_ID}", TWEET_ID, "nasa", f"https://x.com/nasa/status/{TWEET_ID}"),
    (P.threads, "C8abcDEFghi", "C8abcDEFghi", None, "https://www.threads.com/t/C8abcDEFghi"),
    (P.facebook, "1234567890", "1234567890", None, None),
    (P.facebook, "123_456", "123_456", "123", "https://www.facebook.com/123/posts/456"),
    (P.facebook, "pfbid02abcdefghijklmnopqrstuvwxyz", "pfbid02abcdefghijklmnopqrstuvwxyz", None, None),
    (
        P.linkedin,
        f"urn:li:activity:{LI_ID}",
        f"urn:li:activity:{LI_ID}",
        None,
        f"https://www.linkedin.com/feed/update/urn:li:activity:{LI_ID}/",
    ),
    (
        P.linkedin,
        "URN:LI:UGCPOST:123",
        "urn:li:ugcPost:123",
        None,
        "https://www.linkedin.com/feed/update/urn:li:ugcPost:123/",
    ),
    (
        P.linkedin,
        "urn%3Ali%3Ashare%3A123",
        "urn:li:share:123",
        None,
        "https://www.linkedin.com/feed/update/urn:li:share:123/",
    ),
    (P.pinterest, PIN_ID, PIN_ID, None, f"https://www.pinterest.com/pin/{PIN_ID}/"),
    (P.pinterest, "99", "99", None, "https://www.pinterest.com/pin/99/"),
    (P.reddit, "1abcdef", "1abcdef", None, "https://www.reddit.com/comments/1abcdef/"),
    (P.reddit, "t3_1abcdef", "1abcdef", None, "https://www.reddit.com/comments/1abcdef/"),
    (P.reddit, "T3_1ABCDEF", "1abcdef", None, "https://www.reddit.com/comments/1abcdef/"),
    (P.reddit, "redd.it/1abcdef", "1abcdef", None, "https://www.reddit.com/comments/1abcdef/"),
    (
        P.bluesky,
        f"at://{DID}/app.bsky.feed.post/{RKEY}",
        f"at://{DID}/app.bsky.feed.post/{RKEY}",
        DID,
        f"https://bsky.app/profile/{DID}/post/{RKEY}",
    ),
    (
        P.bluesky,
        "at://Alice.bsky.social/app.bsky.feed.post/3k",
        "at://alice.bsky.social/app.bsky.feed.post/3k",
        "alice.bsky.social",
        "https://bsky.app/profile/alice.bsky.social/post/3k",
    ),
    (
        P.bluesky,
        f"https://bsky.app/profile/{DID}/post/{RKEY}",
        f"at://{DID}/app.bsky.feed.post/{RKEY}",
        DID,
        f"https://bsky.app/profile/{DID}/post/{RKEY}",
    ),
]

# (platform, raw, fragment)
INVALID_SOCIAL_IDS: list[tuple[Platform, str, str]] = [
    (P.youtube, "", "is empty"),
    (P.youtube, "dQw4w9WgXc", "is 10 characters long instead of 11"),
    (P.youtube, "dQw4w9WgXcQQ", "is 12 characters long instead of 11"),
    (P.youtube, "dQw4w9WgX!Q", "contains '!'"),
    (P.youtube, "dQw4w9 WgXcQ", "contains a space"),
    (P.youtube, "https://www.youtube.com/@mkbhd", "is a profile URL"),
    (P.youtube, "https://x.com/nasa/status/20", "is a link to X, not YouTube"),
    (P.instagram, "3123456789012345678", "numeric media id"),
    (P.instagram, "abc!", "contains '!'"),
    (P.tiktok, "12345", "too short"),
    (P.tiktok, "7" * 22, "too long"),
    (P.tiktok, "7123abc", "is not made of digits only"),
    (P.tiktok, "https://vm.tiktok.com/ZMabc/", "paste the full URL"),
    (P.x, "0123", "starts with 0"),
    (P.x, "12a", "is not made of digits only"),
    (P.x, "1" * 21, "too long"),
    (P.threads, "C8abc/DEF", "contains '/'"),
    (P.facebook, "abc", "is neither digits, PAGEID_POSTID nor a pfbid"),
    (P.facebook, "123-456", "is neither digits"),
    (P.linkedin, "123", "is a number without its kind"),
    (P.linkedin, "urn:li:comment:1", "is not a post URN"),
    (P.linkedin, "urn:li:activity:abc", "is not a post URN"),
    (P.pinterest, "abc", "is not made of digits only"),
    (P.pinterest, "1" * 26, "too long"),
    (P.reddit, "t1_abc", "is the id of a comment, not of a post"),
    (P.reddit, "t2_abc", "is the id of a t2_ thing"),
    (P.reddit, "abc!", "contains '!'"),
    (P.reddit, "a" * 14, "too long"),
    (P.bluesky, RKEY, "is not an at:// URI"),
    (
        P.bluesky,
        f"at://{DID}/app.bsky.feed.like/{RKEY}",
        "points at a 'app.bsky.feed.like' record, not a post",
    ),
    (P.bluesky, "at://did:plc:z72/app.bsky.feed.post/3k", "24 characters"),
    (P.bluesky, "at://alice/app.bsky.feed.post/3k", "is not a domain name"),
    (P.bluesky, "at://a.com/app.bsky.feed.post/..", "is not a record key"),
    (P.bluesky, "at://a.com/app.bsky.feed.post", "is not a post URI"),
    (P.bluesky, "at://a.com/app.bsky.feed.post/3k/extra", "is not a post URI"),
]


def _id(value: object) -> str:
    return str(value)[:60]


# ------------------------------------------------------------------------------ tests


class TestParsePlatform:
    @pytest.mark.parametrize(
        ("raw", "platform"),
        [
            ("instagram", P.instagram),
            ("Instagram", P.instagram),
            (" INSTAGRAM ", P.instagram),
            ("ig", P.instagram),
            ("insta", P.instagram),
            ("tiktok", P.tiktok),
            ("TikTok", P.tiktok),
            ("tik-tok", P.tiktok),
            ("tt", P.tiktok),
            ("youtube", P.youtube),
            ("YouTube", P.youtube),
            ("yt", P.youtube),
            ("x", P.x),
            ("X", P.x),
            ("twitter", P.x),
            ("Twitter", P.x),
            ("X (Twitter)", P.x),
            ("threads", P.threads),
            ("facebook", P.facebook),
            ("fb", P.facebook),
            ("linkedin", P.linkedin),
            ("LinkedIn", P.linkedin),
            ("li", P.linkedin),
            ("pinterest", P.pinterest),
            ("reddit", P.reddit),
            ("bluesky", P.bluesky),
            ("Bluesky", P.bluesky),
            ("bsky", P.bluesky),
            ("Blue Sky", P.bluesky),
            ("youtube.com", P.youtube),
            ("https://twitter.com", P.x),
            ("bsky.app", P.bluesky),
            ("www.linkedin.com", P.linkedin),
        ],
    )
    def test_accepts_names_aliases_and_domains(self, raw: str, platform: Platform) -> None:
        assert parse_platform(raw) is platform

    def test_platform_values_pass_through(self) -> None:
        for p in Platform:
            assert parse_platform(p) is p
            assert parse_platform(p.value) is p

    @pytest.mark.parametrize(
        "raw", ["", "   ", "myspace", "mastodon", "snapchat", "t", "twit", "example.com"]
    )
    def test_rejects_unknown_names_listing_the_ten(self, raw: str) -> None:
        err = assert_invalid(parse_platform, raw, fragment="")
        assert err.expected == (
            "one of instagram, tiktok, youtube, x, threads, facebook, linkedin, pinterest, reddit, bluesky"
        )

    def test_default_field_name(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            parse_platform("myspace")
        assert info.value.field == "platform"
        assert str(info.value).startswith("platform 'myspace' is not a supported platform")


class TestNormaliseHandle:
    @pytest.mark.parametrize(("platform", "raw", "handle", "platform_id", "url"), VALID_HANDLES, ids=_id)
    def test_valid(
        self, platform: Platform, raw: str, handle: str, platform_id: str | None, url: str
    ) -> None:
        assert normalise_handle(platform, raw) == AccountIdent(platform, handle, platform_id, url)

    @pytest.mark.parametrize(("platform", "raw", "fragment"), INVALID_HANDLES, ids=_id)
    def test_invalid(self, platform: Platform, raw: str, fragment: str) -> None:
        assert_invalid(normalise_handle, platform, raw, fragment=fragment)

    @pytest.mark.parametrize(("platform", "raw", "handle", "platform_id", "url"), VALID_HANDLES, ids=_id)
    def test_round_trips_through_its_url(
        self, platform: Platform, raw: str, handle: str, platform_id: str | None, url: str
    ) -> None:
        ident = normalise_handle(platform, raw)
        assert parse_profile_url(ident.url) == ident
        assert account_url(platform, ident.handle, ident.platform_id) == ident.url

    @pytest.mark.parametrize(("platform", "raw", "handle", "platform_id", "url"), VALID_HANDLES, ids=_id)
    def test_is_idempotent(
        self, platform: Platform, raw: str, handle: str, platform_id: str | None, url: str
    ) -> None:
        ident = normalise_handle(platform, raw)
        assert normalise_handle(platform, ident.handle) == ident
        assert normalise_handle(platform, ident.url) == ident

    def test_platform_may_be_given_by_name(self) -> None:
        assert normalise_handle("Twitter", "@NASA") == normalise_handle(P.x, "nasa")
        assert normalise_handle("bsky", "alice").handle == "alice.bsky.social"

    def test_unknown_platform_names_the_platform_field(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            normalise_handle("myspace", "tom", field="handle")
        assert info.value.field == "platform"

    def test_error_names_the_default_field_and_the_expected_form(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            normalise_handle(P.instagram, "nat geo")
        err = info.value
        assert err.field == "handle"
        assert err.expected == EXPECTED_HANDLE[P.instagram]
        assert err.status_code == 422
        assert isinstance(err, Unprocessable)

    def test_ids_keep_their_case(self) -> None:
        assert normalise_handle(P.youtube, CHANNEL_ID).handle == CHANNEL_ID
        assert (
            normalise_handle(P.youtube, f"https://www.youtube.com/channel/{CHANNEL_ID}").platform_id
            == CHANNEL_ID
        )

    def test_a_long_value_is_shortened_in_the_message(self) -> None:
        err = assert_invalid(normalise_handle, P.x, "x" * 500, fragment="too long (500 characters")
        assert "x" * 200 not in str(err)


class TestParseProfileUrl:
    @pytest.mark.parametrize(("url", "platform", "handle", "platform_id"), VALID_PROFILE_URLS, ids=_id)
    def test_valid(self, url: str, platform: Platform, handle: str, platform_id: str | None) -> None:
        ident = parse_profile_url(url)
        assert (ident.platform, ident.handle, ident.platform_id) == (platform, handle, platform_id)
        assert ident.url == account_url(platform, handle, platform_id)

    @pytest.mark.parametrize(("url", "fragment"), INVALID_PROFILE_URLS, ids=_id)
    def test_invalid(self, url: str, fragment: str) -> None:
        err = assert_invalid(parse_profile_url, url, fragment=fragment)
        assert err.expected.startswith("a profile URL such as https://")

    @pytest.mark.parametrize(("url", "platform", "handle", "platform_id"), VALID_PROFILE_URLS, ids=_id)
    def test_round_trip(self, url: str, platform: Platform, handle: str, platform_id: str | None) -> None:
        ident = parse_profile_url(url)
        assert parse_profile_url(account_url(ident.platform, ident.handle, ident.platform_id)) == ident

    @pytest.mark.parametrize(("url", "platform", "handle", "platform_id"), VALID_PROFILE_URLS, ids=_id)
    def test_agrees_with_normalise_handle(
        self, url: str, platform: Platform, handle: str, platform_id: str | None
    ) -> None:
        assert normalise_handle(platform, url) == parse_profile_url(url)

    def test_expected_example_follows_the_detected_platform(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            parse_profile_url("https://www.tiktok.com/@khaby.lame/video/7123456789012345678")
        assert info.value.expected == "a profile URL such as https://www.tiktok.com/@khaby.lame"

    def test_default_field_name(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            parse_profile_url("https://example.com/")
        assert info.value.field == "url"


class TestParsePostUrl:
    @pytest.mark.parametrize(
        ("url", "platform", "social_id", "author", "canonical"), VALID_POST_URLS, ids=_id
    )
    def test_valid(
        self, url: str, platform: Platform, social_id: str, author: str | None, canonical: str | None
    ) -> None:
        assert parse_post_url(url) == PostIdent(platform, social_id, canonical, author)

    @pytest.mark.parametrize(("url", "fragment"), INVALID_POST_URLS, ids=_id)
    def test_invalid(self, url: str, fragment: str) -> None:
        err = assert_invalid(parse_post_url, url, fragment=fragment)
        assert err.expected.startswith("a post URL such as https://")

    @pytest.mark.parametrize(
        ("url", "platform", "social_id", "author", "canonical"), VALID_POST_URLS, ids=_id
    )
    def test_canonical_url_parses_back(
        self, url: str, platform: Platform, social_id: str, author: str | None, canonical: str | None
    ) -> None:
        ident = parse_post_url(url)
        if ident.url is None:
            return
        again = parse_post_url(ident.url)
        assert (again.platform, again.social_id, again.url) == (ident.platform, ident.social_id, ident.url)

    @pytest.mark.parametrize(
        ("url", "platform", "social_id", "author", "canonical"), VALID_POST_URLS, ids=_id
    )
    def test_post_url_parses_back(
        self, url: str, platform: Platform, social_id: str, author: str | None, canonical: str | None
    ) -> None:
        ident = parse_post_url(url)
        built = post_url(ident.platform, ident.social_id, ident.author_handle)
        if built is None:
            assert platform in (P.tiktok, P.facebook)
            return
        again = parse_post_url(built)
        assert (again.platform, again.social_id) == (ident.platform, ident.social_id)
        assert post_url(again.platform, again.social_id, again.author_handle) == built

    @pytest.mark.parametrize(
        ("url", "platform", "social_id", "author", "canonical"), VALID_POST_URLS, ids=_id
    )
    def test_social_id_is_accepted_as_is(
        self, url: str, platform: Platform, social_id: str, author: str | None, canonical: str | None
    ) -> None:
        assert normalise_social_id(platform, social_id).social_id == social_id
        assert normalise_social_id(platform, url) == parse_post_url(url)

    def test_unknown_host_message(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            parse_post_url("https://vimeo.com/123")
        assert str(info.value).endswith(
            "expected a post URL such as https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        )
        assert (
            "Instagram, TikTok, YouTube, X, Threads, Facebook, LinkedIn, Pinterest, Reddit or Bluesky"
            in str(info.value)
        )


class TestNormaliseSocialId:
    @pytest.mark.parametrize(("platform", "raw", "social_id", "author", "url"), VALID_SOCIAL_IDS, ids=_id)
    def test_valid(
        self, platform: Platform, raw: str, social_id: str, author: str | None, url: str | None
    ) -> None:
        assert normalise_social_id(platform, raw) == PostIdent(platform, social_id, url, author)

    @pytest.mark.parametrize(("platform", "raw", "fragment"), INVALID_SOCIAL_IDS, ids=_id)
    def test_invalid(self, platform: Platform, raw: str, fragment: str) -> None:
        err = assert_invalid(normalise_social_id, platform, raw, fragment=fragment)
        if not raw.startswith("https://"):
            assert err.expected == EXPECTED_SOCIAL_ID[platform]

    @pytest.mark.parametrize(("platform", "raw", "social_id", "author", "url"), VALID_SOCIAL_IDS, ids=_id)
    def test_is_idempotent(
        self, platform: Platform, raw: str, social_id: str, author: str | None, url: str | None
    ) -> None:
        ident = normalise_social_id(platform, raw)
        assert normalise_social_id(platform, ident.social_id).social_id == ident.social_id

    def test_default_field_name(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            normalise_social_id(P.youtube, "nope")
        assert info.value.field == "social_id"
        assert str(info.value).startswith("social_id 'nope' is not a valid YouTube video id")

    def test_video_ids_keep_their_case(self) -> None:
        assert normalise_social_id("yt", "AbCdEfGhIjK").social_id == "AbCdEfGhIjK"
        assert normalise_social_id("ig", "CaBcDeF").social_id == "CaBcDeF"


class TestAccountUrl:
    @pytest.mark.parametrize(
        ("platform", "handle", "platform_id", "url"),
        [
            (P.instagram, "natgeo", None, "https://www.instagram.com/natgeo/"),
            (P.tiktok, "khaby.lame", None, "https://www.tiktok.com/@khaby.lame"),
            (P.youtube, "mkbhd", None, "https://www.youtube.com/@mkbhd"),
            (P.youtube, "mkbhd", CHANNEL_ID, "https://www.youtube.com/@mkbhd"),
            (P.youtube, CHANNEL_ID, CHANNEL_ID, f"https://www.youtube.com/channel/{CHANNEL_ID}"),
            (P.youtube, "", CHANNEL_ID, f"https://www.youtube.com/channel/{CHANNEL_ID}"),
            (P.x, "nasa", None, "https://x.com/nasa"),
            (P.x, "nasa", "11348282", "https://x.com/nasa"),
            (P.x, "11348282", "11348282", "https://x.com/i/user/11348282"),
            (P.threads, "zuck", None, "https://www.threads.com/@zuck"),
            (P.facebook, "nasa", None, "https://www.facebook.com/nasa"),
            (P.facebook, "nasa", "123", "https://www.facebook.com/nasa"),
            (P.facebook, "123", "123", "https://www.facebook.com/profile.php?id=123"),
            (P.linkedin, "microsoft", None, "https://www.linkedin.com/company/microsoft/"),
            (P.linkedin, "in/jane-doe", None, "https://www.linkedin.com/in/jane-doe/"),
            (P.linkedin, "school/mit", None, "https://www.linkedin.com/school/mit/"),
            (P.linkedin, "1035", "1035", "https://www.linkedin.com/company/1035/"),
            (P.pinterest, "pinterest", None, "https://www.pinterest.com/pinterest/"),
            (P.reddit, "spez", None, "https://www.reddit.com/user/spez/"),
            (P.bluesky, "alice.bsky.social", None, "https://bsky.app/profile/alice.bsky.social"),
            (P.bluesky, "alice.bsky.social", DID, "https://bsky.app/profile/alice.bsky.social"),
            (P.bluesky, DID, DID, f"https://bsky.app/profile/{DID}"),
        ],
    )
    def test_builds(self, platform: Platform, handle: str, platform_id: str | None, url: str) -> None:
        assert account_url(platform, handle, platform_id) == url

    def test_every_platform_has_a_profile_url(self) -> None:
        for p in Platform:
            assert account_url(p, "abcdef.com" if p is P.bluesky else "abcdef").startswith("https://")


class TestPostUrl:
    @pytest.mark.parametrize(
        ("platform", "social_id", "author", "url"),
        [
            (P.instagram, "C1a2B3c4D5e", None, "https://www.instagram.com/p/C1a2B3c4D5e/"),
            (P.instagram, "C1a2B3c4D5e", "natgeo", "https://www.instagram.com/p/C1a2B3c4D5e/"),
            (P.tiktok, TIKTOK_ID, "khaby.lame", f"https://www.tiktok.com/@khaby.lame/video/{TIKTOK_ID}"),
            (P.tiktok, TIKTOK_ID, None, None),
            (P.youtube, "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
            (P.x, TWEET_ID, "nasa", f"https://x.com/nasa/status/{TWEET_ID}"),
            (P.x, TWEET_ID, None, f"https://x.com/i/status/{TWEET_ID}"),
            (P.threads, "C8abcDEFghi", "zuck", "https://www.threads.com/@zuck/post/C8abcDEFghi"),
            (P.threads, "C8abcDEFghi", None, "https://www.threads.com/t/C8abcDEFghi"),
            (P.facebook, "123_456", None, "https://www.facebook.com/123/posts/456"),
            (P.facebook, "456", "nasa", "https://www.facebook.com/nasa/posts/456"),
            (P.facebook, "456", None, None),
            (P.facebook, "pfbid02abc", None, None),
            (
                P.linkedin,
                f"urn:li:activity:{LI_ID}",
                None,
                f"https://www.linkedin.com/feed/update/urn:li:activity:{LI_ID}/",
            ),
            (P.pinterest, PIN_ID, None, f"https://www.pinterest.com/pin/{PIN_ID}/"),
            (P.reddit, "1abcdef", None, "https://www.reddit.com/comments/1abcdef/"),
            (P.reddit, "1abcdef", "spez", "https://www.reddit.com/comments/1abcdef/"),
            (
                P.bluesky,
                f"at://{DID}/app.bsky.feed.post/{RKEY}",
                None,
                f"https://bsky.app/profile/{DID}/post/{RKEY}",
            ),
            (P.bluesky, "not-a-uri", None, None),
        ],
    )
    def test_builds(self, platform: Platform, social_id: str, author: str | None, url: str | None) -> None:
        assert post_url(platform, social_id, author) == url

    @pytest.mark.parametrize(("platform", "raw", "social_id", "author", "url"), VALID_SOCIAL_IDS, ids=_id)
    def test_round_trip(
        self, platform: Platform, raw: str, social_id: str, author: str | None, url: str | None
    ) -> None:
        ident = normalise_social_id(platform, raw)
        built = post_url(ident.platform, ident.social_id, ident.author_handle)
        if built is not None:
            assert parse_post_url(built) == ident


class TestExpectedForms:
    def test_every_platform_is_described(self) -> None:
        assert set(EXPECTED_HANDLE) == set(Platform)
        assert set(EXPECTED_SOCIAL_ID) == set(Platform)

    @pytest.mark.parametrize("platform", list(Platform))
    def test_examples_in_the_texts_are_valid(self, platform: Platform) -> None:
        (profile,) = re.findall(r"https://\S+", EXPECTED_HANDLE[platform])
        assert parse_profile_url(profile).platform is platform
        (post,) = re.findall(r"https://\S+", EXPECTED_SOCIAL_ID[platform])
        assert parse_post_url(post).platform is platform

    def test_problem_document(self) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            normalise_handle(P.reddit, "r/python", field="accounts[0].handle")
        problem = info.value.problem("/v1/accounts")
        assert problem["status"] == 422
        assert problem["title"] == "Unprocessable Content"
        assert problem["instance"] == "/v1/accounts"
        assert problem["errors"][0]["field"] == "accounts[0].handle"
        assert problem["errors"][0]["expected"] == EXPECTED_HANDLE[P.reddit]
        assert problem["detail"].startswith("accounts[0].handle 'r/python' is a subreddit")
