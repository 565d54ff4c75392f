"""A scheduled fire runs once even when many processes race for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from tests.dbs import Database
from workflow.claims import claim_fire


def test_one_claim_wins_per_fire(database: Database) -> None:
    fire = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    wins: list[str] = []
    barrier = threading.Barrier(8)

    def race(n: int) -> None:
        barrier.wait()
        if claim_fire(database.factory, "close:67890:0001", fire, f"worker-{n}"):
            wins.append(f"worker-{n}")

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    # the next fire of the same job is a new claim
    assert claim_fire(database.factory, "close:67890:0001", fire.replace(day=25), "worker-x")
