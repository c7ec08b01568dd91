"""Refreshing one claimed batch: read what we know, fetch from the platform outside any
transaction, then write the results and the items' statuses in one transaction.

The write transaction first locks the items the worker still holds (:func:`queue.fence`):
a worker whose lease was reaped meanwhile writes nothing, so a result is never written
twice; a worker that dies before committing wrote nothing, and the item is claimed again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import lazyload

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, Post, RefreshItem
from socialpulse.models.enums import AccountStatus, EntityKind, PostStatus
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    Connector,
    ListResult,
    NotFound,
    PlatformError,
    PostData,
    PostRef,
    Private,
    ProfileData,
    QuotaExceeded,
    Suspended,
    TransientError,
    Unsupported,
)
from socialpulse.refresh import queue
from socialpulse.refresh.queue import Entity, ItemError, Outcome
from socialpulse.sentiment.base import Analyser, analyser_for
from socialpulse.stats import comments as comment_store
from socialpulse.stats.comments import FetchedComments
from socialpulse.stats.service import snapshots

log = logging.getLogger("socialpulse.refresh")

T = TypeVar("T")

# concurrent list_posts calls per batch; the connector's pacer keeps the platform's rate
LISTING_CONCURRENCY = 16
WRITE_TRIES = 3
HUNG_CALL_LEASES = 10


class Connectors(Protocol):
    """Where the worker gets connectors (``platforms.registry.ConnectorRegistry``, or a fake)."""

    def get(self, platform: str, source: str | None = None) -> Connector: ...

    def supported(self, platform: str) -> bool: ...

    async def aclose(self) -> None: ...


@dataclass
class Batch:
    """Everything a batch refresh needs."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    registry: Connectors
    worker_id: str

    def outcome(self, item: RefreshItem, exc: BaseException) -> Outcome:
        retry_at = queue.next_attempt(
            item, exc, base_s=self.settings.retry_base_s, cap_s=self.settings.retry_cap_s
        )
        return Outcome(item, error=exc, retry_at=retry_at)

    async def call(self, platform: str, what: Awaitable[T]) -> T:
        """Await a connector call, bounded so that a hung call cannot hold items forever
        (the heartbeat keeps extending their lease). Pacing under a busy rate limit may
        make a call slow, so the bound is generous: ten leases."""
        limit = self.settings.lease_s * HUNG_CALL_LEASES
        try:
            async with asyncio.timeout(limit):
                return await what
        except TimeoutError as exc:
            raise TransientError(f"{platform} did not answer within {limit} s") from exc


# ---------------------------------------------------------------------------- cadence


def account_interval(settings: Settings, account: Account) -> timedelta:
    return timedelta(seconds=account.refresh_interval_s or settings.account_refresh_s)


def post_interval(settings: Settings, posted_at: datetime | None, now: datetime) -> timedelta:
    """Young posts change fast: hourly under a day, every 6 h under a week, daily under
    30 days, weekly under 90 days, then monthly (``settings.post_refresh_*``)."""
    age = now - posted_at if posted_at is not None else timedelta(0)
    if age < timedelta(days=1):
        seconds = settings.post_refresh_under_1d_s
    elif age < timedelta(days=7):
        seconds = settings.post_refresh_under_7d_s
    elif age < timedelta(days=30):
        seconds = settings.post_refresh_under_30d_s
    elif age < timedelta(days=90):
        seconds = settings.post_refresh_under_90d_s
    else:
        seconds = settings.post_refresh_older_s
    return timedelta(seconds=seconds)


# ---------------------------------------------------------------------------- entity status


def account_status_for(exc: BaseException, platform: str) -> tuple[str, str] | None:
    """The account status (and a detail saying what to do) a permanent error implies."""
    message = exc.message if isinstance(exc, PlatformError) else str(exc)
    if isinstance(exc, NotFound):
        return AccountStatus.not_found.value, (
            f"{platform} has no such account ({message}); check the handle or stop tracking it"
        )
    if isinstance(exc, Private):
        return (
            AccountStatus.private.value,
            f"the account is private on {platform}: its statistics cannot be read",
        )
    if isinstance(exc, Suspended):
        return AccountStatus.suspended.value, f"{platform} has suspended the account ({message})"
    if isinstance(exc, AuthExpired):
        fix = f"; set {exc.setting}" if exc.setting else ""
        return AccountStatus.auth_error.value, f"{platform} refused our credentials ({message}){fix}"
    return None


def post_status_for(exc: BaseException, platform: str) -> tuple[str, str] | None:
    message = exc.message if isinstance(exc, PlatformError) else str(exc)
    if isinstance(exc, NotFound):
        return (
            PostStatus.not_found.value,
            f"{platform} has no such post ({message}): it may have been deleted",
        )
    if isinstance(exc, Suspended):
        return PostStatus.not_found.value, f"the post's author is suspended on {platform} ({message})"
    if isinstance(exc, Private):
        return PostStatus.private.value, f"the post is private on {platform}: its statistics cannot be read"
    if isinstance(exc, AuthExpired):
        fix = f"; set {exc.setting}" if exc.setting else ""
        return PostStatus.auth_error.value, f"{platform} refused our credentials ({message}){fix}"
    return None


# ---------------------------------------------------------------------------- writing


async def write_batch(
    batch: Batch,
    items: Sequence[RefreshItem],
    writer: Callable[[AsyncSession, list[RefreshItem]], Awaitable[list[Outcome]]],
) -> list[Outcome]:
    """Run ``writer`` for the items this worker still holds and settle their outcomes, all
    in one transaction; retried when the database reports a conflict (deadlock, busy)."""
    for attempt in range(1, WRITE_TRIES + 1):
        try:
            async with transaction(batch.sessions) as session:
                owned = await queue.fence(session, batch.worker_id, [i.id for i in items])
                mine = [i for i in items if i.id in owned]
                if len(mine) < len(items):
                    log.warning(
                        "%d of %d items were taken back (lease expired) before their results were written",
                        len(items) - len(mine),
                        len(items),
                    )
                if not mine:
                    return []
                outcomes = await writer(session, mine)
                await queue.settle(session, outcomes)
            return outcomes
        except DBAPIError as exc:
            if attempt == WRITE_TRIES:
                raise
            log.warning("writing a batch failed (%s); trying again", exc.__class__.__name__)
            await asyncio.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


async def give_up(batch: Batch, items: Sequence[RefreshItem], exc: BaseException) -> list[Outcome]:
    """Settle a batch whose refresh broke unexpectedly: each item is retried later (or
    fails when out of attempts), with the error kept on it."""

    async def writer(session: AsyncSession, mine: list[RefreshItem]) -> list[Outcome]:
        return [batch.outcome(i, exc) for i in mine]

    return await write_batch(batch, items, writer)


# ---------------------------------------------------------------------------- accounts


@dataclass
class _Fetched:
    profile: ProfileData | None = None
    error: BaseException | None = None
    listing: ListResult | None = None
    listing_error: BaseException | None = None
    comments: FetchedComments | None = None
    connector: str = ""
    api_version: str = ""
    fetched_at: datetime = field(default_factory=utcnow)


AccountPlan = dict[str | None, list[tuple[RefreshItem, AccountRef]]]
PostPlan = dict[str | None, list[tuple[RefreshItem, PostRef]]]


async def plan_accounts(session: AsyncSession, items: Sequence[RefreshItem]) -> AccountPlan:
    """What to ask the platform for, by connector variant (``Account.source``). Deleted and
    paused accounts are left out (their items fail when the batch is written)."""
    accounts = {
        a.id: a
        for a in await session.scalars(
            select(Account)
            .where(Account.id.in_([i.entity_id for i in items]))
            .options(lazyload(Account.tag_rows))
        )
    }
    counts = await snapshots.latest_posts_counts(session, list(accounts))
    plan: AccountPlan = defaultdict(list)
    for item in items:
        account = accounts.get(item.entity_id)
        if account is None or account.paused:
            continue
        ref = AccountRef(
            key=str(account.id),
            handle=account.handle,
            platform_id=account.platform_id,
            last_posts_count=counts.get(account.id),
        )
        plan[account.source].append((item, ref))
    return plan


async def refresh_accounts(
    batch: Batch, items: Sequence[RefreshItem], plan: AccountPlan | None = None
) -> list[Outcome]:
    """Profiles of a batch of accounts, and the recent posts of those that may have new ones.
    ``plan`` is read in the claiming transaction by the worker; read here when not given."""
    if plan is None:
        async with transaction(batch.sessions) as session:
            plan = await plan_accounts(session, items)
    fetched: dict[int, _Fetched] = {}
    for source, group in plan.items():
        fetched.update(await _fetch_accounts(batch, items[0].platform, source, group))

    async def writer(session: AsyncSession, mine: list[RefreshItem]) -> list[Outcome]:
        return await _write_accounts(batch, session, mine, fetched)

    return await write_batch(batch, items, writer)


async def _fetch_accounts(
    batch: Batch, platform: str, source: str | None, group: list[tuple[RefreshItem, AccountRef]]
) -> dict[int, _Fetched]:
    try:
        connector = batch.registry.get(platform, source)
        results = await batch.call(platform, connector.fetch_profiles([ref for _, ref in group]))
    except Exception as exc:
        return {item.id: _Fetched(error=exc) for item, _ in group}
    fetched_at = utcnow()
    out: dict[int, _Fetched] = {}
    for item, ref in group:
        found = results.get(ref.key)
        f = _Fetched(connector=connector.name, api_version=connector.api_version, fetched_at=fetched_at)
        if isinstance(found, ProfileData):
            f.profile = found
        elif isinstance(found, PlatformError):
            f.error = found
        else:
            f.error = BadResponse(f"{platform} answered without the account @{ref.handle}")
        out[item.id] = f

    # Listing is one call per account: run them together, paced by the connector.
    gate = asyncio.Semaphore(LISTING_CONCURRENCY)
    limit = batch.settings.recent_posts_limit

    async def list_posts(ref: AccountRef, f: _Fetched) -> None:
        assert f.profile is not None
        async with gate:
            try:
                f.listing = await batch.call(platform, connector.list_posts(ref, f.profile, limit))
            except Exception as exc:
                f.listing_error = exc

    listings = [
        list_posts(ref, out[item.id])
        for item, ref in group
        if (p := out[item.id].profile) is not None and connector.needs_listing(ref, p)
    ]
    await asyncio.gather(*listings)
    if batch.settings.comments_per_post > 0 and batch.settings.comments_max_posts > 0:
        await _fetch_comments(batch, platform, connector, group, out)
    return out


async def _comment_quota_note(batch: Batch, platform: str) -> str | None:
    """Why comments must wait, when the platform's daily quota is (nearly) spent: comment
    fetching leaves ``settings.comments_quota_reserve`` of the budget to statistics."""
    guard = getattr(batch.registry, "quota", None)
    budget_of = getattr(guard, "budget", None)
    remaining_of = getattr(guard, "remaining", None)
    if budget_of is None or remaining_of is None:
        return None
    budget = budget_of(platform)
    if not isinstance(budget, int):
        return None
    remaining = await remaining_of(platform)
    reserve = int(budget * batch.settings.comments_quota_reserve)
    if remaining is not None and remaining <= reserve:
        return (
            f"comments skipped: {remaining} of {budget} {platform} quota units are left today, "
            f"kept for statistics (SOCIALPULSE_COMMENTS_QUOTA_RESERVE)"
        )
    return None


async def _fetch_comments(
    batch: Batch,
    platform: str,
    connector: Connector,
    group: list[tuple[RefreshItem, AccountRef]],
    out: dict[int, _Fetched],
) -> None:
    """The top comments of each refreshed account's young posts that are due (see
    :mod:`socialpulse.stats.comments`), fetched together under the connector's pacing and
    scored before the write. A spent quota stops the fetching and says so in the result."""
    settings = batch.settings
    now = utcnow()
    since = now - timedelta(days=settings.comments_max_post_age_days)
    live = [(item, ref) for item, ref in group if out[item.id].profile is not None]
    if not live:
        return
    async with transaction(batch.sessions) as session:
        known = await comment_store.known_young_posts(session, [int(ref.key) for _, ref in live], since)
    skipped = await _comment_quota_note(batch, platform)
    jobs: list[CommentJob] = []
    for item, ref in live:
        f = out[item.id]
        fc = f.comments = FetchedComments(skipped=skipped)
        fc.targets = comment_store.plan_targets(
            known.get(int(ref.key), []),
            f.listing.posts if f.listing is not None else [],
            since=since,
            refetch_after=timedelta(seconds=settings.comments_refetch_s),
            now=now,
            author_handle=ref.handle,
            # the account is the author: connectors that read only our own media need to know
            author_platform_id=f.profile.platform_id if f.profile is not None else ref.platform_id,
        )[: settings.comments_max_posts]
        if skipped is None:
            jobs.extend((connector, fc, t.social_id, t.ref) for t in fc.targets)
    batches = [got for item, _ in live if (got := out[item.id].comments) is not None]
    await _run_comment_jobs(batch, platform, jobs, batches)


CommentJob = tuple[Connector, FetchedComments, str, PostRef]


async def _run_comment_jobs(
    batch: Batch, platform: str, jobs: list[CommentJob], batches: list[FetchedComments]
) -> None:
    """Fetch the comments of every job together under the connectors' pacing (a spent quota
    stops the rest, and says so), then score the new ones of ``batches`` in one batch."""
    if not jobs:
        return
    limit = batch.settings.comments_per_post
    gate = asyncio.Semaphore(LISTING_CONCURRENCY)
    spent: list[str] = []

    async def fetch(connector: Connector, fc: FetchedComments, social_id: str, ref: PostRef) -> None:
        async with gate:
            if spent:
                fc.skipped = spent[0]
                return
            try:
                try:
                    found = await batch.call(platform, connector.fetch_comments(ref, limit))
                except Unsupported:
                    fallback = _comments_fallback(batch, platform, connector)
                    if fallback is None:
                        raise
                    found = await batch.call(platform, fallback.fetch_comments(ref, limit))
            except QuotaExceeded as exc:
                if not spent:
                    spent.append(f"comments skipped: {exc.message}")
                fc.skipped = spent[0]
            except Unsupported as exc:  # e.g. the Graph API reads comments of our own media only
                fc.skipped = f"comments skipped: {exc.message}"
            except PlatformError as exc:
                fc.failed[social_id] = f"{exc.code}: {exc.message}"
            except Exception as exc:
                log.warning("fetching comments of %s %s failed: %r", platform, social_id, exc)
                fc.failed[social_id] = f"error: {exc.__class__.__name__}"
            else:
                fc.comments[social_id] = found

    await asyncio.gather(*(fetch(*job) for job in jobs))
    analyser = _analyser(batch)
    if analyser is not None:
        await asyncio.to_thread(comment_store.score_all, analyser, batches)


async def _fetch_post_comments(
    batch: Batch, platform: str, plan: PostPlan, fetched: dict[int, _FetchedPost]
) -> None:
    """Posts tracked without their account get their comments from their own refresh, under
    the same rules as an account's posts (young, due, within the quota reserve)."""
    settings = batch.settings
    now = utcnow()
    since = now - timedelta(days=settings.comments_max_post_age_days)
    ids = [
        item.entity_id
        for group in plan.values()
        for item, _ in group
        if (f := fetched.get(item.id)) is not None and f.data is not None
    ]
    if not ids:
        return
    async with transaction(batch.sessions) as session:
        known = await comment_store.known_standalone_posts(session, ids, since)
    if not known:
        return
    skipped = await _comment_quota_note(batch, platform)
    jobs: list[CommentJob] = []
    batches: list[FetchedComments] = []
    for source, group in plan.items():
        try:
            connector = batch.registry.get(platform, source)
        except Exception:
            continue
        for item, ref in group:
            f = fetched.get(item.id)
            post = known.get(item.entity_id)
            if f is None or f.data is None or post is None:
                continue
            fc = f.comments = FetchedComments(skipped=skipped)
            fc.targets = comment_store.plan_targets(
                [post],
                [f.data] if f.data.social_id == post.social_id else [],
                since=since,
                refetch_after=timedelta(seconds=settings.comments_refetch_s),
                now=now,
                author_handle=ref.author_handle,
            )
            batches.append(fc)
            if skipped is None:
                jobs.extend((connector, fc, t.social_id, t.ref) for t in fc.targets)
    await _run_comment_jobs(batch, platform, jobs, batches)


def _comments_fallback(batch: Batch, platform: str, connector: Connector) -> Connector | None:
    """The connector that reads the comments ``connector`` cannot (Instagram: the web endpoint
    for other accounts' media, which the Graph API does not read), when settings allow it."""
    source = getattr(connector, "comments_fallback_source", None)
    if not isinstance(source, str) or not getattr(batch.settings, f"{platform}_{source}_comments", False):
        return None
    try:
        return batch.registry.get(platform, source)
    except Exception:
        return None


def _analyser(batch: Batch) -> Analyser | None:
    """The configured sentiment analyser; None (comments stored unscored, and said so in the
    log) when it cannot be loaded."""
    try:
        return analyser_for(batch.settings.sentiment_model)
    except Exception as exc:
        log.error("comments are stored without sentiment: the analyser cannot be loaded (%s)", exc)
        return None


async def _write_accounts(
    batch: Batch, session: AsyncSession, items: list[RefreshItem], fetched: dict[int, _Fetched]
) -> list[Outcome]:
    settings = batch.settings
    now = utcnow()
    accounts = {
        a.id: a
        for a in await session.scalars(
            select(Account)
            .where(Account.id.in_([i.entity_id for i in items]))
            .options(lazyload(Account.tag_rows))
        )
    }
    snaps: dict[tuple[str, str, datetime], list[tuple[int, ProfileData]]] = defaultdict(list)
    post_snaps: dict[tuple[str, str, datetime], list[tuple[int, PostData]]] = defaultdict(list)
    unmeasured: dict[int, list[int]] = {}  # account item id -> listed posts that came without metrics
    outcomes: list[Outcome] = []
    for item in items:
        account = accounts.get(item.entity_id)
        if account is None:
            outcomes.append(
                Outcome(item, error=ItemError("deleted", "the account was deleted before its refresh"))
            )
            continue
        if account.paused:
            outcomes.append(
                Outcome(item, error=ItemError("paused", "the account is paused: resume it to refresh it"))
            )
            continue
        f = fetched.get(item.id)
        if f is None:  # paused while it was fetched, and resumed since
            outcomes.append(batch.outcome(item, TransientError("the account changed during its refresh")))
            continue
        if f.profile is None:
            outcome = batch.outcome(item, f.error or BadResponse("no answer"))
            if outcome.terminal:
                status = account_status_for(outcome.error, account.platform) if outcome.error else None
                if status is not None:
                    account.status, account.status_detail = status
                account.next_refresh_at = now + account_interval(settings, account)
            outcomes.append(outcome)
            continue
        if f.listing_error is not None:
            retry = batch.outcome(item, f.listing_error)
            if not retry.terminal:  # try profile and listing again together
                outcomes.append(retry)
                continue

        snapshots.apply_profile(account, f.profile)
        account.last_refreshed_at = f.fetched_at
        account.next_refresh_at = f.fetched_at + account_interval(settings, account)
        key = (f.connector, f.api_version, f.fetched_at)
        snaps[key].append((account.id, f.profile))
        result: dict[str, Any] = {}
        if f.listing_error is not None:
            code, message = queue.describe(f.listing_error)
            result["listing_error"] = f"{code}: {message}"
        if f.listing is not None:
            posts = await snapshots.upsert_posts(
                session,
                user_id=account.user_id,
                platform=account.platform,
                account_id=account.id,
                posts=f.listing.posts,
            )
            by_social_id = {p.social_id: p for p in posts}
            without: list[int] = []
            for data in f.listing.posts:
                post = by_social_id[data.social_id]
                if data.has_metrics:
                    post_snaps[key].append((post.id, data))
                    post.last_refreshed_at = f.fetched_at
                    post.next_refresh_at = f.fetched_at + post_interval(
                        settings, post.posted_at, f.fetched_at
                    )
                else:
                    without.append(post.id)
            unmeasured[item.id] = list(dict.fromkeys(without))
            result["posts_listed"] = len(posts)
        else:
            by_social_id = {}
        if f.comments is not None:
            stored = await comment_store.store(
                session,
                f.comments,
                {sid: p.id for sid, p in by_social_id.items()},
                analyser=_analyser(batch) if f.comments.scores else None,
                fetched_at=f.fetched_at,
            )
            result["comments"] = stored.as_result(f.comments.skipped, f.comments.failed)
        outcomes.append(Outcome(item, result=result or None))

    # Posts listed without metrics are fetched by post items of the same requests, unless
    # this round already refreshed them (fetched after the account item was queued).
    last = await snapshots.last_fetched(session, [pid for ids in unmeasured.values() for pid in ids])
    follow_ups: list[tuple[RefreshItem, list[Entity]]] = []
    for outcome in outcomes:
        item = outcome.item
        if item.id not in unmeasured or outcome.result is None:
            continue
        due = [pid for pid in unmeasured[item.id] if pid not in last or last[pid] <= item.created_at]
        outcome.result["posts_queued"] = len(due)
        follow_ups.append((item, [(item.platform, EntityKind.post.value, pid) for pid in due]))
    await queue.enqueue_follow_ups(session, follow_ups, max_attempts=settings.max_attempts)

    for (connector, api_version, fetched_at), rows in snaps.items():
        await snapshots.record_accounts(
            session, rows, connector=connector, api_version=api_version, fetched_at=fetched_at
        )
    for (connector, api_version, fetched_at), post_rows in post_snaps.items():
        await snapshots.record_posts(
            session, post_rows, connector=connector, api_version=api_version, fetched_at=fetched_at
        )
    return outcomes


# ---------------------------------------------------------------------------- posts


@dataclass
class _FetchedPost:
    data: PostData | None = None
    error: BaseException | None = None
    comments: FetchedComments | None = None
    connector: str = ""
    api_version: str = ""
    fetched_at: datetime = field(default_factory=utcnow)


async def plan_posts(session: AsyncSession, items: Sequence[RefreshItem]) -> PostPlan:
    """What to ask the platform for, by connector variant (the account's ``source``)."""
    rows = await session.execute(
        select(
            Post.id,
            Post.social_id,
            Post.author_platform_id,
            func.coalesce(Post.author_handle, Account.handle),
            Account.source,
        )
        .outerjoin(Account, Account.id == Post.account_id)
        .where(Post.id.in_([i.entity_id for i in items]))
    )
    known = {pid: (social_id, author, handle, source) for pid, social_id, author, handle, source in rows}
    plan: PostPlan = defaultdict(list)
    for item in items:
        if item.entity_id in known:
            social_id, author, handle, source = known[item.entity_id]
            ref = PostRef(
                key=str(item.entity_id), social_id=social_id, author_platform_id=author, author_handle=handle
            )
            plan[source].append((item, ref))
    return plan


async def refresh_posts(
    batch: Batch, items: Sequence[RefreshItem], plan: PostPlan | None = None
) -> list[Outcome]:
    """Metrics of a batch of posts, in as few calls as the platform allows."""
    if plan is None:
        async with transaction(batch.sessions) as session:
            plan = await plan_posts(session, items)
    fetched: dict[int, _FetchedPost] = {}
    platform = items[0].platform
    for source, group in plan.items():
        try:
            connector = batch.registry.get(platform, source)
            results = await batch.call(platform, connector.fetch_posts([ref for _, ref in group]))
        except Exception as exc:
            fetched.update({item.id: _FetchedPost(error=exc) for item, _ in group})
            continue
        fetched_at = utcnow()
        for item, ref in group:
            found = results.get(ref.key)
            f = _FetchedPost(
                connector=connector.name, api_version=connector.api_version, fetched_at=fetched_at
            )
            if isinstance(found, PostData):
                f.data = found
            elif isinstance(found, PlatformError):
                f.error = found
            else:
                f.error = BadResponse(f"{platform} answered without the post {ref.social_id}")
            fetched[item.id] = f
    if batch.settings.comments_per_post > 0:
        await _fetch_post_comments(batch, platform, plan, fetched)

    async def writer(session: AsyncSession, mine: list[RefreshItem]) -> list[Outcome]:
        return await _write_posts(batch, session, mine, fetched)

    return await write_batch(batch, items, writer)


async def _write_posts(
    batch: Batch, session: AsyncSession, items: list[RefreshItem], fetched: dict[int, _FetchedPost]
) -> list[Outcome]:
    settings = batch.settings
    now = utcnow()
    posts = {
        p.id: p for p in await session.scalars(select(Post).where(Post.id.in_([i.entity_id for i in items])))
    }
    snaps: dict[tuple[str, str, datetime], list[tuple[int, PostData]]] = defaultdict(list)
    outcomes: list[Outcome] = []
    for item in items:
        post = posts.get(item.entity_id)
        f = fetched.get(item.id)
        if post is None or f is None:
            outcomes.append(
                Outcome(item, error=ItemError("deleted", "the post was deleted before its refresh"))
            )
            continue
        if f.data is None:
            outcome = batch.outcome(item, f.error or BadResponse("no answer"))
            if outcome.terminal:
                status = post_status_for(outcome.error, post.platform) if outcome.error else None
                if status is not None:
                    post.status, post.status_detail = status
                post.next_refresh_at = now + post_interval(settings, post.posted_at or post.created_at, now)
            outcomes.append(outcome)
            continue
        snapshots.apply_post(post, f.data)
        if f.data.has_metrics:
            snaps[(f.connector, f.api_version, f.fetched_at)].append((post.id, f.data))
        post.last_refreshed_at = f.fetched_at
        post.next_refresh_at = f.fetched_at + post_interval(
            settings, post.posted_at or post.created_at, f.fetched_at
        )
        result: dict[str, Any] | None = None
        if f.comments is not None:
            stored = await comment_store.store(
                session,
                f.comments,
                {},
                analyser=_analyser(batch) if f.comments.scores else None,
                fetched_at=f.fetched_at,
            )
            result = {"comments": stored.as_result(f.comments.skipped, f.comments.failed)}
        outcomes.append(Outcome(item, result=result))
    for (connector, api_version, fetched_at), rows in snaps.items():
        await snapshots.record_posts(
            session, rows, connector=connector, api_version=api_version, fetched_at=fetched_at
        )
    return outcomes
