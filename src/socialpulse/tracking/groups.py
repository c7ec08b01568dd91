"""Cross-platform post groups: one public id (upload-post's ``request_id``) over the posts that
carry the same content on several platforms.

Rules:

- A group holds 1 to 10 posts of its user, **at most one per platform**: a group answers per
  platform (upload-post's post analytics are keyed by platform), so a second post on one
  platform could not be told apart. Two posts on one platform are a 422 naming ``post_ids``.
- A post belongs to **at most one group**, so a post has at most one ``request_id``; a post
  already grouped is a 409 naming the group (a unique index on the post backs the rule).
- Unknown post ids and other users' post ids are a 404 naming them, exactly alike.
- Deleting a group keeps its posts; deleting a post removes it from its group (the group stays,
  with the posts left).

Services never commit: the request does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Delete, Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.errors import Conflict, NotFound, Unprocessable
from socialpulse.kit.chunks import chunks
from socialpulse.models import Account, Post, PostGroup, PostGroupMember, Profile
from socialpulse.models.enums import Platform
from socialpulse.tracking import repository as tracking_repo
from socialpulse.tracking.schemas import Paged, PageParams

MAX_POSTS = len(Platform)
"""At most one post per platform."""
MAX_TITLE = 500
CHUNK = 500

# ---------------------------------------------------------------------------- SQL


def groups_of(user_id: int) -> Select[PostGroup]:
    return select(PostGroup).where(PostGroup.user_id == user_id)


def group_by_public_id(user_id: int, public_id: str) -> Select[PostGroup]:
    return groups_of(user_id).where(PostGroup.public_id == public_id)


def member_posts(user_id: int, group_ids: Sequence[int]) -> Select[int, Post]:
    """``(group id, post)`` of the groups' posts, by group then post id."""
    return (
        select(PostGroupMember.group_id, Post)
        .join(Post, Post.id == PostGroupMember.post_id)
        .where(PostGroupMember.group_id.in_(group_ids), Post.user_id == user_id)
        .order_by(PostGroupMember.group_id, Post.id)
    )


def groups_of_posts(user_id: int, post_ids: Sequence[int]) -> Select[int, str]:
    """``(post id, group public id)`` of the posts that are in one of the user's groups."""
    return (
        select(PostGroupMember.post_id, PostGroup.public_id)
        .join(PostGroup, PostGroup.id == PostGroupMember.group_id)
        .where(PostGroup.user_id == user_id, PostGroupMember.post_id.in_(post_ids))
        .order_by(PostGroupMember.post_id, PostGroup.id)
    )


def delete_group(user_id: int, public_id: str) -> Delete:
    """Its posts stay: the members go with the group (``ON DELETE CASCADE``)."""
    return delete(PostGroup).where(PostGroup.user_id == user_id, PostGroup.public_id == public_id)


def profile_names(user_id: int, account_ids: Sequence[int]) -> Select[int, str]:
    """``(account id, profile name)`` of the user's accounts that are in a profile."""
    return (
        select(Account.id, Profile.name)
        .join(Profile, Profile.id == Account.profile_id)
        .where(Account.user_id == user_id, Account.id.in_(account_ids))
    )


# ---------------------------------------------------------------------------- service


@dataclass
class GroupPosts:
    """A group and its posts (post id order)."""

    group: PostGroup
    posts: list[Post] = field(default_factory=list)

    @property
    def request_id(self) -> str:
        return self.group.public_id

    @property
    def platforms(self) -> list[str]:
        return [p.platform for p in self.posts]


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}s"


class PostGroupService:
    async def create(
        self, session: AsyncSession, user_id: int, post_ids: Sequence[int], title: str | None = None
    ) -> GroupPosts:
        """A new group over the user's posts ``post_ids`` (see the module's rules)."""
        wanted = list(dict.fromkeys(post_ids))
        if not 1 <= len(wanted) <= MAX_POSTS:
            raise Unprocessable(
                f"post_ids: give 1 to {MAX_POSTS} post ids (at most one post per platform)",
                field="post_ids",
            )
        posts: dict[int, Post] = {}
        for chunk in chunks(wanted, CHUNK):
            stmt = tracking_repo.posts_of(user_id).where(Post.id.in_(chunk))
            posts.update({p.id: p for p in await session.scalars(stmt)})
        missing = [i for i in wanted if i not in posts]
        if missing:
            raise NotFound(
                f"{_plural(len(missing), 'post')} {', '.join(map(str, missing))} not found: "
                "use ids of your posts (GET /v1/posts); no group was created",
                extra={"missing_ids": missing},
            )
        by_platform: dict[str, list[int]] = defaultdict(list)
        for i in wanted:
            by_platform[posts[i].platform].append(i)
        twice = {p: ids for p, ids in by_platform.items() if len(ids) > 1}
        if twice:
            named = "; ".join(f"{p}: posts {', '.join(map(str, ids))}" for p, ids in sorted(twice.items()))
            raise Unprocessable(
                f"post_ids: a group holds at most one post per platform ({named}); "
                "make one group per piece of content",
                field="post_ids",
            )
        grouped = list(await session.execute(groups_of_posts(user_id, wanted)))
        if grouped:
            named = ", ".join(f"post {post_id} is in group {public_id}" for post_id, public_id in grouped)
            raise Conflict(
                f"a post belongs to at most one group: {named}; delete that group or leave the post out",
                extra={"grouped": [{"post_id": p, "request_id": g} for p, g in grouped]},
            )
        clean = title.strip() if title is not None else None
        group = PostGroup(public_id=str(uuid.uuid4()), user_id=user_id, title=clean or None)
        session.add(group)
        await session.flush()
        session.add_all([PostGroupMember(group_id=group.id, post_id=i) for i in sorted(wanted)])
        await session.flush()
        return GroupPosts(group=group, posts=[posts[i] for i in sorted(wanted)])

    async def get(self, session: AsyncSession, user_id: int, request_id: str) -> GroupPosts:
        group = await session.scalar(group_by_public_id(user_id, request_id))
        if group is None:
            raise NotFound(f"post group {request_id} not found")
        return (await self._with_posts(session, user_id, [group]))[0]

    async def list_page(self, session: AsyncSession, user_id: int, params: PageParams) -> Paged[GroupPosts]:
        """The user's groups, oldest first, each with its posts."""
        rows = list(await session.scalars(tracking_repo.page(groups_of(user_id), PostGroup.id, params)))
        page = Paged.of(rows, params, key=lambda g: g.id)
        return Paged(items=await self._with_posts(session, user_id, page.items), next_cursor=page.next_cursor)

    async def delete(self, session: AsyncSession, user_id: int, request_id: str) -> None:
        """Deletes the group; its posts stay tracked."""
        if await session.scalar(delete_group(user_id, request_id).returning(PostGroup.id)) is None:
            raise NotFound(f"post group {request_id} not found")

    async def request_ids(
        self, session: AsyncSession, user_id: int, post_ids: Sequence[int]
    ) -> dict[int, str]:
        """The group (``request_id``) of each of the posts that is in one."""
        found: dict[int, str] = {}
        for chunk in chunks(list(post_ids), CHUNK):
            for post_id, public_id in await session.execute(groups_of_posts(user_id, chunk)):
                found.setdefault(post_id, public_id)
        return found

    async def profile_names(
        self, session: AsyncSession, user_id: int, account_ids: Sequence[int]
    ) -> dict[int, str]:
        """The name of the profile of each of the user's accounts that is in one."""
        ids = list(dict.fromkeys(account_ids))
        if not ids:
            return {}
        return {a: name for a, name in await session.execute(profile_names(user_id, ids))}

    async def _with_posts(
        self, session: AsyncSession, user_id: int, groups: Sequence[PostGroup]
    ) -> list[GroupPosts]:
        out = {g.id: GroupPosts(group=g) for g in groups}
        if out:
            for group_id, post in await session.execute(member_posts(user_id, list(out))):
                out[group_id].posts.append(post)
        return list(out.values())


post_group_service = PostGroupService()
