"""Retention of delivered export batches: after EXPORT_RETENTION_DAYS their frozen records
(the serialised `body`) are emptied; the row stays with its key, revision, content hash,
record count and delivery time, so `renkei export status` still counts it and the same data
enqueued again still adds nothing (the hash is what enqueueing compares). Pending and dead
batches keep their body whatever their age: they have not gone out yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from exporter.models import DONE, ExportBatch
from workflow.db import utcnow

_T = cast(Table, ExportBatch.__table__)
_CHUNK = 5000  # rows per UPDATE: a night of 80,000 batches is pruned in short transactions


def prune_batches(factory: sessionmaker[Session], *, days: int, now: datetime | None = None,
                  dry_run: bool = False) -> dict[str, int]:
    """Empty the body of batches delivered more than `days` ago; returns
    {"export_batches (records)": batches pruned} (or that would be, with `dry_run`)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    due = (_T.c.state == DONE, _T.c.delivered_at < cutoff, _T.c.pruned_at.is_(None))
    pruned = 0
    with factory() as session:
        if dry_run:
            count = session.scalar(select(func.count()).select_from(_T).where(*due))
            return {"export_batches (records)": int(count or 0)}
    while True:
        with factory() as session, session.begin():
            ids = list(session.scalars(select(_T.c.id).where(*due).order_by(_T.c.id)
                                       .limit(_CHUNK)))
            if not ids:
                break
            session.execute(update(_T).where(_T.c.id.in_(ids), *due)
                            .values(body="", pruned_at=now or utcnow()))
            pruned += len(ids)
    return {"export_batches (records)": pruned}
