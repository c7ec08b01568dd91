"""The platforms' published specs, converted to JSON Schema, to validate emulator responses.

* YouTube: the discovery document (``youtube.v3.json``). Every object gets
  ``additionalProperties: false`` so a misspelt field fails; ``kind`` must equal the
  schema's default (``youtube#video``...); ``uint64``/``int64`` strings must be digits;
  ``date-time`` strings must be RFC 3339.
* Bluesky: the lexicons in ``bluesky-lexicons/``. Objects are closed (plus an optional
  ``$type``), ``required`` is kept, unions are closed and their members must carry their
  ``$type``, string formats (did, handle, at-uri, cid, datetime, uri, language) are
  checked by pattern, and a post view's ``record`` is checked against ``app.bsky.feed.post``.
  A reference to a lexicon that is not in the directory matches nothing, except the two
  small ones below (written from the atproto lexicons), so the emulator cannot send
  anything we cannot check.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SPECS = SHARED / "reference" / "specs"
YOUTUBE_SPEC = SPECS / "youtube.v3.json"
LEXICONS = SPECS / "bluesky-lexicons"

RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
FORMATS = {
    "did": r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$",
    "handle": r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$",
    "at-uri": r"^at://[^/\s]+(/[a-zA-Z0-9.-]+(/[a-zA-Z0-9._~:@!$&')(*+,;=-]+)?)?$",
    "cid": r"^b[a-z2-7]{50,}$",
    "datetime": RFC3339,
    "uri": r"^[a-z][a-z0-9+.-]*:\S+$",
    "language": r"^[a-z]{2,3}(-[a-zA-Z0-9]+)*$",
}
FORMATS["at-identifier"] = f"({FORMATS['did']})|({FORMATS['handle']})"

# lexicons the emulator uses that the shared directory does not hold
EXTRA_LEXICONS: list[dict[str, Any]] = [
    {
        "lexicon": 1,
        "id": "com.atproto.repo.strongRef",
        "defs": {
            "main": {
                "type": "object",
                "required": ["uri", "cid"],
                "properties": {
                    "uri": {"type": "string", "format": "at-uri"},
                    "cid": {"type": "string", "format": "cid"},
                },
            }
        },
    },
    {
        "lexicon": 1,
        "id": "app.bsky.richtext.facet",
        "defs": {
            "main": {
                "type": "object",
                "required": ["index", "features"],
                "properties": {
                    "index": {"type": "ref", "ref": "#byteSlice"},
                    "features": {
                        "type": "array",
                        "items": {"type": "union", "refs": ["#mention", "#link", "#tag"]},
                    },
                },
            },
            "mention": {
                "type": "object",
                "required": ["did"],
                "properties": {"did": {"type": "string", "format": "did"}},
            },
            "link": {
                "type": "object",
                "required": ["uri"],
                "properties": {"uri": {"type": "string", "format": "uri"}},
            },
            "tag": {
                "type": "object",
                "required": ["tag"],
                "properties": {"tag": {"type": "string", "maxLength": 640, "maxGraphemes": 64}},
            },
            "byteSlice": {
                "type": "object",
                "required": ["byteStart", "byteEnd"],
                "properties": {
                    "byteStart": {"type": "integer", "minimum": 0},
                    "byteEnd": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
]

# where the lexicon says "unknown" but we know what the AppView puts there
UNKNOWN_OVERRIDES = {("app.bsky.feed.defs#postView", "record"): "app.bsky.feed.post#main"}


def require_specs() -> None:
    if not YOUTUBE_SPEC.exists() or not LEXICONS.is_dir():
        pytest.skip(f"the platform specs are not at {SPECS} (the shared reference directory is absent)")


# ----------------------------------------------------------------------------- YouTube


def _discovery(node: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    if "$ref" in node:
        return {"$ref": f"#/$defs/{node['$ref']}"}
    kind = node.get("type")
    if kind == "object":
        out: dict[str, Any] = {"type": "object"}
        props = node.get("properties")
        if props is not None or "additionalProperties" not in node:
            out["properties"] = {k: _discovery(v, k) for k, v in (props or {}).items()}
            out["additionalProperties"] = False
        else:
            out["additionalProperties"] = _discovery(node["additionalProperties"])
        return out
    if kind == "array":
        return {"type": "array", "items": _discovery(node["items"])}
    if kind == "string":
        out = {"type": "string"}
        if name == "kind" and "default" in node:
            out["const"] = node["default"]
        if "enum" in node:
            out["enum"] = node["enum"]
        fmt = node.get("format")
        if fmt in ("uint64", "uint32"):
            out["pattern"] = r"^[0-9]+$"
        elif fmt in ("int64", "int32"):
            out["pattern"] = r"^-?[0-9]+$"
        elif fmt == "date-time":
            out["pattern"] = RFC3339
        return out
    if kind == "integer":
        out = {"type": "integer"}
        if node.get("format", "").startswith("uint"):
            out["minimum"] = 0
        return out
    if kind in ("boolean", "number"):
        return {"type": kind}
    return {}


@cache
def _youtube_defs() -> dict[str, Any]:
    doc = json.loads(YOUTUBE_SPEC.read_text())
    return {name: _discovery(schema) for name, schema in doc["schemas"].items()}


@cache
def youtube_validator(schema_name: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/$defs/{schema_name}", "$defs": _youtube_defs()}
    return jsonschema.Draft202012Validator(schema)


def youtube_method(resource: str) -> dict[str, Any]:
    doc = json.loads(YOUTUBE_SPEC.read_text())
    method: dict[str, Any] = doc["resources"][resource]["methods"]["list"]
    return method


# ----------------------------------------------------------------------------- Bluesky


def _key(ref: str) -> str:
    return ref.replace("#", ".")


class Lexicons:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        for path in sorted(LEXICONS.rglob("*.json")):
            doc = json.loads(path.read_text())
            self.docs[doc["id"]] = doc["defs"]
        for doc in EXTRA_LEXICONS:
            self.docs.setdefault(doc["id"], doc["defs"])
        self.defs: dict[str, Any] = {}

    def _full(self, ref: str, nsid: str) -> str:
        if ref.startswith("#"):
            return f"{nsid}{ref}"
        return ref if "#" in ref else f"{ref}#main"

    def _ensure(self, full: str) -> str:
        key = _key(full)
        if key in self.defs:
            return key
        nsid, _, name = full.partition("#")
        node = self.docs.get(nsid, {}).get(name)
        if node is None:
            self.defs[key] = {"not": {}}  # a lexicon we cannot check: the emulator must not use it
            return key
        self.defs[key] = {}  # placeholder against recursion
        if node.get("type") == "record":
            node = node["record"]
        self.defs[key] = self._conv(node, nsid, owner=full)
        return key

    def _ref(self, ref: str, nsid: str) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self._ensure(self._full(ref, nsid))}"}

    def _conv(self, node: dict[str, Any], nsid: str, owner: str = "", field: str = "") -> dict[str, Any]:
        kind = node.get("type")
        if kind == "object":
            props = {"$type": {"type": "string"}}
            for name, sub in node.get("properties", {}).items():
                props[name] = self._conv(sub, nsid, owner, name)
            out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
            if node.get("required"):
                out["required"] = list(node["required"])
            return out
        if kind == "ref":
            return self._ref(node["ref"], nsid)
        if kind == "union":
            members = []
            for ref in node["refs"]:
                full = self._full(ref, nsid)
                members.append(
                    {
                        "allOf": [
                            self._ref(full, nsid),
                            {
                                "required": ["$type"],
                                "properties": {"$type": {"const": full.removesuffix("#main")}},
                            },
                        ]
                    }
                )
            return {"anyOf": members}
        if kind == "array":
            out = {"type": "array", "items": self._conv(node["items"], nsid, owner, field)}
            if "maxLength" in node:
                out["maxItems"] = node["maxLength"]
            return out
        if kind == "string":
            out = {"type": "string"}
            if "format" in node:
                out["pattern"] = FORMATS[node["format"]]
            if "maxLength" in node:
                out["maxLength"] = node["maxLength"]  # UTF-8 bytes in lexicons; characters here (looser)
            if "maxGraphemes" in node:
                out["maxLength"] = min(out.get("maxLength", 10**9), node["maxGraphemes"] * 4)
            if "enum" in node:
                out["enum"] = node["enum"]
            if "const" in node:
                out["const"] = node["const"]
            return out
        if kind == "integer":
            out = {"type": "integer"}
            for k in ("minimum", "maximum"):
                if k in node:
                    out[k] = node[k]
            return out
        if kind == "boolean":
            return {"type": "boolean"}
        if kind == "unknown":
            override = UNKNOWN_OVERRIDES.get((owner, field))
            return self._ref(override, nsid) if override else {"type": "object"}
        return {"not": {}}  # blob, bytes, cid-link, token: not expected in these views

    def validator(self, ref: str) -> jsonschema.Draft202012Validator:
        """A validator for a definition (``app.bsky.actor.defs#profileViewDetailed``) or a query's output."""
        nsid, _, name = ref.partition("#")
        if not name:
            output = self.docs[nsid]["main"]["output"]["schema"]
            root = self._conv(output, nsid, owner=f"{nsid}#main")
        else:
            root = self._ref(ref, nsid)
        return jsonschema.Draft202012Validator({**root, "$defs": self.defs})


@cache
def lexicons() -> Lexicons:
    return Lexicons()


def assert_valid(validator: jsonschema.Draft202012Validator, body: Any) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in errors[:10]]
        raise AssertionError("response does not match the platform's spec:\n" + "\n".join(lines))
