"""The returned 設定依頼書 uploaded in the ticket's thread (seed 1-2 step 5, the other way in):
planning drops the partner's .xlsx/.csv there, renkei answers in the thread with every problem
or with the preview and a button that records 設定完了."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from bot import messages as m
from bot.slack import stores_in, views, views_stores
from bot.slack.notifier import Notifier
from bot.slack.roles import Roles
from workflow.errors import Duplicate, RenkeiError, ValidationFailed
from workflow.linkage_sheet import FORMATS
from workflow.service import Workflow
from workflow.textfiles import extension

log = logging.getLogger(__name__)
Body = Mapping[str, Any]


class ThreadSheet:
    def __init__(self, wf: Workflow, roles: Roles, notifier: Notifier) -> None:
        self.wf = wf
        self.roles = roles
        self.notifier = notifier

    def register(self, app: Any) -> None:
        app.event("message")(self.uploaded)
        app.action(views_stores.SHEET_CONFIRM_ACTION)(self.confirm)

    def uploaded(self, body: Body, client: Any) -> None:
        """A file shared in a ticket's thread by planning, while 連携設定 runs."""
        event = body.get("event") or {}
        channel, thread = str(event.get("channel", "")), str(event.get("thread_ts", ""))
        files = [f for f in event.get("files") or []
                 if isinstance(f, Mapping) and extension(str(f.get("name", ""))) in FORMATS
                 and extension(str(f.get("name", ""))) != "json"]
        user = str(event.get("user", ""))
        if not (files and thread and user) or self.roles.role_of(user) != "planning":
            return
        ticket_id = self.wf.ticket_in_thread(channel, thread)
        if ticket_id is None:
            return
        ticket = self.wf.get(ticket_id)
        if ticket.status != "partner_setup":
            return
        file_id = str(files[0]["id"])
        try:
            name, sheet = stores_in.returned_sheet(client, file_id, ticket)
            company, problem = stores_in.company_code("", sheet.makasete_company_code)
            if problem or not company:
                raise RenkeiError(problem or m.LINKAGE_NEED_COMPANY)
            preview = self.wf.preview_linkage(ticket.id, makasete_company_code=company,
                                              links=sheet.rows)
            if preview.errors:
                raise ValidationFailed(preview.errors)
        except RenkeiError as exc:
            messages = stores_in.messages_of(exc)
            for blocks in views_stores.sheet_errors(str(files[0].get("name", "")), messages):
                self._post(client, channel, thread, messages[0][:300], blocks)
            return
        value = json.dumps({"t": ticket.id, "s": ticket.status, "f": file_id, "c": company})
        self._post(client, channel, thread, m.LINKAGE_PREVIEW_TITLE,
                   views_stores.sheet_in_thread(ticket, preview, name, value))

    @staticmethod
    def _post(client: Any, channel: str, thread: str, text: str,
              blocks: list[dict[str, Any]]) -> None:
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=text, blocks=blocks)
        except Exception as exc:  # the upload stays in the thread; planning can use the modal
            log.warning("could not answer the sheet in %s/%s: %s", channel, thread, exc)

    def confirm(self, ack: Any, body: Body, client: Any, respond: Any) -> None:
        """「この内容で記録」 under the thread's preview: the same file, read again, recorded.
        (Acked already by the acks-first wrapper of bot.slack.app; `ack` is a no-op here.)"""
        action = (body.get("actions") or [{}])[0]
        user = body.get("user") or {}
        try:
            data = json.loads(str(action.get("value", "")))
            ticket = self.wf.get(int(data["t"]))
            actor = self.roles.actor(str(user.get("id", "")), str(user.get("username") or ""))
            _, sheet = stores_in.returned_sheet(client, str(data["f"]), ticket)
            self.wf.advance(ticket.id, "complete_setup", actor=actor, links=sheet.rows,
                            makasete_company_code=str(data["c"]), expected_status=str(data["s"]),
                            idempotency_key=f"slack:{action.get('action_ts', '')}:sheet:"
                                            f"{ticket.id}")
        except Duplicate:
            return
        except (ValueError, KeyError, TypeError):
            return  # not our button's value
        except RenkeiError as exc:
            try:
                respond(text=m.failed(" / ".join(stores_in.messages_of(exc))[:2900]),
                        response_type="ephemeral", replace_original=False)
            except Exception as err:
                log.warning("could not answer ephemerally: %s", err)
            return
        self.notifier.kick()
        try:
            respond(text=m.LINKAGE_PREVIEW_TITLE, replace_original=True,
                    blocks=[views._md(m.sheet_recorded(ticket.id))])
        except Exception as exc:  # recorded; the preview's button is the courtesy
            log.warning("could not update the preview: %s", exc)
