"""The SLA reminder check: every RENKEI_REMINDER_CHECK_MINUTES an APScheduler job on each
replica claims the reminders due (`workflow.partner.queue_reminders`: one conditional UPDATE
per ticket, so only one replica wins a ticket's reminder of the day); the winner's outbox job
then posts it in the ticket's thread (bot.integrations.outgoing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from workflow import partner
from workflow.service import Workflow

log = logging.getLogger(__name__)
JOB_ID = "renkei:reminders"


class ReminderCheck:
    """One check, as the scheduler calls it; `kick` wakes the outbox sender when it queued."""

    def __init__(self, wf: Workflow, kick: Callable[[], None] | None = None) -> None:
        self.wf = wf
        self.kick = kick

    def __call__(self) -> list[int]:
        queued = partner.queue_reminders(self.wf, now=self.wf.clock())
        if queued:
            log.info("SLA reminders queued for tickets %s", queued)
            if self.kick is not None:
                self.kick()
        return queued


def register(scheduler: BaseScheduler, wf: Workflow, *, minutes: int,
             kick: Callable[[], None] | None = None) -> ReminderCheck:
    """Add the check to `scheduler`, first run now (a restart catches up at once)."""
    check = ReminderCheck(wf, kick)
    tz = ZoneInfo(wf.settings.timezone)
    scheduler.add_job(check, IntervalTrigger(minutes=minutes, timezone=tz), id=JOB_ID,
                      replace_existing=True, next_run_time=datetime.now(tz), coalesce=True,
                      max_instances=1, misfire_grace_time=minutes * 60)
    return check
