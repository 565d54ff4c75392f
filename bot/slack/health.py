"""`/readyz`: whether this process can serve requests now, and what waits to go out.

Ready means the database answers, its schema is at the migrations' heads (a replica
started before `renkei db upgrade` is not ready) and, for the embedded SQLite file, its disk
has room to write. The outbox backlog and dead counts are
reported for operators, but do not make a process unready: it is the one that sends them.
"""

from __future__ import annotations

import importlib
import logging
import shutil
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from bot.context import Context
from workflow.migrate import alembic_config
from workflow.models import OutboxJob

log = logging.getLogger(__name__)


def migration_heads() -> set[str]:
    """The head revisions of the migrations shipped with this code."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _states(conn: Connection, column_state: Any) -> dict[str, int]:
    rows = conn.execute(select(column_state, func.count()).group_by(column_state)).all()
    return {str(state): int(count) for state, count in rows}


class Readiness:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.heads = migration_heads()
        try:  # the exporter is an optional package of the same distribution
            self.batches: Any = importlib.import_module("exporter.models").ExportBatch
        except ModuleNotFoundError:
            self.batches = None

    def check(self) -> tuple[bool, dict[str, Any]]:
        """(ready, the JSON body of /readyz)."""
        heads = sorted(self.heads)
        try:
            with self.ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                current = sorted(str(v) for v in conn.scalars(
                    text("SELECT version_num FROM alembic_version")))
                jobs = _states(conn, OutboxJob.state)
                batches = _states(conn, self.batches.state) if self.batches is not None else {}
        except Exception as exc:  # unreachable, or no schema at all: not ready, say which
            log.warning("readiness: database check failed: %s: %s", type(exc).__name__, exc)
            return False, {"ok": False, "database": "unreachable",
                           "migrations": {"current": None, "heads": heads, "ok": False}}
        migrated = set(current) == self.heads
        free = self._disk_free_mb()
        disk_ok = free is None or free >= self.ctx.settings.ready_min_free_mb
        report: dict[str, Any] = {
            "ok": migrated and disk_ok, "database": "ok",
            "migrations": {"current": current, "heads": heads, "ok": migrated},
            "outbox": {"pending": jobs.get("pending", 0), "dead": jobs.get("dead", 0)},
        }
        if self.batches is not None:
            report["exports"] = {"pending": batches.get("pending", 0),
                                 "dead": batches.get("dead", 0)}
        if free is not None:
            report["disk"] = {"free_mb": free, "ok": disk_ok}
        return migrated and disk_ok, report

    def _disk_free_mb(self) -> int | None:
        """Free space where the SQLite file lives (a full disk fails every write while reads
        still answer); None for a server database, whose disk is not ours to see."""
        url = self.ctx.engine.url
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        try:
            return shutil.disk_usage(Path(url.database).resolve().parent).free // 2**20
        except OSError:
            return None
