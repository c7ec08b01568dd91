"""Renewal of kept analytics answers: when a write changes what a kept answer read (a refresh
storing new snapshots, an edited post, an account joining a profile), the answer is computed
again in the background, so its next reader finds it current instead of paying for it.

Every ``SOCIALPULSE_ANALYTICS_RENEW_S`` seconds each API process looks for ``analytics_changes``
rows newer than the mark in ``analytics_renewal``. The process whose compare-and-set moves the
mark over them (one per range, however many processes run) asks the app again, in-process and
as the answer's user, for each unexpired kept answer that read a changed account, post or
profile (``analytics_cache_reads``). The request goes through the same route, parameters and
:func:`socialpulse.analytics.cache.cached_answer` as the reader's, so it stores exactly what the
reader would have been served. A renewed answer keeps the expiry of the one it replaces:
renewal keeps an answer current for as long as it would have been kept anyway, and does not
keep unread answers alive.

It is best effort, and never decides what is served: an answer is served only while its
fingerprint is current, renewed or not. A pass reads at most :data:`CHANGES_PER_PASS` change
rows and renews each answer they touch once, one at a time (the next pass follows at once when
more changes wait); its work is what the answers' readers would otherwise do, bounded by the
answers asked within the TTL. An answer whose change committed after a newer one was already
taken (ids are handed out before commit), or whose pass was cut short by a stop, is computed by
its next reader, as without renewal; so are changes made before the first renewer started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.analytics.cache import CACHE_HEADER, RENEW_UNTIL
from socialpulse.auth.dependencies import INTERNAL_PRINCIPAL
from socialpulse.auth.service import Principal
from socialpulse.db.dialect import dialect_insert
from socialpulse.db.engine import READ_ONLY, transaction
from socialpulse.kit import asgi
from socialpulse.kit.time import utcnow
from socialpulse.models import AnalyticsCacheEntry, AnalyticsCacheRead, AnalyticsChange, AnalyticsRenewal

log = logging.getLogger(__name__)

MARK_ID = 1
CHANGES_PER_PASS = 10_000
IDS_PER_QUERY = 500

NEWEST_CHANGE = select(func.max(AnalyticsChange.id))
MARK = select(AnalyticsRenewal.mark).where(AnalyticsRenewal.id == MARK_ID)


@dataclass(frozen=True, slots=True)
class Stale:
    """A kept answer to ask for again: its request, its user and its expiry."""

    key: str
    user_id: int
    path: str
    query: str
    expires_at: datetime


class Renewer:
    """Renews the kept answers of ``app`` that changes made stale (see the module's text)."""

    def __init__(self, app: Any, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.app = app
        self.sessions = sessions

    async def run(self, every_s: float, stopping: asyncio.Event) -> None:
        """Renew every ``every_s`` seconds until ``stopping`` is set; a failed pass is logged."""
        busy = False
        while not stopping.is_set():
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), every_s)
                if stopping.is_set():
                    return
            try:
                claimed = await self.claim()
                renewed = await self.renew(claimed)
            except Exception:
                log.exception("renewing kept analytics answers failed")
                busy = False
            else:
                busy = len(claimed) > 0  # more changes may wait: look again at once
                if renewed:
                    log.debug("renewed %d kept analytics answer(s)", renewed)

    async def renew_once(self, *, now: datetime | None = None) -> int:
        """One pass: claim the changes since the mark, renew the answers they made stale.
        Returns how many answers were computed again."""
        return await self.renew(await self.claim(), now=now)

    async def renew(self, changed: set[tuple[str, int]], *, now: datetime | None = None) -> int:
        """Renew the answers that read ``changed``; how many were computed again."""
        if not changed:
            return 0
        renewed = 0
        for stale in await self.stale(changed, now or utcnow()):
            renewed += await self.ask(stale)
        return renewed

    async def claim(self) -> set[tuple[str, int]]:
        """The (kind, id) of the entities changed since the mark, moving the mark past them;
        empty when nothing changed or another process took the same changes first."""
        async with self.sessions() as session:  # a plain read first: no write lock when idle
            conn = await session.connection(execution_options={READ_ONLY: True})
            mark = (await conn.execute(MARK)).scalar()
            newest = (await conn.execute(NEWEST_CHANGE)).scalar() or 0
        if mark is not None and newest <= mark:
            return set()
        async with transaction(self.sessions) as session:
            if mark is None:  # the first renewer: start from now
                start = dialect_insert(session, AnalyticsRenewal).values(id=MARK_ID, mark=newest)
                await session.execute(start.on_conflict_do_nothing())
                return set()
            rows = (
                await session.execute(
                    select(AnalyticsChange.id, AnalyticsChange.kind, AnalyticsChange.key)
                    .where(AnalyticsChange.id > mark)
                    .order_by(AnalyticsChange.id)
                    .limit(CHANGES_PER_PASS)
                )
            ).all()
            if not rows:
                return set()
            moved = await session.execute(
                update(AnalyticsRenewal)
                .where(AnalyticsRenewal.id == MARK_ID, AnalyticsRenewal.mark == mark)
                .values(mark=rows[-1].id)
            )
            if getattr(moved, "rowcount", 0) != 1:
                return set()
        return {(row.kind, row.key) for row in rows}

    async def stale(self, changed: Iterable[tuple[str, int]], now: datetime) -> list[Stale]:
        """The unexpired, renewable kept answers that read any of ``changed``, those with the
        longest left to live first."""
        by_kind: dict[str, list[int]] = {}
        for kind, entity in changed:
            by_kind.setdefault(kind, []).append(entity)
        found: dict[str, Stale] = {}
        entry = AnalyticsCacheEntry
        async with self.sessions() as session:
            conn = await session.connection(execution_options={READ_ONLY: True})
            for kind, ids in sorted(by_kind.items()):
                ids.sort()
                for start in range(0, len(ids), IDS_PER_QUERY):
                    rows = await conn.execute(
                        select(entry.key, entry.user_id, entry.path, entry.query, entry.expires_at)
                        .join(AnalyticsCacheRead, AnalyticsCacheRead.key == entry.key)
                        .where(
                            AnalyticsCacheRead.kind == kind,
                            AnalyticsCacheRead.entity.in_(ids[start : start + IDS_PER_QUERY]),
                            entry.expires_at > now,
                            entry.path.is_not(None),
                            entry.user_id.is_not(None),
                        )
                    )
                    for key, user_id, path, query, expires_at in rows:
                        if user_id is not None and path is not None:
                            found[key] = Stale(key, user_id, path, query or "", expires_at)
        return sorted(found.values(), key=lambda s: (s.expires_at, s.key), reverse=True)

    async def ask(self, stale: Stale) -> bool:
        """Ask the app for ``stale``'s request again, as its user; True if it was computed
        (and kept) anew, False if it was current already or could not be computed."""
        try:
            answer = await asgi.get(
                self.app,
                stale.path,
                stale.query,
                extra={
                    INTERNAL_PRINCIPAL: Principal(user_id=stale.user_id, email="", via="renewal"),
                    RENEW_UNTIL: stale.expires_at,
                },
            )
        except Exception:  # the app has answered (500) and logged it; the next reader computes
            log.info("could not renew %s?%s", stale.path, stale.query, exc_info=True)
            return False
        return answer.status_code == 200 and answer.headers.get(CACHE_HEADER.lower()) == "miss"
