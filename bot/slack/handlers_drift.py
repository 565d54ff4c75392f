"""Bolt listeners of the drift drafts: 「この内容で設定変更を依頼」 opens the 設定変更 form
pre-filled (its submission files the ticket and closes the draft, in Handlers.submit_intake),
「対象外にする」 asks for a reason and closes the draft. Parse → call workflow → render."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot import messages as m
from bot.slack import payloads, views, views_drift, views_stores
from bot.slack.guard import answers_db_errors
from workflow import drafts
from workflow.errors import RenkeiError, ValidationFailed
from workflow.mapping import OPEN
from workflow.schemas import Actor, StoreView, TicketView

if TYPE_CHECKING:
    from bot.slack.handlers import Ack, Body, Handlers, Respond

log = logging.getLogger(__name__)


class DriftHandlers:
    def __init__(self, parent: Handlers) -> None:
        self.parent = parent
        self.wf = parent.wf

    def register(self, app: Any) -> None:
        app.action(views_drift.FILE_ACTION)(self.file_press)
        app.action(views_drift.IGNORE_ACTION)(self.ignore_press)
        app.view(views_drift.IGNORE_CALLBACK)(self.submit_ignore)

    def _draft_of(self, body: Body, respond: Respond) -> drafts.DraftView | None:
        """The pressed draft when it is still open and the presser may act on it."""
        if self.parent.roles.is_external(body):
            self.parent._tell(respond, m.CUSTOMER_ONLY_CONFIRM)
            return None
        action = (body.get("actions") or [{}])[0]
        raw = str(action.get("value", ""))
        if not raw.isascii() or not raw.isdigit():
            return None
        try:
            draft = drafts.get_draft(self.wf, int(raw))
        except RenkeiError as exc:
            self.parent._tell(respond, m.failed(exc.message))
            return None
        if draft.state != OPEN:
            text = m.drift_filed(draft.ticket_id or 0, draft.closed_by or "") \
                if draft.ticket_id else m.drift_ignored(draft.closed_by or "", draft.reason)
            self.parent._tell(respond, text)
            return None
        return draft

    @answers_db_errors
    def file_press(self, ack: Ack, body: Body, client: Any, respond: Respond) -> None:
        ack()
        draft = self._draft_of(body, respond)
        if draft is None:
            return
        meta = {"kind": "change", "channel": (body.get("channel") or {}).get("id", ""),
                "draft_id": draft.id}
        stores = [StoreView(code=code, name=name) for code, name in draft.stores]
        client.views_open(trigger_id=body["trigger_id"], view=views_stores.intake_modal(
            "change", meta, views_drift.intake_initial(draft), stores))

    @answers_db_errors
    def ignore_press(self, ack: Ack, body: Body, client: Any, respond: Respond) -> None:
        ack()
        draft = self._draft_of(body, respond)
        if draft is None:
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=views_drift.ignore_modal(draft, {"draft_id": draft.id}))

    @answers_db_errors
    def submit_ignore(self, ack: Ack, body: Body, client: Any,
                      view: Mapping[str, Any]) -> None:
        meta = payloads.meta(view)
        actor = self.parent._actor(body)
        reason = payloads.value(payloads.state(view), "reason")
        try:
            drafts.ignore_draft(self.wf, int(meta["draft_id"]), reason=reason, actor=actor.id)
        except ValidationFailed as exc:
            ack(response_action="errors", errors=exc.by_field())
            return
        except RenkeiError as exc:
            ack(response_action="update", view=views.notice_modal(m.ERROR_TITLE, exc.message))
            return
        ack()
        self.parent.notifier.kick()

    def filed(self, meta: Mapping[str, Any], ticket: TicketView, actor: Actor) -> None:
        """The 設定変更 from a draft's form was filed: the draft closes (the ticket stands
        even when someone set the draft 対象外 meanwhile)."""
        try:
            drafts.file_draft(self.wf, int(meta["draft_id"]), ticket_id=ticket.id,
                              actor=actor.id)
        except (RenkeiError, ValueError) as exc:
            log.info("draft %s not closed by ticket %s: %s", meta.get("draft_id"), ticket.id,
                     exc)
