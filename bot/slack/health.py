"""`/readyz`: whether this process can serve requests now, and what waits to go out.

Ready means the database answers and its schema is at the migrations' heads (a replica
started before `renkei db upgrade` is not ready). The outbox backlog and dead counts are
reported for operators, but do not make a process unready: it is the one that sends them.
"""

from __future__ import annotations

import importlib
import logging
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
        report: dict[str, Any] = {
            "ok": migrated, "database": "ok",
            "migrations": {"current": current, "heads": heads, "ok": migrated},
            "outbox": {"pending": jobs.get("pending", 0), "dead": jobs.get("dead", 0)},
        }
        if self.batches is not None:
            report["exports"] = {"pending": batches.get("pending", 0),
                                 "dead": batches.get("dead", 0)}
        return migrated, report
