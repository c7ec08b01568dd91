"""Rules of profiles, accounts and posts. Services never commit: the request or job does.

Every lookup is scoped to one user: another user's id is "not found", exactly like an id
that never existed, so ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.errors import AppError, Conflict, NotFound
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AccountSnapshot, AccountTag, Post, PostSnapshot, Profile
from socialpulse.models.enums import AccountStatus, PostStatus
from socialpulse.platforms import ids
from socialpulse.refresh.service import refresh_service
from socialpulse.stats import repository as stats_repo
from socialpulse.stats.schemas import StatsWindow, check_order
from socialpulse.tracking import repository as repo
from socialpulse.tracking.schemas import (
    AccountCreate,
    AccountFilters,
    AccountUpdate,
    Paged,
    PageParams,
    PostCreate,
    PostFilters,
)


async def _insert_unique(session: AsyncSession, row: Profile | Account | Post, conflict: AppError) -> None:
    """Insert ``row``; a unique-constraint race with a concurrent request becomes ``conflict``."""
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise conflict from None


IdentT = TypeVar("IdentT", ids.AccountIdent, ids.PostIdent)


def _same_platform(ident: IdentT, platform: str | None) -> IdentT:
    """A URL sent with a platform must be a URL of that platform."""
    if platform is not None and ids.parse_platform(platform, field="platform") != ident.platform:
        raise ids.InvalidIdentifier(
            f"url is a {ident.platform.value} URL but platform is '{platform}'",
            field="url",
            expected=f"a URL of {platform}, or no platform",
        )
    return ident


async def enqueue_first_refresh(
    session: AsyncSession, user_id: int, *, account_ids: Sequence[int] = (), post_ids: Sequence[int] = ()
) -> None:
    """Queue new accounts and posts so their first fetch happens now, not at the next schedule tick.

    The one place tracking hands new entities to the refresh queue (same transaction).
    """
    await refresh_service.enqueue_new_entities(
        session, user_id, account_ids=list(account_ids), post_ids=list(post_ids)
    )


# ---------------------------------------------------------------------------- profiles


class ProfileService:
    async def get(self, session: AsyncSession, user_id: int, profile_id: int) -> Profile:
        profile = await session.scalar(repo.profile_by_id(user_id, profile_id))
        if profile is None:
            raise NotFound(f"profile {profile_id} not found")
        return profile

    async def get_by_name(self, session: AsyncSession, user_id: int, name: str) -> Profile:
        profile = await session.scalar(repo.profile_by_name(user_id, name))
        if profile is None:
            raise NotFound(f"profile '{name}' not found")
        return profile

    async def list_page(self, session: AsyncSession, user_id: int, params: PageParams) -> Paged[Profile]:
        rows = list(await session.scalars(repo.page(repo.profiles_of(user_id), Profile.id, params)))
        return Paged.of(rows, params, key=lambda p: p.id)

    async def accounts(self, session: AsyncSession, user_id: int, profile_id: int) -> list[Account]:
        """The profile's accounts, oldest first."""
        return list(await session.scalars(repo.accounts_of_profile(user_id, profile_id)))

    def _name_taken(self, name: str, existing_id: int | None = None) -> Conflict:
        extra = {"existing_id": existing_id} if existing_id is not None else None
        return Conflict(f"a profile named '{name}' already exists: choose another name", extra=extra)

    async def create(self, session: AsyncSession, user_id: int, name: str) -> Profile:
        existing = await session.scalar(repo.profile_by_name(user_id, name))
        if existing is not None:
            raise self._name_taken(name, existing.id)
        profile = Profile(user_id=user_id, name=name)
        await _insert_unique(session, profile, self._name_taken(name))
        return profile

    async def get_or_create(self, session: AsyncSession, user_id: int, name: str) -> Profile:
        existing = await session.scalar(repo.profile_by_name(user_id, name))
        return existing if existing is not None else await self.create(session, user_id, name)

    async def rename(self, session: AsyncSession, user_id: int, profile_id: int, name: str) -> Profile:
        profile = await self.get(session, user_id, profile_id)
        if profile.name == name:
            return profile
        existing = await session.scalar(repo.profile_by_name(user_id, name))
        if existing is not None:
            raise self._name_taken(name, existing.id)
        profile.name = name
        try:
            async with session.begin_nested():
                await session.flush()
        except IntegrityError:
            raise self._name_taken(name) from None
        return profile

    async def delete(self, session: AsyncSession, user_id: int, profile_id: int) -> None:
        """Deletes the profile; its accounts stay, attached to no profile."""
        if await session.scalar(repo.delete_profile(user_id, profile_id).returning(Profile.id)) is None:
            raise NotFound(f"profile {profile_id} not found")

    async def attach(
        self, session: AsyncSession, user_id: int, profile_id: int, account_ids: Sequence[int]
    ) -> Profile:
        """Attaches the user's accounts to the profile (moving them from any other profile)."""
        profile = await self.get(session, user_id, profile_id)
        found = set(await session.scalars(repo.account_ids_of(user_id, account_ids)))
        missing = [i for i in account_ids if i not in found]
        if missing:
            noun = "account" if len(missing) == 1 else "accounts"
            raise NotFound(
                f"{noun} {', '.join(map(str, missing))} not found: nothing was attached",
                extra={"missing_ids": missing},
            )
        await session.execute(repo.set_profile(user_id, account_ids, profile.id))
        return profile

    async def detach(self, session: AsyncSession, user_id: int, profile_id: int, account_id: int) -> None:
        profile = await self.get(session, user_id, profile_id)
        account = await account_service.get(session, user_id, account_id)
        if account.profile_id != profile.id:
            raise NotFound(f"account {account_id} is not attached to profile {profile_id}")
        account.profile_id = None
        await session.flush()


# ---------------------------------------------------------------------------- accounts


class AccountService:
    def identify(self, platform: str | None, handle: str | None, url: str | None = None) -> ids.AccountIdent:
        """Normalise what the user typed (a handle with its platform, or a profile URL); 422 otherwise."""
        if url is not None:
            return _same_platform(ids.parse_profile_url(url, field="url"), platform)
        if platform is None or handle is None:
            raise ids.InvalidIdentifier(
                "give a platform and a handle, or a profile URL",
                field="handle" if platform is not None else "platform",
                expected="platform and handle, or url",
            )
        return ids.normalise_handle(ids.parse_platform(platform, field="platform"), handle, field="handle")

    async def get(self, session: AsyncSession, user_id: int, account_id: int) -> Account:
        account = await session.scalar(repo.account_by_id(user_id, account_id))
        if account is None:
            raise NotFound(f"account {account_id} not found")
        return account

    async def find(self, session: AsyncSession, user_id: int, ident: ids.AccountIdent) -> Account | None:
        """The user's account that ``ident`` names (same handle, or same platform id), if tracked."""
        return await session.scalar(
            repo.same_account(user_id, ident.platform.value, ident.handle, ident.platform_id)
        )

    async def list_page(
        self, session: AsyncSession, user_id: int, filters: AccountFilters, params: PageParams
    ) -> Paged[Account]:
        if filters.profile is not None:
            await profile_service.get(session, user_id, filters.profile)
        stmt = repo.filter_accounts(repo.accounts_of(user_id), filters)
        rows = list(await session.scalars(repo.page(stmt, Account.id, params)))
        return Paged.of(rows, params, key=lambda a: a.id)

    async def create(
        self, session: AsyncSession, user_id: int, data: AccountCreate, *, enqueue: bool = True
    ) -> Account:
        """Tracks a new account and queues its first refresh (unless paused); 409 if already tracked.

        Callers that track many at once pass ``enqueue=False`` and call :func:`enqueue_first_refresh`
        once with every new id.
        """
        ident = self.identify(data.platform, data.handle, data.url)
        existing = await self.find(session, user_id, ident)
        if existing is not None:
            raise self._duplicate(ident, existing.id)
        if data.profile_id is not None:
            await profile_service.get(session, user_id, data.profile_id)
        account = Account(
            user_id=user_id,
            platform=ident.platform.value,
            handle=ident.handle,
            platform_id=ident.platform_id,
            url=ident.url,
            profile_id=data.profile_id,
            tag_rows=[AccountTag(tag=t) for t in data.tags],
            org_group=data.org_group,
            user_group=data.user_group,
            is_competitor=data.is_competitor,
            refresh_interval_s=data.refresh_interval_s,
            paused=data.paused,
            status=AccountStatus.paused.value if data.paused else AccountStatus.active.value,
            next_refresh_at=None if data.paused else utcnow(),
        )
        await _insert_unique(session, account, self._duplicate(ident, None))
        if enqueue and not account.paused:
            await enqueue_first_refresh(session, user_id, account_ids=[account.id])
        return account

    def _duplicate(self, ident: ids.AccountIdent, existing_id: int | None) -> Conflict:
        where = f" as account {existing_id}" if existing_id is not None else ""
        return Conflict(
            f"{ident.platform.value} account '{ident.handle}' is already tracked{where}",
            extra={"existing_id": existing_id} if existing_id is not None else None,
        )

    async def update(
        self, session: AsyncSession, user_id: int, account_id: int, data: AccountUpdate
    ) -> Account:
        """Changes the fields present in ``data``; absent fields keep their value."""
        account = await self.get(session, user_id, account_id)
        given = data.model_fields_set
        if "profile_id" in given:
            if data.profile_id is not None:
                await profile_service.get(session, user_id, data.profile_id)
            account.profile_id = data.profile_id
        if "tags" in given:
            self._set_tags(account, data.tags)
        if "org_group" in given:
            account.org_group = data.org_group
        if "user_group" in given:
            account.user_group = data.user_group
        if "is_competitor" in given:
            account.is_competitor = data.is_competitor
        if "refresh_interval_s" in given:
            self._set_interval(account, data.refresh_interval_s)
        if "paused" in given:
            self.set_paused(account, data.paused)
        await session.flush()
        return account

    def _set_tags(self, account: Account, tags: Sequence[str]) -> None:
        # keep the rows of tags that stay: deleting and re-adding one row would collide on its key
        wanted = list(dict.fromkeys(tags))
        kept = [row for row in account.tag_rows if row.tag in wanted]
        have = {row.tag for row in kept}
        account.tag_rows = kept + [AccountTag(tag=t) for t in wanted if t not in have]

    def _set_interval(self, account: Account, interval_s: int | None) -> None:
        account.refresh_interval_s = interval_s
        # a shorter interval takes effect now, not after the refresh already scheduled
        if interval_s is not None and account.last_refreshed_at is not None and not account.paused:
            sooner = account.last_refreshed_at + timedelta(seconds=interval_s)
            if account.next_refresh_at is None or sooner < account.next_refresh_at:
                account.next_refresh_at = sooner

    def set_paused(self, account: Account, paused: bool) -> None:
        """Pausing stops refreshes; resuming marks the account active and due at once."""
        if paused == account.paused:
            return
        account.paused = paused
        if paused:
            account.status = AccountStatus.paused.value
        else:
            account.status = AccountStatus.active.value
            account.status_detail = None
            account.next_refresh_at = utcnow()

    async def delete(self, session: AsyncSession, user_id: int, account_id: int) -> None:
        """Deletes the account with its tags, posts and history."""
        if await session.scalar(repo.delete_account(user_id, account_id).returning(Account.id)) is None:
            raise NotFound(f"account {account_id} not found")

    async def latest(self, session: AsyncSession, accounts: Sequence[Account]) -> dict[int, AccountSnapshot]:
        """The newest snapshot of each account that has one, by account id."""
        if not accounts:
            return {}
        rows = await session.scalars(stats_repo.latest_account_snapshots([a.id for a in accounts]))
        return {s.account_id: s for s in rows}

    async def history(
        self, session: AsyncSession, user_id: int, account_id: int, window: StatsWindow
    ) -> list[AccountSnapshot]:
        """The account's snapshots in ``window``, oldest first (the last of each day for ``day``)."""
        await self.get(session, user_id, account_id)
        return list(await session.scalars(stats_repo.account_history(account_id, window)))


# ---------------------------------------------------------------------------- posts


class PostService:
    def identify(self, platform: str | None, social_id: str | None, url: str | None = None) -> ids.PostIdent:
        """Normalise what the user typed (a post id with its platform, or a post URL); 422 otherwise."""
        if url is not None:
            return _same_platform(ids.parse_post_url(url, field="url"), platform)
        if platform is None or social_id is None:
            raise ids.InvalidIdentifier(
                "give a platform and a social_id, or a post URL",
                field="social_id" if platform is not None else "platform",
                expected="platform and social_id, or url",
            )
        return ids.normalise_social_id(
            ids.parse_platform(platform, field="platform"), social_id, field="social_id"
        )

    async def get(self, session: AsyncSession, user_id: int, post_id: int) -> Post:
        post = await session.scalar(repo.post_by_id(user_id, post_id))
        if post is None:
            raise NotFound(f"post {post_id} not found")
        return post

    async def find(self, session: AsyncSession, user_id: int, ident: ids.PostIdent) -> Post | None:
        return await session.scalar(repo.post_by_social_id(user_id, ident.platform.value, ident.social_id))

    async def list_page(
        self, session: AsyncSession, user_id: int, filters: PostFilters, params: PageParams
    ) -> Paged[Post]:
        check_order(filters.posted_after, filters.posted_before, "posted_after", "posted_before")
        if filters.account_id is not None:
            await account_service.get(session, user_id, filters.account_id)
        stmt = repo.filter_posts(repo.posts_of(user_id), filters)
        rows = list(await session.scalars(repo.page(stmt, Post.id, params)))
        return Paged.of(rows, params, key=lambda p: p.id)

    async def create(
        self, session: AsyncSession, user_id: int, data: PostCreate, *, enqueue: bool = True
    ) -> tuple[Post, bool]:
        """Tracks a post and queues its first refresh. Answers the post and whether it is new.

        A post already known from listing one of the user's accounts becomes tracked (not new);
        a post the user already tracks is a 409. ``enqueue=False``: as for accounts.
        """
        ident = self.identify(data.platform, data.social_id, data.url)
        existing = await self.find(session, user_id, ident)
        if existing is not None:
            if existing.tracked:
                raise self._duplicate(ident, existing.id)
            existing.tracked = True
            await session.flush()
            return existing, False
        post = Post(
            user_id=user_id,
            account_id=await self._author_account_id(session, user_id, ident),
            platform=ident.platform.value,
            social_id=ident.social_id,
            url=ident.url,
            author_handle=ident.author_handle,
            tracked=True,
            status=PostStatus.active.value,
            next_refresh_at=utcnow(),
        )
        await _insert_unique(session, post, self._duplicate(ident, None))
        if enqueue:
            await enqueue_first_refresh(session, user_id, post_ids=[post.id])
        return post, True

    async def _author_account_id(
        self, session: AsyncSession, user_id: int, ident: ids.PostIdent
    ) -> int | None:
        """The user's account that wrote the post, when the URL named its author (the refresh fills it later)."""
        if ident.author_handle is None:
            return None
        account = await session.scalar(
            repo.account_by_handle(user_id, ident.platform.value, ident.author_handle)
        )
        return account.id if account is not None else None

    def _duplicate(self, ident: ids.PostIdent, existing_id: int | None) -> Conflict:
        where = f" as post {existing_id}" if existing_id is not None else ""
        return Conflict(
            f"{ident.platform.value} post '{ident.social_id}' is already tracked{where}",
            extra={"existing_id": existing_id} if existing_id is not None else None,
        )

    async def delete(self, session: AsyncSession, user_id: int, post_id: int) -> None:
        """Deletes the post with its history and comments."""
        if await session.scalar(repo.delete_post(user_id, post_id).returning(Post.id)) is None:
            raise NotFound(f"post {post_id} not found")

    async def latest(self, session: AsyncSession, posts: Sequence[Post]) -> dict[int, PostSnapshot]:
        """The newest snapshot of each post that has one, by post id."""
        if not posts:
            return {}
        rows = await session.scalars(stats_repo.latest_post_snapshots([p.id for p in posts]))
        return {s.post_id: s for s in rows}

    async def history(
        self, session: AsyncSession, user_id: int, post_id: int, window: StatsWindow
    ) -> list[PostSnapshot]:
        """The post's snapshots in ``window``, oldest first (the last of each day for ``day``)."""
        await self.get(session, user_id, post_id)
        return list(await session.scalars(stats_repo.post_history(post_id, window)))


profile_service = ProfileService()
account_service = AccountService()
post_service = PostService()
