"""Recomputing stored comments' sentiment: after the analyser changed (another model at
``SOCIALPULSE_SENTIMENT_MODEL``, a new version of the built-in one), or for comments stored
while no analyser could be loaded.

Comments are read in id order, a chunk at a time, scored in one batch and written back, one
transaction per chunk: an interrupted backfill keeps what it did, and running it again goes
on where it stopped (comments already labelled by the current analyser are skipped).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.db.engine import transaction
from socialpulse.models import Comment
from socialpulse.sentiment.base import Analyser

CHUNK = 2_000


@dataclass
class BackfillResult:
    analyser: str
    version: str
    scanned: int = 0
    rescored: int = 0
    changed: int = 0  # comments whose label changed


def _stale(analyser: Analyser, everything: bool, since: datetime | None) -> ColumnElement[bool] | None:
    conds: list[ColumnElement[bool]] = []
    if not everything:
        conds.append(
            or_(
                Comment.sentiment_label.is_(None),
                Comment.analyser.is_(None),
                Comment.analyser != analyser.name,
                Comment.analyser_version.is_(None),
                Comment.analyser_version != analyser.version,
            )
        )
    if since is not None:
        conds.append(func.coalesce(Comment.posted_at, Comment.first_seen_at) >= since)
    return and_(*conds) if conds else None


async def count_stale(
    session: AsyncSession, analyser: Analyser, *, since: datetime | None = None, everything: bool = False
) -> int:
    stmt = select(func.count()).select_from(Comment)
    cond = _stale(analyser, everything, since)
    if cond is not None:
        stmt = stmt.where(cond)
    return int(await session.scalar(stmt) or 0)


async def backfill(
    sessions: async_sessionmaker[AsyncSession],
    analyser: Analyser,
    *,
    since: datetime | None = None,
    everything: bool = False,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> BackfillResult:
    """Score again every comment not labelled by ``analyser`` (all of them with
    ``everything``), of comments posted (or first seen) since ``since``."""
    result = BackfillResult(analyser=analyser.name, version=analyser.version)
    cond = _stale(analyser, everything, since)
    after = 0
    while True:
        stmt = select(Comment.id, Comment.text, Comment.sentiment_label).where(Comment.id > after)
        if cond is not None:
            stmt = stmt.where(cond)
        async with sessions() as session:
            rows = (await session.execute(stmt.order_by(Comment.id).limit(chunk))).all()
        if not rows:
            return result
        after = rows[-1][0]
        scores = await asyncio.to_thread(analyser.analyse, [text for _, text, _ in rows])
        params = [
            {"cid": cid, "label": s.label, "score": s.score}
            for (cid, _, _), s in zip(rows, scores, strict=True)
        ]
        async with transaction(sessions) as session:
            await session.execute(
                update(Comment.__table__)  # type: ignore[arg-type]
                .where(Comment.__table__.c.id == bindparam("cid"))
                .values(
                    sentiment_label=bindparam("label"),
                    sentiment_score=bindparam("score"),
                    analyser=analyser.name,
                    analyser_version=analyser.version,
                ),
                params,
            )
        result.scanned += len(rows)
        result.rescored += len(rows)
        result.changed += sum(1 for (_, _, old), s in zip(rows, scores, strict=True) if old != s.label)
        if progress is not None:
            progress(len(rows))
