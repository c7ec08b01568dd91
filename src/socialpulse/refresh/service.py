"""Refresh requests: what a user (or the scheduler, or a compatibility API) asked to refresh,
fanned out into queue items, and how far along it is.

Import the singleton: ``from socialpulse.refresh.service import refresh_service``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.errors import NotFound
from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, Post, RefreshItem, RefreshRequest, RefreshRequestItem
from socialpulse.models.enums import EntityKind, RequestStatus
from socialpulse.refresh import queue
from socialpulse.refresh.queue import FAILED, RUNNING, SUCCEEDED, Entity
from socialpulse.refresh.schemas import (
    CommentTotals,
    RefreshItemError,
    RefreshPriority,
    RefreshStatus,
)
from socialpulse.tracking.repository import accounts_of, filter_accounts
from socialpulse.tracking.schemas import AccountFilters

# Queue priorities: higher is served first within a (platform, kind).
PRIORITIES = {RefreshPriority.normal: 0, RefreshPriority.high: 10}
NEW_ENTITY_PRIORITY = 10  # something just tracked: the user is looking at it
SCHEDULED_PRIORITY = -10  # background refreshes give way to anything a user asked for

ERRORS_SHOWN = 1000
IDS_IN_NOTE = 20


def _ids_text(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in sorted(ids)[:IDS_IN_NOTE])
    return shown + (f" and {len(ids) - IDS_IN_NOTE} more" if len(ids) > IDS_IN_NOTE else "")


class RefreshService:
    async def create_request(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        account_ids: Sequence[int] | None = None,
        post_ids: Sequence[int] | None = None,
        filters: AccountFilters | None = None,
        origin: str = "api",
        priority: int = 0,
        max_attempts: int | None = None,
    ) -> RefreshRequest:
        """Create a request and queue its entities (see :class:`RefreshCreate` for what the
        arguments select). Unknown ids, or another user's, raise 404 naming them."""
        if filters is not None and filters.is_empty():
            filters = None
        entities, notes = await self._select(session, user_id, account_ids, post_ids, filters)
        params: dict[str, Any] = {"priority": priority}
        if account_ids is not None:
            params["account_ids"] = list(account_ids)
        if post_ids is not None:
            params["post_ids"] = list(post_ids)
        if filters is not None:
            params["filters"] = filters.model_dump(mode="json", exclude_none=True)
        request = RefreshRequest(
            public_id=str(uuid.uuid4()),
            user_id=user_id,
            origin=origin,
            params=params,
            status=RequestStatus.pending.value,
            total=0,
            succeeded=0,
            failed=0,
            notes=notes,
            created_at=utcnow(),
        )
        session.add(request)
        await session.flush()
        request.total = await queue.enqueue(
            session,
            user_id=user_id,
            entities=entities,
            request_id=request.id,
            priority=priority,
            max_attempts=max_attempts,
        )
        if request.total == 0:
            request.status = RequestStatus.succeeded.value
            request.started_at = request.finished_at = request.created_at
            request.notes = [*notes, "nothing to refresh"]
        await session.flush()
        return request

    async def enqueue_new_entities(
        self,
        session: AsyncSession,
        user_id: int,
        account_ids: Sequence[int] = (),
        post_ids: Sequence[int] = (),
        *,
        max_attempts: int | None = None,
    ) -> RefreshRequest | None:
        """Refresh what a user just started tracking, ahead of background work."""
        if not account_ids and not post_ids:
            return None
        return await self.create_request(
            session,
            user_id=user_id,
            account_ids=list(account_ids),
            post_ids=list(post_ids),
            origin="track",
            priority=NEW_ENTITY_PRIORITY,
            max_attempts=max_attempts,
        )

    async def get(self, session: AsyncSession, user_id: int, public_id: str) -> RefreshRequest:
        request = await session.scalar(
            select(RefreshRequest).where(
                RefreshRequest.public_id == public_id, RefreshRequest.user_id == user_id
            )
        )
        if request is None:
            raise NotFound(
                f"no refresh request {public_id} of yours: use the request_id POST /v1/refresh answered"
            )
        return request

    async def get_status(self, session: AsyncSession, user_id: int, public_id: str) -> RefreshStatus:
        return await self.status_of(session, await self.get(session, user_id, public_id))

    async def status_of(self, session: AsyncSession, request: RefreshRequest) -> RefreshStatus:
        """The request's progress. Finished counts are kept on the request; only its running
        and failed items are read, so polling a request of any size stays cheap."""
        serves = exists().where(
            RefreshRequestItem.request_id == request.id, RefreshRequestItem.item_id == RefreshItem.id
        )
        running = 0
        errors: list[RefreshItemError] = []
        if not request.finished_at:
            running = (
                await session.scalar(
                    select(func.count()).select_from(RefreshItem).where(RefreshItem.status == RUNNING, serves)
                )
                or 0
            )
        if request.failed:
            failed_rows = await session.scalars(
                select(RefreshItem)
                .where(RefreshItem.status == FAILED, serves)
                .order_by(RefreshItem.id)
                .limit(ERRORS_SHOWN)
            )
            errors = [
                RefreshItemError(
                    kind=i.kind,
                    entity_id=i.entity_id,
                    platform=i.platform,
                    code=i.error_code,
                    message=i.error_message,
                    attempts=i.attempts,
                )
                for i in failed_rows
            ]
        notes = list(request.notes or [])
        comments = None
        if request.finished_at is not None:
            comments, comment_notes = await self._comments(session, serves)
            notes.extend(comment_notes)
        if request.failed > len(errors):
            notes.append(f"errors lists the first {len(errors)} of {request.failed} failed items")
        return RefreshStatus(
            request_id=request.public_id,
            status=RequestStatus(request.status),
            created_at=request.created_at,
            started_at=request.started_at,
            finished_at=request.finished_at,
            total=request.total,
            succeeded=request.succeeded,
            failed=request.failed,
            queued=max(0, request.total - request.succeeded - request.failed - running),
            running=running,
            notes=notes,
            errors=errors,
            comments=comments,
        )

    async def _comments(self, session: AsyncSession, serves: Any) -> tuple[CommentTotals | None, list[str]]:
        """What the request's refreshes did with comments (read once it has finished):
        totals, and why comments were skipped or failed where they were."""
        results = await session.scalars(
            select(RefreshItem.result).where(
                RefreshItem.status == SUCCEEDED,
                RefreshItem.result.is_not(None),
                serves,
            )
        )
        totals: dict[str, int] = dict.fromkeys(("posts", "fetched", "new", "updated", "scored"), 0)
        seen = False
        notes: dict[str, None] = {}
        failed = 0
        for result in results:
            part = result.get("comments") if isinstance(result, dict) else None
            if not isinstance(part, dict):
                continue
            seen = True
            for key in totals:
                value = part.get(key)
                if isinstance(value, int):
                    totals[key] += value
            if isinstance(part.get("skipped"), str):
                notes[part["skipped"]] = None
            failed += len(part.get("failed") or ())
        if failed:
            notes[f"comments of {failed} post(s) could not be fetched (see the account items' results)"] = (
                None
            )
        return (CommentTotals(**totals) if seen else None), list(notes)

    async def wait_for(
        self,
        sessions: async_sessionmaker[AsyncSession],
        public_id: str,
        timeout_s: float,
        *,
        poll_s: float = 0.25,
    ) -> RefreshStatus:
        """Poll until the request has finished or ``timeout_s`` has passed; answers its
        status either way (check ``.finished``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            async with sessions() as session:
                request = await session.scalar(
                    select(RefreshRequest).where(RefreshRequest.public_id == public_id)
                )
                if request is None:
                    raise NotFound(f"no refresh request {public_id}")
                status = await self.status_of(session, request)
            if status.finished or loop.time() >= deadline:
                return status
            await asyncio.sleep(min(poll_s, max(0.0, deadline - loop.time())))

    # ------------------------------------------------------------------ selection

    async def _select(
        self,
        session: AsyncSession,
        user_id: int,
        account_ids: Sequence[int] | None,
        post_ids: Sequence[int] | None,
        filters: AccountFilters | None,
    ) -> tuple[list[Entity], list[str]]:
        """Accounts: the named ones (narrowed by ``filters``), else those matching ``filters``,
        else all of them unless only posts are named. Posts: the named ones, else those of
        the filtered accounts, else all of them unless only accounts are named."""
        entities: list[Entity] = []
        notes: list[str] = []
        accounts: list[tuple[int, str, bool]] = []
        posts: list[tuple[int, str, bool]] = []
        selected = accounts_of(user_id)
        if filters is not None:
            selected = filter_accounts(selected, filters)
        if account_ids is not None:
            accounts = await self._explicit_accounts(session, user_id, account_ids, filters)
        elif filters is not None or post_ids is None:
            rows = await session.execute(
                selected.with_only_columns(Account.id, Account.platform, Account.paused)
            )
            accounts = [(i, p, bool(paused)) for i, p, paused in rows]
        if post_ids is not None:
            posts = await self._explicit_posts(session, user_id, post_ids)
        elif account_ids is None:
            post_stmt = (
                select(Post.id, Post.platform, func.coalesce(Account.paused, False))
                .outerjoin(Account, Account.id == Post.account_id)
                .where(Post.user_id == user_id)
            )
            if filters is not None:
                post_stmt = post_stmt.where(Post.account_id.in_(selected.with_only_columns(Account.id)))
            posts = [(i, p, bool(paused)) for i, p, paused in (await session.execute(post_stmt))]

        paused = [i for i, _, is_paused in accounts if is_paused]
        if paused:
            notes.append(
                f"skipped {len(paused)} paused account(s) ({_ids_text(paused)}): resume them to refresh them"
            )
        entities += [(p, EntityKind.account.value, i) for i, p, is_paused in accounts if not is_paused]
        # posts named by id are refreshed even when their account is paused
        paused_posts = [] if post_ids is not None else [i for i, _, is_paused in posts if is_paused]
        if paused_posts:
            notes.append(f"skipped {len(paused_posts)} post(s) of paused accounts")
        skip = set(paused_posts)
        entities += [(p, EntityKind.post.value, i) for i, p, _ in posts if i not in skip]
        return entities, notes

    async def _explicit_accounts(
        self, session: AsyncSession, user_id: int, ids: Sequence[int], filters: AccountFilters | None
    ) -> list[tuple[int, str, bool]]:
        found: list[tuple[int, str, bool]] = []
        for chunk in chunks(list(dict.fromkeys(ids)), queue.CHUNK):
            stmt = select(Account.id, Account.platform, Account.paused).where(
                Account.user_id == user_id, Account.id.in_(chunk)
            )
            found += [(i, p, bool(paused)) for i, p, paused in (await session.execute(stmt))]
        missing = sorted(set(ids) - {i for i, _, _ in found})
        if missing:
            raise NotFound(
                f"no account with id {_ids_text(missing)} among yours: check account_ids "
                "(unknown ids and other users' accounts cannot be refreshed)",
                extra={"missing": {"account_ids": missing}},
            )
        if filters is None:
            return found
        keep: set[int] = set()
        for chunk in chunks([i for i, _, _ in found], queue.CHUNK):
            selected = filter_accounts(accounts_of(user_id).where(Account.id.in_(chunk)), filters)
            keep.update((await session.scalars(selected.with_only_columns(Account.id))).all())
        return [row for row in found if row[0] in keep]

    async def _explicit_posts(
        self, session: AsyncSession, user_id: int, ids: Sequence[int]
    ) -> list[tuple[int, str, bool]]:
        found: list[tuple[int, str, bool]] = []
        for chunk in chunks(list(dict.fromkeys(ids)), queue.CHUNK):
            rows = await session.execute(
                select(Post.id, Post.platform).where(Post.user_id == user_id, Post.id.in_(chunk))
            )
            found += [(i, p, False) for i, p in rows]
        missing = sorted(set(ids) - {i for i, _, _ in found})
        if missing:
            raise NotFound(
                f"no post with id {_ids_text(missing)} among yours: check post_ids "
                "(unknown ids and other users' posts cannot be refreshed)",
                extra={"missing": {"post_ids": missing}},
            )
        return found


refresh_service = RefreshService()

# The same, for ``from socialpulse.refresh import service as refresh_service``.
create_request = refresh_service.create_request
get_status = refresh_service.get_status
enqueue_new_entities = refresh_service.enqueue_new_entities
wait_for = refresh_service.wait_for
