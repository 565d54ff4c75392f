"""Bolt listeners that bring dead jobs back: 「再送する」 on a ticket message (that ticket's
dead jobs) and 「すべて再送する」 in planning's App Home (every dead job, those of no ticket
too: a drift draft's post). Planning only; each requeue is audited on its ticket."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot import messages as m
from bot.slack.guard import answers_db_errors
from bot.slack.views_home import RETRY_ALL_ACTION
from workflow import repair
from workflow.schemas import Actor

if TYPE_CHECKING:
    from bot.slack.handlers import Ack, Body, Handlers, Respond

log = logging.getLogger(__name__)


class FateHandlers:
    def __init__(self, parent: Handlers) -> None:
        self.parent = parent
        self.wf = parent.wf

    def register(self, app: Any) -> None:
        app.action(RETRY_ALL_ACTION)(self.retry_all)

    def retry_ticket(self, ticket_id: int, actor: Actor, respond: Respond) -> None:
        """「再送する」 on a ticket with dead jobs: planning requeues them (audited)."""
        if actor.role != "planning":
            self.parent._tell(respond, m.failed(m.OUTBOX_RETRY_ONLY_PLANNING))
            return
        requeued = repair.retry(self.wf, actor=actor, ticket_id=ticket_id,
                                note=m.OUTBOX_RETRY_NOTE)
        if not requeued:
            self.parent._tell(respond, m.OUTBOX_NOTHING_DEAD)
            return
        kind = self.wf.get(ticket_id).kind
        self.parent._tell(respond, m.outbox_requeued(ticket_id, [m.job_label(j.kind, kind)
                                                                 for j in requeued]))
        self.parent.notifier.kick()

    @answers_db_errors
    def retry_all(self, ack: Ack, body: Body, client: Any, respond: Respond) -> None:
        """「すべて再送する」 in App Home: the Home is published again (the count gone), and
        the planner gets a DM saying how many went back (a Home has no response_url)."""
        ack()
        actor = self.parent._actor(body)
        if self.parent.roles.is_external(body) or actor.role != "planning":
            return  # the button is only ever shown to planning
        requeued = repair.retry(self.wf, actor=actor, note=m.OUTBOX_RETRY_NOTE)
        self.parent.notifier.kick()
        try:
            self.parent.home_tab.publish(client, actor.id)
            dm = client.conversations_open(users=actor.id)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=m.home_requeued(len(requeued))
                                    if requeued else m.OUTBOX_NOTHING_DEAD_ANYWHERE)
        except Exception as exc:  # the requeue is done; telling is the courtesy
            log.info("App Home retry: could not tell %s: %s", actor.id, exc)
