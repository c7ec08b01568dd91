from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from socialpulse import models  # noqa: F401  (registers every table)
from socialpulse.db.base import Base

target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    # `alembic revision --autogenerate` from a shell: connect synchronously
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or ""
    url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    with create_engine(url).connect() as conn:
        run(conn)
else:
    run(connection)
