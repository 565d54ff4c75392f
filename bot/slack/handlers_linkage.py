"""Bolt listeners of the 設定完了 modal (連携設定 → 設定完了連絡): what planning typed is checked
and recorded at once; a returned 設定依頼書 attached to it goes to a preview first, and 「この内容
で記録」 reads the same file again and records it. Attached files are downloaded after the ack
(bot/slack/late_answer.py). Parse → call workflow → render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot import messages as m
from bot.slack import late_answer, limits, payloads, stores_in, views, views_stores
from bot.slack.guard import answers_db_errors
from workflow.errors import Duplicate, RenkeiError

if TYPE_CHECKING:
    from bot.slack.handlers import Ack, Body, Handlers


class LinkageHandlers:
    def __init__(self, parent: Handlers) -> None:
        self.parent = parent
        self.wf = parent.wf

    def register(self, app: Any) -> None:
        app.view(views.LINKAGE_CALLBACK)(self.submit_linkage)
        app.view(views_stores.LINKAGE_CONFIRM_CALLBACK)(self.submit_linkage_confirm)

    @answers_db_errors
    def submit_linkage(self, ack: Ack, body: Body, client: Any,
                       view: Mapping[str, Any]) -> None:
        """設定完了: a returned 設定依頼書 goes to its preview; inputs are recorded at once."""
        if late_answer.needs_web_api(client, view, [views_stores.LINKAGE_FILE]):
            late_answer.answer_later(ack, client, view, lambda recorded: self._linkage(
                recorded, body, client, view), self.parent.later)
            return
        self._linkage(ack, body, client, view)

    def _linkage(self, ack: Ack, body: Body, client: Any, view: Mapping[str, Any]) -> None:
        meta = payloads.meta(view)
        actor = self.parent._actor(body)
        try:
            ticket = self.wf.get(int(meta["ticket_id"]))
        except RenkeiError as exc:
            ack(response_action="update", view=views.notice_modal(m.ERROR_TITLE, exc.message))
            return
        values = payloads.state(view)
        typed = payloads.value(values, "makasete_company_code")
        if ids := payloads.file_ids(values, views_stores.LINKAGE_FILE):
            service, _ = payloads.read_service(values)
            ack(**stores_in.sheet_answer(self.wf, client, ticket, ids[0], typed,
                                         {**meta, "service": service}))
            return
        entered = payloads.read_linkage(view, ticket)
        preview = self.wf.preview_linkage(ticket.id, makasete_company_code=entered.company_code,
                                          links=entered.rows, service=entered.service)
        if entered.issues or preview.issues or preview.company_errors:
            errors = payloads.linkage_errors(entered, preview.issues, preview.company_errors)
            if any(len(e) >= limits.ERROR_TEXT for e in errors.values()):  # too many to show
                messages = [*(e.message for e in preview.company_errors),  # under inputs
                            *(i.text() for i in [*entered.issues, *preview.issues])]
                ack(response_action="push", view=views_stores.linkage_errors_modal(messages))
            else:
                ack(response_action="errors", errors=errors)
            return
        self.parent._submitted(ack, view, lambda: self.wf.advance(
            ticket.id, "complete_setup", actor=actor, links=entered.rows,
            makasete_company_code=entered.company_code, expected_status=meta.get("status"),
            service=entered.service, idempotency_key=f"slack:view:{view.get('id', '')}"))

    @answers_db_errors
    def submit_linkage_confirm(self, ack: Ack, body: Body, client: Any,
                               view: Mapping[str, Any]) -> None:
        """「この内容で記録」 on the preview: the same file, read again, recorded."""
        if late_answer.needs_web_api(client, view, [], file_in_meta=True):
            late_answer.answer_later(ack, client, view, lambda recorded: self._linkage_confirm(
                recorded, body, client, view), self.parent.later)
            return
        self._linkage_confirm(ack, body, client, view)

    def _linkage_confirm(self, ack: Ack, body: Body, client: Any, view: Mapping[str, Any]
                         ) -> None:
        meta = payloads.meta(view)
        actor = self.parent._actor(body)
        try:
            ticket = self.wf.get(int(meta["ticket_id"]))
            _, sheet = stores_in.returned_sheet(client, str(meta.get("file_id", "")), ticket)
            self.wf.advance(ticket.id, "complete_setup", actor=actor, links=sheet.rows,
                            makasete_company_code=str(meta.get("company", "")),
                            expected_status=meta.get("status"), service=meta.get("service"),
                            idempotency_key=f"slack:view:{view.get('id', '')}")
        except Duplicate:
            ack()
            return
        except RenkeiError as exc:  # moved meanwhile, or the file changed: nothing recorded
            text = " / ".join(stores_in.messages_of(exc))
            ack(response_action="update", view=views.notice_modal(m.ERROR_TITLE, text))
            return
        ack()
        self.parent.notifier.kick()
