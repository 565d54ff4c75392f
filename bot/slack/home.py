"""App Home: what one user sees in the bot's Home tab, published on app_home_opened and again
after a change to one of their tickets (from the outbox sender, never inside a click)."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from bot.slack import views_drift
from bot.slack.roles import Roles
from bot.slack.views import when
from bot.slack.views_home import HomeData, home_view
from bot.web.tokens import links_or_none
from workflow import drafts, partner, repair
from workflow.schemas import EventView, TicketView
from workflow.service import Workflow

log = logging.getLogger(__name__)
PEOPLE = ("sales", "planning")  # roles whose Home is refreshed (not customers, not systems)


class Home:
    def __init__(self, wf: Workflow, roles: Roles, tz: ZoneInfo) -> None:
        self.wf = wf
        self.roles = roles
        self.tz = tz
        self.links = links_or_none(wf.settings)

    def data(self, user: str) -> HomeData:
        """Planning sees every open ticket and all counts; sales their own."""
        planning = self.roles.role_of(user) == "planning"
        overdue = self.wf.list_tickets(overdue=True)
        if not planning:
            overdue = [t for t in overdue if t.requester == user]
        return HomeData(
            mine=self.wf.list_tickets(requester=user, open_only=True),
            counts=partner.step_counts(self.wf, requester=None if planning else user),
            overdue=overdue,
            everyone=self.wf.list_tickets(open_only=True) if planning else None,
            counts_are_mine=not planning,
            updated=when(self.wf.clock(), self.tz),
            dashboard_url=(self.links.url("viewer", user=user)
                           if planning and self.links else None),
            dead_jobs=repair.dead_count(self.wf) if planning else 0)

    def view(self, user: str) -> dict[str, Any]:
        view = home_view(self.data(user))
        # Open drift drafts: everyone's to planning, the requester's own to sales.
        planning = self.roles.role_of(user) == "planning"
        open_drafts = [d for d in drafts.list_drafts(self.wf)
                       if planning or d.requester == user]
        blocks = view["blocks"]
        at = len(blocks) - 1 if blocks and blocks[-1].get("type") == "context" else len(blocks)
        view["blocks"] = blocks[:at] + views_drift.home_blocks(open_drafts) + blocks[at:]
        return view

    def publish(self, client: Any, user: str) -> None:
        client.views_publish(user_id=user, view=self.view(user))

    def refresh(self, client: Any, ticket: TicketView, event: EventView | None) -> None:
        """Publish again for the ticket's requester and the person who just acted; a failure
        only leaves a Home stale until it is next opened."""
        users = [ticket.requester]
        if event is not None and event.actor_role in PEOPLE and event.actor not in users:
            users.append(event.actor)
        for user in users:
            try:
                self.publish(client, user)
            except Exception as exc:
                log.info("App Home of %s not refreshed: %s", user, exc)
