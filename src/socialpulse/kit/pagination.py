"""Opaque keyset cursors: base64 of a small JSON list of the last row's sort keys."""

from __future__ import annotations

import base64
import json
from typing import Any

from socialpulse.errors import BadRequest


def encode_cursor(*keys: Any) -> str:
    raw = json.dumps(list(keys), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[Any]:
    try:
        pad = "=" * (-len(cursor) % 4)
        keys = json.loads(base64.urlsafe_b64decode(cursor + pad))
    except (ValueError, TypeError) as exc:
        raise BadRequest("cursor is not valid: pass the next_cursor value of a previous page") from exc
    if not isinstance(keys, list) or len(keys) != n:
        raise BadRequest("cursor is not valid: pass the next_cursor value of a previous page")
    return keys
