"""The outgoing work each step of the seed causes, besides the ticket's own Slack update.

The service enqueues these job kinds in the same transaction as the transition that enters the
state (payload {ticket_id, event_id}); senders handle them after the commit
(bot/integrations/senders.py for Kintone and mail, the Slack adapter for the rest).
"""

from __future__ import annotations

KINTONE_RECORD = "kintone.record"  # Kintone依頼: post the 定型文 as a Kintone record
SPEC_DOCUMENT = "spec.document"  # 設定依頼書送付: upload the .xlsx/.csv to the ticket thread
KINTONE_COMMENT = "kintone.comment"  # 設定完了連絡: 完了報告 as a comment on that record
CUSTOMER_MESSAGE = "customer.message"  # お客様へご連絡: Slack Connect, e-mail or the planner
REMINDER = "ticket.reminder"  # SLA reminder in the thread, enqueued by partner.claim_reminder
PARTNER_MAIL = "spec.mail"  # 設定依頼書送付: the same files by e-mail to PARTNER_EMAIL, with a link
PARTNER_REPORTED = "partner.reported"  # 設定完了連絡 from the partner's page: ask planning

ON_ENTER: dict[str, tuple[str, ...]] = {
    "kintone_requested": (KINTONE_RECORD,),
    "spec_sent": (SPEC_DOCUMENT, PARTNER_MAIL),
    "setup_completed": (KINTONE_COMMENT,),
    "customer_notified": (CUSTOMER_MESSAGE,),
}


# Work that depends on who moved the ticket, keyed by (state entered, actor's role): when the
# partner reports 設定完了 through its page, planning is asked in the thread to check it.
ON_ENTER_BY: dict[tuple[str, str], tuple[str, ...]] = {
    ("setup_completed", "partner"): (PARTNER_REPORTED,),
}
