"""Shared fixtures: `database` runs a test on SQLite and on PostgreSQL; `sqlite_db` on SQLite
only; `settings` and `wf` (the service) on top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbs import REQUIRE_PG, Database, PgServer, SqliteTemplate, pg_unreachable_reason
from tests.factories import NOW, settings_for
from tests.kintone_fake import FakeKintone
from tests.smtp_fake import Inbox, LocalSMTP
from workflow.service import Workflow
from workflow.settings import Settings


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[PgServer | None]:
    reason = pg_unreachable_reason()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"RENKEI_REQUIRE_POSTGRES=1 but {reason}")
        yield None
        return
    server = PgServer()
    yield server
    server.close()


@pytest.fixture
def sqlite_db(_sqlite_template: SqliteTemplate, tmp_path: Path) -> Iterator[Database]:
    db = _sqlite_template.fresh(tmp_path)
    yield db
    db.engine.dispose()


@pytest.fixture
def pg_db(_pg_server: PgServer | None) -> Database:
    if _pg_server is None:
        pytest.skip(pg_unreachable_reason() or "PostgreSQL not reachable")
    return _pg_server.fresh()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


@pytest.fixture
def kintone() -> Iterator[FakeKintone]:
    """A local fake Kintone REST server (the partner side's record and comment API)."""
    fake = FakeKintone()
    yield fake
    fake.close()


@pytest.fixture
def smtp() -> Iterator[tuple[LocalSMTP, Inbox]]:
    """A local SMTP server (aiosmtpd) on a free port, and what it received."""
    inbox = Inbox()
    controller = LocalSMTP(inbox)
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def settings() -> Settings:
    return settings_for(RENKEI_PLANNING_USERS="kikaku,suzuki")


@pytest.fixture
def wf(database: Database, settings: Settings) -> Workflow:
    return Workflow(database.factory, settings, clock=lambda: NOW)
