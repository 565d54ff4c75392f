"""Test databases: a migrated SQLite file per test, and a migrated PostgreSQL database per
test session (tables truncated between tests). PostgreSQL comes from RENKEI_TEST_PG_ADMIN_URL
(default: the local server); without a server its tests skip, unless RENKEI_REQUIRE_POSTGRES=1
(set by .ci/run), which turns the skip into a failure."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from workflow.db import make_engine, make_sessionmaker
from workflow.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "RENKEI_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("RENKEI_REQUIRE_POSTGRES") == "1"


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine
    factory: sessionmaker[Session]


def pg_unreachable_reason() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any connection failure means "no server here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"
    return None


class PgServer:
    """One throwaway database for this test session, dropped at the end."""

    def __init__(self) -> None:
        self.name = f"renkei_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name
        upgrade(self.url)
        self.engine = make_engine(self.url, pool_size=25, max_overflow=10)

    def fresh(self) -> Database:
        # The migrated schema, not Base.metadata: it is what the tests actually run against.
        existing = set(inspect(self.engine).get_table_names()) - {"alembic_version"}
        tables = ", ".join(f'"{name}"' for name in sorted(existing))
        with self.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return Database("postgresql", self.url, self.engine, make_sessionmaker(self.engine))

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


class SqliteTemplate:
    """Migrate once, copy the file for each test (a migration per test would be slow)."""

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.db"
        upgrade(f"sqlite:///{self.template}")

    def fresh(self, folder: Path) -> Database:
        path = folder / f"renkei-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(self.template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        return Database("sqlite", url, engine, make_sessionmaker(engine))
