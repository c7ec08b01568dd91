"""Enumerations shared by models, schemas and connectors (stored as plain strings)."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    instagram = "instagram"
    tiktok = "tiktok"
    youtube = "youtube"
    x = "x"
    threads = "threads"
    facebook = "facebook"
    linkedin = "linkedin"
    pinterest = "pinterest"
    reddit = "reddit"
    bluesky = "bluesky"


class AccountStatus(StrEnum):
    active = "active"
    paused = "paused"
    not_found = "not_found"
    private = "private"
    suspended = "suspended"
    auth_error = "auth_error"


class PostStatus(StrEnum):
    active = "active"
    not_found = "not_found"
    private = "private"
    auth_error = "auth_error"


class PostType(StrEnum):
    video = "video"
    short = "short"
    reel = "reel"
    image = "image"
    carousel = "carousel"
    slideshow = "slideshow"
    text = "text"
    link = "link"
    other = "other"


class EntityKind(StrEnum):
    account = "account"
    post = "post"


class ItemStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class RequestStatus(StrEnum):
    pending = "pending"
    running = "running"
    succeeded = "succeeded"
    partial = "partial"
    failed = "failed"
