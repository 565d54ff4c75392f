"""Verbs for outgoing work that could not go out: see it, retry it, repair what it needs.

Retrying is audited on each ticket it touches (an "outbox_retry" event, no status change),
which also refreshes the ticket's message so its 「送信できませんでした」 line goes away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from workflow import outbox
from workflow.db import transaction
from workflow.models import OutboxJob, Ticket, TicketEvent
from workflow.schemas import Actor
from workflow.service import Workflow

RETRY_ACTION = "outbox_retry"


@dataclass(frozen=True)
class JobRow:
    """One outbox job as operators and people see it."""

    id: int
    kind: str
    ticket_id: int | None
    state: str
    attempts: int
    next_attempt_at: datetime
    code: str
    detail: str
    retry_after: float | None

    @classmethod
    def of(cls, job: OutboxJob) -> JobRow:
        return cls(job.id, job.kind, job.ticket_id, job.state, job.attempts,
                   job.next_attempt_at, job.last_error_code or "", job.last_error or "",
                   job.retry_after)


def jobs(wf: Workflow, *, dead_only: bool = False, ticket_id: int | None = None,
         limit: int = 200) -> list[JobRow]:
    """Jobs not sent yet (pending and dead, or only dead), newest first."""
    with wf.factory() as session:
        return [JobRow.of(j) for j in outbox.list_jobs(session, dead_only=dead_only,
                                                       ticket_id=ticket_id, limit=limit)]


def dead_count(wf: Workflow) -> int:
    """How many jobs are dead (App Home for planning, /readyz)."""
    with wf.factory() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxJob)
                                  .where(OutboxJob.state == "dead")) or 0)


def retry(wf: Workflow, *, actor: Actor, job_ids: list[int] | None = None,
          ticket_id: int | None = None, note: str = "") -> list[JobRow]:
    """Requeue dead jobs (these ids, this ticket's, or every dead one when neither is given)
    and audit it on each ticket; returns the jobs requeued (as they were, dead)."""
    with transaction(wf.factory) as session:
        query = select(OutboxJob).where(OutboxJob.state == "dead")
        if job_ids is not None:
            query = query.where(OutboxJob.id.in_(job_ids))
        if ticket_id is not None:
            query = query.where(OutboxJob.ticket_id == ticket_id)
        dead = [JobRow.of(j) for j in session.scalars(query.order_by(OutboxJob.id))]
        if not dead:
            return []
        outbox.requeue(session, job_ids=[j.id for j in dead], now=wf.clock())
        now = wf.clock()
        for tid in sorted({j.ticket_id for j in dead if j.ticket_id is not None}):
            ticket = session.get(Ticket, tid)
            if ticket is None:
                continue
            kinds = "、".join(sorted({j.kind for j in dead if j.ticket_id == tid}))
            event = TicketEvent(ticket_id=tid, actor=actor.id, actor_name=actor.name,
                                actor_role=actor.role, action=RETRY_ACTION,
                                from_status=ticket.status, to_status=ticket.status,
                                note=note or kinds, at=now)
            session.add(event)
            session.flush()
            outbox.enqueue(session, kind="ticket.event", dedupe_key=f"ticket.event:{event.id}",
                           payload={"ticket_id": tid, "event_id": event.id}, ticket_id=tid,
                           not_before=now)
        return dead


def replace_message(wf: Workflow, ticket_id: int, *, old_ts: str | None, channel: str,
                    ts: str) -> bool:
    """The ticket's message was deleted and posted afresh: remember the new one, unless
    another sender replaced it first (False)."""
    with transaction(wf.factory) as session:
        result = session.execute(
            update(Ticket).where(Ticket.id == ticket_id, Ticket.slack_ts == old_ts)
            .values(slack_channel=channel, slack_ts=ts)
            .execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))


def dead_kinds(wf: Workflow, ticket_id: int) -> set[str]:
    """The kinds of the ticket's dead jobs (a job waiting for one of them dies with it)."""
    with wf.factory() as session:
        return {j.kind for j in outbox.dead_jobs(session, ticket_id=ticket_id)}
