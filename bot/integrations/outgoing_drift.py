"""The Slack side of a drift draft (outbox job "mapping.draft"): post the draft in the
requests channel mentioning the requester of the company's latest ticket (else planning), and
update that message in place when items join it or it is filed or set 対象外."""

from __future__ import annotations

import logging

from bot.integrations.failures import slack_errors
from bot.slack import views_drift
from bot.slack.notifier import Notifier
from workflow import drafts, outbox
from workflow.models import OutboxJob
from workflow.settings import Settings

log = logging.getLogger(__name__)


class DraftSender:
    def __init__(self, notifier: Notifier, settings: Settings) -> None:
        self.notifier = notifier
        self.settings = settings
        self.wf = notifier.wf

    def mention(self, requester: str | None) -> str:
        if requester:
            return f"<@{requester}>"
        if self.settings.planning_group:
            return f"<!subteam^{self.settings.planning_group}>"
        return " ".join(f"<@{u}>" for u in self.settings.planning_users)

    def __call__(self, job: OutboxJob) -> None:
        channel = self.notifier.channel
        if not channel:
            raise outbox.Skip("SLACK_REQUESTS_CHANNEL is not set")
        draft = drafts.get_draft(self.wf, int(job.payload["draft_id"]))
        text, blocks = views_drift.draft_message(draft, self.mention(draft.requester))
        client = self.notifier.client
        with slack_errors():
            if draft.slack_channel and draft.slack_ts:
                client.chat_update(channel=draft.slack_channel, ts=draft.slack_ts, text=text,
                                   blocks=blocks)
            else:
                resp = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
                drafts.record_message(self.wf, draft.id, str(resp["channel"]), str(resp["ts"]))
