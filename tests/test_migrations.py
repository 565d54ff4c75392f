"""The Alembic migrations produce exactly the tables the models declare, on both databases."""

from __future__ import annotations

import importlib

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.dbs import Database
from workflow.db import Base

for _module in ("workflow.models", "exporter.models", "exporter.pos"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "a model changed without a migration: add one under migrations/versions"
