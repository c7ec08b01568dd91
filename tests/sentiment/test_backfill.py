"""``socialpulse sentiment backfill``: stored comments scored again by the current analyser,
only those it did not label (or all with ``--all``), from ``--since`` on. Both databases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialpulse.db.engine import make_engine, make_sessionmaker, transaction
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, Comment, Post, User
from socialpulse.sentiment.backfill import backfill
from socialpulse.sentiment.base import analyser_for
from socialpulse.sentiment.cli import app

runner = CliRunner()
TEXTS = [
    "I love this so much 😍",
    "worst video ever, unsubscribed",
    "posted at noon",
    "amazing!!",
    "awful 😡",
]


async def seed(url: str, now: datetime) -> None:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    current = analyser_for(None)
    try:
        async with transaction(sessions) as s:
            user = User(email="backfill@example.com", password_hash="x")
            s.add(user)
            await s.flush()
            account = Account(user_id=user.id, platform="youtube", handle="@b")
            s.add(account)
            await s.flush()
            post = Post(user_id=user.id, account_id=account.id, platform="youtube", social_id="v")
            s.add(post)
            await s.flush()
            # 0, 1: an old analyser's labels; 2: never scored; 3: already current; 4: old but long ago
            for i, text in enumerate(TEXTS):
                labelled = {
                    0: ("neutral", "old", "0"),
                    1: ("positive", "old", "0"),
                    2: (None, None, None),
                    3: ("positive", current.name, current.version),
                    4: ("positive", "old", "0"),
                }[i]
                s.add(
                    Comment(
                        post_id=post.id,
                        platform_comment_id=f"c{i}",
                        text=text,
                        posted_at=now - timedelta(days=100 if i == 4 else 1),
                        sentiment_label=labelled[0],
                        analyser=labelled[1],
                        analyser_version=labelled[2],
                        first_seen_at=now,
                        updated_at=now,
                    )
                )
    finally:
        await engine.dispose()


async def labels(url: str) -> list[tuple[str | None, str | None]]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            rows = await s.execute(select(Comment.sentiment_label, Comment.analyser).order_by(Comment.id))
            return [(label, name) for label, name in rows]
    finally:
        await engine.dispose()


@pytest.fixture(autouse=True)
def _builtin_model(fresh_default: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Score with the shipped model whatever the environment says."""
    monkeypatch.setenv("SOCIALPULSE_SECRET_KEY", "backfill-test-secret-" + "x" * 40)


def test_backfill_rescores_only_what_the_current_analyser_did_not_label(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    asyncio.run(seed(db_url, now))
    monkeypatch.setenv("SOCIALPULSE_DATABASE_URL", db_url)
    since = (now - timedelta(days=30)).date().isoformat()
    result = runner.invoke(app, ["backfill", "--since", since])
    assert result.exit_code == 0, result.output
    assert "scored 3 comment(s)" in result.stdout
    got = asyncio.run(labels(db_url))
    name = analyser_for(None).name
    assert [n for _, n in got] == [name, name, name, name, "old"]  # the 100-day-old one is before --since
    assert got[0][0] == "positive"
    assert got[1][0] == "negative"

    again = runner.invoke(app, ["backfill"])  # now only the old one is left
    assert again.exit_code == 0, again.output
    assert "scored 1 comment(s)" in again.stdout
    done = runner.invoke(app, ["backfill"])
    assert "nothing to do" in done.stdout
    everything = runner.invoke(app, ["backfill", "--all", "--batch-size", "2"])
    assert "scored 5 comment(s)" in everything.stdout
    assert "0 changed label" in everything.stdout


def test_backfill_says_what_is_wrong_with_since(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALPULSE_DATABASE_URL", db_url)
    result = runner.invoke(app, ["backfill", "--since", "last tuesday"])
    assert result.exit_code == 1
    assert "--since" in result.output
    assert "Traceback" not in result.output


async def test_backfill_service_counts_changed_labels(sessions: object, db_url: str) -> None:
    await seed(db_url, utcnow())
    result = await backfill(sessions, analyser_for(None), chunk=2)  # type: ignore[arg-type]
    assert (result.scanned, result.rescored) == (4, 4)
    assert result.changed == 4  # c0 neutral→positive, c1 and c4 positive→negative, c2 None→label
