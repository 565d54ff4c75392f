"""Persisted + audited transitions per second, against raw SQLAlchemy Core writes of the same rows.

For each database (SQLite file, and the local PostgreSQL when reachable) it files 2N tickets,
then times N `Workflow.advance` calls (each one transaction: ticket update with its version
check, audit event, outbox jobs) and N Core transactions writing the same rows directly,
interleaved.
Prints both rates and their ratio (goal ≥ 0.5), measured in this one run.

    .venv/bin/python bench/transitions.py [--n 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text, update

# This file's name shadows the `transitions` library when bench/ is sys.path[0]: use the
# repository root instead (the package is installed editable anyway).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from workflow.db import make_engine, make_sessionmaker  # noqa: E402
from workflow.migrate import upgrade  # noqa: E402
from workflow.models import OutboxJob, Ticket, TicketEvent  # noqa: E402
from workflow.service import ON_ENTER, Workflow  # noqa: E402
from workflow.settings import Settings  # noqa: E402

PG_ADMIN = os.environ.get("RENKEI_TEST_PG_ADMIN_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FORM = {"customer_code": "123456", "company_code": "67890", "company_name": "株式会社データ分析",
        "stores": "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店",
        "desired_date": "2027-03-01"}


def raw_transition(engine: Engine, ticket_id: int, now: datetime) -> None:
    """The same rows a transition writes, as bare Core statements in one transaction."""
    tickets = Ticket.__table__
    with engine.begin() as conn:
        conn.execute(update(tickets).where(tickets.c.id == ticket_id, tickets.c.version == 1)
                     .values(status="kintone_requested", version=2, updated_at=now,
                             step_times={"contacted": now.isoformat(),
                                         "kintone_requested": now.isoformat()}))
        event_id = conn.execute(insert(TicketEvent.__table__).values(
            ticket_id=ticket_id, at=now, actor="tanaka", actor_name="田中", actor_role="sales",
            action="request_kintone", from_status="contacted", to_status="kintone_requested",
            note="")).inserted_primary_key[0]
        conn.execute(insert(OutboxJob.__table__), [
            {"kind": kind, "ticket_id": ticket_id, "dedupe_key": f"raw:{kind}:{event_id}",
             "payload": {"ticket_id": ticket_id, "event_id": event_id}, "state": "pending",
             "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now}
            for kind in ["ticket.event", *ON_ENTER.get("kintone_requested", [])]])


def bench(url: str, n: int) -> tuple[float, float]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    wf = Workflow(factory, Settings(_env_file=None))  # type: ignore[call-arg]
    sales = wf.actor("tanaka", "田中")
    ids = [wf.file_request("new", FORM, actor=sales).id for _ in range(2 * n)]
    ours, raw = ids[:n], ids[n:]

    # Interleaved one by one so both sides see the same machine load (helpers, CI neighbours).
    now = datetime.now(UTC)
    service_time = core_time = 0.0
    for mine, theirs in zip(ours, raw, strict=True):
        start = time.perf_counter()
        wf.advance(mine, "request_kintone", actor=sales)
        service_time += time.perf_counter() - start
        start = time.perf_counter()
        raw_transition(engine, theirs, now)
        core_time += time.perf_counter() - start
    service_rate, core_rate = n / service_time, n / core_time
    engine.dispose()
    return service_rate, core_rate


def report(name: str, rates: tuple[float, float]) -> None:
    ours, core = rates
    print(f"{name:<10} service {ours:8.1f} transitions/s   raw Core {core:8.1f} writes/s   "
          f"ratio {ours / core:.2f} (goal ≥ 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="transitions per side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", bench(f"sqlite:///{folder}/bench.db", args.n))
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"renkei_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL  skipped: not reachable at {PG_ADMIN} ({type(exc).__name__})")
        return
    try:
        report("PostgreSQL", bench(PG_ADMIN.rsplit("/", 1)[0] + "/" + name, args.n))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
