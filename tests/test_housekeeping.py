"""Pruning Slack request keys: older than a day go, once across replicas; the outbox's proofs
of work done stay (a job retried later must still not send twice)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.integrations.housekeeping import Prune
from tests.conftest import NOW
from tests.dbs import Database
from workflow.models import ProcessedRequest
from workflow.service import Workflow
from workflow.settings import Settings


def test_old_request_keys_are_pruned_once_across_replicas(database: Database,
                                                          settings: Settings) -> None:
    with database.factory() as session, session.begin():
        session.add_all([
            ProcessedRequest(key="slack:view:V1", at=NOW - timedelta(days=2)),
            ProcessedRequest(key="slack:1700.1:U1:5:send_spec", at=NOW - timedelta(hours=25)),
            ProcessedRequest(key="slack:event:Ev1", at=NOW - timedelta(hours=1)),
            ProcessedRequest(key="outbox.done:kintone.record:9", at=NOW - timedelta(days=30)),
        ])
    wf = Workflow(database.factory, settings, clock=lambda: NOW)
    replicas = [Prune(wf, "w1"), Prune(wf, "w2")]
    assert [p() for p in replicas] == [2, None]  # the second lost the hour's claim
    with database.factory() as session:
        left = sorted(session.scalars(select(ProcessedRequest.key)))
    assert left == ["outbox.done:kintone.record:9", "slack:event:Ev1"]
    later = Workflow(database.factory, settings, clock=lambda: NOW + timedelta(hours=1))
    assert Prune(later, "w2")() == 0  # the next hour runs again, with nothing to do
