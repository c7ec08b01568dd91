"""Autogenerate an Alembic revision from the models: ``python scripts/new_migration.py "message"``.

It diffs the models against a scratch SQLite database upgraded to the current head.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from socialpulse.db.migrate import alembic_config


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
        cfg = alembic_config(url)
        command.upgrade(cfg, "head")
        versions = Path(__file__).resolve().parents[1] / "src/socialpulse/db/migrations/versions"
        rev = f"{len(list(versions.glob('[0-9]*.py'))) + 1:04d}"
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev)


if __name__ == "__main__":
    main()
